/**
 * Errors of the gateway. Each carries a stable `code` and the HTTP status it
 * answers with, so the server maps errors to responses in one place and the
 * CLI maps responses back to exit codes.
 */
export class GatewayError extends Error {
  readonly code: string
  readonly status: number
  constructor (code: string, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'GatewayError'
    this.code = code
    this.status = status
  }
}

/** The request itself is wrong: a missing parameter, a malformed value. HTTP 400. */
export class BadRequestError extends GatewayError {
  constructor (message: string) {
    super('ERR_BAD_REQUEST', 400, message)
    this.name = 'BadRequestError'
  }
}

/** A control request without the API token (or with a wrong one). HTTP 401. */
export class UnauthorizedError extends GatewayError {
  constructor (message: string) {
    super('ERR_UNAUTHORIZED', 401, message)
    this.name = 'UnauthorizedError'
  }
}

/** A state-changing request sent by a page of another origin. HTTP 403. */
export class ForbiddenOriginError extends GatewayError {
  constructor (origin: string) {
    super('ERR_FORBIDDEN_ORIGIN', 403, `requests that change state are only accepted from this gateway's own pages, not from ${JSON.stringify(origin.slice(0, 100))}; command-line clients send no Origin header`)
    this.name = 'ForbiddenOriginError'
  }
}

/** A byte range outside the file. HTTP 416. */
export class RangeNotSatisfiableError extends GatewayError {
  readonly size: number
  constructor (range: string, size: number) {
    super('ERR_RANGE_NOT_SATISFIABLE', 416, `the range "${range}" lies outside the file (${size} bytes)`)
    this.name = 'RangeNotSatisfiableError'
    this.size = size
  }
}

/** No shares of the file were found before the locate deadline. HTTP 404. */
export class FileNotFoundError extends GatewayError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('ERR_NOT_FOUND', 404, message, options)
    this.name = 'FileNotFoundError'
  }
}

/** Error codes of lower layers that mean "nobody holds (enough of) this file". */
const NOT_FOUND_CODES = new Set(['ERR_NO_SUCH_CHILD', 'ERR_NOT_FOUND', 'ERR_NOT_ENOUGH_SHARES', 'ERR_NOT_ENOUGH_MUTABLE_SHARES', 'ERR_CLUB_NOT_FOUND'])
/** Error codes that mean the caller sent something unusable. */
const BAD_INPUT_CODES = new Set([
  'ERR_INVALID_CAP', 'ERR_INVALID_MUTABLE_CAP', 'ERR_INVALID_RANGE', 'ERR_INVALID_BASE32', 'ERR_BAD_SERVER_ADDRESS', 'ERR_INVALID_CLUB_ID', 'ERR_INVALID_INVITE',
  'ERR_INVALID_ROSTER', 'ERR_INVALID_PARAMETERS', 'ERR_INVITATION_UNKNOWN', 'ERR_INVITATION_USED', 'ERR_INVALID_CONFIG',
  'ERR_INVALID_ARGUMENT', 'ERR_ROSTER_TOO_LARGE', 'ERR_NO_SERVERS', 'ERR_BAD_SERVER_ADDRESS', 'ERR_INVALID_PEER_ID',
  // Directories. Tahoe answers a write through a read-only cap with 400 where it checks (a PUT to a
  // read-only mutable file, web/filenode.py); its dirnode's NotWriteableError has no mapping there (500).
  // A file in the middle of a path is 400 on reads ("Files have no children"); dir-routes makes it 409 on creating writes.
  'ERR_INVALID_DIR_CAP', 'ERR_INVALID_CHILD_NAME', 'ERR_READ_ONLY_DIRECTORY', 'ERR_CAP_CONSTRAINT', 'ERR_NOT_A_DIRECTORY', 'ERR_EMPTY_PATH',
  // an upload helper refusing the encoding asked for (its message says the largest segment it takes)
  'ERR_ENCODING_REFUSED'
])
const FORBIDDEN_CODES = new Set(['ERR_HELPER_NOT_ALLOWED'])
const CONFLICT_CODES = new Set(['ERR_EXISTING_CHILD', 'ERR_UNCOORDINATED_WRITE', 'ERR_BAD_WRITE_ENABLER', 'ERR_MODIFY_RETRIES', 'ERR_NOT_CLUB_OWNER', 'ERR_SERVER_NOT_MEMBER', 'ERR_JOIN_REFUSED', 'ERR_NO_SUCH_JOIN_REQUEST', 'ERR_ROSTER_STALE'])
const UNAVAILABLE_CODES = new Set(['ERR_JOIN_PROTOCOL', 'ERR_JOIN_RATE_LIMITED', 'ERR_JOIN_SERVER_UNREACHABLE', 'ERR_UPLOAD_UNHAPPY', 'ERR_PUBLISH_UNHAPPY', 'ERR_CLUB_PUBLISH_FAILED', 'ERR_INVITE_BOOTSTRAP_UNREACHABLE', 'ERR_QUOTA_EXCEEDED', 'ERR_CAPACITY_EXCEEDED',
  'ERR_HELPER_UNAVAILABLE', 'ERR_HELPER_BUSY', 'ERR_SPOOL_QUOTA', 'ERR_SPOOL_FULL', 'ERR_HELPER_BAD_RESULT', 'ERR_UPLOAD_TOO_SLOW', 'ERR_HELPER_REFUSED'])

/** The HTTP status for any error thrown by the node or the gateway. */
export function statusOf (err: unknown): number {
  if (err instanceof GatewayError) return err.status
  const code = (err as { code?: unknown })?.code
  if (typeof code === 'string') {
    if (code === 'ERR_STORAGE_DISABLED') return 501
    if (NOT_FOUND_CODES.has(code)) return 404
    if (BAD_INPUT_CODES.has(code)) return 400
    if (FORBIDDEN_CODES.has(code)) return 403
    if (CONFLICT_CODES.has(code)) return 409
    if (UNAVAILABLE_CODES.has(code)) return 503
  }
  return 500
}

/** `{ error: { code, message } }` — the body of every JSON error answer. */
export function errorBody (err: unknown): { error: { code: string, message: string } } {
  const e = err as { code?: unknown, message?: unknown }
  return {
    error: {
      code: typeof e?.code === 'string' ? e.code : 'ERR_INTERNAL',
      message: typeof e?.message === 'string' ? e.message : String(err)
    }
  }
}
