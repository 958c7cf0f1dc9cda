/**
 * Section 10: transfers on shaped links (issue 17, part 4), in network
 * namespaces with `tc … tbf` lines (bench/lib/shaped-run.ts): upload from a
 * 20 Mbit/s uplink (direct, and through a helper when the build has one),
 * download by a 100 Mbit/s reader from ten 20 Mbit/s servers against Helia
 * and against the k-server line rate, and the servers' CPU per GiB against
 * raw libp2p streams over the same links. Needs root and iproute2 (`ip`,
 * `tc`); without them the section says so loudly and is left out.
 */
import { execFileSync } from 'node:child_process'
import { metText, progressLog, type SummaryRow } from '../lib/summary-row.js'
import { IDLE_WINDOW_MS, K, N, runShaped, shapedTeardown, type ShapedResult } from '../lib/shaped-run.js'

export const SHAPED_GOALS = { helperOfLine: 0.85, downloadOfCeiling: 0.85, downloadVsHelia: 1, cpuServedVsRaw: 1.3 }

export type ShapedSection = { skipped: string } | ShapedResult

/** Why the section cannot run here, or undefined when it can. */
export function shapedPrerequisites (): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (it creates network namespaces, veth pairs and tc qdiscs); run `sudo npm run bench` or `sudo npm run bench:shaped`'
  const missing = ['ip', 'tc'].filter(cmd => {
    try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore', env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` } }); return false } catch { return true }
  })
  return missing.length > 0 ? `missing ${missing.join(', ')} (apt-get install iproute2)` : undefined
}

export function notRunBanner (why: string): string {
  const bar = '!'.repeat(78)
  return `${bar}\nshaped-link benchmarks (section 10) NOT RUN: ${why}\n${bar}`
}

/** Runs the section, tearing the lab down on SIGINT/SIGTERM and at exit too. */
export async function runShapedSection (quick: boolean, sizeMiB?: number): Promise<ShapedSection> {
  const why = shapedPrerequisites()
  if (why !== undefined) {
    console.error(notRunBanner(why))
    return { skipped: why }
  }
  const onSignal = (sig: NodeJS.Signals): void => {
    console.error(`[shaped] ${sig}: tearing the lab down`)
    shapedTeardown()
    process.exit(130)
  }
  const onExit = (): void => { shapedTeardown() }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  process.once('exit', onExit)
  try {
    return await runShaped((sizeMiB ?? (quick ? 16 : 64)) * 2 ** 20, progressLog('shaped'))
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    process.off('exit', onExit)
  }
}

export function shapedRows (r: ShapedSection): SummaryRow[] {
  const section = '10 shaped'
  if ('skipped' in r) return [{ section, measure: 'shaped-link benchmarks', ours: 'NOT RUN', baseline: '-', ratio: '-', goal: '', result: r.skipped }]
  const size = `${r.sizeBytes / 2 ** 20} MiB`
  const up = r.lines.homeUpMbit
  const mb = (v: number): string => `${v.toFixed(1)} Mbit/s`
  const x = (v: number): string => `${v.toFixed(2)}x`
  const ceiling = Math.min(r.lines.homeDownMbit, 10 * up)
  const kLine = r.k * up
  const rows: SummaryRow[] = [
    { section, measure: `upload ${size}, ${up} Mbit/s uplink, direct to 10 servers`, ours: `${mb(r.upload.mbit)} (link ${r.upload.clientWireFactor.toFixed(2)}x file)`, baseline: `line ${up} Mbit/s (TCP ${r.lineRate.upMbit})`, ratio: x(r.upload.mbit / up), goal: `~k/n = ${(K / N).toFixed(2)}x by design`, result: 'reference' },
    r.helper.ran
      ? { section, measure: `upload ${size}, ${up} Mbit/s uplink, via helper on 1 Gbit/s`, ours: `${mb(r.helper.mbit)} (link ${r.helper.clientWireFactor.toFixed(2)}x file)`, baseline: `line ${up} Mbit/s`, ratio: `${(r.helper.mbit / up).toFixed(3)}x`, goal: `>= ${SHAPED_GOALS.helperOfLine}x`, result: metText(r.helper.mbit / up >= SHAPED_GOALS.helperOfLine) }
      : { section, measure: `upload ${size}, ${up} Mbit/s uplink, via helper on 1 Gbit/s`, ours: r.helper.failed === true ? 'FAILED' : 'not available', baseline: `line ${up} Mbit/s`, ratio: '-', goal: `>= ${SHAPED_GOALS.helperOfLine}x`, result: r.helper.failed === true ? 'FAILED (see the notes)' : 'NOT RUN: not available on this build' },
    { section, measure: `download ${size}, ${r.lines.homeDownMbit} Mbit/s reader, 10 servers x ${up} up`, ours: mb(r.download.mbit), baseline: `min(down, sum up) ${ceiling} Mbit/s (TCP ${r.lineRate.downMbit})`, ratio: x(r.download.mbit / ceiling), goal: `>= ${SHAPED_GOALS.downloadOfCeiling}x`, result: metText(r.download.mbit / ceiling >= SHAPED_GOALS.downloadOfCeiling) },
    'error' in r.helia
      ? { section, measure: `download ${size} vs Helia cat, same 10 nodes`, ours: mb(r.download.mbit), baseline: 'Helia FAILED', ratio: '-', goal: `> ${SHAPED_GOALS.downloadVsHelia}x`, result: r.helia.error.slice(0, 80) }
      : { section, measure: `download ${size} vs Helia cat, same 10 nodes`, ours: mb(r.download.mbit), baseline: `Helia ${mb(r.helia.mbit)}`, ratio: x(r.download.mbit / r.helia.mbit), goal: `> ${SHAPED_GOALS.downloadVsHelia}x`, result: metText(r.download.mbit > r.helia.mbit) },
    { section, measure: `download ${size} vs k servers' line rate`, ours: mb(r.download.mbit), baseline: `k x ${up} = ${kLine} Mbit/s`, ratio: x(r.download.mbit / kLine), goal: '> 1x needs > k servers', result: `${r.download.serversSending} of 10 servers sent > 1 MiB` },
    { section, measure: `download ${size} vs raw streams, same servers and bytes`, ours: mb(r.download.mbit), baseline: `raw ${mb(r.rawDown.mbit)} (${r.rawDown.servers} servers)`, ratio: x(r.download.mbit / r.rawDown.mbit), goal: '', result: 'reference' },
    { section, measure: 'servers\' CPU per GiB served vs raw stream', ours: `${r.cpu.served.toFixed(2)} s/GiB`, baseline: `raw ${r.cpu.rawServed.toFixed(2)} s/GiB`, ratio: x(r.cpu.served / r.cpu.rawServed), goal: `<= ${SHAPED_GOALS.cpuServedVsRaw}x`, result: metText(r.cpu.served / r.cpu.rawServed <= SHAPED_GOALS.cpuServedVsRaw) },
    { section, measure: 'servers\' CPU per GiB stored vs raw stream', ours: `${r.cpu.stored.toFixed(2)} s/GiB`, baseline: `raw ${r.cpu.rawStored.toFixed(2)} s/GiB`, ratio: x(r.cpu.stored / r.cpu.rawStored), goal: '', result: 'reference' }
  ]
  return rows
}

/** The lines under the table that say how the figures were taken. */
export function shapedNotes (r: ShapedSection): string[] {
  if ('skipped' in r) return [`shaped: NOT RUN, ${r.skipped}`]
  const notes = [
    `shaped: Linux namespaces, one process per node (lafs-club createNode; Helia 7), links shaped with tc tbf: client, reader and 10 servers ${r.lines.homeUpMbit} Mbit/s up / ${r.lines.homeDownMbit} down, helper ${r.lines.helperMbit} each way; CHK ${r.k}-of-${r.n}, happy ${r.happy}; Helia first, one cat; uploads one each; downloads the median of ${r.download.rounds.length} rounds (${r.download.rounds.map(d => `${d.mbit.toFixed(1)}`).join(', ')} Mbit/s), each followed by its raw baseline; Mbit/s = 10^6 bits of plaintext per second`,
    `shaped: CPU per GiB = the ten server processes' CPU seconds (from /proc) less their idle rate (${r.cpu.idleMsPerSecond.toFixed(0)} ms/s together, from a quiet ${IDLE_WINDOW_MS / 1000} s window) over the bytes their links carried (wan counters: payload + TCP/IP + Noise + Yamux); with idle in: served ${r.cpu.gross.served.toFixed(2)} vs raw ${r.cpu.gross.rawServed.toFixed(2)}, stored ${r.cpu.gross.stored.toFixed(2)} vs raw ${r.cpu.gross.rawStored.toFixed(2)} s/GiB; served = pooled over the download rounds; raw = libp2p streams over the same nodes, connections and links, all at once: down from each server that served a round, the bytes it sent then; up to each of the ten, size/10`
  ]
  if (!r.helper.ran) notes.push(`shaped: ${r.helper.why}`)
  return notes
}
