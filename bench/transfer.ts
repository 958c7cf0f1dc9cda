/**
 * Upload and download through the real client against ten real storage
 * servers on loopback, compared with a bare libp2p stream (same TCP + Noise
 * + Yamux stack) moving the same number of bytes in the same run.
 *
 *   raw down / raw up   one stream, send() + drain, server <-> client
 *   upload              client upload(): CHK 3-of-10, convergent key (a first
 *                       pass over the plaintext), 10 shares = 3.33x the bytes
 *   download            findSharesOnSessions() + download(); the result's SHA-256 is
 *                       checked after the clock stops (on the fly for --size);
 *                       segments spread over all ten servers (the default)
 *   download from k     the same file with spread: false (the same k shares
 *                       throughout), right after it: spreading's cost on a
 *                       machine whose CPU, not the servers' links, is the limit
 *
 * The ten servers and the raw node live in ONE child process; the client is
 * this process, whose resident set size is sampled every 50 ms.
 * Rounds are interleaved (raw, upload, download, raw, ...) so a burst of
 * machine load hits the baseline and our code alike; each figure is the best
 * of its rounds. MB/s counts plaintext bytes, 10^6 bytes per second.
 * Every step also reports the CPU time of both processes (all threads), and
 * each of our rows the ceiling: the best ratio the machine allows given the
 * raw stream's CPU per wire byte and the CHK work (lib/cpu-ceiling.ts).
 *
 * Run: npm run bench:transfer                       (64 MiB from memory, best of 3)
 *      npm run build && node dist/bench/transfer.js --size 1024   (1 GiB generated, streamed, 1 round)
 * Options: --size <MiB> (a generated source, never held in memory), --runs <n>,
 *          --servers <n>, --no-save (do not write bench/results/transfer-<date>.json),
 *          --channels noise,tls (the client's secure channels, each in every round; the
 *          first one's rounds make the throughput table; the servers offer both),
 *          --profile-servers <dir> (a V8 CPU profile of the server process, node --cpu-prof),
 *          --profile-client <dir> (a V8 CPU profile of this process over the timed rounds),
 *          --back-memory <GiB> (write to that much memory in a child process first, lib/back-memory.ts;
 *          8 by default on a VM that hands free pages to its host, 0 elsewhere)
 * After the throughput table: the storage server's CPU-seconds per GiB served and
 * stored against the raw stream on each channel (lib/server-cpu.ts; issue 17).
 */
import '../src/shim.js'
import { tuneProcess } from '../src/node/index.js'
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { multiaddr } from '@multiformats/multiaddr'
import { ceilingGaps, ceilings, measureChkWork, type CeilingGap, type ChkWorkMs } from './lib/cpu-ceiling.js'
import { option } from './lib/args.js'
import { backMemory, backMemoryOption, memoryNote, reportedKiB } from './lib/back-memory.js'
import { formatTable, mbps, median } from './lib/measure.js'
import { startChildGrid, type ChildGrid } from './lib/transfer-grid.js'
import { BENCH_CHANNELS, createBenchNode, type BenchChannel } from './lib/transfer-node.js'
import { SERVER_CPU_GOAL, serverCpu, serverCpuCells, type ServerCpu } from './lib/server-cpu.js'
import { rawDown, rawUp } from './lib/transfer-raw.js'
import { mib, RssSampler } from './lib/transfer-rss.js'
import { downloadOnce, plaintext, stopClient, uploadOnce as uploadWith, type Plaintext, type StoredFile } from './lib/transfer-ops.js'
import { phase, type PhaseRun } from './lib/transfer-phase.js'
import { startProfile } from './lib/cpu-profile.js'
import type { Libp2p } from '@libp2p/interface'

// As the lafs-club command does (node/process-tuning.ts): the figures are the product's.
tuneProcess()

const GOALS = { download: 0.8, upload: 0.3 }
const RSS_GOAL_MIB = 250
const K = 3
const N = 10

const streamed = option('--size') != null
const sizeMiB = Number(option('--size') ?? 64)
const SIZE = sizeMiB * 2 ** 20
const RUNS = Number(option('--runs') ?? (streamed ? 1 : 3))
const SERVERS = Number(option('--servers') ?? N)
const SAVE = !process.argv.includes('--no-save')
/** Secure channels the client dials with, each in every round; the first one's rounds make the throughput table. */
/** Writes a V8 CPU profile of the server process into this folder when it stops (`node --cpu-prof`). */
const PROFILE_DIR = option('--profile-servers')
/** Writes a V8 CPU profile of this (the client's) process over the timed rounds into this folder. */
const CLIENT_PROFILE_DIR = option('--profile-client')
/** GiB to write to in a child process before the grid starts (lib/back-memory.ts). */
const BACK_GIB = backMemoryOption(option('--back-memory'))
const CHANNELS = (option('--channels') ?? BENCH_CHANNELS.join(',')).split(',') as BenchChannel[]
for (const c of CHANNELS) if (!BENCH_CHANNELS.includes(c)) throw new Error(`--channels: unknown channel ${c}; choose from ${BENCH_CHANNELS.join(', ')}`)

// A reset stream can leave an internal drain promise rejected with nobody awaiting it.
process.on('unhandledRejection', err => { console.error('unhandled rejection (ignored):', (err as Error)?.message ?? err) })

const uploadOnce = async (client: Libp2p, grid: ChildGrid, pt: Plaintext, leaseSecret: Uint8Array): Promise<StoredFile> =>
  await uploadWith(client, grid, pt, leaseSecret, K, N)

type PhaseName = 'rawDown' | 'rawUp' | 'upload' | 'download' | 'downloadK'

/** One untimed round of every step with `size` bytes (the plaintext is dropped after it). */
async function warmUp (client: Libp2p, grid: ChildGrid, raw: ReturnType<typeof multiaddr>, size: number, leaseSecret: Uint8Array): Promise<void> {
  const pt = await plaintext(size, false)
  await rawDown(client, raw, size)
  await rawUp(client, raw, size)
  const file = await uploadOnce(client, grid, pt, leaseSecret)
  await downloadOnce(client, grid, file, pt)
  await downloadOnce(client, grid, file, pt, { spread: false })
}

let loadStart: number[] = []
const fmt = (n: number, digits = 1): string => n.toFixed(digits)

async function main (): Promise<void> {
  const rss = new RssSampler(50)
  const startRss = rss.sample()
  loadStart = loadavg()
  const backed = backMemory(BACK_GIB)
  const grid = await startChildGrid(SERVERS, PROFILE_DIR != null ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : [])
  const clients = new Map<BenchChannel, Libp2p>()
  const raw = multiaddr(grid.raw)
  const leaseSecret = randomBytes(32)
  const byChannel = new Map<BenchChannel, Array<Record<PhaseName, PhaseRun>>>(CHANNELS.map(c => [c, []]))
  const runs = byChannel.get(CHANNELS[0])!
  let idleRss = 0
  let chk: ChkWorkMs = { download: 0, upload: 0 }
  try {
    for (const channel of CHANNELS) clients.set(channel, await createBenchNode(channel))
    // Warm-up, not counted: dials, yamux windows, and a whole round of every step, because our code paths
    // are far larger than the raw stream's and V8 was still optimizing them through a 4 MiB warm-up's timed rounds.
    for (const client of clients.values()) await warmUp(client, grid, raw, streamed ? 16 * 2 ** 20 : SIZE, leaseSecret)

    const pt = await plaintext(SIZE, streamed)
    idleRss = rss.sample()
    const profiler = CLIENT_PROFILE_DIR != null ? await startProfile() : undefined
    for (let run = 0; run < RUNS; run++) {
      for (const [channel, client] of clients) {
        const rawDownRun = await phase(grid, rss, async () => await rawDown(client, raw, SIZE))
        const rawUpRun = await phase(grid, rss, async () => await rawUp(client, raw, SIZE))
        const up = await phase(grid, rss, async () => await uploadOnce(client, grid, pt, leaseSecret))
        // From memory the result's sha256 is checked after the clock stops (the raw baseline hashes nothing); a streamed file is hashed as it comes.
        const down = await phase(grid, rss, async () => await downloadOnce(client, grid, up.value, pt, { checkLater: !streamed }))
        down.value()
        // The same file read from the same k shares throughout (no spreading), for comparison in the same round.
        const downK = await phase(grid, rss, async () => await downloadOnce(client, grid, up.value, pt, { checkLater: !streamed, spread: false }))
        downK.value()
        const r = { rawDown: rawDownRun.run, rawUp: rawUpRun.run, upload: up.run, download: down.run, downloadK: downK.run }
        byChannel.get(channel)!.push(r)
        console.error(`round ${run + 1}/${RUNS} ${channel}: ` + (Object.keys(r) as PhaseName[]).map(k =>
          `${k} ${fmt(mbps(SIZE, r[k].ms / 1000))} MB/s (ELU client ${fmt(r[k].clientElu, 2)}, servers ${fmt(r[k].serverElu, 2)}; CPU ms ${fmt(r[k].clientCpuMs, 0)} + ${fmt(r[k].serverCpuMs, 0)})`).join(', '))
      }
    }
    if (profiler != null && CLIENT_PROFILE_DIR != null) console.error(`client profile: ${await profiler.stop(CLIENT_PROFILE_DIR)}`)
    // After the rounds, in this same process: the CHK work no client can skip, single-threaded.
    chk = measureChkWork(SIZE, K, N)
  } finally {
    for (const client of clients.values()) {
      try { await stopClient(client) } catch { /* a failed stop must not hide the run's own error */ }
    }
    await grid.stop()
    rss.stop()
  }

  const bestRun = (key: PhaseName): PhaseRun => runs.map(r => r[key]).reduce((a, b) => b.ms < a.ms ? b : a)
  const speed = {
    rawDown: mbps(SIZE, bestRun('rawDown').ms / 1000),
    rawUp: mbps(SIZE, bestRun('rawUp').ms / 1000),
    upload: mbps(SIZE, bestRun('upload').ms / 1000),
    download: mbps(SIZE, bestRun('download').ms / 1000),
    downloadK: mbps(SIZE, bestRun('downloadK').ms / 1000)
  }
  const peakOf = (key: PhaseName): number => Math.max(...runs.map(r => r[key].peakRss))
  const phasePeak = { raw: Math.max(peakOf('rawDown'), peakOf('rawUp')), upload: peakOf('upload'), download: peakOf('download'), downloadK: peakOf('downloadK') }
  const ratio = { upload: speed.upload / speed.rawUp, download: speed.download / speed.rawDown, downloadK: speed.downloadK / speed.rawDown }
  // Same-round ratios: a load burst that slows one round slows its baseline too.
  const paired = {
    upload: median(runs.map(r => r.rawUp.ms / r.upload.ms)),
    download: median(runs.map(r => r.rawDown.ms / r.download.ms)),
    downloadK: median(runs.map(r => r.rawDown.ms / r.downloadK.ms)),
    spreadVsK: median(runs.map(r => r.downloadK.ms / r.download.ms))
  }
  // The best ratio each round's raw stream leaves room for (see lib/cpu-ceiling.ts); the median over rounds.
  const ceiling = ceilings(runs, chk, K, N)
  const gaps = ceilingGaps(runs, chk, K, N)
  const met = (ok: boolean): string => ok ? 'met' : 'NOT met'
  const maxRss = rss.maxRss()
  const rssGoal = streamed ? mib(Math.max(rss.peak, maxRss)) < RSS_GOAL_MIB : undefined

  const label = `${sizeMiB} MiB ${streamed ? 'generated (streamed, never held)' : 'from memory'}, ${SERVERS} servers in one child process, CHK ${K}-of-${N}, best of ${RUNS}, loopback, ${CHANNELS[0]}`
  console.log(`\ntransfer bench: ${label}`)
  const elu = (key: PhaseName): string[] => [fmt(bestRun(key).clientElu, 2), fmt(bestRun(key).serverElu, 2), `${fmt(bestRun(key).clientCpuMs, 0)} + ${fmt(bestRun(key).serverCpuMs, 0)}`]
  console.log(formatTable(['path', 'best MB/s', 'x raw (best/best)', 'x raw (same round, median)', 'goal', 'result', `ceiling on ${cpus().length} cores`, 'ELU client', 'ELU servers', 'CPU ms client + servers'], [
    ['raw stream, server -> client', fmt(speed.rawDown), '1.00', '1.00', '', '', '', ...elu('rawDown')],
    ['raw stream, client -> server', fmt(speed.rawUp), '1.00', '1.00', '', '', '', ...elu('rawUp')],
    [`upload (${fmt(N / K, 2)}x bytes on the wire)`, fmt(speed.upload), fmt(ratio.upload, 2), fmt(paired.upload, 2), `>= ${GOALS.upload}x up`, met(ratio.upload >= GOALS.upload), `${fmt(ceiling.upload, 2)}x`, ...elu('upload')],
    [streamed ? 'download (sha256 on the fly)' : 'download (sha256 after the clock)', fmt(speed.download), fmt(ratio.download, 2), fmt(paired.download, 2), `>= ${GOALS.download}x down`, met(ratio.download >= GOALS.download), `${fmt(ceiling.download, 2)}x`, ...elu('download')],
    ['download from k shares (no spreading)', fmt(speed.downloadK), fmt(ratio.downloadK, 2), fmt(paired.downloadK, 2), '', '', '', ...elu('downloadK')]
  ]))
  console.log(`download spread over ${SERVERS} servers vs from k shares, same round (median of time ratios): ${fmt(paired.spreadVsK, 2)}x`)
  console.log(`share of the ceiling (issue 17 goal >= 0.7x): download ${fmt(ratio.download / ceiling.download, 2)}x, upload ${fmt(ratio.upload / ceiling.upload, 2)}x`)
  const gapText = (g: CeilingGap): string => `${fmt(g.share, 2)} = ${fmt(g.busy, 2)} of the cores busy (raw stream ${fmt(g.rawBusy, 2)}) x ${fmt(g.cpuEfficiency, 2)} CPU efficiency`
  console.log(`where the gap is (per round, medians): download ${gapText(gaps.download)}; upload ${gapText(gaps.upload)}; ` +
    'CPU efficiency = the CPU the ceiling allows (raw stream per wire byte + CHK work) over what the step spent')
  console.log('ELU: share of the time the process\'s event loop was busy during the best round (1.00 = that process was the bottleneck); all ten servers share one process')
  console.log(`CPU: milliseconds on all threads (workers, GC helpers, thread pool) of each process during the best round`)
  console.log(`ceiling: the best ratio this machine allows if our transfer paid only the raw stream's CPU per wire byte plus the CHK work ` +
    `(single-threaded here: download ${fmt(chk.download, 0)} ms, upload ${fmt(chk.upload, 0)} ms for ${sizeMiB} MiB), spread perfectly over ${cpus().length} cores; median of the rounds`)
  console.log(memoryNote(backed))
  console.log(`load average (1 min) at start ${fmt(loadStart[0], 2)}, at end ${fmt(loadavg()[0], 2)} on ${cpus().length} cores: figures from a busy machine are lower bounds`)
  console.log(`\nclient RSS (MiB): start ${fmt(mib(startRss), 0)}, before timed rounds ${fmt(mib(idleRss), 0)}, ` +
    `maxRSS ${fmt(mib(maxRss), 0)} (kernel high-water mark), sampled peak ${fmt(mib(rss.peak), 0)} (raw ${fmt(mib(phasePeak.raw), 0)}, upload ${fmt(mib(phasePeak.upload), 0)}, download ${fmt(mib(phasePeak.download), 0)}, from k shares ${fmt(mib(phasePeak.downloadK), 0)})` +
    (streamed ? `; goal < ${RSS_GOAL_MIB} MiB for a streamed round trip: ${met(rssGoal === true)}` : `; includes the ${sizeMiB} MiB plaintext held in memory`))

  const cpu = Object.fromEntries([...byChannel].map(([c, r]) => [c, serverCpu(r, SIZE, K, N)])) as Partial<Record<BenchChannel, ServerCpu>>
  console.log(`\nstorage server CPU per byte (CPU-s of the server process, all threads, per GiB of share data; raw = the raw-stream node in the same process, same channel, same round; medians of ${RUNS}; ratio = median of same-round ratios, "least" = least CPU of ours over least of raw, as contention only adds CPU time)`)
  console.log(formatTable(['channel', 'served: ours', 'raw', 'ratio', 'goal', 'result', 'stored: ours', 'raw', 'ratio'], Object.entries(cpu).map(([c, v]) => [
    c, ...serverCpuCells(v.served), `<= ${SERVER_CPU_GOAL.servedVsRaw}x`, met(v.served.ratio <= SERVER_CPU_GOAL.servedVsRaw), ...serverCpuCells(v.stored)
  ])))

  if (SAVE) {
    const date = new Date().toISOString().slice(0, 10)
    // bench/transfer.ts under tsx, dist/bench/transfer.js when built: both write to the source tree's bench/results.
    const dir = new URL(import.meta.url.endsWith('.ts') ? './results/' : '../../bench/results/', import.meta.url)
    const name = `transfer-${date}${streamed ? `-${sizeMiB}mib` : ''}.json`
    await mkdir(dir, { recursive: true })
    const result = {
      bench: 'transfer',
      date: new Date().toISOString(),
      command: `node dist/bench/transfer.js ${process.argv.slice(2).join(' ')}`.trim(),
      machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, memMiB: Math.round(mib(totalmem())) },
      config: { sizeBytes: SIZE, streamed, runs: RUNS, servers: SERVERS, k: K, n: N, serversInChildProcess: true },
      runs: runs.map(r => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, { ...v, peakRss: mib(v.peakRss), MBps: mbps(SIZE, v.ms / 1000) }]))),
      bestMBps: speed,
      ratio,
      ratioSameRoundMedian: paired,
      channel: CHANNELS[0],
      serverCpuPerGiB: cpu,
      otherChannels: Object.fromEntries([...byChannel].slice(1).map(([c, r]) => [c, r.map(x => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, { ...v, peakRss: mib(v.peakRss), MBps: mbps(SIZE, v.ms / 1000) }])))])),
      chkWorkMs: chk,
      ceiling: { ...ceiling, gaps, cores: cpus().length, note: 'best ratio if only the raw stream CPU per wire byte and the CHK work were paid, on all cores (bench/lib/cpu-ceiling.ts)' },
      loadAverage: { start: loadStart, end: loadavg() },
      memory: { backedGiB: backed ?? 0, handsFreePagesToHost: reportedKiB() !== undefined },
      goals: { ...GOALS, met: { upload: ratio.upload >= GOALS.upload, download: ratio.download >= GOALS.download }, rssMiB: streamed ? { goal: RSS_GOAL_MIB, met: rssGoal } : undefined },
      clientRssMiB: { start: mib(startRss), beforeRounds: mib(idleRss), peak: mib(rss.peak), maxRss: mib(maxRss), ...Object.fromEntries(Object.entries(phasePeak).map(([k, v]) => [k, mib(v)])) }
    }
    await writeFile(new URL(name, dir), JSON.stringify(result, null, 2) + '\n')
    console.log(`\nsaved ${fileURLToPath(new URL(name, dir))}`)
  }
}

await main()
