/**
 * Leases: per-server lease secrets, derived from the client's one lease
 * secret the way Tahoe derives them (client → file → bucket), and renewing
 * a file's leases on the servers that hold it. Tahoe seeds the last step
 * with the server's 20-byte Foolscap tub ID; our servers are libp2p peers,
 * so the seed is `serverIdOf(peer ID)`: SHA-1 of the peer ID's multihash
 * bytes, the same id write enablers are derived from.
 */
import { leaseSecretsFor } from '../immutable/index.js'
import { serverIdOf, type LeaseSecrets, type StreamOpener } from '../protocols/index.js'
import { clientLogger, shortPeer, siText } from './log.js'
import { StorageClientPool, type ServerInfo } from './servers.js'

export function serverLeaseSecrets (leaseSecret: Uint8Array, storageIndex: Uint8Array, peerId: string): LeaseSecrets {
  return leaseSecretsFor(leaseSecret, storageIndex, serverIdOf(peerId))
}

export interface LeaseRenewal {
  /** Peer IDs of the servers that renewed (or added) this client's lease. */
  renewed: string[]
  failures: Array<{ peerId: string, error: Error }>
}

/** Renews this client's lease on every share of the storage index, on each server in parallel. */
export async function renewLeases (opener: StreamOpener, storageIndex: Uint8Array, servers: readonly ServerInfo[], leaseSecret: Uint8Array): Promise<LeaseRenewal> {
  const log = clientLogger(opener, 'lease')
  const pool = new StorageClientPool(opener)
  const result: LeaseRenewal = { renewed: [], failures: [] }
  try {
    await Promise.all(servers.map(async server => {
      try {
        await pool.get(server).addLease(storageIndex, serverLeaseSecrets(leaseSecret, storageIndex, server.peerId))
        result.renewed.push(server.peerId)
      } catch (err) {
        result.failures.push({ peerId: server.peerId, error: err as Error })
        log('%s: lease renewal on %s failed: %s', siText(storageIndex), shortPeer(server.peerId), (err as Error).message)
      }
    }))
  } finally {
    await pool.stop()
  }
  log('%s: lease renewed on %d of %d server(s)', siText(storageIndex), result.renewed.length, servers.length)
  return result
}
