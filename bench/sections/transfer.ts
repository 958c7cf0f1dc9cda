/**
 * Sections 2 and 3: 64 MiB down and up through our client and ten storage
 * servers, against a raw libp2p stream and against Helia 7's unixfs `cat`,
 * every baseline timed in this same process between our own rounds.
 *
 * Topology, the same for every contender: the serving side lives in a child
 * process (our ten servers plus the raw-stream node in one, the Helia
 * provider in another) and the reading/writing side in this process (our
 * client node, and a second Helia node). All on 127.0.0.1 over TCP + Noise +
 * Yamux. Both files hold the same bytes (one seed, see helia-provider.ts).
 * Each round then repeats raw down, raw up, upload and download from a
 * client that speaks only TLS (the servers offer both), for the storage
 * server's CPU per GiB on each channel (lib/server-cpu.ts, issue 17).
 * Rounds are interleaved (raw down, raw up, upload, download, Helia cat) so a
 * burst of machine load hits every contender; each figure is the best round.
 * Our download and Helia's cat keep the chunks they return and the bench
 * checks their sha256 after the clock stops, as the raw stream, which hashes
 * nothing, would otherwise be spared a cost the others pay.
 */
import { createHash, randomBytes } from 'node:crypto'
import { cpus } from 'node:os'
import { multiaddr } from '@multiformats/multiaddr'
import { backMemory, backMemoryOption, memoryNote } from '../lib/back-memory.js'
import { ceilings, measureChkWork } from '../lib/cpu-ceiling.js'
import { startHeliaProvider, type HeliaProvider } from '../lib/helia-provider.js'
import { startHeliaReader, type HeliaReader } from '../lib/helia-reader.js'
import { mbps, median } from '../lib/measure.js'
import { metText, progressLog, type SummaryRow } from '../lib/summary-row.js'
import { startChildGrid, type ChildGrid } from '../lib/transfer-grid.js'
import { BENCH_CHANNELS, createBenchNode, type BenchChannel } from '../lib/transfer-node.js'
import { SERVER_CPU_GOAL, serverCpu, type ServerCpu, type ServerCpuRound } from '../lib/server-cpu.js'
import { downloadOnce, plaintext, stopClient, uploadOnce, type Plaintext } from '../lib/transfer-ops.js'
import { phase, type PhaseRun } from '../lib/transfer-phase.js'
import { rawDown, rawUp } from '../lib/transfer-raw.js'
import { RssSampler } from '../lib/transfer-rss.js'
import { generatedSource } from '../lib/transfer-source.js'
import type { Libp2p } from '@libp2p/interface'

export const TRANSFER_GOALS = { downloadVsHelia: 1.5, downloadVsRaw: 0.8, uploadVsRaw: 0.3, ofCeiling: 0.7 }
const K = 3
const N = 10
const SERVERS = 10

export type Contender = 'rawDown' | 'rawUp' | 'upload' | 'download' | 'heliaCat'
const CONTENDERS: Contender[] = ['rawDown', 'rawUp', 'upload', 'download', 'heliaCat']

export interface TransferResult {
  sizeBytes: number
  rounds: number
  servers: number
  code: string
  topology: string
  helia: { cid: string, blocks: number, addMs: number, importer: string }
  runs: Array<Record<Contender, PhaseRun & { MBps: number }>>
  bestMBps: Record<Contender, number>
  ratio: { downloadVsHelia: number, downloadVsRaw: number, uploadVsRaw: number }
  /** Median of per-round ratios: a slow round slows its baseline too. */
  ratioSameRoundMedian: { downloadVsHelia: number, downloadVsRaw: number, uploadVsRaw: number }
  /** Single-threaded CPU ms of the CHK work no client can skip, measured here after the rounds. */
  chkWorkMs: { download: number, upload: number }
  /** The best ratio vs raw the machine allows (bench/lib/cpu-ceiling.ts), median over rounds. */
  ceiling: { downloadVsRaw: number, uploadVsRaw: number, cores: number }
  /** The storage server process's CPU-seconds per GiB served/stored against the raw stream, per secure channel (issue 17). */
  serverCpuPerGiB: Partial<Record<BenchChannel, ServerCpu>>
  /** The rounds of the channels other than Noise (raw down/up, upload, download; no Helia). */
  otherChannels: Partial<Record<BenchChannel, ServerCpuRound[]>>
  /** GiB written in a child process before the grid started (lib/back-memory.ts), and what that says. */
  memory: { backedGiB: number, note: string }
}


/** The seeded bytes held in memory: our upload reads them twice (convergent key, then encryption). */
async function heldPlaintext (seed: Uint8Array, size: number): Promise<Plaintext> {
  const parts: Uint8Array[] = []
  for await (const c of generatedSource(size, seed).read()) parts.push(c)
  const data = Buffer.concat(parts)
  return { source: data, sha256: createHash('sha256').update(data).digest('hex'), size }
}

export async function runTransfer (quick: boolean): Promise<TransferResult> {
  const log = progressLog('transfer')
  const size = (quick ? 16 : 64) * 2 ** 20
  const rounds = quick ? 1 : 3
  const seed = randomBytes(32)
  const rss = new RssSampler(50)
  let grid: ChildGrid | undefined
  let provider: HeliaProvider | undefined
  let client: Libp2p | undefined
  let reader: HeliaReader | undefined
  let otherClients: Libp2p[] = []
  // generous: a healthy 64 MiB cat takes seconds, a stuck want never ends
  const catTimeoutMs = 120_000
  // As bench:transfer does by default: on a VM that hands free pages to its host, storing would pay for each new page.
  const backed = backMemory(backMemoryOption(undefined))
  try {
    log(`starting ${SERVERS} storage servers + raw node (child process) and a Helia provider adding ${size / 2 ** 20} MiB (child process)`)
    ;[grid, provider] = await Promise.all([startChildGrid(SERVERS), startHeliaProvider(seed, size)])
    log(`Helia provider added ${provider.blocks} blocks in ${provider.addMs.toFixed(0)} ms, root ${provider.cid}`)
    client = await createBenchNode('noise')
    // The channels other than Noise get their own client; the servers offer them all (transfer-grid.ts).
    const others = new Map<BenchChannel, Libp2p>()
    for (const ch of BENCH_CHANNELS) if (ch !== 'noise') others.set(ch, await createBenchNode(ch))
    otherClients = [...others.values()]
    const raw = multiaddr(grid.raw)
    const leaseSecret = randomBytes(32)
    const pt = await heldPlaintext(seed, size)
    const g = grid
    const c = client
    const p = provider

    log('warm-up (not counted): raw 16 MiB each way, a 4 MiB round trip, one Helia cat')
    await rawDown(c, raw, 16 * 2 ** 20)
    await rawUp(c, raw, 16 * 2 ** 20)
    const warm = await plaintext(4 * 2 ** 20, false)
    for (const x of [c, ...others.values()]) {
      if (x !== c) { await rawDown(x, raw, 16 * 2 ** 20); await rawUp(x, raw, 16 * 2 ** 20) }
      await downloadOnce(x, g, await uploadOnce(x, g, warm, leaseSecret, K, N), warm)
    }
    reader = await startHeliaReader(p.addr)
    await reader.cat(p.cid, size, pt.sha256, catTimeoutMs)
    await reader.stop()

    const runs: TransferResult['runs'] = []
    const otherRuns = new Map<BenchChannel, ServerCpuRound[]>([...others.keys()].map(ch => [ch, []]))
    for (let round = 0; round < rounds; round++) {
      const rawDownRun = await phase(g, rss, async () => await rawDown(c, raw, size))
      const rawUpRun = await phase(g, rss, async () => await rawUp(c, raw, size))
      const up = await phase(g, rss, async () => await uploadOnce(c, g, pt, leaseSecret, K, N))
      const down = await phase(g, rss, async () => await downloadOnce(c, g, up.value, pt, { checkLater: true }))
      down.value()
      // a fresh reader each round (see helia-reader.ts), connected before the clock starts
      const h = reader = await startHeliaReader(p.addr)
      // the Helia provider's event loop is the "server" side of this step
      const cat = await phase(p, rss, async () => await h.cat(p.cid, size, pt.sha256, catTimeoutMs, true))
      cat.value()
      await h.stop()
      // the same four steps over each other channel, for the server's CPU per byte on it
      for (const [ch, x] of others) {
        const rd = await phase(g, rss, async () => await rawDown(x, raw, size))
        const ru = await phase(g, rss, async () => await rawUp(x, raw, size))
        const u = await phase(g, rss, async () => await uploadOnce(x, g, pt, leaseSecret, K, N))
        const d = await phase(g, rss, async () => await downloadOnce(x, g, u.value, pt, { checkLater: true }))
        d.value()
        otherRuns.get(ch)!.push({ rawDown: rd.run, rawUp: ru.run, upload: u.run, download: d.run })
        log(`round ${round + 1}/${rounds} ${ch}: server CPU ms raw down ${rd.run.serverCpuMs.toFixed(0)}, download ${d.run.serverCpuMs.toFixed(0)}, raw up ${ru.run.serverCpuMs.toFixed(0)}, upload ${u.run.serverCpuMs.toFixed(0)}`)
      }
      const r = { rawDown: rawDownRun.run, rawUp: rawUpRun.run, upload: up.run, download: down.run, heliaCat: cat.run }
      const withSpeed = Object.fromEntries(CONTENDERS.map(k => [k, { ...r[k], MBps: mbps(size, r[k].ms / 1000) }])) as TransferResult['runs'][number]
      runs.push(withSpeed)
      log(`round ${round + 1}/${rounds}: ` + CONTENDERS.map(k =>
        `${k} ${withSpeed[k].MBps.toFixed(1)} MB/s (ELU here ${r[k].clientElu.toFixed(2)}, serving side ${r[k].serverElu.toFixed(2)})`).join(', '))
    }
    const bestMBps = Object.fromEntries(CONTENDERS.map(k => [k, Math.max(...runs.map(r => r[k].MBps))])) as Record<Contender, number>
    const chkWorkMs = measureChkWork(size, K, N)
    const ceiling = ceilings(runs, chkWorkMs, K, N)
    return {
      sizeBytes: size,
      rounds,
      servers: SERVERS,
      code: `CHK ${K}-of-${N}`,
      memory: { backedGiB: backed ?? 0, note: memoryNote(backed, 'npm run bench:transfer -- --back-memory 0') },
      topology: 'serving side in child processes (10 servers + raw node in one, Helia provider in another); our client and the Helia reader in the measuring process; TCP+Noise+Yamux on 127.0.0.1 (and a TLS client for the server CPU rows)',
      helia: { cid: provider.cid, blocks: provider.blocks, addMs: provider.addMs, importer: '@helia/unixfs defaults (CIDv1, raw leaves, 1 MiB chunks, balanced 1024)' },
      runs,
      bestMBps,
      ratio: {
        downloadVsHelia: bestMBps.download / bestMBps.heliaCat,
        downloadVsRaw: bestMBps.download / bestMBps.rawDown,
        uploadVsRaw: bestMBps.upload / bestMBps.rawUp
      },
      ratioSameRoundMedian: {
        downloadVsHelia: median(runs.map(r => r.download.MBps / r.heliaCat.MBps)),
        downloadVsRaw: median(runs.map(r => r.download.MBps / r.rawDown.MBps)),
        uploadVsRaw: median(runs.map(r => r.upload.MBps / r.rawUp.MBps))
      },
      chkWorkMs,
      ceiling: { downloadVsRaw: ceiling.download, uploadVsRaw: ceiling.upload, cores: cpus().length },
      serverCpuPerGiB: {
        noise: serverCpu(runs, size, K, N),
        ...Object.fromEntries([...otherRuns].map(([ch, r]) => [ch, serverCpu(r, size, K, N)]))
      },
      otherChannels: Object.fromEntries(otherRuns)
    }
  } finally {
    rss.stop()
    // A failed stop must not hide the run's own error; the grid's stop below reports what is left.
    try { await reader?.stop() } catch { /* see above */ }
    try { if (client != null) await stopClient(client) } catch { /* see above */ }
    for (const x of otherClients) { try { await stopClient(x) } catch { /* see above */ } }
    await Promise.allSettled([grid?.stop(), provider?.stop()])
  }
}

export function transferRows (r: TransferResult): SummaryRow[] {
  const size = `${r.sizeBytes / 2 ** 20} MiB`
  const s = (v: number): string => `${v.toFixed(1)} MB/s`
  const x = (v: number, same: number): string => `${v.toFixed(2)}x (same round ${same.toFixed(2)}x)`
  const g = TRANSFER_GOALS
  return [
    { section: '2 download', measure: `${size}, 10 servers vs Helia cat`, ours: s(r.bestMBps.download), baseline: `Helia ${s(r.bestMBps.heliaCat)}`, ratio: x(r.ratio.downloadVsHelia, r.ratioSameRoundMedian.downloadVsHelia), goal: `>= ${g.downloadVsHelia}x`, result: metText(r.ratio.downloadVsHelia >= g.downloadVsHelia) },
    { section: '2 download', measure: `${size}, 10 servers vs raw stream`, ours: s(r.bestMBps.download), baseline: `raw ${s(r.bestMBps.rawDown)}`, ratio: x(r.ratio.downloadVsRaw, r.ratioSameRoundMedian.downloadVsRaw), goal: `>= ${g.downloadVsRaw}x (ceiling ${r.ceiling.downloadVsRaw.toFixed(2)}x)`, result: metText(r.ratio.downloadVsRaw >= g.downloadVsRaw) },
    { section: '3 upload', measure: `${size}, ${r.code} vs raw stream`, ours: s(r.bestMBps.upload), baseline: `raw ${s(r.bestMBps.rawUp)}`, ratio: x(r.ratio.uploadVsRaw, r.ratioSameRoundMedian.uploadVsRaw), goal: `>= ${g.uploadVsRaw}x (ceiling ${r.ceiling.uploadVsRaw.toFixed(2)}x)`, result: metText(r.ratio.uploadVsRaw >= g.uploadVsRaw) },
    ...ceilingRows(r),
    ...serverCpuRows(r)
  ]
}

/** Issue 17: on loopback, download and upload each at least 0.7x of the ceiling this machine allows (ratio vs raw / ceiling). */
function ceilingRows (r: TransferResult): SummaryRow[] {
  const goal = TRANSFER_GOALS.ofCeiling
  const row = (section: string, what: string, ratio: number, ceiling: number): SummaryRow => ({
    section, measure: `${what} vs raw, as a share of the ceiling`, ours: `${ratio.toFixed(2)}x raw`, baseline: `ceiling ${ceiling.toFixed(2)}x`, ratio: `${(ratio / ceiling).toFixed(2)}x`, goal: `>= ${goal}x`, result: metText(ratio / ceiling >= goal)
  })
  return [
    row('2 download', 'download', r.ratio.downloadVsRaw, r.ceiling.downloadVsRaw),
    row('3 upload', 'upload', r.ratio.uploadVsRaw, r.ceiling.uploadVsRaw)
  ]
}

/** Issue 17: the storage server's CPU per GiB served (goal) and stored (reported), per channel. */
function serverCpuRows (r: TransferResult): SummaryRow[] {
  const rows: SummaryRow[] = []
  for (const [ch, c] of Object.entries(r.serverCpuPerGiB ?? {})) {
    rows.push({ section: '2 download', measure: `server CPU-s/GiB served, ${ch}`, ours: c.served.ours.toFixed(2), baseline: `raw ${c.served.raw.toFixed(2)}`, ratio: `${c.served.ratio.toFixed(2)}x (least ${c.served.bestRatio.toFixed(2)}x)`, goal: `<= ${SERVER_CPU_GOAL.servedVsRaw}x`, result: metText(c.served.ratio <= SERVER_CPU_GOAL.servedVsRaw) })
    rows.push({ section: '3 upload', measure: `server CPU-s/GiB stored, ${ch}`, ours: c.stored.ours.toFixed(2), baseline: `raw ${c.stored.raw.toFixed(2)}`, ratio: `${c.stored.ratio.toFixed(2)}x (least ${c.stored.bestRatio.toFixed(2)}x)`, goal: '(reported)', result: '' })
  }
  return rows
}

