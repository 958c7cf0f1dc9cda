/**
 * Field checks for requests arriving from the network. A failure is a
 * MalformedMessageError (fatal: the session is closed), because a correct
 * client never sends these values.
 */
import { LEASE_SECRET_LENGTH, MAX_CORRUPTION_REASON_LENGTH, MAX_SHARE_NUMBER, STORAGE_INDEX_LENGTH } from '../../storage/index.js'
import { MalformedMessageError } from '../errors.js'
import type { LeaseSecrets as WireLeaseSecrets } from './message/storage.js'
import type { LeaseSecrets } from '../../storage/index.js'

export function requireStorageIndex (si: Uint8Array | undefined): Uint8Array {
  if (si?.byteLength !== STORAGE_INDEX_LENGTH) {
    throw new MalformedMessageError(`storage index must be ${STORAGE_INDEX_LENGTH} bytes, got ${si?.byteLength ?? 0}`)
  }
  return si
}

export function requireShareNumber (n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > MAX_SHARE_NUMBER) {
    throw new MalformedMessageError(`share number must be 0..${MAX_SHARE_NUMBER}, got ${n}`)
  }
  return n
}

export function requireShareNumbers (ns: number[]): number[] {
  if (ns.length === 0) throw new MalformedMessageError('no share numbers given')
  return [...new Set(ns.map(requireShareNumber))]
}

export function requireCount (name: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new MalformedMessageError(`${name} must be a non-negative integer, got ${n}`)
  return n
}

export function requireLease (lease: WireLeaseSecrets | undefined): LeaseSecrets {
  if (lease == null) throw new MalformedMessageError('lease secrets missing')
  if (lease.renewSecret.byteLength !== LEASE_SECRET_LENGTH || lease.cancelSecret.byteLength !== LEASE_SECRET_LENGTH) {
    throw new MalformedMessageError(`lease secrets must be ${LEASE_SECRET_LENGTH} bytes each`)
  }
  return { renewSecret: lease.renewSecret, cancelSecret: lease.cancelSecret }
}

export function requireReason (reason: string): string {
  if (reason.length < 1 || reason.length > MAX_CORRUPTION_REASON_LENGTH) {
    throw new MalformedMessageError(`corruption reason must be 1..${MAX_CORRUPTION_REASON_LENGTH} characters`)
  }
  return reason
}
