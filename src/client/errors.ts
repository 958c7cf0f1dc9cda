/** Errors of upload and download orchestration. Each carries a stable `code`. */
export class ClientError extends Error {
  readonly code: string
  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ClientError'
    this.code = code
  }
}

/** Not enough servers took shares to reach servers-of-happiness; nothing stays allocated. */
export class UploadUnhappyError extends ClientError {
  readonly happiness: number
  readonly happy: number
  constructor (happiness: number, happy: number, detail: string) {
    super('ERR_UPLOAD_UNHAPPY', `upload needs shares on ${happy} distinct servers (servers of happiness) but only ${happiness} could be used: ${detail}`)
    this.name = 'UploadUnhappyError'
    this.happiness = happiness
    this.happy = happy
  }
}

/** No server (or too few) holds shares of the file. */
export class SharesNotFoundError extends ClientError {
  constructor (message: string) {
    super('ERR_NOT_FOUND', message)
    this.name = 'SharesNotFoundError'
  }
}

export class NoServersError extends ClientError {
  constructor (message: string) {
    super('ERR_NO_SERVERS', message)
    this.name = 'NoServersError'
  }
}

export class BadServerAddressError extends ClientError {
  constructor (address: string, why: string) {
    super('ERR_BAD_SERVER_ADDRESS', `server address "${address}" is not usable: ${why} (expected a multiaddr ending in /p2p/<peer id>)`)
    this.name = 'BadServerAddressError'
  }
}
