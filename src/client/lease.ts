/**
 * Per-server lease secrets, derived from the client's one lease secret the
 * way Tahoe derives them (client → file → bucket). Tahoe seeds the last step
 * with the server's 20-byte Foolscap tub ID; our servers are libp2p peers, so
 * the seed is the 20-byte SHA-1 of the server's peer ID bytes.
 */
import { createHash } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { leaseSecretsFor } from '../immutable/index.js'
import type { LeaseSecrets } from '../protocols/index.js'

export function leaseSeedOf (peerId: string): Uint8Array {
  return createHash('sha1').update(peerIdFromString(peerId).toMultihash().bytes).digest()
}

export function serverLeaseSecrets (leaseSecret: Uint8Array, storageIndex: Uint8Array, peerId: string): LeaseSecrets {
  return leaseSecretsFor(leaseSecret, storageIndex, leaseSeedOf(peerId))
}
