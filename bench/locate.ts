import '../src/shim.js'
/**
 * Locate benchmark (issue 4, item 8): what it costs to find the servers that
 * hold a file's shares, in RPCs, round trips and ms, on loopback networks of
 * 10, 50 and 100 in-process nodes, three ways:
 *   dht            provider records only (prefer 'dht', no fallback)
 *   club cached    the cap's club hint, reader joined the club beforehand
 *   club uncached  the club hint, reader never saw that club: one DHT get of
 *                  the roster first
 *
 * Every network: an owner (bootstrap peer, club owner, uploader), up to 10
 * storage servers on the club, plain DHT nodes to make up the size (light
 * libp2p + kad-dht nodes: 100 full nodes on one event loop starved each other
 * into 30 s DHT puts; --full-fillers makes them full nodes), and 4
 * readers started after every record was published, so no reader holds a
 * provider record or a roster itself. The owner publishes 6 clubs with the
 * same servers: a reader does an uncached locate once per club it never
 * joined, so 4 readers × 5 clubs give 20 uncached locates without clearing
 * any cache by hand. 5 files; 20 locates per way. Each network is stopped and
 * its folders removed before the next one starts.
 *
 *   npm run bench:locate                 sizes 10, 50, 100
 *   node dist/bench/locate.js --sizes 10,50 --no-save [--full-fillers]
 */
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { estimateNetworkSize } from '../src/dht/index.js'
import { formatTable } from './lib/measure.js'
import { BenchNetwork, tableStats, tcpAddr, type Role, type TableStats } from './lib/locate-network.js'
import { LOCATE_BUDGET, timedLocate, withRetry } from './lib/locate-run.js'
import { fmt, summarize, type BenchWay, type LocateSample, type WaySummary } from './lib/locate-stats.js'

const READERS = 4
const FILES = 5
const MAX_SERVERS = 10
const CLUBS = 1 + Math.ceil(20 / READERS)
const FILE_BYTES = 20_000
const SETTLE_WANT = 12
const SETTLE_MS_BASE = 30_000
const SETTLE_MS_PER_NODE = 900
const WHOLE_RUN_MS = 30 * 60_000

const args = process.argv.slice(2)
const sizesArg = args[args.indexOf('--sizes') + 1]
const SIZES = args.includes('--sizes') && sizesArg != null ? sizesArg.split(',').map(Number) : [10, 50, 100]
const SAVE = !args.includes('--no-save')
/** Plain DHT nodes are DHT-only light nodes unless --full-fillers (100 full nodes starve one event loop). */
const LIGHT_FILLERS = !args.includes('--full-fillers')

const t0 = Date.now()
const strayRejections: string[] = []
/** The network being measured, so Ctrl-C still stops its nodes and removes their folders. */
let current: BenchNetwork | undefined
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the current network before exiting`)
    void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130))
  })
}
const log = (line: string): void => { console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`) }

interface SizeFailure { size: number, error: string }

interface SizeResult {
  size: number
  roles: Record<Role, number>
  startupMs: number
  settle: { reached: boolean, want: number, ms: number, tables: TableStats }
  readerTables: TableStats
  /** The readers' own network-size estimates (what the DHT estimate is built on). */
  readerSizeEstimates: number[]
  clubSetupMs: number
  uploadMs: number
  announceMs: number
  rssMiB: number
  summaries: WaySummary[]
  samples: LocateSample[]
}

function progress (way: BenchWay, samples: LocateSample[]): void {
  const mine = samples.filter(s => s.way === way)
  const last = mine[mine.length - 1]
  if (mine.length % 5 === 0 || !last.ok) {
    log(`    ${way}: ${mine.length} done, last ${last.ok ? `${last.ms} ms, ${last.rpcs} RPCs, ${last.roundTrips} RT` : `FAILED: ${last.error ?? '?'}`}`)
  }
}

async function runSize (size: number): Promise<SizeResult> {
  const servers = Math.min(MAX_SERVERS, size - 1 - READERS)
  const fillers = size - 1 - servers - READERS
  if (servers < 3 || fillers < 0) throw new Error(`a network of ${size} is too small for ${READERS} readers and at least 3 servers`)
  log(`== network of ${size}: 1 owner, ${servers} club servers, ${fillers} plain DHT nodes (${LIGHT_FILLERS ? 'light: libp2p + kad-dht only' : 'full nodes'}), ${READERS} readers`)
  const net = new BenchNetwork(log, LIGHT_FILLERS)
  current = net
  try {
    const tStart = Date.now()
    const owner = await net.startOwner()
    await net.startMany([...Array<Role>(servers).fill('server'), ...Array<Role>(fillers).fill('filler')], 30_000)
    const early = net.peers
    const want = Math.min(early.length - 1, SETTLE_WANT)
    const settleMs = SETTLE_MS_BASE + SETTLE_MS_PER_NODE * size
    log(`  waiting for routing tables (self-lookups; every node ≥ ${want} peers, at most ${settleMs / 1000} s)`)
    const settled = await net.settle(early, want, settleMs)
    const settle = { ...settled, want }
    log(`  routing tables ${settle.reached ? 'ready' : 'NOT all full by the deadline, carrying on'} after ${settle.ms} ms: min ${settle.tables.min}, median ${settle.tables.median}, max ${settle.tables.max}`)

    // Clubs: same servers, different IDs, published in parallel (each club's adds are serial).
    const tClubs = Date.now()
    const serverAddrs = net.byRole('server').map(tcpAddr)
    const clubIds: string[] = []
    // two clubs at a time: all six at once overloads a 2-core box into put timeouts
    for (let i = 0; i < CLUBS; i += 2) {
      clubIds.push(...await Promise.all([i, i + 1].filter(c => c < CLUBS).map(async c => {
        const id = await withRetry(log, `club ${c}: create`, async () => await owner.createClub({ name: `bench club ${c}` }))
        for (const addr of serverAddrs) await withRetry(log, `club ${c}: add server`, async () => await owner.clubAdd(id, addr))
        return id
      })))
    }
    const clubSetupMs = Date.now() - tClubs
    log(`  ${CLUBS} clubs of ${servers} servers published in ${clubSetupMs} ms`)

    const tUp = Date.now()
    const caps: string[] = []
    for (let f = 0; f < FILES; f++) {
      const data = randomBytes(FILE_BYTES)
      const up = await withRetry(log, `upload ${f}`, async () => await owner.put(data, { club: clubIds[0], happy: Math.min(7, servers) }))
      caps.push(up.cap)
    }
    const uploadMs = Date.now() - tUp
    log(`  ${FILES} files of ${FILE_BYTES} B uploaded through club 0 in ${uploadMs} ms`)
    const tAnn = Date.now()
    await Promise.race([
      Promise.all(net.byRole('server').map(async s => { await (s.announcer as any)?.onIdle?.() })),
      new Promise(resolve => setTimeout(resolve, 60_000))
    ])
    const announceMs = Date.now() - tAnn
    log(`  provider records announced in ${announceMs} ms`)

    await net.startMany(Array<Role>(READERS).fill('reader'), 30_000)
    const readers = net.byRole('reader')
    const readerSettle = await net.settle(readers, Math.min(size - 2, SETTLE_WANT), 30_000)
    const startupMs = Date.now() - tStart
    const readerSizeEstimates = readers.map(r => estimateNetworkSize(r.libp2p.services.dht, r.libp2p.peerId).size)
    log(`  readers ready: tables min ${readerSettle.tables.min} / median ${readerSettle.tables.median}; their network-size estimates ${readerSizeEstimates.join(', ')}`)

    const samples: LocateSample[] = []
    log('  measuring dht (plain caps, provider records)')
    for (let f = 0; f < FILES; f++) {
      for (let r = 0; r < READERS; r++) {
        samples.push(await timedLocate(readers[r], caps[f], 'dht', r, f))
        progress('dht', samples)
      }
    }

    log('  measuring club uncached (each reader, each club it never joined)')
    for (let c = 1; c < CLUBS; c++) {
      for (let r = 0; r < READERS; r++) {
        const f = (c * READERS + r) % FILES
        const s = await timedLocate(readers[r], `${caps[f]}@${clubIds[c]}`, 'club uncached', r, f)
        if (s.estimate?.rosterCached === true) s.error = 'bench bug: the roster was already cached'
        samples.push(s)
        progress('club uncached', samples)
      }
    }

    log('  readers join club 0, then measuring club cached')
    for (const [i, r] of readers.entries()) {
      await withRetry(log, `reader ${i}: join club 0`, async () => await r.joinClub(clubIds[0])).catch(() => {})
    }
    for (let f = 0; f < FILES; f++) {
      for (let r = 0; r < READERS; r++) {
        const s = await timedLocate(readers[r], `${caps[f]}@${clubIds[0]}`, 'club cached', r, f)
        if (s.estimate?.rosterCached === false) s.error = `${s.error ?? ''} (the reader could not join club 0 beforehand: roster not cached)`.trim()
        samples.push(s)
        progress('club cached', samples)
      }
    }

    const rssMiB = Math.round(process.memoryUsage().rss / 2 ** 20)
    const summaries = (['dht', 'club cached', 'club uncached'] as BenchWay[]).map(w => summarize(w, samples))
    return {
      size,
      roles: { owner: 1, server: servers, filler: fillers, reader: READERS },
      startupMs,
      settle,
      readerTables: tableStats(readers),
      readerSizeEstimates,
      clubSetupMs,
      uploadMs,
      announceMs,
      rssMiB,
      summaries,
      samples
    }
  } finally {
    log(`  stopping ${net.size} nodes and removing their folders`)
    await net.stop()
    current = undefined
    log('  stopped')
  }
}

function goalText (size: number, s: WaySummary): string {
  if (s.ok === 0) return 'no successful locate'
  if (s.way === 'club cached') {
    const one = s.maxRoundTrips === 1
    const fast = size < 100 ? '' : `, p50 ${s.p50Ms < 100 ? '<' : '≥'} 100 ms ${s.p50Ms < 100 ? 'MET' : 'MISSED'}`
    return `1 RT ${one ? 'MET' : 'MISSED'}${fast}`
  }
  if (s.way === 'dht') {
    const bound = Math.log2(size) + 2
    return `≤ log2(N)+2 = ${bound.toFixed(1)} RT ${s.maxRoundTrips <= bound ? 'MET' : 'MISSED'} (max ${s.maxRoundTrips})`
  }
  return ''
}

function printTables (results: SizeResult[]): void {
  const rows: string[][] = []
  for (const r of results) {
    for (const s of r.summaries) {
      rows.push([String(r.size), s.way, `${s.ok}/${s.count}`, fmt(s.p50Ms, 0), fmt(s.p90Ms, 0), fmt(s.meanRpcs), fmt(s.meanRoundTrips, 2), String(s.maxRoundTrips),
        `${fmt(s.estimate.rpcs)} / ${fmt(s.estimate.roundTrips, 1)}`, goalText(r.size, s)])
    }
  }
  console.log('\nLocate cost (20 locates per row; ms = planner total; RT include the have-share round; est = planner estimate RPCs / RT)')
  console.log(formatTable(['N', 'way', 'ok', 'p50 ms', 'p90 ms', 'RPCs', 'RT', 'max RT', 'est', 'goal'], rows))

  const failed = results.flatMap(r => r.samples.filter(s => !s.ok || s.error != null).map(s => `N=${r.size} ${s.way} reader ${s.reader} file ${s.file} (ran ${s.ran ?? '-'}, ${s.ms} ms, ${s.rpcs} RPCs): ${s.error ?? '?'}`))
  if (failed.length > 0) console.log(`\nFailed or suspicious locates (${failed.length}):\n  ${failed.join('\n  ')}`)

  const growth = results.map(r => {
    const d = r.summaries.find(s => s.way === 'dht') as WaySummary
    return [String(r.size), fmt(Math.log2(r.size), 2), fmt(d.meanRpcs), fmt(d.meanRoundTrips, 2), fmt(d.p50Ms, 0),
      fmt(d.estimate.networkSize ?? Number.NaN, 0), `${fmt(d.estimate.rpcs)} / ${fmt(d.estimate.roundTrips, 1)}`,
      `${r.settle.tables.median} (${r.settle.tables.min}-${r.settle.tables.max})`]
  })
  console.log('\nDHT locate cost against network size')
  console.log(formatTable(['N', 'log2 N', 'RPCs', 'RT', 'p50 ms', 'est N', 'est RPCs / RT', 'routing table median (min-max)'], growth))
  if (results.length >= 2) {
    const a = results[0]
    const b = results[results.length - 1]
    const da = a.summaries.find(s => s.way === 'dht') as WaySummary
    const db = b.summaries.find(s => s.way === 'dht') as WaySummary
    const doublings = Math.log2(b.size / a.size)
    console.log(`From N=${a.size} to N=${b.size} (${doublings.toFixed(2)} doublings): +${fmt((db.meanRpcs - da.meanRpcs) / doublings)} RPCs and +${fmt((db.meanRoundTrips - da.meanRoundTrips) / doublings, 2)} RT per doubling of the network.`)
  }
}

async function main (): Promise<void> {
  const watchdog = setTimeout(() => {
    console.error(`bench:locate: still running after ${WHOLE_RUN_MS / 60_000} min; giving up`)
    process.exit(2)
  }, WHOLE_RUN_MS)
  // A stray rejection inside a node (seen under heavy load in the storage client) must not kill a 20-minute run; it is logged and counted.
  process.on('unhandledRejection', err => {
    strayRejections.push(String((err as any)?.message ?? err))
    log(`  warning: unhandled rejection inside a node: ${(err as any)?.stack ?? err}`)
  })
  log(`bench:locate on ${cpus().length} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; sizes ${SIZES.join(', ')}`)
  const results: SizeResult[] = []
  const failures: SizeFailure[] = []
  for (const size of SIZES) {
    try {
      const last = await runSize(size)
      results.push(last)
      log(`  N=${size} done: ${last.summaries.map(s => `${s.way} p50 ${fmt(s.p50Ms, 0)} ms`).join(', ')}; RSS ${last.rssMiB} MiB`)
    } catch (err: any) {
      // a network that could not be set up is reported, and the next size still runs
      failures.push({ size, error: String(err?.message ?? err) })
      log(`  N=${size} FAILED to set up: ${err?.message ?? err}`)
    }
  }
  printTables(results)
  for (const f of failures) console.log(`N=${f.size}: no measurements, setup failed: ${f.error}`)
  if (SAVE) {
    // compiled to dist/bench/, or run from bench/ by tsx
    const dir = fileURLToPath(new URL(import.meta.url.includes('/dist/bench/') ? '../../bench/results/' : './results/', import.meta.url))
    await mkdir(dir, { recursive: true })
    const file = `${dir}locate-${new Date().toISOString().slice(0, 10)}.json`
    await writeFile(file, JSON.stringify({
      bench: 'locate',
      date: new Date().toISOString(),
      command: 'npm run bench:locate',
      machine: { cpus: cpus().length, model: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
      params: { fillers: LIGHT_FILLERS ? 'light' : 'full', readers: READERS, files: FILES, fileBytes: FILE_BYTES, clubs: CLUBS, maxServers: MAX_SERVERS, budget: LOCATE_BUDGET, settleWant: SETTLE_WANT, settleMsBase: SETTLE_MS_BASE, settleMsPerNode: SETTLE_MS_PER_NODE },
      strayRejections,
      failures,
      results
    }, null, 2) + '\n')
    log(`results saved to ${file}`)
  }
  clearTimeout(watchdog)
  if (failures.length > 0) process.exitCode = 1
}

main().then(() => {
  // libp2p and LevelDB leave no handles once every node stopped; if something did, do not hang the user's shell.
  setTimeout(() => { log(`exiting: something still held the event loop (${process.getActiveResourcesInfo().join(', ')})`); process.exit(process.exitCode ?? 0) }, 5000).unref()
}, (err: unknown) => {
  console.error(`bench:locate failed: ${err instanceof Error ? err.stack : String(err)}`)
  process.exit(1)
})
