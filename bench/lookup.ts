import '../src/shim.js'
import { option } from './lib/args.js'
/**
 * Lookup cost as the network grows (issue 16, part 5): RPCs and round trips of
 * the locate planner's ways, for N = 10 … 1000 DHT nodes.
 *
 * 1000 real kad-dht nodes do not fit this 2-core machine (100 in one process
 * already take minutes to join), so the sweep runs bench/lib/kad-sim.ts, a
 * step-by-step simulation of kad-dht 16's routing table and query, which is
 * first checked against real kad-dht nodes on 127.0.0.1 at N = 50 and 100
 * (bench/lib/lookup-real.ts): the same lookups replayed on copies of the real
 * tables, and the simulator's own network-building at the same N.
 *
 * Ways, as src/routing/locate.ts runs them, for a file of 10 shares on 10
 * servers (k = 3):
 *   DHT way            GET_PROVIDERS walk; each provider found is asked have-share
 *                      at once; the walk is dropped when k+1 = 4 distinct shares
 *                      are confirmed (viaDht's `enough`)
 *   club, cached       one have-share round to the first 10 servers on the ring
 *   club, resolving    an IPNS get of the roster (a full GET_VALUE walk), then that round
 *
 *   npm run bench:lookup                           validation at 50, 100 (~25 min on a busy box) + sweep
 *   node dist/bench/lookup.js --no-validate        sweep only (~1 min)
 *   --sizes 10,50 --seeds 2 --files 10 --validate 30 --no-save
 *   --validation-from bench/results/lookup-<date>.json   reuse saved real runs, simulate again
 */
import { readFile, writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import type { KadParams } from './lib/kad-sim.js'
import type { NetworkAge } from './lib/kad-sim-network.js'
import { runRealNetwork, type RealRun } from './lib/lookup-real.js'
import { lookupSvg, type Curve } from './lib/lookup-svg.js'
import { CONFIGS, NEED_SHARES, SHARES, sweepPoint, type Stat, type SweepPoint, type WayName } from './lib/lookup-sweep.js'
import { formatTable } from './lib/measure.js'
import { saveBenchResults } from './lib/results.js'
import { progressLog } from './lib/summary-row.js'

const args = process.argv.slice(2)
const list = (flag: string, dflt: number[]): number[] => option(flag)?.split(',').map(Number) ?? dflt
const SIZES = list('--sizes', [10, 20, 50, 100, 200, 500, 1000])
const SEEDS = Number(option('--seeds') ?? 5)
const FILES = Number(option('--files') ?? 20)
const VALIDATE = args.includes('--no-validate') ? [] : list('--validate', [50, 100])
const SAVE = !args.includes('--no-save')
const log = progressLog('lookup')

interface Validation {
  config: string
  runs: RealRun[]
  /** The simulator's own network at the same N and age: full provider walk and IPNS get. */
  model: Array<{ n: number, age: NetworkAge, table: number, providerWalk: Stat & { roundTrips: number }, ipnsGet: Stat & { roundTrips: number } }>
}

/** The simulator's own network at the real run's N and age, for the same comparison. */
function modelAt (cfg: { name: string, params: KadParams }, n: number): Validation['model'] {
  return (['young', 'settled'] as const).map(age => {
    const p = sweepPoint(n, cfg, age, SEEDS, FILES)
    return { n, age, table: p.table.mean, providerWalk: { ...p.rpcs.providerWalk, roundTrips: p.roundTrips.providerWalk.mean }, ipnsGet: { ...p.rpcs.ipnsGet, roundTrips: p.roundTrips.ipnsGet.mean } }
  })
}

async function validate (): Promise<Validation[]> {
  const from = option('--validation-from')
  if (from != null) {
    // the real runs are taken as saved; the simulator's side is computed again with the current code
    const saved = JSON.parse(await readFile(from, 'utf8')) as { result: { validation: Validation[] } }
    log(`real-node runs taken from ${from}`)
    return saved.result.validation.map(v => {
      const cfg = CONFIGS.find(c => c.name === v.config) ?? CONFIGS[0]
      return { ...v, model: [...new Set(v.runs.map(r => r.size))].flatMap(n => modelAt(cfg, n)) }
    })
  }
  const out: Validation[] = []
  for (const cfg of CONFIGS.slice(0, 1)) {
    const v: Validation = { config: cfg.name, runs: [], model: [] }
    for (const n of VALIDATE) {
      log(`validation: ${n} real kad-dht nodes, ${cfg.name}`)
      v.runs.push(...await runRealNetwork({ size: n, params: cfg.params, files: 8, servers: SHARES, replays: 10, seed: n, log }))
      v.model.push(...modelAt(cfg, n))
    }
    out.push(v)
  }
  return out
}

const f1 = (v: number | undefined): string => v == null ? '-' : v.toFixed(1)

function chart (points: SweepPoint[], date: string): string {
  const main = CONFIGS[0].name
  const alt = CONFIGS[1].name
  const pick = (config: string, way: WayName, what: 'rpcs' | 'roundTrips', withP95 = true): Curve['points'] =>
    points.filter(p => p.config === config && p.age === 'settled').map(p => ({ n: p.n, mean: p[what][way].mean, ...(withP95 ? { p95: p[what][way].p95 } : {}) }))
  const sizes = [...new Set(points.map(p => p.n))].sort((a, b) => a - b)
  const log2 = sizes.map(n => ({ n, mean: Math.log2(n) }))
  const curves = (what: 'rpcs' | 'roundTrips'): Curve[] => [
    { name: 'DHT way (provider walk + have-share)', color: '#d62728', points: pick(main, 'dht', what) },
    { name: 'club way, roster resolved (IPNS get + have-share)', color: '#9467bd', points: pick(main, 'clubResolve', what) },
    { name: 'club way, roster cached (one have-share round)', color: '#1f77b4', points: pick(main, 'clubCached', what, false) },
    { name: 'DHT way, textbook α=3, one path', color: '#ff7f0e', dashed: true, points: pick(alt, 'dht', what) },
    { name: 'club way resolved, textbook α=3', color: '#8c564b', dashed: true, points: pick(alt, 'clubResolve', what) },
    what === 'rpcs'
      ? { name: '3·log2(N) (textbook α·log2 N)', color: '#777', thin: true, points: log2.map(p => ({ n: p.n, mean: 3 * p.mean })) }
      : { name: 'log2(N)', color: '#777', thin: true, points: log2 }
  ]
  return lookupSvg({
    title: 'Locate cost vs DHT size: kad-dht 16 (simulated, checked against real nodes at N = 50, 100)',
    left: { title: 'RPCs per locate (mean; whisker = p95)', yLabel: 'RPCs', curves: curves('rpcs') },
    right: { title: 'Sequential round trips (mean; whisker = p95)', yLabel: 'round trips', curves: curves('roundTrips') },
    sizes,
    footer: [
      `File of 10 shares on 10 servers (k = 3); the DHT way stops once 4 distinct shares are confirmed. Solid lines: kad-dht 16 defaults as lafs-club runs them.`,
      `Networks 'settled': every node joined through one random peer, ran kad-dht's start-up lookups, then one 5-minute maintenance round. ${SEEDS} networks × ${FILES} files per N.`,
      `npm run bench:lookup, ${date.slice(0, 10)}; figures in bench/results/lookup-${date.slice(0, 10)}.json`
    ]
  })
}

async function main (): Promise<void> {
  const t0 = Date.now()
  const loadStart = loadavg()
  const validation = VALIDATE.length > 0 || option('--validation-from') != null ? await validate() : []
  const points: SweepPoint[] = []
  for (const cfg of CONFIGS) {
    for (const age of ['settled', 'young'] as const) {
      for (const n of SIZES) {
        const p = sweepPoint(n, cfg, age, SEEDS, FILES)
        points.push(p)
        log(`${cfg.name}, ${age}, N=${n}: DHT way ${f1(p.rpcs.dht.mean)} RPCs / ${f1(p.roundTrips.dht.mean)} RT, club resolving ${f1(p.rpcs.clubResolve.mean)} / ${f1(p.roundTrips.clubResolve.mean)} (${p.seconds.toFixed(1)} s)`)
      }
    }
  }

  if (validation.length > 0) {
    const rows: string[][] = []
    for (const v of validation) {
      for (const r of v.runs) {
        const m = v.model.find(x => x.n === r.size && x.age === r.age)
        rows.push([String(r.size), r.age, f1(r.tables.mean), f1(m?.table),
          `${f1(r.real.providerWalk.rpcs)} / ${r.real.providerWalk.roundTrips.toFixed(2)}`,
          `${f1(r.replay.providerWalk.rpcs)} / ${r.replay.providerWalk.roundTrips.toFixed(2)}`,
          m != null ? `${f1(m.providerWalk.mean)} / ${m.providerWalk.roundTrips.toFixed(2)}` : '-',
          `${f1(r.real.ipnsGet.rpcs)} / ${r.real.ipnsGet.roundTrips.toFixed(2)}`,
          `${f1(r.replay.ipnsGet.rpcs)} / ${r.replay.ipnsGet.roundTrips.toFixed(2)}`,
          m != null ? `${f1(m.ipnsGet.mean)} / ${m.ipnsGet.roundTrips.toFixed(2)}` : '-',
          `${f1(r.real.providerWalk.rpcsAtFirstProvider)} / ${f1(r.replay.providerWalk.rpcsAtFirstProvider)}`])
      }
    }
    console.log(`\nValidation: real kad-dht nodes on 127.0.0.1 vs the simulator (${validation[0].config}); RPCs / round trips, means`)
    console.log(formatTable(['N', 'network', 'table real', 'table sim', 'provider walk real', 'replay', 'sim net', 'IPNS get real', 'replay', 'sim net', 'RPCs to 1st provider real / replay'], rows))
  }
  const rows = points.map(p => [p.config.startsWith('kad') ? 'kad-dht' : 'α=3', p.age, String(p.n), f1(p.table.mean),
    `${f1(p.rpcs.dht.mean)} (p95 ${p.rpcs.dht.p95})`, `${f1(p.roundTrips.dht.mean)} (${p.roundTrips.dht.p95})`,
    `${f1(p.rpcs.clubResolve.mean)} (p95 ${p.rpcs.clubResolve.p95})`, `${f1(p.roundTrips.clubResolve.mean)} (${p.roundTrips.clubResolve.p95})`,
    `${p.rpcs.clubCached.mean} / ${p.roundTrips.clubCached.mean}`, `${f1(p.rpcs.providerWalk.mean)} / ${f1(p.roundTrips.providerWalk.mean)}`,
    `${p.plannerEstimate.rpcs} / ${p.plannerEstimate.roundTrips}`, Math.log2(p.n).toFixed(1)])
  console.log(`\nLookup cost vs N (simulated; ${SEEDS} networks × ${FILES} files per row)`)
  console.log(formatTable(['config', 'network', 'N', 'table', 'DHT way RPCs', 'DHT RT', 'club resolving RPCs', 'club res. RT', 'club cached RPCs / RT', 'full provider walk', 'planner est. (DHT)', 'log2 N'], rows))

  if (!SAVE) { console.log('\nnot saved (--no-save)'); return }
  const date = new Date().toISOString()
  const file = await saveBenchResults('lookup', t0, loadStart, rows, { sizes: SIZES, seeds: SEEDS, files: FILES, shares: SHARES, needShares: NEED_SHARES, configs: CONFIGS, validation, points })
  const svg = new URL(import.meta.url.endsWith('.ts') ? './results/lookup-cost.svg' : '../../bench/results/lookup-cost.svg', import.meta.url)
  await writeFile(svg, chart(points, date))
  console.log(`\nsaved ${file} and ${fileURLToPath(svg)}`)
}

await main()
process.exit(0)
