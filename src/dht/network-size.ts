/**
 * Network-size estimate from the routing table, with no extra RPCs.
 *
 * Method: DHT ids (sha256 of the peer id) are uniform in [0, 2^256). If the
 * network has N nodes, the i-th closest other node to us sits at an expected
 * XOR distance of i / N of the key space (order statistics of N-1 uniform
 * points: i / N). We take the m closest peers in our routing table (m ≤ k; the
 * self-lookup kad-dht runs at start and every few minutes fills exactly this
 * neighbourhood), normalise their distances d_i to [0, 1), and fit d_i = i / N by
 * least squares through the origin: N = Σ i² / Σ i·d_i. The result is never
 * below the number of peers we already know + 1. With few neighbours the
 * estimate is rough (a factor of ~2 at m = 8); it is meant for choosing between
 * "a DHT query" and "ask the club", where log2(N) is what matters.
 */
import { createHash } from 'node:crypto'
import { UnsupportedDhtError } from './errors.js'
import type { PeerId } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'

export interface NetworkSizeEstimate {
  /** Estimated number of DHT nodes, ourselves included. */
  size: number
  /** How many neighbour distances went into the fit. */
  samples: number
  /** Peers in our routing table. */
  routingTableSize: number
  method: 'routing-table-distances'
}

interface RoutingTableInternals {
  kb?: { toIterable?: () => Iterable<{ kadId: Uint8Array }> }
  size?: number
}

const KEYSPACE = 2 ** 256

/** Kademlia id of a peer: sha256 of its multihash bytes (kad-dht `convertPeerId`). */
export function kadIdOf (peerId: PeerId): Uint8Array {
  return new Uint8Array(createHash('sha256').update(peerId.toMultihash().bytes).digest())
}

/** Fit from raw XOR distances to our own id (any order). */
export function estimateFromDistances (distances: bigint[], maxSamples = 20): number {
  if (distances.length === 0) return 1
  const sorted = [...distances].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, maxSamples)
  let sumI2 = 0
  let sumIDist = 0
  sorted.forEach((d, idx) => {
    const i = idx + 1
    sumI2 += i * i
    sumIDist += i * (Number(d) / KEYSPACE)
  })
  if (sumIDist === 0) return distances.length + 1
  return Math.max(distances.length + 1, Math.round(sumI2 / sumIDist))
}

export function estimateNetworkSize (dht: KadDHT, selfPeerId: PeerId, options: { maxSamples?: number } = {}): NetworkSizeEstimate {
  const table = (dht as unknown as { routingTable?: RoutingTableInternals }).routingTable
  const iterate = table?.kb?.toIterable
  if (table?.kb == null || typeof iterate !== 'function') {
    throw new UnsupportedDhtError('this kad-dht build does not expose its routing table (routingTable.kb); network size cannot be estimated')
  }
  const self = toBigInt(kadIdOf(selfPeerId))
  const distances: bigint[] = []
  for (const peer of iterate.call(table.kb)) distances.push(self ^ toBigInt(peer.kadId))
  const maxSamples = options.maxSamples ?? (dht.k ?? 20)
  return {
    size: estimateFromDistances(distances, maxSamples),
    samples: Math.min(distances.length, maxSamples),
    routingTableSize: distances.length,
    method: 'routing-table-distances'
  }
}

function toBigInt (bytes: Uint8Array): bigint {
  return BigInt('0x' + Buffer.from(bytes).toString('hex'))
}
