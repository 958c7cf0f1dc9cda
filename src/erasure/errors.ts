/** Errors raised by the erasure codec. Each carries a stable `code`. */
export class ErasureError extends Error {
  readonly code: string
  constructor (code: string, message: string) {
    super(message)
    this.name = 'ErasureError'
    this.code = code
  }
}

export class InvalidParametersError extends ErasureError {
  constructor (message: string) { super('ERR_INVALID_PARAMETERS', message); this.name = 'InvalidParametersError' }
}

export class DuplicateShareError extends ErasureError {
  constructor (message: string) { super('ERR_DUPLICATE_SHARE', message); this.name = 'DuplicateShareError' }
}

export class ShareNumberOutOfRangeError extends ErasureError {
  constructor (message: string) { super('ERR_SHARE_NUMBER_OUT_OF_RANGE', message); this.name = 'ShareNumberOutOfRangeError' }
}

export class BlockLengthMismatchError extends ErasureError {
  constructor (message: string) { super('ERR_BLOCK_LENGTH_MISMATCH', message); this.name = 'BlockLengthMismatchError' }
}

export class WrongBlockCountError extends ErasureError {
  constructor (message: string) { super('ERR_WRONG_BLOCK_COUNT', message); this.name = 'WrongBlockCountError' }
}
