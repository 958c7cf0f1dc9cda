/**
 * One point of the lookup-cost sweep: `seeds` simulated networks of `n`
 * nodes, `files` files each, every file located the three ways of
 * src/routing/locate.ts (bench/lib/kad-sim.ts `locateCosts`).
 */
import { estimateLookupCost } from '../../src/dht/index.js'
import { KAD_DHT_DEFAULTS, randomKey, TEXTBOOK_ALPHA3, type KadParams } from './kad-sim.js'
import { buildNetwork, locateCosts, tableStats, type FileLocateCosts, type NetworkAge } from './kad-sim-network.js'

/** A file of 10 shares on 10 servers, k = 3: the DHT way stops at k + 1 distinct shares. */
export const SHARES = 10
export const NEED_SHARES = 4

export type WayName = keyof FileLocateCosts
export const WAYS: WayName[] = ['dht', 'clubCached', 'clubResolve', 'providerWalk', 'ipnsGet']

export const CONFIGS: Array<{ name: string, params: KadParams }> = [
  { name: 'kad-dht defaults (k=20, α=10, 20 paths)', params: KAD_DHT_DEFAULTS },
  { name: 'textbook (k=20, α=3, 1 path)', params: TEXTBOOK_ALPHA3 }
]

export interface Stat { mean: number, p95: number }

export interface SweepPoint {
  n: number
  config: string
  age: NetworkAge
  samples: number
  table: { mean: number, min: number, max: number }
  rpcs: Record<WayName, Stat>
  roundTrips: Record<WayName, Stat>
  /** What the planner (src/dht/cost-model.ts, α = 10) estimates for the DHT way at this N. */
  plannerEstimate: { rpcs: number, roundTrips: number }
  seconds: number
}

export function stat (values: number[]): Stat {
  const sorted = [...values].sort((a, b) => a - b)
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, p95: sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] }
}

export function sweepPoint (n: number, cfg: { name: string, params: KadParams }, age: NetworkAge, seeds: number, files: number): SweepPoint {
  const t0 = Date.now()
  const samples: FileLocateCosts[] = []
  const tables: Array<{ mean: number, min: number, max: number }> = []
  for (let seed = 1; seed <= seeds; seed++) {
    const net = buildNetwork(n, cfg.params, seed * 1000 + n, age)
    tables.push(tableStats(net))
    for (let f = 0; f < files; f++) {
      const order = Array.from({ length: n }, (_, i) => i)
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(net.rand() * (i + 1))
        ;[order[i], order[j]] = [order[j], order[i]]
      }
      const servers = order.slice(1, 1 + Math.min(SHARES, n - 1))
      samples.push(locateCosts(net, order[0], servers, Math.min(NEED_SHARES, servers.length), randomKey(net.rand), `file-${f}`))
    }
  }
  const est = estimateLookupCost(n)
  return {
    n,
    config: cfg.name,
    age,
    samples: samples.length,
    table: { mean: tables.reduce((a, t) => a + t.mean, 0) / tables.length, min: Math.min(...tables.map(t => t.min)), max: Math.max(...tables.map(t => t.max)) },
    rpcs: Object.fromEntries(WAYS.map(w => [w, stat(samples.map(s => s[w].rpcs))])) as Record<WayName, Stat>,
    roundTrips: Object.fromEntries(WAYS.map(w => [w, stat(samples.map(s => s[w].roundTrips))])) as Record<WayName, Stat>,
    plannerEstimate: { rpcs: est.rpcs + Math.min(SHARES, n - 1), roundTrips: est.roundTrips + 1 },
    seconds: (Date.now() - t0) / 1000
  }
}
