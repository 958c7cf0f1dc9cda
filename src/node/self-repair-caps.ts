/** Kept caps: how the lease book stores one, what checking or repairing it costs, and how it is listed. */
import { base32Encode, InvalidCapError, parseHintedCap, storageIndexOf } from '../immutable/index.js'
import { isMutableCapString, parseHintedMutableCap } from '../mutable/index.js'
import type { FileHealth, LeaseRecord } from './leases.js'
import type { CheckReport } from '../client/index.js'
import type { KeptFile } from './self-repair-types.js'

/** What a repair of a mutable file is charged: its cap does not tell its size. */
export const MUTABLE_REPAIR_CHARGE = 2 ** 20

interface ParsedKeep { cap: string, storageIndex: string, club?: string, canRepair: boolean }

/** A cap as the lease book stores it: without its hint; the hint becomes the file's club. */
export function parseKeptCap (text: string): ParsedKeep {
  const t = text.trim()
  if (isMutableCapString(t)) {
    const { cap, hint } = parseHintedMutableCap(t)
    return { cap: hint === undefined ? t : t.slice(0, t.length - hint.length - 1), storageIndex: base32Encode(cap.storageIndex), club: hint, canRepair: cap.kind === 'mutable-write' }
  }
  if (t.startsWith('URI:DIR2')) {
    throw new InvalidCapError('unknown-type', 'keep takes file caps (URI:CHK:…, URI:SSK:…, URI:MDMF:… or their verify caps); a directory\'s children are not followed')
  }
  const { cap, hint } = parseHintedCap(t)
  if (cap.kind === 'lit') throw new InvalidCapError('unknown-type', 'a literal cap (URI:LIT:) holds its data itself: there is nothing on the grid to keep')
  return { cap: hint === undefined ? t : t.slice(0, t.length - hint.length - 1), storageIndex: base32Encode(storageIndexOf(cap)), club: hint, canRepair: cap.kind === 'chk' }
}

/** Bytes a verify or a repair of the file moves: every share once (size × N / k). */
export function transferCost (cap: string): number {
  if (isMutableCapString(cap)) return MUTABLE_REPAIR_CHARGE
  const c = parseHintedCap(cap).cap
  return c.kind === 'lit' ? 0 : Math.ceil(c.size * c.n / c.k)
}

/** The peer ID in a holder entry (an address ending in /p2p/<id>, or the bare ID). */
export function peerOf (entry: string): string {
  const at = entry.lastIndexOf('/p2p/')
  return at < 0 ? entry : entry.slice(at + '/p2p/'.length)
}

export function healthOf (r: CheckReport): FileHealth {
  return { k: r.k, n: r.n, sharesFound: r.sharesFound, happiness: r.happiness, healthy: r.healthy, recoverable: r.recoverable }
}

export function keptFileOf (l: LeaseRecord): KeptFile {
  const out: KeptFile = {
    storageIndex: l.storageIndex,
    kind: isMutableCapString(l.cap) ? 'mutable' : 'chk',
    kept: l.kept,
    uploaded: l.uploaded,
    expiresAt: l.expiresAt
  }
  if (l.club !== undefined) out.club = l.club
  if (l.renewedAt !== undefined) out.renewedAt = l.renewedAt
  if (l.checkedAt !== undefined) out.checkedAt = l.checkedAt
  if (l.verifiedAt !== undefined) out.verifiedAt = l.verifiedAt
  if (l.health !== undefined) out.health = l.health
  if (l.lastError !== undefined) out.lastError = l.lastError
  return out
}
