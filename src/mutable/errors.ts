/**
 * Errors raised by the mutable-file (SDMF/MDMF) format code. Each class has
 * a stable `code`; the ones with a `reason` or `check` say exactly which
 * rule was broken, so callers (client, storage, CLI) can branch on it.
 */
export class MutableError extends Error {
  readonly code: string
  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MutableError'
    this.code = code
  }
}

/** Why a mutable cap string was refused. */
export type MutableCapErrorReason =
  | 'unknown-type' // not one of the six URI:SSK…/URI:MDMF… prefixes
  | 'field-count' // wrong number of ':'-separated fields
  | 'bad-base32' // a character outside Tahoe's alphabet, or an impossible length
  | 'trailing-bits' // base32 whose unused last bits are not zero
  | 'bad-length' // a key, storage index or fingerprint of the wrong size
  | 'readonly-prefix' // a write cap behind Tahoe's 'ro.' or 'imm.' marker

export class InvalidMutableCapError extends MutableError {
  readonly reason: MutableCapErrorReason
  constructor (reason: MutableCapErrorReason, message: string) {
    super('ERR_INVALID_MUTABLE_CAP', message)
    this.name = 'InvalidMutableCapError'
    this.reason = reason
  }
}

/** An RSA key that cannot be used: unreadable, not RSA, not 2048 bits, or a wrong exponent. */
export class InvalidKeyError extends MutableError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_KEY', message, options)
    this.name = 'InvalidKeyError'
  }
}

/** k, N, segment size, sequence number or sizes that a mutable share cannot hold. */
export class InvalidMutableParametersError extends MutableError {
  constructor (message: string) {
    super('ERR_INVALID_MUTABLE_PARAMETERS', message)
    this.name = 'InvalidMutableParametersError'
  }
}

/** Which integrity check a mutable share failed. */
export type MutableShareCheck =
  | 'layout' // header, offsets or field sizes do not fit together
  | 'version' // a version byte other than 0 (SDMF) or 1 (MDMF), or not the cap's format
  | 'verification-key' // the stored public key does not hash to the cap's fingerprint
  | 'signature' // the RSA signature over the signed prefix does not verify
  | 'share-hash-chain' // the share's block-hash root does not lead to the signed root hash
  | 'block-hash' // a block (with its salt, for MDMF) does not match the block hash tree
  | 'private-key' // the encrypted private key does not decrypt to the cap's write key
  | 'mismatch' // the share's signed version differs from the one being read

/** One share failed one check. A reader drops that share and carries on with others. */
export class BadMutableShareError extends MutableError {
  readonly check: MutableShareCheck
  readonly shnum: number
  constructor (check: MutableShareCheck, shnum: number, message: string, options?: { cause?: unknown }) {
    super('ERR_BAD_MUTABLE_SHARE', `share ${shnum}: ${message}`, options)
    this.name = 'BadMutableShareError'
    this.check = check
    this.shnum = shnum
  }
}

export interface MutableShareFailure {
  shnum: number
  check: MutableShareCheck
  error: Error
}

/** Fewer than k good shares of one version: the file cannot be recovered from what was given. */
export class NotEnoughMutableSharesError extends MutableError {
  readonly needed: number
  readonly good: number
  readonly failures: MutableShareFailure[]
  constructor (needed: number, good: number, failures: MutableShareFailure[]) {
    const list = failures.length === 0
      ? 'no share failed a check; there were simply too few shares'
      : failures.map(f => `share ${f.shnum}: ${f.check} (${f.error.message})`).join('; ')
    super('ERR_NOT_ENOUGH_MUTABLE_SHARES', `need ${needed} good shares of one version, have ${good}; ${list}`)
    this.name = 'NotEnoughMutableSharesError'
    this.needed = needed
    this.good = good
    this.failures = failures
  }
}

/** A byte range outside the file. */
export class InvalidMutableRangeError extends MutableError {
  constructor (message: string) {
    super('ERR_INVALID_RANGE', message)
    this.name = 'InvalidMutableRangeError'
  }
}
