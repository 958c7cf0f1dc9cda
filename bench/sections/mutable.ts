/**
 * Section 6: mutable files and directories on ten real storage servers (one
 * child process), through the door: the client is a LafsNode in the
 * section's process using `node.files` and `node.dirs`, told the servers'
 * addresses (no club roster lookup in the timings). Every ratio compares
 * figures taken in this run, baselines interleaved with ours.
 *
 *   update 1 KiB   overwrite of a 1 KiB SDMF file: round trips (waves of
 *                  parallel requests; Tahoe: a servermap update then a
 *                  write, 2), requests, ms (median)
 *   directory      reading a 1000-entry directory (`dirs.list`, and
 *                  `dirs.json`) against `files.get` of a CHK file of the
 *                  directory's packed size (median of the reads)
 *   publish        `files.createMutable` of a 64 MiB (quick: 16) MDMF file
 *                  against `files.put` of the same bytes (best of the rounds),
 *                  with the storage servers' CPU time and the client's peak RSS
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileCapString, parseHintedDirCap } from '../../src/dirnode/index.js'
import { formatCap } from '../../src/immutable/index.js'
import { createNode, type LafsNode } from '../../src/node/index.js'
import { processCpuMs } from '../lib/bench-child.js'
import { mbps, median } from '../lib/measure.js'
import { metText, progressLog, type SummaryRow } from '../lib/summary-row.js'
import { startChildGrid, type ChildGrid } from '../lib/transfer-grid.js'
import { mib, RssSampler } from '../lib/transfer-rss.js'

const SERVERS = 10
const K = 3
const N = 10
const HAPPY = 7
const DIR_ENTRIES = 1000

export interface MutableOptions { sizeMiB?: number, updates?: number, rounds?: number, reads?: number }

export interface PublishRound {
  chkSeconds: number
  mdmfSeconds: number
  /** CPU time (all threads) of the storage grid's process (all ten servers), and of this process, during each. */
  chkServerCpuMs: number
  mdmfServerCpuMs: number
  chkClientCpuMs: number
  mdmfClientCpuMs: number
  /** This process's peak RSS (50 ms samples) during each. */
  chkPeakMiB: number
  mdmfPeakMiB: number
}

export interface DirectoryResult {
  entries: number
  format: 'sdmf'
  /** Plaintext bytes of the packed directory (the mutable file's contents). */
  packedBytes: number
  mkdirMs: number
  reads: number
  /** Medians over `reads` interleaved reads. */
  listMs: number
  jsonMs: number
  /** `files.get` of the directory's own mutable file: retrieval without the dirnode parsing. */
  fileGetMs: number
  chkGetMs: number
}

export interface MutableResult {
  servers: number
  code: string
  updates: number
  roundTrips: number
  requests: number
  updateMedianMs: number
  directory: DirectoryResult
  publishBytes: number
  rounds: PublishRound[]
  /** Best of the rounds. */
  mdmfSeconds: number
  chkSeconds: number
  /** Median over the rounds of MDMF time / CHK time in the same round. */
  timeRatioSameRound: number
  /** Median over the rounds of MDMF CPU / CHK CPU (client and servers): less swayed by other load on the machine than the times. */
  cpuRatioSameRound: number
  /** This process's RSS just before the first publish round. */
  beforePublishMiB: number
  /** The kernel's high-water mark of this process's RSS over the whole section. */
  maxRssMiB: number
}

/** A CHK read cap for a file that was never uploaded: directory entries only need well-formed caps. */
function fakeChkCap (i: number): string {
  return formatCap({ kind: 'chk', key: randomBytes(16), uebHash: randomBytes(32), k: K, n: N, size: 10_000 + i * 37 })
}

async function timed<T> (fn: () => Promise<T>): Promise<{ ms: number, value: T }> {
  const t0 = performance.now()
  const value = await fn()
  return { ms: performance.now() - t0, value }
}

async function updates (node: LafsNode, servers: string[], count: number, log: (line: string) => void): Promise<Pick<MutableResult, 'updates' | 'roundTrips' | 'requests' | 'updateMedianMs'>> {
  const made = await node.files.createMutable(randomBytes(1024), { servers, format: 'sdmf', k: K, n: N, happy: HAPPY })
  const ms: number[] = []
  let roundTrips = 0
  let requests = 0
  for (let i = 0; i < count; i++) {
    const { ms: t, value: w } = await timed(async () => await node.files.overwrite(made.cap, randomBytes(1024), { servers, happy: HAPPY }))
    ms.push(t)
    roundTrips = Math.max(roundTrips, w.roundTrips)
    requests = Math.max(requests, w.requests)
  }
  log(`${count} updates of 1 KiB: ${roundTrips} round trips, ${requests} requests, median ${median(ms).toFixed(1)} ms`)
  return { updates: count, roundTrips, requests, updateMedianMs: median(ms) }
}

async function directory (node: LafsNode, servers: string[], reads: number, log: (line: string) => void): Promise<DirectoryResult> {
  const children = Object.fromEntries(Array.from({ length: DIR_ENTRIES }, (_, i) => [`photo-${String(i).padStart(4, '0')}.jpg`, fakeChkCap(i)]))
  const made = await timed(async () => await node.dirs.mkdir({ servers, children }))
  const dircap = made.value.cap
  // The directory's bytes are its mutable file's contents: a CHK file of that size is the baseline.
  const fileCap = fileCapString(parseHintedDirCap(dircap).cap)
  const packed = await node.files.get(fileCap, { servers })
  const chk = await node.files.put(randomBytes(packed.length), { servers, k: K, n: N, happy: HAPPY })
  log(`directory of ${DIR_ENTRIES} entries made in ${made.ms.toFixed(0)} ms, ${packed.length} bytes packed; CHK file of that size uploaded`)
  const list = await node.dirs.list(dircap, '', { servers })
  if (list.children.length !== DIR_ENTRIES) throw new Error(`the directory lists ${list.children.length} children, not ${DIR_ENTRIES}`)
  const t = { list: [] as number[], json: [] as number[], file: [] as number[], chk: [] as number[] }
  for (let r = 0; r < reads; r++) {
    // Interleaved, so a burst of load on the shared machine hits every kind of read.
    t.chk.push((await timed(async () => await node.files.get(chk.cap, { servers }))).ms)
    t.list.push((await timed(async () => await node.dirs.list(dircap, '', { servers }))).ms)
    t.json.push((await timed(async () => await node.dirs.json(dircap, '', { servers }))).ms)
    t.file.push((await timed(async () => await node.files.get(fileCap, { servers }))).ms)
  }
  const res: DirectoryResult = {
    entries: DIR_ENTRIES,
    format: 'sdmf',
    packedBytes: packed.length,
    mkdirMs: made.ms,
    reads,
    listMs: median(t.list),
    jsonMs: median(t.json),
    fileGetMs: median(t.file),
    chkGetMs: median(t.chk)
  }
  log(`reads (median of ${reads}): dirs.list ${res.listMs.toFixed(1)} ms, dirs.json ${res.jsonMs.toFixed(1)} ms, ` +
    `files.get of the dir's mutable file ${res.fileGetMs.toFixed(1)} ms, files.get of the CHK file ${res.chkGetMs.toFixed(1)} ms`)
  return res
}

async function publishRound (node: LafsNode, grid: ChildGrid, servers: string[], data: Uint8Array, rss: RssSampler): Promise<PublishRound> {
  const measure = async (fn: () => Promise<unknown>): Promise<{ seconds: number, serverCpuMs: number, clientCpuMs: number, peakMiB: number }> => {
    const before = await grid.usage()
    rss.phase()
    const cpu0 = processCpuMs()
    const { ms } = await timed(fn)
    const clientCpuMs = processCpuMs() - cpu0
    const peak = rss.phase()
    const after = await grid.usage()
    return { seconds: ms / 1000, serverCpuMs: after.cpuMs - before.cpuMs, clientCpuMs, peakMiB: mib(peak) }
  }
  const chk = await measure(async () => await node.files.put(data, { servers, k: K, n: N, happy: HAPPY }))
  const mdmf = await measure(async () => await node.files.createMutable(data, { servers, format: 'mdmf', k: K, n: N, happy: HAPPY }))
  return {
    chkSeconds: chk.seconds,
    mdmfSeconds: mdmf.seconds,
    chkServerCpuMs: chk.serverCpuMs,
    mdmfServerCpuMs: mdmf.serverCpuMs,
    chkClientCpuMs: chk.clientCpuMs,
    mdmfClientCpuMs: mdmf.clientCpuMs,
    chkPeakMiB: chk.peakMiB,
    mdmfPeakMiB: mdmf.peakMiB
  }
}

export async function runMutable (quick: boolean, opts: MutableOptions = {}): Promise<MutableResult> {
  const log = progressLog('mutable')
  const size = (opts.sizeMiB ?? (quick ? 16 : 64)) * 2 ** 20
  const rounds = opts.rounds ?? (quick ? 1 : 3)
  const rss = new RssSampler(50)
  const dataDir = await mkdtemp(join(tmpdir(), 'lafs-bench-mutable-'))
  let grid: ChildGrid | undefined
  let node: LafsNode | undefined
  try {
    log(`starting ${SERVERS} storage servers (child process) and a client node`)
    grid = await startChildGrid(SERVERS)
    node = await createNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], storage: { enabled: false }, gateway: false })
    const servers = grid.servers.map(s => s.multiaddrs[0])
    const n = node
    const g = grid

    const upd = await updates(n, servers, opts.updates ?? (quick ? 10 : 20), log)
    const dir = await directory(n, servers, opts.reads ?? (quick ? 5 : 15), log)

    const beforePublish = rss.sample()
    log(`publishing ${size / 2 ** 20} MiB: CHK upload then MDMF publish of the same bytes, ${rounds} round(s); RSS before ${mib(beforePublish).toFixed(0)} MiB`)
    const runs: PublishRound[] = []
    for (let r = 0; r < rounds; r++) {
      // New bytes each round: the node's convergent encryption would find last round's CHK shares on the servers and upload nothing.
      const round = await publishRound(n, g, servers, randomBytes(size), rss)
      runs.push(round)
      const cpu = (client: number, server: number): string => `CPU client ${(client / 1000).toFixed(2)} s, servers ${(server / 1000).toFixed(2)} s`
      log(`round ${r + 1}/${rounds}: CHK ${round.chkSeconds.toFixed(2)} s (${cpu(round.chkClientCpuMs, round.chkServerCpuMs)}, peak RSS ${round.chkPeakMiB.toFixed(0)} MiB), ` +
        `MDMF ${round.mdmfSeconds.toFixed(2)} s (${cpu(round.mdmfClientCpuMs, round.mdmfServerCpuMs)}, peak RSS ${round.mdmfPeakMiB.toFixed(0)} MiB)`)
    }
    return {
      servers: SERVERS,
      code: `${K}-of-${N}, happy ${HAPPY}`,
      ...upd,
      directory: dir,
      publishBytes: size,
      rounds: runs,
      mdmfSeconds: Math.min(...runs.map(r => r.mdmfSeconds)),
      chkSeconds: Math.min(...runs.map(r => r.chkSeconds)),
      timeRatioSameRound: median(runs.map(r => r.mdmfSeconds / r.chkSeconds)),
      cpuRatioSameRound: median(runs.map(r => (r.mdmfClientCpuMs + r.mdmfServerCpuMs) / (r.chkClientCpuMs + r.chkServerCpuMs))),
      beforePublishMiB: mib(beforePublish),
      maxRssMiB: mib(rss.maxRss())
    }
  } finally {
    rss.stop()
    // A failed stop must not hide the run's own error.
    try { await node?.stop() } catch { /* see above */ }
    await grid?.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

export function mutableRows (r: MutableResult): SummaryRow[] {
  const size = `${r.publishBytes / 2 ** 20} MiB`
  const d = r.directory
  const x = (v: number): string => `${v.toFixed(2)}x`
  // RSS seldom shrinks: only round 1's CHK peak comes before any MDMF publish.
  const mdmfPeak = Math.max(...r.rounds.map(p => p.mdmfPeakMiB))
  const chkPeak = r.rounds[0].chkPeakMiB
  return [
    { section: '6 mutable', measure: 'update 1 KiB: round trips', ours: String(r.roundTrips), baseline: 'Tahoe: 2', ratio: '-', goal: '<= 2', result: metText(r.roundTrips <= 2) },
    { section: '6 mutable', measure: `update 1 KiB: ms (median of ${r.updates})`, ours: r.updateMedianMs.toFixed(1), baseline: '-', ratio: '-', goal: '', result: `${r.requests} requests` },
    {
      section: '6 mutable',
      measure: `read ${d.entries}-entry dir (dirs.list), ms`,
      ours: d.listMs.toFixed(1),
      baseline: `CHK get ${d.packedBytes} B ${d.chkGetMs.toFixed(1)}`,
      ratio: x(d.listMs / d.chkGetMs),
      goal: '',
      result: `json ${x(d.jsonMs / d.chkGetMs)}, its file ${x(d.fileGetMs / d.chkGetMs)}`
    },
    {
      section: '6 mutable',
      measure: `publish ${size} MDMF vs CHK, MB/s`,
      ours: `${mbps(r.publishBytes, r.mdmfSeconds).toFixed(1)} (${r.mdmfSeconds.toFixed(2)} s)`,
      baseline: `CHK put ${mbps(r.publishBytes, r.chkSeconds).toFixed(1)} (${r.chkSeconds.toFixed(2)} s)`,
      ratio: x(r.chkSeconds / r.mdmfSeconds),
      goal: '',
      result: `time ${x(r.mdmfSeconds / r.chkSeconds)} (same round ${x(r.timeRatioSameRound)}), CPU ${x(r.cpuRatioSameRound)}`
    },
    {
      section: '6 mutable',
      measure: `publish ${size}: client peak RSS, MiB`,
      ours: `MDMF ${mdmfPeak.toFixed(0)}`,
      baseline: `CHK put ${chkPeak.toFixed(0)}`,
      ratio: x(mdmfPeak / chkPeak),
      goal: '',
      result: `before ${r.beforePublishMiB.toFixed(0)}, maxRSS ${r.maxRssMiB.toFixed(0)}`
    }
  ]
}
