/**
 * Waits until the DHT can route: at least one peer in its routing table.
 * kad-dht itself makes every query wait for that AND for its first
 * self-lookup, which it starts `initialQuerySelfInterval` (1 s) after start
 * and which then walks the whole neighbourhood: a fresh node's first lookup
 * paid for both (about 1.2 s on loopback). With `allowQueryWithZeroPeers`
 * kad-dht drops both waits; our calls keep the first one (a query with an
 * empty table would end at once with nothing) and start as soon as one peer,
 * typically the bootstrap peer, is in the table.
 */
import { pEvent } from 'p-event'
import type { KadDHT } from '@libp2p/kad-dht'

interface RoutingTableEvents {
  size?: number
  addEventListener?: (type: string, listener: (event: Event) => void) => void
  removeEventListener?: (type: string, listener: (event: Event) => void) => void
}

/** Resolves once the routing table holds a peer (at once when it already does, or when the table is not visible). */
export async function whenRoutable (dht: KadDHT, signal?: AbortSignal): Promise<void> {
  const table = (dht as unknown as { routingTable?: RoutingTableEvents }).routingTable
  if (table == null || typeof table.addEventListener !== 'function' || (table.size ?? 0) > 0) return
  await pEvent(table as any, 'peer:add', { signal })
}
