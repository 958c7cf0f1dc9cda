/**
 * Storage servers as the client sees them, and one StorageClient per server
 * kept for the life of an operation (its session stream is reused by every
 * request to that server).
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { dialTarget, StorageClient, type StreamOpener } from '../protocols/index.js'
import { BadServerAddressError } from './errors.js'

export interface ServerInfo {
  /** Peer ID, string form. */
  peerId: string
  /** Addresses to dial; empty when the peer store already knows the peer. */
  multiaddrs: string[]
}

/** Parses `/ip4/…/tcp/…/p2p/<id>` strings into servers, merging addresses of the same peer. */
export function serversFromMultiaddrs (addresses: readonly string[]): ServerInfo[] {
  const byPeer = new Map<string, ServerInfo>()
  for (const address of addresses) {
    let ma: Multiaddr
    try {
      ma = multiaddr(address)
    } catch (err) {
      throw new BadServerAddressError(address, (err as Error).message)
    }
    const id = ma.getComponents().findLast(c => c.name === 'p2p')?.value
    if (id == null) throw new BadServerAddressError(address, 'it names no peer')
    try {
      peerIdFromString(id)
    } catch {
      throw new BadServerAddressError(address, `"${id}" is not a peer ID`)
    }
    const entry = byPeer.get(id) ?? { peerId: id, multiaddrs: [] }
    entry.multiaddrs.push(ma.toString())
    byPeer.set(id, entry)
  }
  return [...byPeer.values()]
}

/**
 * Which session to a server a request goes on. A server answers one
 * session's requests in order, so small requests (hash tree nodes, headers)
 * get their own session and never wait behind megabytes of read-ahead.
 */
export type Lane = 'bulk' | 'small'

/** StorageClients per server and lane, created on first use, all stopped together. */
export class StorageClientPool {
  private readonly opener: StreamOpener
  private readonly clients = new Map<string, StorageClient>()

  constructor (opener: StreamOpener) {
    this.opener = opener
  }

  get (server: ServerInfo, lane: Lane = 'bulk'): StorageClient {
    const key = `${lane}:${server.peerId}`
    let client = this.clients.get(key)
    if (client == null) {
      client = new StorageClient(this.opener, dialTarget(server))
      this.clients.set(key, client)
    }
    return client
  }

  async stop (): Promise<void> {
    await Promise.allSettled([...this.clients.values()].map(async c => { await c.stop() }))
    this.clients.clear()
  }
}
