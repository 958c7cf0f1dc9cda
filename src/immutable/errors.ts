/**
 * Errors raised by the immutable-file (CHK) code. Every class carries a
 * stable `code` so callers (CLI, gateway, protocols) can branch on it
 * without parsing messages.
 */
export class ImmutableError extends Error {
  readonly code: string
  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ImmutableError'
    this.code = code
  }
}

/** Why a cap string was refused. */
export type CapErrorReason =
  | 'unknown-type' // not URI:CHK:, URI:CHK-Verifier: or URI:LIT:
  | 'field-count' // wrong number of ':'-separated fields
  | 'bad-base32' // a character outside Tahoe's lower-case alphabet, or an impossible length
  | 'trailing-bits' // base32 whose unused last bits are not zero (non-canonical)
  | 'bad-length' // decoded key / hash has the wrong number of bytes
  | 'bad-number' // k, N or size is not a canonical decimal number
  | 'k-out-of-range' // k or N outside 1..256
  | 'k-exceeds-n' // k > N
  | 'size-mismatch' // CHK cap for a file small enough to be literal, or a literal cap too big
  | 'bad-hint' // the '@<clubId>' suffix is empty or malformed

export class InvalidCapError extends ImmutableError {
  readonly reason: CapErrorReason
  constructor (reason: CapErrorReason, message: string) {
    super('ERR_INVALID_CAP', message)
    this.name = 'InvalidCapError'
    this.reason = reason
  }
}

export type Base32ErrorReason = 'bad-char' | 'bad-length' | 'trailing-bits'

export class InvalidBase32Error extends ImmutableError {
  readonly reason: Base32ErrorReason
  constructor (reason: Base32ErrorReason, message: string) {
    super('ERR_INVALID_BASE32', message)
    this.name = 'InvalidBase32Error'
    this.reason = reason
  }
}

/** Encoding parameters (k, N, happy, segment size, sizes) that cannot be used. */
export class InvalidParametersError extends ImmutableError {
  constructor (message: string) {
    super('ERR_INVALID_PARAMETERS', message)
    this.name = 'InvalidParametersError'
  }
}

/** The plaintext source produced a different number of bytes than planned (it changed between passes). */
export class SourceChangedError extends ImmutableError {
  constructor (message: string) {
    super('ERR_SOURCE_CHANGED', message)
    this.name = 'SourceChangedError'
  }
}

/** A requested byte range lies outside the file. */
export class InvalidRangeError extends ImmutableError {
  constructor (message: string) {
    super('ERR_INVALID_RANGE', message)
    this.name = 'InvalidRangeError'
  }
}

/** Which integrity check a share failed. */
export type ShareCheck = 'ueb' | 'share-hash-chain' | 'block-hash' | 'crypttext-hash' | 'layout' | 'read-error'

/**
 * One share failed one check. Internal to a download: the downloader drops
 * the share, reports it through onBadShare, and carries on with another.
 */
export class BadShareError extends ImmutableError {
  readonly check: ShareCheck
  constructor (check: ShareCheck, message: string, options?: { cause?: unknown }) {
    super('ERR_BAD_SHARE', message, options)
    this.name = 'BadShareError'
    this.check = check
  }
}

export interface ShareFailure {
  shnum: number
  check: ShareCheck
  error: Error
}

/** Fewer than k shares with distinct numbers passed every check. */
export class NotEnoughSharesError extends ImmutableError {
  readonly needed: number
  readonly good: number
  readonly failures: ShareFailure[]
  constructor (needed: number, good: number, failures: ShareFailure[]) {
    const list = failures.length === 0
      ? 'no share failed a check; there were simply too few shares'
      : failures.map(f => `share ${f.shnum}: ${f.check} (${f.error.message})`).join('; ')
    super('ERR_NOT_ENOUGH_SHARES',
      `need ${needed} good shares with distinct numbers but only ${good} remain; ${list}`)
    this.name = 'NotEnoughSharesError'
    this.needed = needed
    this.good = good
    this.failures = failures
  }
}

/** The uploader's data contradicts its own hashes: no choice of shares can fix it. */
export class CorruptFileError extends ImmutableError {
  constructor (message: string) {
    super('ERR_CORRUPT_FILE', message)
    this.name = 'CorruptFileError'
  }
}

export class AbortedError extends ImmutableError {
  constructor (message = 'the operation was aborted') {
    super('ERR_ABORTED', message)
    this.name = 'AbortError'
  }
}
