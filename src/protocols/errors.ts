/**
 * Errors of the wire protocols. Every class carries a stable `code`.
 *
 * Two families: ProtocolError is raised locally when the bytes on a stream
 * break the protocol (the stream is then closed); RemoteStorageError re-raises
 * on the client an error the server answered with, keeping the server's code
 * (ERR_QUOTA_EXCEEDED, ERR_CONFLICT, ...) so callers can act on it.
 */
export class ProtocolError extends Error {
  readonly code: string
  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** A frame or message does not parse, or a field has an impossible value. */
export class MalformedMessageError extends ProtocolError {
  static readonly code = 'ERR_MALFORMED'
  constructor (message: string, options?: { cause?: unknown }) { super(MalformedMessageError.code, message, options) }
}

/** A frame's length prefix, or a field, exceeds the protocol's limit. */
export class MessageTooLargeError extends ProtocolError {
  static readonly code = 'ERR_TOO_LARGE'
  constructor (message: string) { super(MessageTooLargeError.code, message) }
}

/** The stream ended in the middle of a frame. */
export class TruncatedFrameError extends ProtocolError {
  static readonly code = 'ERR_TRUNCATED'
  constructor (message = 'the stream ended in the middle of a message') { super(TruncatedFrameError.code, message) }
}

/** A request arrived that the protocol does not allow at this point. */
export class OutOfOrderError extends ProtocolError {
  static readonly code = 'ERR_OUT_OF_ORDER'
  constructor (message: string) { super(OutOfOrderError.code, message) }
}

/** A request (or the rest of a started frame) did not arrive in time. */
export class RequestTimeoutError extends ProtocolError {
  static readonly code = 'ERR_TIMEOUT'
  constructor (message: string) { super(RequestTimeoutError.code, message) }
}

/** The stream closed (or was reset) before the answer arrived. */
export class StreamClosedError extends ProtocolError {
  static readonly code = 'ERR_STREAM_CLOSED'
  constructor (message = 'the stream closed before the answer arrived', options?: { cause?: unknown }) { super(StreamClosedError.code, message, options) }
}

/** The client was stopped; no more requests are accepted. */
export class ClientStoppedError extends ProtocolError {
  static readonly code = 'ERR_CLIENT_STOPPED'
  constructor (message = 'the client has been stopped') { super(ClientStoppedError.code, message) }
}

/** The server refused a have-share query for now; ask again after `retryAfterMs`. */
export class SlowDownError extends ProtocolError {
  static readonly code = 'ERR_SLOW_DOWN'
  readonly retryAfterMs: number
  constructor (retryAfterMs: number, message = `rate limited by the server; retry after ${retryAfterMs} ms`) {
    super(SlowDownError.code, message)
    this.retryAfterMs = retryAfterMs
  }
}

/**
 * The server answered a request with an error. `code` is the server's code
 * (e.g. ERR_QUOTA_EXCEEDED); `fatal` says whether the server closed the
 * session stream after it.
 */
export class RemoteStorageError extends Error {
  readonly code: string
  readonly fatal: boolean
  constructor (code: string, message: string, fatal = false) {
    super(message)
    this.code = code
    this.fatal = fatal
    this.name = 'RemoteStorageError'
  }
}

/** Error `code` of anything thrown, if it has a string one. */
export function errorCode (err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/** A message safe to send to a peer (no stack, bounded length). */
export function errorMessage (err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  return message.length > 1024 ? message.slice(0, 1024) + '…' : message
}

/**
 * The code and message to send for an error. Errors without a code are our
 * own bugs or I/O failures: their text (paths, internals) stays in the log.
 */
export function wireError (err: unknown): { code: string, message: string } {
  const code = errorCode(err)
  // system errors carry codes like ENOENT, with paths in their text
  if (code == null || !/^ERR_[A-Z0-9_]+$/.test(code)) return { code: 'ERR_INTERNAL', message: 'the server failed to handle this request' }
  return { code, message: errorMessage(err) }
}

/**
 * The only connection to a server goes through a circuit relay that limits
 * it (by default 128 KiB or 2 minutes): too little for shares, so the
 * storage protocol is not run over it. Names the relay and its limit.
 */
export class RelayLimitedError extends ProtocolError {
  static readonly code = 'ERR_RELAY_LIMITED'
  readonly relay: string
  readonly server: string
  constructor (server: string, relay: string, limit: string) {
    super(RelayLimitedError.code, `storage server ${server} is reachable only through relay ${relay}, whose limit allows ${limit}: ` +
      'too little for shares, and no direct connection (hole punch) came up. The relay grants unlimited reservations only to the peers its ' +
      'operator chose (relay.unlimitedFor, usually members of its clubs); ask that server to join the club, or to open a port / enable UPnP.')
    this.relay = relay
    this.server = server
  }
}
