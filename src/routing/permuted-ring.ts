/**
 * The permuted ring (DESIGN.md §5): for each storage index, servers are
 * ordered by SHA-256(storage index ‖ peer ID bytes). Every client computes
 * the same order, so uploaders and downloaders meet on the same servers
 * without asking anyone, and different files spread over different servers.
 */
import { createHash } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'

export function ringPosition (storageIndex: Uint8Array, peerIdBytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(storageIndex).update(peerIdBytes).digest()
}

function compareBytes (a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i]
  return a.length - b.length
}

/**
 * Orders items carrying a peer ID (string form) on the ring for a storage
 * index. Stable and independent of the input order.
 */
export function permute<T extends { peerId: string }> (storageIndex: Uint8Array, servers: readonly T[]): T[] {
  const keyed = servers.map(s => ({ s, pos: ringPosition(storageIndex, peerIdFromString(s.peerId).toMultihash().bytes) }))
  keyed.sort((a, b) => compareBytes(a.pos, b.pos) || (a.s.peerId < b.s.peerId ? -1 : a.s.peerId > b.s.peerId ? 1 : 0))
  return keyed.map(k => k.s)
}
