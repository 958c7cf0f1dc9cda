/**
 * Renews the leases of one upload on the servers that took its shares. The
 * storage protocol does not tell a client how long a server's lease lasts,
 * so the client assumes Tahoe's default (31 days) both when it records an
 * upload and when it renews, and renews a week before that runs out.
 */
import { renewLeases, SharesNotFoundError, type ServerInfo } from '../client/index.js'
import { storageIndexOf, toCap } from '../immutable/index.js'
import { isMutableCapString, parseMutableCap } from '../mutable/index.js'
import { ASSUMED_LEASE_MS, type RenewFn } from './leases.js'
import type { StreamOpener } from '../protocols/index.js'

/** A lease book entry names a server by multiaddr (with /p2p/) or, when none was known, by bare peer ID. */
function serverOf (entry: string): ServerInfo {
  if (!entry.startsWith('/')) return { peerId: entry, multiaddrs: [] }
  const id = entry.slice(entry.lastIndexOf('/p2p/') + '/p2p/'.length)
  return { peerId: id, multiaddrs: [entry] }
}

export function leaseRenewer (opener: StreamOpener, leaseSecret: Uint8Array): RenewFn {
  return async (lease, { signal }) => {
    let storageIndex: Uint8Array
    if (isMutableCapString(lease.cap)) {
      // add_lease works on a mutable slot as on immutable shares.
      storageIndex = parseMutableCap(lease.cap).storageIndex
    } else {
      const cap = toCap(lease.cap)
      // A literal cap holds its data: nothing to lease. A verify cap (kept for others) names the storage index.
      if (cap.kind === 'lit') return { expiresAt: Number.MAX_SAFE_INTEGER }
      storageIndex = storageIndexOf(cap)
    }
    const { renewed } = await renewLeases(opener, storageIndex, lease.servers.map(serverOf), leaseSecret)
    signal?.throwIfAborted()
    if (renewed.length === 0) throw new SharesNotFoundError(`no server holding ${lease.storageIndex} accepted the lease renewal`)
    return { expiresAt: Date.now() + ASSUMED_LEASE_MS }
  }
}
