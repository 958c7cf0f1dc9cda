/**
 * Section 7: magic folders (issue 15), every node in its own process: five
 * storage servers in one child (transfer-grid.ts), and each magic-folder
 * node a LafsNode child driven through `node.magicFolders` (magic-node.ts),
 * its CPU, RSS and descriptors read from /proc.
 *
 *   latency    nodes A and B share a folder, B polls every `poll` s (60). A
 *              file is written on A at a chosen phase of B's poll cycle
 *              (phases spread evenly over the cycle, random within their
 *              slice) and timed until it stands complete on B. Split, from
 *              the nodes' scan and poll windows: A's settle (write → the scan
 *              that uploads it), the transfer (that scan: upload and link on
 *              A; B's poll start → the file in place), and the rest, the wait
 *              for B's next poll. Goal: rest / interval < 1.5; the baseline
 *              is the interval itself.
 *   upload     the engine's initial upload of `uploadFiles` small files into
 *              a new folder, timed, and projected to 3 × 10,000 files.
 *   idle       one node with 3 folders of 10,000 small files each (in 100
 *              subfolders), default intervals (poll and scan 60 s). The
 *              engine uploads ~5 files a second here (see `upload`), so the
 *              30,000 snapshots are not made through the grid: each folder
 *              is created through the door with one file (a real snapshot),
 *              the node is stopped, the other 9,999 files are written and
 *              entered in the folder's state (src/magic-folder/state.ts,
 *              size and mtime as on disk, pointing at that one snapshot),
 *              and the node restarted. To the idle node the folders are then
 *              exactly as after a finished upload (its own personal directory
 *              is never read by itself). Its CPU is sampled each second and
 *              split into samples touching a scan or poll window and the
 *              others (between polls); goal: under 1% of a core between polls.
 */
import { createHash, randomBytes } from 'node:crypto'
import { lstat, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FolderState } from '../../src/magic-folder/state.js'
import { median } from '../lib/measure.js'
import { startMagicNode, type ActivityWindow, type MagicNode } from '../lib/magic-node.js'
import { procSample, ProcSampler, threadCpuMs, type ProcSample } from '../lib/proc-usage.js'
import { metText, progressLog, type SummaryRow } from '../lib/summary-row.js'
import { startChildGrid, type ChildGrid } from '../lib/transfer-grid.js'
import { mib } from '../lib/transfer-rss.js'
import type { MagicFolderStatus } from '../../src/magic-folder/index.js'

const SERVERS = 5
const CLIENT = { k: 3, happy: 4, n: 5 }

export interface MagicOptions {
  /** B's poll interval in the latency part, seconds (default 60). */
  poll?: number
  samples?: number
  /** Minutes the idle node is watched after its first scans (default 3; quick 1). */
  idle?: number
  /** Bytes of each latency file (default 1 MiB). */
  fileBytes?: number
  /** Files of the timed initial upload (default 300). */
  uploadFiles?: number
  /** Files per idle folder (default 10,000). */
  filesPerFolder?: number
  /** Write a V8 CPU profile of the idle node into this folder. */
  profileDir?: string
  /** Skip parts: 'latency', 'upload', 'idle'. */
  skip?: string[]
}

export interface LatencySample {
  /** Phase of the write in B's poll cycle, 0..1. */
  phase: number
  totalMs: number
  settleMs: number
  uploadMs: number
  downloadMs: number
  /** The rest: waiting for B's poll. */
  waitMs: number
}

export interface LatencyResult {
  pollSeconds: number
  fileBytes: number
  settleSettingMs: number
  samples: LatencySample[]
  /** (total − settle − transfer) / interval, median and max. */
  restRatioMedian: number
  restRatioMax: number
  totalRatioMedian: number
  totalRatioMax: number
  settleMedianMs: number
  transferMedianMs: number
  /** CPU ms of A and B over the whole latency part, and its length. */
  cpuMs: { a: number, b: number }
  seconds: number
}

export interface UploadResult {
  files: number
  seconds: number
  msPerFile: number
  /** Projection to 30,000 files at that rate (a lower bound: the personal directory grows). */
  projected30kMinutes: number
  nodeCpuMs: number
  gridCpuMs: number
}

export interface CpuSplit {
  seconds: number
  cpuMs: number
  /** % of one core. */
  percent: number
}

export interface IdleResult {
  folders: number
  filesPerFolder: number
  makeFilesSeconds: number
  seedSeconds: number
  pollSeconds: number
  scanSeconds: number
  /** The node alone, no folder yet, for comparison (20 s, from 10 s after its start). */
  bare: CpuSplit & { rssMiB: number, fds: number }
  /** First scan of every folder after the restart (all unchanged). */
  firstScanMs: number[]
  minutes: number
  total: CpuSplit
  betweenPolls: CpuSplit
  duringPolls: CpuSplit
  scans: number
  polls: number
  scanMsMedian: number
  pollMsMedian: number
  /** CPU ms per scan of one 10,000-file folder (busy seconds' CPU / scans, polls included: they are short). */
  cpuMsPerScan: number
  rssMiB: { median: number, max: number }
  fds: { median: number, max: number }
  instrumented: boolean
  /** CPU ms over the idle minutes per thread name: which thread pays. */
  threadsCpuMs: Record<string, number>
  /** CPU ms of each ~1 s sample over the idle minutes. */
  cpuPerSecond: number[]
  profile?: string
}

export interface MagicResult {
  servers: number
  code: string
  latency?: LatencyResult
  upload?: UploadResult
  idle?: IdleResult
}

const sleep = async (ms: number): Promise<void> => { if (ms > 0) await new Promise(resolve => setTimeout(resolve, ms)) }

async function waitFor<T> (what: string, ms: number, probe: () => Promise<T | undefined>, everyMs = 200): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${(ms / 1000).toFixed(0)} s waiting for ${what}`)
    await sleep(everyMs)
  }
}

const cpuBetween = (a: ProcSample, b: ProcSample): number => b.cpuMs - a.cpuMs

function split (samples: ProcSample[], busy: (from: number, to: number) => boolean): { between: CpuSplit, during: CpuSplit, total: CpuSplit } {
  const acc = { between: { ms: 0, cpu: 0 }, during: { ms: 0, cpu: 0 } }
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]
    const b = samples[i]
    const part = busy(a.at, b.at) ? acc.during : acc.between
    part.ms += b.at - a.at
    part.cpu += cpuBetween(a, b)
  }
  const of = (p: { ms: number, cpu: number }): CpuSplit => ({ seconds: p.ms / 1000, cpuMs: p.cpu, percent: p.ms > 0 ? 100 * p.cpu / p.ms : Number.NaN })
  return { between: of(acc.between), during: of(acc.during), total: of({ ms: acc.between.ms + acc.during.ms, cpu: acc.between.cpu + acc.during.cpu }) }
}

async function statusOf (node: MagicNode, name: string): Promise<MagicFolderStatus> {
  return await node.call<MagicFolderStatus>('status', name)
}

async function latency (grid: ChildGrid, servers: string[], root: string, opts: Required<Pick<MagicOptions, 'poll' | 'samples' | 'fileBytes'>>, log: (l: string) => void): Promise<LatencyResult> {
  const interval = opts.poll * 1000
  const t0 = Date.now()
  const a = await startMagicNode(join(root, 'node-a'), CLIENT)
  const b = await startMagicNode(join(root, 'node-b'), CLIENT)
  try {
    const cpu0 = { a: procSample(a.pid), b: procSample(b.pid) }
    const dirA = join(root, 'a-latency')
    const dirB = join(root, 'b-latency')
    // A keeps the default poll: only B's cycle matters here.
    await a.call('create', 'latency', dirA, { servers, participant: 'a' })
    const { code } = await a.call<{ code: string }>('invite', 'latency', 'b')
    await b.call('join', code, 'latency', dirB, { pollSeconds: opts.poll })
    const settleSettingMs = (await statusOf(a, 'latency')).settleMs
    log(`latency: A and B share a folder; B polls every ${opts.poll} s; ${opts.samples} files of ${opts.fileBytes} bytes`)
    await waitFor("B's first poll", 120_000, async () => (await statusOf(b, 'latency')).lastPoll)
    const samples: LatencySample[] = []
    for (let i = 0; i < opts.samples; i++) {
      // Phases spread evenly over the cycle, random within each slice: a few samples still cover it.
      const phase = (i + Math.random()) / opts.samples
      const st = await statusOf(b, 'latency')
      let at = (st.lastPoll ?? Date.now()) + phase * interval
      while (at < Date.now() + 500) at += interval
      await sleep(at - Date.now())
      await a.call('activity')
      await b.call('activity')
      const name = `sample-${i}.bin`
      const data = randomBytes(opts.fileBytes)
      await writeFile(join(dirA, name), data)
      const written = Date.now()
      const arrived = await waitFor(`${name} on B`, 3 * interval + 120_000, async () => {
        const s = await stat(join(dirB, name)).catch(() => undefined)
        return s !== undefined && s.size === data.length ? Date.now() : undefined
      }, 20)
      const got = await readFile(join(dirB, name))
      if (!got.equals(data)) throw new Error(`${name} arrived on B with other bytes`)
      // B's poll is recorded when it ends, after the file is in place (it then links its acknowledgement).
      const seen = { a: [] as ActivityWindow[], b: [] as ActivityWindow[] }
      const windowOf = async (node: MagicNode, into: ActivityWindow[], kind: 'scan' | 'poll'): Promise<ActivityWindow | undefined> => {
        into.push(...await node.call<ActivityWindow[]>('activity'))
        return into.find(w => w.kind === kind && (kind === 'scan' ? w.uploads : w.downloads) > 0)
      }
      const what = 'the scan and poll windows of the transfer (is MagicFolder.scanOnce/pollOnce still there to instrument?)'
      const upScan = await waitFor(what, 60_000, async () => await windowOf(a, seen.a, 'scan'), 50)
      const downPoll = await waitFor(what, 60_000, async () => await windowOf(b, seen.b, 'poll'), 50)
      const s: LatencySample = {
        phase,
        totalMs: arrived - written,
        settleMs: upScan.start - written,
        uploadMs: upScan.end - upScan.start,
        downloadMs: arrived - downPoll.start,
        waitMs: downPoll.start - upScan.end
      }
      samples.push(s)
      log(`sample ${i + 1}/${opts.samples} at phase ${phase.toFixed(2)}: ${(s.totalMs / 1000).toFixed(2)} s = settle ${(s.settleMs / 1000).toFixed(2)} + upload ${(s.uploadMs / 1000).toFixed(2)} + wait ${(s.waitMs / 1000).toFixed(2)} + download ${(s.downloadMs / 1000).toFixed(2)} s; rest/interval ${(s.waitMs / interval).toFixed(2)}`)
    }
    const cpu1 = { a: procSample(a.pid), b: procSample(b.pid) }
    const rest = samples.map(s => (s.totalMs - s.settleMs - s.uploadMs - s.downloadMs) / interval)
    const total = samples.map(s => s.totalMs / interval)
    return {
      pollSeconds: opts.poll,
      fileBytes: opts.fileBytes,
      settleSettingMs,
      samples,
      restRatioMedian: median(rest),
      restRatioMax: Math.max(...rest),
      totalRatioMedian: median(total),
      totalRatioMax: Math.max(...total),
      settleMedianMs: median(samples.map(s => s.settleMs)),
      transferMedianMs: median(samples.map(s => s.uploadMs + s.downloadMs)),
      cpuMs: { a: cpuBetween(cpu0.a, cpu1.a), b: cpuBetween(cpu0.b, cpu1.b) },
      seconds: (Date.now() - t0) / 1000
    }
  } finally {
    await a.stop()
    await b.stop()
  }
}

/** `count` small files (≤ 55 bytes: LIT content caps) in subfolders of 100. */
async function makeFiles (dir: string, count: number, tag: string): Promise<string[]> {
  const paths: string[] = []
  for (let i = 0; i < count; i++) {
    const sub = `d${String(Math.floor(i / 100)).padStart(3, '0')}`
    if (i % 100 === 0) await mkdir(join(dir, sub), { recursive: true })
    const rel = `${sub}/f${String(i).padStart(5, '0')}.txt`
    await writeFile(join(dir, rel), `${tag} file ${i}\n`)
    paths.push(rel)
  }
  return paths
}

async function initialUpload (grid: ChildGrid, servers: string[], root: string, files: number, log: (l: string) => void): Promise<UploadResult> {
  const node = await startMagicNode(join(root, 'node-upload'), CLIENT)
  try {
    const dir = join(root, 'upload')
    await makeFiles(dir, files, 'upload')
    log(`upload: ${files} small files into a new folder (settle 0)`)
    const c0 = procSample(node.pid)
    const g0 = (await grid.usage()).cpuMs
    const t0 = Date.now()
    await node.call('create', 'upload', dir, { servers, settleMs: 0 })
    await waitFor('the initial upload', files * 2000 + 60_000, async () => {
      const st = await statusOf(node, 'upload')
      return st.uploads >= files && st.queuedUploads === 0 ? true : undefined
    }, 250)
    const seconds = (Date.now() - t0) / 1000
    const c1 = procSample(node.pid)
    const r: UploadResult = {
      files,
      seconds,
      msPerFile: seconds * 1000 / files,
      projected30kMinutes: seconds / files * 30_000 / 60,
      nodeCpuMs: cpuBetween(c0, c1),
      gridCpuMs: (await grid.usage()).cpuMs - g0
    }
    log(`upload: ${files} files in ${seconds.toFixed(1)} s (${r.msPerFile.toFixed(0)} ms a file; CPU node ${(r.nodeCpuMs / files).toFixed(0)} ms, servers ${(r.gridCpuMs / files).toFixed(0)} ms a file): 30,000 would take ≥ ${r.projected30kMinutes.toFixed(0)} min`)
    return r
  } finally {
    await node.stop()
  }
}

const FOLDERS = 3

async function idle (servers: string[], root: string, opts: { minutes: number, filesPerFolder: number, profileDir?: string }, log: (l: string) => void): Promise<IdleResult> {
  const dataDir = join(root, 'node-idle')
  const names = Array.from({ length: FOLDERS }, (_, i) => `idle-${i + 1}`)
  const dirs = names.map(n => join(root, n))
  let node = await startMagicNode(dataDir, CLIENT)
  let bare: IdleResult['bare']
  try {
    // The node alone first: what the folders add is measured against it, once its start-up work is over.
    await sleep(10_000)
    const s = new ProcSampler(node.pid)
    await sleep(20_000)
    const bs = s.stop()
    const last = bs[bs.length - 1]
    bare = { ...split(bs, () => false).total, rssMiB: mib(last.rssBytes), fds: last.fds }
    log(`idle: the node without folders: ${bare.percent.toFixed(2)}% of a core over ${bare.seconds.toFixed(0)} s, RSS ${bare.rssMiB.toFixed(0)} MiB, ${bare.fds} fds`)
    for (let i = 0; i < FOLDERS; i++) {
      await mkdir(dirs[i], { recursive: true })
      await writeFile(join(dirs[i], 'seed.txt'), `seed of ${names[i]}\n`)
      await node.call('create', names[i], dirs[i], { servers, settleMs: 0 })
    }
    await waitFor('the seed files uploaded', 120_000, async () => {
      const st = await Promise.all(names.map(async n => await statusOf(node, n)))
      return st.every(x => x.uploads >= 1 && x.queuedUploads === 0) ? true : undefined
    })
  } finally {
    await node.stop()
  }
  let t = Date.now()
  const made: string[][] = []
  for (let i = 0; i < FOLDERS; i++) made.push(await makeFiles(dirs[i], opts.filesPerFolder - 1, names[i]))
  const makeFilesSeconds = (Date.now() - t) / 1000
  t = Date.now()
  for (let i = 0; i < FOLDERS; i++) {
    // The manager's state file name for a folder (src/magic-folder/manager.ts).
    const file = join(dataDir, 'private', 'magic-folders', `${createHash('sha256').update(names[i]).digest('hex').slice(0, 16)}.sqlite`)
    await stat(file)
    const state = new FolderState(file)
    try {
      const seed = state.file('seed.txt')
      if (seed === undefined || !seed.linked) throw new Error(`${names[i]}: the seed file is not recorded and linked`)
      for (const rel of made[i]) {
        const st = await lstat(join(dirs[i], rel))
        state.setFile({ relpath: rel, snapshotCap: seed.snapshotCap, deleted: false, size: st.size, mtimeMs: st.mtimeMs, linked: true })
      }
    } finally {
      state.close()
    }
  }
  const seedSeconds = (Date.now() - t) / 1000
  log(`idle: ${FOLDERS} × ${opts.filesPerFolder} files written in ${makeFilesSeconds.toFixed(1)} s, entered in the folders' state in ${seedSeconds.toFixed(1)} s; restarting the node`)

  const profile = opts.profileDir !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : []
  if (opts.profileDir !== undefined) log(`idle: the node runs under the V8 profiler (into ${opts.profileDir}): its CPU figures include the profiler's own cost`)
  node = await startMagicNode(dataDir, CLIENT, profile)
  try {
    // The start's first scans (every file compared with the state) are reported apart from the idle time.
    const first = await waitFor('the first scans after the restart', 600_000, async () => {
      const st = await Promise.all(names.map(async n => await statusOf(node, n)))
      return st.every(x => x.lastScan !== undefined && x.lastPoll !== undefined) ? st : undefined
    }, 250)
    const uploadsAfter = first.reduce((n, x) => n + x.uploads, 0)
    const firstWindows = await node.call<ActivityWindow[]>('activity')
    const firstScanMs = firstWindows.filter(w => w.kind === 'scan').map(w => w.end - w.start)
    if (uploadsAfter !== FOLDERS || first.some(x => x.queuedUploads !== 0)) throw new Error(`after the restart the folders upload again (${uploadsAfter} uploads): the seeded state does not match the files`)
    log(`idle: first scans after the restart ${firstScanMs.map(ms => ms.toFixed(0)).join(', ')} ms; watching for ${opts.minutes} min`)
    const sampler = new ProcSampler(node.pid)
    const threads0 = threadCpuMs(node.pid)
    await sleep(opts.minutes * 60_000)
    const samples = sampler.stop()
    const threads1 = threadCpuMs(node.pid)
    const threads = Object.fromEntries(Object.entries(threads1).map(([k, v]) => [k, v - (threads0[k] ?? 0)]).filter(([, v]) => (v as number) > 0))
    const windows = await node.call<ActivityWindow[]>('activity')
    const busyWindows = windows.map(w => ({ from: w.start - 100, to: w.end + 300 }))
    const parts = split(samples, (from, to) => busyWindows.some(w => w.from < to && w.to > from))
    const scans = windows.filter(w => w.kind === 'scan')
    const polls = windows.filter(w => w.kind === 'poll')
    const st = await statusOf(node, names[0])
    const rss = samples.map(x => mib(x.rssBytes))
    const fds = samples.map(x => x.fds)
    const r: IdleResult = {
      folders: FOLDERS,
      filesPerFolder: opts.filesPerFolder,
      makeFilesSeconds,
      seedSeconds,
      pollSeconds: st.pollSeconds,
      scanSeconds: st.scanSeconds,
      bare,
      firstScanMs,
      minutes: opts.minutes,
      total: parts.total,
      betweenPolls: parts.between,
      duringPolls: parts.during,
      scans: scans.length,
      polls: polls.length,
      scanMsMedian: scans.length > 0 ? median(scans.map(w => w.end - w.start)) : Number.NaN,
      pollMsMedian: polls.length > 0 ? median(polls.map(w => w.end - w.start)) : Number.NaN,
      cpuMsPerScan: scans.length > 0 ? parts.during.cpuMs / scans.length : Number.NaN,
      rssMiB: { median: median(rss), max: Math.max(...rss) },
      fds: { median: median(fds), max: Math.max(...fds) },
      instrumented: windows.length > 0,
      threadsCpuMs: threads,
      cpuPerSecond: samples.slice(1).map((x, j) => Math.round(x.cpuMs - samples[j].cpuMs)),
      profile: opts.profileDir
    }
    log(`idle: ${r.scans} scans (median ${r.scanMsMedian.toFixed(0)} ms), ${r.polls} polls (median ${r.pollMsMedian.toFixed(0)} ms); CPU between polls ${r.betweenPolls.percent.toFixed(2)}% of a core over ${r.betweenPolls.seconds.toFixed(0)} s, ` +
      `during ${r.duringPolls.percent.toFixed(1)}% over ${r.duringPolls.seconds.toFixed(0)} s, overall ${r.total.percent.toFixed(2)}%; ~${r.cpuMsPerScan.toFixed(0)} CPU ms a scan; RSS median ${r.rssMiB.median.toFixed(0)} MiB (max ${r.rssMiB.max.toFixed(0)}), fds ${r.fds.median}`)
    log(`idle: CPU ms by thread: ${Object.entries(threads).map(([k, v]) => `${k} ${(v as number).toFixed(0)}`).join(', ')}`)
    log(`idle: CPU ms each second: ${r.cpuPerSecond.join(' ')}`)
    return r
  } finally {
    await node.stop()
  }
}

export async function runMagic (quick: boolean, opts: MagicOptions = {}): Promise<MagicResult> {
  const log = progressLog('magic')
  const skip = new Set(opts.skip ?? [])
  const root = await mkdtemp(join(tmpdir(), 'lafs-bench-magic-'))
  let grid: ChildGrid | undefined
  try {
    log(`starting ${SERVERS} storage servers (one child process); every magic-folder node is its own process`)
    grid = await startChildGrid(SERVERS)
    const servers = grid.servers.map(s => s.multiaddrs[0])
    const result: MagicResult = { servers: SERVERS, code: `${CLIENT.k}-of-${CLIENT.n}, happy ${CLIENT.happy}` }
    if (!skip.has('latency')) {
      result.latency = await latency(grid, servers, root, { poll: opts.poll ?? (quick ? 10 : 60), samples: opts.samples ?? (quick ? 2 : 5), fileBytes: opts.fileBytes ?? 2 ** 20 }, log)
    }
    if (!skip.has('upload')) result.upload = await initialUpload(grid, servers, root, opts.uploadFiles ?? (quick ? 100 : 300), log)
    if (!skip.has('idle')) {
      result.idle = await idle(servers, root, { minutes: opts.idle ?? (quick ? 1 : 3), filesPerFolder: opts.filesPerFolder ?? (quick ? 2000 : 10_000), profileDir: opts.profileDir }, log)
    }
    return result
  } finally {
    await grid?.stop()
    await rm(root, { recursive: true, force: true })
  }
}

export function magicRows (r: MagicResult): SummaryRow[] {
  const rows: SummaryRow[] = []
  const sec = (ms: number): string => `${(ms / 1000).toFixed(1)} s`
  const l = r.latency
  if (l !== undefined) {
    rows.push({
      section: '7 magic',
      measure: `write → arrival, poll ${l.pollSeconds} s (median of ${l.samples.length})`,
      ours: `${sec(median(l.samples.map(s => s.totalMs)))} (max ${sec(Math.max(...l.samples.map(s => s.totalMs)))})`,
      baseline: `interval ${l.pollSeconds} s`,
      ratio: `${l.totalRatioMedian.toFixed(2)}x (max ${l.totalRatioMax.toFixed(2)}x)`,
      goal: '',
      result: `settle ${sec(l.settleMedianMs)}, transfer ${sec(l.transferMedianMs)} (${l.fileBytes / 2 ** 10} KiB)`
    })
    rows.push({
      section: '7 magic',
      measure: '(total − settle − transfer) / interval',
      ours: `${l.restRatioMedian.toFixed(2)} (max ${l.restRatioMax.toFixed(2)})`,
      baseline: '-',
      ratio: '-',
      goal: '< 1.5',
      result: metText(l.restRatioMax < 1.5)
    })
  }
  const u = r.upload
  if (u !== undefined) {
    rows.push({
      section: '7 magic',
      measure: `initial upload of ${u.files} small files`,
      ours: `${u.seconds.toFixed(1)} s`,
      baseline: '-',
      ratio: '-',
      goal: '',
      result: `${u.msPerFile.toFixed(0)} ms a file; 30,000: ≥ ${u.projected30kMinutes.toFixed(0)} min`
    })
  }
  const i = r.idle
  if (i !== undefined) {
    rows.push({
      section: '7 magic',
      measure: `idle CPU, ${i.folders} × ${i.filesPerFolder} files, between polls`,
      ours: `${i.betweenPolls.percent.toFixed(2)}%`,
      baseline: `no folders ${i.bare.percent.toFixed(2)}%`,
      ratio: '-',
      goal: '< 1%',
      result: metText(i.betweenPolls.percent < 1)
    })
    rows.push({
      section: '7 magic',
      measure: `idle CPU overall (scan, poll ${i.scanSeconds}/${i.pollSeconds} s)`,
      ours: `${i.total.percent.toFixed(2)}%`,
      baseline: '-',
      ratio: '-',
      goal: '',
      result: `scan ${i.scanMsMedian.toFixed(0)} ms, ~${i.cpuMsPerScan.toFixed(0)} CPU ms each`
    })
    rows.push({
      section: '7 magic',
      measure: 'idle RSS, MiB (median)',
      ours: i.rssMiB.median.toFixed(0),
      baseline: `no folders ${i.bare.rssMiB.toFixed(0)}`,
      ratio: '-',
      goal: '',
      result: `max ${i.rssMiB.max.toFixed(0)}, fds ${i.fds.median} (bare ${i.bare.fds})`
    })
  }
  return rows
}
