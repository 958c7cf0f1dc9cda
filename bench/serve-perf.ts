import '../src/shim.js'
/**
 * Where the CPU of a download goes, by kind of work, in the storage
 * servers' process and in the client's, for a raw libp2p stream and for
 * our downloads (from k shares, and spread over ten servers): Linux perf
 * samples each process over a run of transfers of one kind, and the
 * samples are summed per kind (lib/perf-kinds.ts), in CPU-ms per 64 MiB.
 * The columns "- raw" are what our transfer costs beyond a raw stream
 * moving the same bytes, which is what the transfer bench's served-CPU
 * ratio and CPU efficiency measure as a whole.
 *
 *   npm run bench:serve-perf [-- --runs 12 --warmup 3 --hz 2000 --back-memory <GiB>]
 *
 * Needs `perf` (Debian: apt-get install linux-perf) and the right to
 * profile its own processes (root, or kernel.perf_event_paranoid <= 1).
 * Both processes run with --perf-basic-prof so that samples in JIT code
 * count as JavaScript; the profiler's own cost is in every column alike.
 */
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { tuneProcess } from '../src/node/index.js'
import { option, positiveOption } from './lib/args.js'
import { backMemory, backMemoryOption, memoryNote } from './lib/back-memory.js'
import { formatTable } from './lib/measure.js'
import { PERF_KINDS, parsePerfReport, samplesByKind, type PerfKind } from './lib/perf-kinds.js'
import { startChildGrid } from './lib/transfer-grid.js'
import { createBenchNode } from './lib/transfer-node.js'
import { downloadOnce, plaintext, stopClient, uploadOnce } from './lib/transfer-ops.js'
import { rawDown } from './lib/transfer-raw.js'

tuneProcess()

const RUNS = positiveOption('--runs') ?? 12
const WARMUP = Number(option('--warmup') ?? 3)
const HZ = positiveOption('--hz') ?? 2000
const SIZE = 64 * 2 ** 20
const K = 3
const N = 10

if (!process.execArgv.includes('--perf-basic-prof')) {
  // JIT frames have names only when V8 writes its map for perf from the start
  const again = spawnSync(process.execPath, ['--perf-basic-prof', ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' })
  process.exit(again.status ?? 1)
}
if (spawnSync('perf', ['--version']).status !== 0) {
  console.error('serve-perf: needs the Linux profiler `perf` (Debian: apt-get install linux-perf)')
  process.exit(1)
}

type Phase = 'raw' | 'k' | 'spread'
const PHASES: Phase[] = ['raw', 'k', 'spread']
type ByKind = Record<PerfKind, number>

/** Samples `pid` with perf while `work` runs; answers CPU-ms per kind (samples / rate). */
async function profile (pid: number, file: string, work: () => Promise<void>): Promise<ByKind> {
  const perf = spawn('perf', ['record', '-e', 'cpu-clock', '-F', String(HZ), '-p', String(pid), '-o', file, '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] })
  const exited = new Promise<string>(resolve => perf.on('exit', (code, signal) => { resolve(signal ?? String(code)) }))
  // perf attaches to every thread before the first sample; a moment lets it settle
  await new Promise(resolve => setTimeout(resolve, 500))
  try {
    await work()
  } finally {
    perf.kill('SIGINT')
  }
  // perf writes its data and exits on SIGINT, by status 0 or by the signal itself
  const end = await exited
  if (end !== '0' && end !== 'SIGINT') throw new Error(`perf record ended with ${end} (root or kernel.perf_event_paranoid <= 1 is needed)`)
  const report = spawnSync('perf', ['report', '-i', file, '--no-children', '--sort', 'dso,sym', '-g', 'none', '-n', '-q', '-t', '\t'], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 })
  if (report.status !== 0) throw new Error(`perf report failed: ${report.stderr}`)
  const byKind = samplesByKind(parsePerfReport(report.stdout))
  for (const k of PERF_KINDS) byKind[k] = byKind[k] * 1000 / HZ
  return byKind
}

const backed = backMemory(backMemoryOption(option('--back-memory')))
const dir = await mkdtemp(join(tmpdir(), 'lafs-serve-perf-'))
const grid = await startChildGrid(N, ['--perf-basic-prof'])
const client = await createBenchNode()
const results: Record<Phase, { servers: ByKind, client: ByKind }> = {} as never
try {
  const pt = await plaintext(SIZE, false)
  const file = await uploadOnce(client, grid, pt, randomBytes(32), K, N)
  const raw = multiaddr(grid.raw)
  const once: Record<Phase, () => Promise<void>> = {
    raw: async () => { await rawDown(client, raw, SIZE) },
    k: async () => { (await downloadOnce(client, grid, file, pt, { spread: false }))() },
    spread: async () => { (await downloadOnce(client, grid, file, pt, { spread: true }))() }
  }
  for (let i = 0; i < WARMUP; i++) for (const p of PHASES) await once[p]()
  for (const p of PHASES) {
    const run = async (): Promise<void> => { for (let i = 0; i < RUNS; i++) await once[p]() }
    // both processes over the same transfers: two profilers, one run
    let clientKinds: Promise<ByKind> | undefined
    const servers = await profile(grid.pid, join(dir, `servers-${p}.data`), async () => {
      clientKinds = profile(process.pid, join(dir, `client-${p}.data`), run)
      await clientKinds
    })
    results[p] = { servers, client: await (clientKinds as Promise<ByKind>) }
  }
} finally {
  await stopClient(client)
  await grid.stop()
  await rm(dir, { recursive: true, force: true })
  // the maps --perf-basic-prof wrote for perf report
  for (const pid of [grid.pid, process.pid]) await rm(join('/tmp', `perf-${pid}.map`), { force: true })
}

const perTransfer = (v: number): string => (v / RUNS).toFixed(1)
const diff = (v: number): string => `${v >= 0 ? '+' : ''}${(v / RUNS).toFixed(1)}`
for (const side of ['servers', 'client'] as const) {
  const rows = PERF_KINDS.map(kind => {
    const [r, k, s] = PHASES.map(p => results[p][side][kind])
    return [kind, perTransfer(r), perTransfer(k), perTransfer(s), diff(k - r), diff(s - r)]
  })
  const total = (p: Phase): number => PERF_KINDS.reduce((n, kind) => n + results[p][side][kind], 0)
  const [r, k, s] = PHASES.map(total)
  rows.push(['all', perTransfer(r), perTransfer(k), perTransfer(s), diff(k - r), diff(s - r)])
  console.log(`\n${side === 'servers' ? 'storage servers\' process (ten servers and the raw node)' : 'client process (all threads)'}: CPU-ms per 64 MiB download by kind of work, perf at ${HZ} Hz over ${RUNS} transfers each`)
  console.log(formatTable(['kind of work', 'raw stream', 'ours, k shares', 'ours, spread', 'k - raw', 'spread - raw'], rows))
}
console.log('\nloopback, Noise; the client sha256-checks each download after it ends, in its column only (the raw stream checks nothing)')
console.log(memoryNote(backed))
