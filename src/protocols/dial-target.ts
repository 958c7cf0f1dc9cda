/**
 * What to dial for a server known by peer ID and addresses. An address is
 * completed with /p2p/<peer id> when it does not end with one, so the
 * connection is only accepted from that peer (the secure channel checks it).
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@libp2p/interface'

/** A server as the layers above know it. */
export interface ServerAddress {
  /** Peer ID, string form. */
  peerId: string
  /** Addresses to dial; empty when the peer store already knows the peer. */
  multiaddrs: readonly string[]
}

/**
 * `addr` ending in /p2p/<peerId>: unchanged when it already ends in a /p2p/ part.
 * The layers above hand over complete addresses (the club layer's
 * `dialableAddrs`); this is the last guard, so no dial goes to whoever answers.
 */
function withPeerId (addr: string, peerId: string): string {
  return multiaddr(addr).getComponents().at(-1)?.name === 'p2p' ? addr : `${addr}/p2p/${peerId}`
}

/** The server's first address (with its peer ID), else its peer ID for the peer store to resolve. */
export function dialTarget (server: ServerAddress): PeerId | Multiaddr {
  return server.multiaddrs.length > 0 ? multiaddr(withPeerId(server.multiaddrs[0], server.peerId)) : peerIdFromString(server.peerId)
}
