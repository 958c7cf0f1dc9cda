import '../src/shim.js'
import { option } from './lib/args.js'
import { tuneProcess } from '../src/node/index.js'
/**
 * npm run bench: every benchmark of issue 6 in one run, one table.
 *
 *   1 codec     our erasure codec vs python3-zfec (3/10, 25/100; encode, decode)
 *   2 download  64 MiB from a club of 10 servers vs Helia 7 `cat` and vs a raw libp2p stream
 *   3 upload    64 MiB to 10 servers vs a raw libp2p stream
 *               (2 and 3 also: each as a share of the ceiling the machine allows, and the
 *               storage server's CPU-s per GiB served and stored vs the raw stream's, over
 *               Noise and over TLS)
 *   4 memory    client peak RSS over a 1 GiB streamed round trip
 *   5 locate    RPCs and round trips to find a file, DHT vs club, at N = 10, 25, 50
 *   6 mutable   1 KiB mutable update (round trips, ms); reading a 1000-entry directory vs a
 *               CHK download of its packed size; 64 MiB MDMF publish vs CHK upload
 *   7 magic     magic folders: write → arrival between two nodes polling every 60 s, as a
 *               multiple of the interval (3 samples here, 5 in `npm run bench:magic`); the
 *               initial upload rate; an idle node watching 3 folders of 10,000 files
 *               (2 min here, 3 in bench:magic): CPU between polls, RSS. The 60 s interval
 *               makes this the longest section (~8 min)
 *   8 lookup    RPCs and round trips of the DHT way and the club way for N = 10 … 1000 DHT
 *               nodes, from the Kademlia simulator (~1 min; `npm run bench:lookup` also checks
 *               the simulator against real nodes and draws bench/results/lookup-cost.svg)
 *   9 first-byte time to the first byte, p50 and p95 over 20 runs: a fresh node given a hinted
 *               cap, a fresh node given a plain cap, a warm node with the roster cached; vs a
 *               bare libp2p stream to the same server (fresh node, and open connection)
 *  10 shaped    transfers on shaped links in network namespaces (root only; ~5 min): upload of
 *               64 MiB from a 20 Mbit/s uplink (direct; via a helper where the build has one) as a
 *               fraction of the line, download by a 100 Mbit/s reader from ten 20 Mbit/s servers vs
 *               min(downlink, sum of uplinks), Helia and k servers' line rate, and the servers' CPU
 *               per GiB vs raw streams over the same links. Without root it is left out with a
 *               banner saying why, and its row says NOT RUN
 *
 * Each section runs in a fresh child process of this script (so one's heap
 * or sockets never weigh on the next, and section 4 measures a clean
 * client), one after another; every ratio compares figures taken inside the
 * same section process, baselines interleaved with our runs. The table goes
 * to stdout, progress to stderr. A full run saves
 * bench/results/bench-<date>.json and bench/results/bench.svg.
 *
 *   npm run bench                          everything (~18 min on 2 cores as root, 8 of them section 7, 5 section 10)
 *   npm run bench -- --quick               smaller sizes, 1 round, N = 10, 25 (not saved)
 *   npm run bench -- --only transfer,rss   some sections (not saved)
 *   --no-save                              print only
 */
import { fork } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { benchSvg, type Bar, type LocateSeries } from './lib/bench-svg.js'
import { formatTable } from './lib/measure.js'
import { SUMMARY_HEADER, summaryCells, type SummaryRow } from './lib/summary-row.js'
import { codecRows, runCodec, type CodecResult } from './sections/codec.js'
import { locateRows, runLocate, type LocateResult } from './sections/locate.js'
import { rssRows, runRss, type RssResult } from './sections/rss.js'
import { runTransfer, transferRows, type TransferResult } from './sections/transfer.js'
import { mutableRows, runMutable, type MutableResult } from './sections/mutable.js'
import { magicRows, runMagic, type MagicResult } from './sections/magic.js'
import { lookupRows, runLookup, type LookupResult } from './sections/lookup.js'
import { firstByteRows, runFirstByte, type FirstByteResult } from './sections/first-byte.js'
import { notRunBanner, runShapedSection, shapedNotes, shapedPrerequisites, shapedRows, type ShapedSection } from './sections/shaped.js'
import { destroyShapedLab } from './lib/shaped-lab.js'

// As the lafs-club command does (node/process-tuning.ts): the figures are the product's.
tuneProcess()

interface Section<R> {
  run: (quick: boolean) => Promise<R>
  rows: (r: R) => SummaryRow[]
  /** Generous ceiling; a section still running then is killed and reported failed. */
  limitMs: number
}

const SECTIONS = {
  codec: { run: runCodec, rows: codecRows, limitMs: 6 * 60_000 } satisfies Section<CodecResult>,
  transfer: { run: runTransfer, rows: transferRows, limitMs: 8 * 60_000 } satisfies Section<TransferResult>,
  rss: { run: runRss, rows: rssRows, limitMs: 8 * 60_000 } satisfies Section<RssResult>,
  locate: { run: runLocate, rows: locateRows, limitMs: 12 * 60_000 } satisfies Section<LocateResult>,
  mutable: { run: runMutable, rows: mutableRows, limitMs: 6 * 60_000 } satisfies Section<MutableResult>,
  // Shorter than bench:magic's defaults (5 samples, 3 idle minutes): each latency sample costs about one 60 s poll interval.
  magic: { run: async (quick: boolean) => await runMagic(quick, quick ? {} : { samples: 3, idle: 2, uploadFiles: 200 }), rows: magicRows, limitMs: 25 * 60_000 } satisfies Section<MagicResult>,
  lookup: { run: runLookup, rows: lookupRows, limitMs: 10 * 60_000 } satisfies Section<LookupResult>,
  firstByte: { run: async (quick: boolean) => await runFirstByte(quick), rows: firstByteRows, limitMs: 8 * 60_000 } satisfies Section<FirstByteResult>,
  shaped: { run: async (quick: boolean) => await runShapedSection(quick), rows: shapedRows, limitMs: 12 * 60_000 } satisfies Section<ShapedSection>
}
type SectionName = keyof typeof SECTIONS
const NAMES = Object.keys(SECTIONS) as SectionName[]

const args = process.argv.slice(2)
const QUICK = args.includes('--quick')

interface SectionMessage { type: 'result', result: unknown }

/** Child mode: run one section and hand its result to the parent. */
async function runChild (name: SectionName): Promise<void> {
  // A reset stream can leave an internal promise rejected with nobody awaiting it; the section's own checks decide success.
  process.on('unhandledRejection', err => { console.error(`[${name}] unhandled rejection (ignored): ${(err as Error)?.message ?? String(err)}`) })
  const result = await SECTIONS[name].run(QUICK)
  const msg: SectionMessage = { type: 'result', result }
  // exit once the message is out: a libp2p or Helia timer left behind must not hold the run
  process.send?.(msg, () => process.exit(0))
}

interface SectionOutcome { name: SectionName, ms: number, result?: unknown, error?: string }

async function runInChild (name: SectionName): Promise<SectionOutcome> {
  const t0 = Date.now()
  if (name === 'shaped') {
    // left out, loudly, where it cannot run (the section's own row says NOT RUN and why)
    const why = shapedPrerequisites()
    if (why !== undefined) {
      console.error(notRunBanner(why))
      return { name, ms: 0, result: { skipped: why } satisfies ShapedSection }
    }
  }
  const outcome = await forkSection(name, t0)
  if (name === 'shaped') {
    // a section killed at its limit could not tear its lab down: its namespaces (and the nodes in them) go here
    const left = destroyShapedLab()
    if (left.length > 0) console.error(`[bench] removed ${left.length} namespaces the shaped section left: ${left.join(' ')}`)
  }
  return outcome
}

async function forkSection (name: SectionName, t0: number): Promise<SectionOutcome> {
  const child = fork(fileURLToPath(import.meta.url), ['--section', name, ...(QUICK ? ['--quick'] : [])], { execArgv: process.execArgv, stdio: 'inherit' })
  let result: unknown
  child.on('message', (msg: SectionMessage) => { if (msg?.type === 'result') result = msg.result })
  const timer = setTimeout(() => {
    console.error(`[bench] ${name} still running after ${SECTIONS[name].limitMs / 60_000} min: stopping it`)
    child.kill('SIGKILL')
  }, SECTIONS[name].limitMs)
  const code = await new Promise<number | null>(resolve => child.once('exit', c => { resolve(c) }))
  clearTimeout(timer)
  const ms = Date.now() - t0
  if (result == null) return { name, ms, error: `section process exited with ${code ?? 'a signal'} and no result` }
  return { name, ms, result }
}

function selected (): SectionName[] {
  const only = option('--only')
  if (only == null) return NAMES
  const wanted = only.split(',').map(s => s.trim())
  const unknown = wanted.filter(w => !NAMES.includes(w as SectionName))
  if (unknown.length > 0) throw new Error(`unknown section(s) ${unknown.join(', ')}; choose from ${NAMES.join(', ')}`)
  return wanted as SectionName[]
}

function chart (outcomes: SectionOutcome[], footer: string): string {
  const locate = outcomes.find(o => o.name === 'locate')?.result as LocateResult | undefined
  const transfer = outcomes.find(o => o.name === 'transfer')?.result as TransferResult | undefined
  const series = (way: string, name: string, color: string, dashed = false): LocateSeries => ({
    name,
    color,
    dashed,
    points: (locate?.results ?? []).map(r => ({ n: r.size, rpcs: r.summaries.find(s => s.way === way)?.meanRpcs ?? Number.NaN }))
  })
  const b = transfer?.bestMBps
  const bars: Bar[] = [
    { label: 'raw stream\ndown', mbps: b?.rawDown ?? Number.NaN, color: '#9e9e9e' },
    { label: 'ours\ndownload', mbps: b?.download ?? Number.NaN, color: '#1f77b4' },
    { label: 'Helia 7\ncat', mbps: b?.heliaCat ?? Number.NaN, color: '#ff7f0e' },
    { label: 'raw stream\nup', mbps: b?.rawUp ?? Number.NaN, color: '#bdbdbd' },
    { label: 'ours\nupload', mbps: b?.upload ?? Number.NaN, color: '#2ca02c' }
  ]
  const size = transfer != null ? `${transfer.sizeBytes / 2 ** 20} MiB` : ''
  return benchSvg({
    locate: [series('dht', 'DHT (provider records)', '#d62728'), series('club uncached', 'club hint, roster not cached', '#9467bd', true), series('club cached', 'club hint, roster cached', '#1f77b4')],
    bars,
    barTitle: `Throughput, ${size} over loopback, 10 servers`,
    footer
  })
}

async function main (): Promise<void> {
  const section = option('--section')
  if (section != null) { await runChild(section as SectionName); return }
  const names = selected()
  const full = !QUICK && option('--only') == null
  const t0 = Date.now()
  const loadStart = loadavg()
  console.error(`[bench] ${names.join(', ')}${QUICK ? ' (quick)' : ''} on ${cpus().length} cores, Node ${process.version}`)
  const outcomes: SectionOutcome[] = []
  for (const name of names) {
    const outcome = await runInChild(name)
    outcomes.push(outcome)
    console.error(`[bench] ${name} ${outcome.error != null ? `FAILED: ${outcome.error}` : 'done'} in ${(outcome.ms / 1000).toFixed(0)} s`)
  }
  const totalS = (Date.now() - t0) / 1000

  const rows = outcomes.flatMap(o => o.error != null
    ? [{ section: o.name, measure: '', ours: 'FAILED', baseline: '-', ratio: '-', goal: '', result: o.error }]
    : (SECTIONS[o.name].rows as (r: unknown) => SummaryRow[])(o.result))
  const date = new Date().toISOString()
  console.log(`\nlafs-club bench${QUICK ? ' --quick' : ''}, ${date.slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, total ${(totalS / 60).toFixed(1)} min`)
  console.log(formatTable(SUMMARY_HEADER, rows.map(summaryCells)))
  const codec = outcomes.find(o => o.name === 'codec')?.result as CodecResult | undefined
  const transfer = outcomes.find(o => o.name === 'transfer')?.result as TransferResult | undefined
  const mutable = outcomes.find(o => o.name === 'mutable')?.result as MutableResult | undefined
  const magic = outcomes.find(o => o.name === 'magic')?.result as MagicResult | undefined
  const lookup = outcomes.find(o => o.name === 'lookup')?.result as LookupResult | undefined
  const firstByte = outcomes.find(o => o.name === 'firstByte')?.result as FirstByteResult | undefined
  const shaped = outcomes.find(o => o.name === 'shaped')?.result as ShapedSection | undefined
  const notes = [
    'ratios: ours / baseline measured in the same section process; MB/s = 10^6 plaintext bytes per second, best round',
    codec?.skipped != null ? `WARNING: codec ratios NOT measured, ${codec.skipped} (apt-get install python3-zfec)` : '',
    codec != null ? `codec: ${codec.kernel} kernel, ${codec.totalBytes / 2 ** 20} MiB Tahoe-cut, best of at least ${codec.runs} alternating passes${codec.zfecVersion !== '' ? `, zfec ${codec.zfecVersion}` : ''}` : '',
    transfer != null ? `transfer: best of ${transfer.rounds} interleaved rounds; ${transfer.topology}; Helia file: ${transfer.helia.importer}, ${transfer.helia.blocks} blocks; "same round" = median of per-round ratios` : '',
    transfer != null ? 'server CPU-s/GiB: CPU of the storage servers\' process (all threads) per GiB of share data served (download) or stored (upload), against the raw-stream node in that process over the same channel in the same round; medians of the rounds, ratio = median of same-round ratios, "least" = least CPU of ours over least of raw (contention only adds CPU time) (bench/lib/server-cpu.ts)' : '',
    transfer != null ? transfer.memory.note : '',
    transfer != null ? `ceiling: the best ratio vs raw this machine allows if a transfer paid only the raw stream's CPU per wire byte plus the CHK work (SHA-256d, AES, erasure code: ${transfer.chkWorkMs.download.toFixed(0)} ms down, ${transfer.chkWorkMs.upload.toFixed(0)} ms up, one thread) spread perfectly over ${transfer.ceiling.cores} cores; bench/lib/cpu-ceiling.ts` : '',
    outcomes.some(o => o.name === 'locate' && o.error == null) ? 'locate: means over 6 dht, 6 club-cached, 2 club-uncached locates per N (5 servers, light DHT fillers); RT = sequential round trips incl. the have-share round' : '',
    mutable != null ? `mutable: LafsNode client, ${mutable.servers} servers in one child process, ${mutable.code}; directory: ${mutable.directory.entries} CHK links, ${mutable.directory.format}, medians of ${mutable.directory.reads} interleaved reads; publish: best of ${mutable.rounds.length} rounds, "same round" = median of per-round ratios, CPU = client + servers' process` : '',
    lookup != null ? `lookup: simulated kad-dht 16 networks (bench/lib/kad-sim.ts, checked against real nodes at N = 50, 100 by npm run bench:lookup), settled, ${lookup.seeds} network(s) x ${lookup.files} files per N; a file of 10 shares, k = 3` : '',
    magic != null ? `magic: ${magic.servers} servers in one child process, ${magic.code}; nodes in their own processes, CPU from /proc; latency split from the nodes' scan and poll windows; idle folders' snapshots seeded (bench/sections/magic.ts says how); npm run bench:magic runs the longer measurement` : '',
    firstByte != null ? `first byte: ${firstByte.runs} runs each, 6 servers (k=3, N=6) in one child process, files of ${firstByte.fileBytes} B; fresh = ms from createNode resolving, warm = ms from the call; medians fresh hinted: locate ${firstByte.breakdown['fresh hinted'].locateMs.toFixed(0)} ms + ${firstByte.breakdown['fresh hinted'].downloadMs.toFixed(0)} ms to the first byte` : '',
    ...(shaped != null ? shapedNotes(shaped) : []),
    `load average (1 min) ${loadStart[0].toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end: figures from a busy machine are lower bounds`
  ].filter(n => n !== '')
  for (const n of notes) console.log(`  ${n}`)
  if (shaped != null && 'skipped' in shaped) console.log(notRunBanner(shaped.skipped))

  if (full && !args.includes('--no-save')) {
    const dir = new URL(import.meta.url.endsWith('.ts') ? './results/' : '../../bench/results/', import.meta.url)
    await mkdir(dir, { recursive: true })
    const json = new URL(`bench-${date.slice(0, 10)}.json`, dir)
    const svg = new URL('bench.svg', dir)
    await writeFile(json, JSON.stringify({
      bench: 'all',
      date,
      command: 'npm run bench',
      machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, memMiB: Math.round(totalmem() / 2 ** 20) },
      totalSeconds: totalS,
      loadAverage: { start: loadStart, end: loadavg() },
      table: rows,
      sections: Object.fromEntries(outcomes.map(o => [o.name, { seconds: o.ms / 1000, ...(o.error != null ? { error: o.error } : { result: o.result }) }]))
    }, null, 2) + '\n')
    await writeFile(svg, chart(outcomes, `npm run bench, ${date.slice(0, 10)}, Node ${process.version}, ${cpus().length} cores; each bar the best of ${transfer?.rounds ?? '?'} rounds in one run`))
    console.log(`\nsaved ${fileURLToPath(json)} and ${fileURLToPath(svg)}`)
  } else {
    console.log(`\nnot saved (${full ? '--no-save' : 'a partial run: --quick or --only'})`)
  }
  if (outcomes.some(o => o.error != null)) process.exitCode = 1
}

await main()
