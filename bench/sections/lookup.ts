/**
 * Section 8 of `npm run bench`: lookup cost as the DHT grows, N = 10 … 1000,
 * from the Kademlia simulator (bench/lib/kad-sim.ts) only. The check of the
 * simulator against real kad-dht nodes and the chart are in
 * `npm run bench:lookup` (minutes of real nodes; too long for this run).
 */
import { CONFIGS, sweepPoint, type SweepPoint } from '../lib/lookup-sweep.js'
import { progressLog, type SummaryRow } from '../lib/summary-row.js'

export interface LookupResult { seeds: number, files: number, points: SweepPoint[] }

export async function runLookup (quick: boolean): Promise<LookupResult> {
  const log = progressLog('lookup')
  const sizes = quick ? [10, 100, 1000] : [10, 20, 50, 100, 200, 500, 1000]
  const seeds = quick ? 1 : 3
  const files = quick ? 10 : 20
  const points: SweepPoint[] = []
  for (const cfg of CONFIGS) {
    for (const n of sizes) {
      const p = sweepPoint(n, cfg, 'settled', seeds, files)
      points.push(p)
      log(`${cfg.name}, N=${n}: DHT way ${p.rpcs.dht.mean.toFixed(1)} RPCs / ${p.roundTrips.dht.mean.toFixed(1)} RT`)
    }
  }
  return { seeds, files, points }
}

export function lookupRows (r: LookupResult): SummaryRow[] {
  const f = (v: number): string => v.toFixed(1)
  return r.points.filter(p => p.config === CONFIGS[0].name && [10, 100, 1000].includes(p.n)).flatMap(p => [{
    section: '8 lookup',
    measure: `N=${p.n} (sim.), DHT way vs club cached`,
    ours: `${f(p.rpcs.clubCached.mean)} RPCs, ${f(p.roundTrips.clubCached.mean)} RT`,
    baseline: `dht ${f(p.rpcs.dht.mean)} RPCs, ${f(p.roundTrips.dht.mean)} RT`,
    ratio: `${(p.rpcs.clubCached.mean / p.rpcs.dht.mean).toFixed(2)}x`,
    goal: '',
    result: `log2 N = ${Math.log2(p.n).toFixed(1)}`
  }, {
    section: '8 lookup',
    measure: `N=${p.n} (sim.), club resolving vs DHT way`,
    ours: `${f(p.rpcs.clubResolve.mean)} RPCs, ${f(p.roundTrips.clubResolve.mean)} RT`,
    baseline: `dht ${f(p.rpcs.dht.mean)} RPCs, ${f(p.roundTrips.dht.mean)} RT`,
    ratio: `${(p.rpcs.clubResolve.mean / p.rpcs.dht.mean).toFixed(2)}x`,
    goal: '',
    result: ''
  }])
}
