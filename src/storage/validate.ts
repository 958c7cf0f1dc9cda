import { InvalidArgumentError } from './errors.js'
import { LEASE_SECRET_LENGTH, MAX_SHARE_NUMBER, STORAGE_INDEX_LENGTH } from './constants.js'
import type { LeaseSecrets } from './types.js'

// Protocol handlers pass decoded wire values straight in, so every argument is checked here.

export function checkAccount (account: unknown): string {
  if (typeof account !== 'string' || account.length === 0 || account.length > 256) {
    throw new InvalidArgumentError('account must be a peer ID string of 1..256 characters')
  }
  return account
}

export function checkStorageIndex (storageIndex: unknown): Uint8Array {
  if (!(storageIndex instanceof Uint8Array) || storageIndex.length !== STORAGE_INDEX_LENGTH) {
    throw new InvalidArgumentError(`storage index must be ${STORAGE_INDEX_LENGTH} bytes`)
  }
  return storageIndex
}

export function checkShareNumber (shareNumber: unknown): number {
  if (!Number.isInteger(shareNumber) || (shareNumber as number) < 0 || (shareNumber as number) > MAX_SHARE_NUMBER) {
    throw new InvalidArgumentError(`share number must be an integer in 0..${MAX_SHARE_NUMBER}, got ${String(shareNumber)}`)
  }
  return shareNumber as number
}

export function checkNonNegativeInteger (name: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new InvalidArgumentError(`${name} must be a non-negative integer, got ${String(value)}`)
  }
  return value as number
}

export function checkLease (lease: unknown): LeaseSecrets {
  const l = lease as Partial<LeaseSecrets> | undefined
  for (const name of ['renewSecret', 'cancelSecret'] as const) {
    const secret = l?.[name]
    if (!(secret instanceof Uint8Array) || secret.length !== LEASE_SECRET_LENGTH) {
      throw new InvalidArgumentError(`lease ${name} must be ${LEASE_SECRET_LENGTH} bytes`)
    }
  }
  return l as LeaseSecrets
}

export function checkBytes (data: unknown): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('data must be a Uint8Array')
  return data
}

/** One buffer or several written back to back; returns them as a list. */
export function checkPieces (data: unknown): Uint8Array[] {
  if (data instanceof Uint8Array) return [data]
  if (!Array.isArray(data) || !data.every(piece => piece instanceof Uint8Array)) {
    throw new InvalidArgumentError('data must be a Uint8Array or an array of them')
  }
  return data
}
