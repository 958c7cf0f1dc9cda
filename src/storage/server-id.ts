/**
 * A server's 20-byte id, standing in for Tahoe's Foolscap tub ID: SHA-1 of
 * the server's peer ID multihash bytes. Both sides compute it, so it lives
 * here, the lowest layer that knows servers: the client seeds each server's
 * lease secrets and write enablers with it; the server records it beside a
 * write enabler in its mutable containers. See docs/architecture.md.
 */
import { createHash } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'

export const SERVER_ID_BYTES = 20

export function serverIdOf (peerId: PeerId | string): Uint8Array {
  const id = typeof peerId === 'string' ? peerIdFromString(peerId) : peerId
  return new Uint8Array(createHash('sha1').update(id.toMultihash().bytes).digest())
}
