/**
 * The peers this node is connected to, as the status page and the client
 * side see them. The one place that answers "which connected peers serve
 * storage" (they said so through identify).
 */
import { STORAGE_PROTOCOL } from '../protocols/index.js'
import type { ServerInfo } from '../client/index.js'
import type { LafsLibp2p } from './libp2p.js'
import type { PeerStatus } from './shapes.js'

/** Connected peers, one entry per peer, with how they are connected. */
/** Best first: a peer with a direct connection and a relayed one is direct. */
const RANK: Record<PeerStatus['connection'], number> = { direct: 0, 'hole-punched': 1, relayed: 2 }

export async function connectedPeers (libp2p: LafsLibp2p): Promise<PeerStatus[]> {
  const byPeer = new Map<string, PeerStatus>()
  for (const conn of libp2p.getConnections()) {
    const id = conn.remotePeer.toString()
    const addr = conn.remoteAddr.toString()
    const kind = libp2p.services.reachability?.connectionKind(conn) ?? { connection: addr.includes('/p2p-circuit') ? 'relayed' : 'direct' }
    const entry = byPeer.get(id) ?? { peerId: id, addresses: [], connection: kind.connection, direction: conn.direction, storageServer: false }
    entry.addresses.push(addr)
    if (RANK[kind.connection] < RANK[entry.connection]) {
      entry.connection = kind.connection
      delete entry.via
    }
    if (entry.connection === 'relayed' && entry.via === undefined && kind.via !== undefined) entry.via = kind.via
    byPeer.set(id, entry)
    if (entry.addresses.length === 1) {
      try {
        entry.storageServer = (await libp2p.peerStore.get(conn.remotePeer)).protocols.includes(STORAGE_PROTOCOL)
      } catch {
        // not in the peer store yet: identify has not run, so it has not said it serves storage
      }
    }
  }
  return [...byPeer.values()].sort((a, b) => a.peerId.localeCompare(b.peerId))
}

/** Connected peers that run a storage server, as the client layer addresses them (dialled by peer ID: the connection exists). */
export async function connectedStorageServers (libp2p: LafsLibp2p): Promise<ServerInfo[]> {
  return (await connectedPeers(libp2p)).filter(p => p.storageServer).map(p => ({ peerId: p.peerId, multiaddrs: [] }))
}
