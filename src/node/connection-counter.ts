/**
 * Connections opened since the node started, by who dialled. libp2p is
 * already started when this is attached: the connections open by then are
 * counted from `getConnections()`, later ones from events. A count that climbs
 * fast on a settled node means connection churn (peers pruned and dialled
 * again), and every new connection costs a Noise handshake and an identify.
 */
import type { Libp2p } from '@libp2p/interface'

export interface ConnectionCounts { inbound: number, outbound: number }

export function countConnections (libp2p: Libp2p): () => ConnectionCounts {
  const counts: ConnectionCounts = { inbound: 0, outbound: 0 }
  for (const c of libp2p.getConnections()) counts[c.direction]++
  libp2p.addEventListener('connection:open', e => { counts[e.detail.direction]++ })
  return () => ({ ...counts })
}
