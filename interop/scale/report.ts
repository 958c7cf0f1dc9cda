/**
 * The figures of a scale run: operations and their failures (judged against
 * the disks), time to first byte and throughput percentiles, files below
 * happy and repair, RSS, descriptors and CPU per node role. Printed as a
 * table and saved as bench/results/scale.json (or scale-short.json).
 */
import { loadavg } from 'node:os'
import { saveBenchResults } from '../../bench/lib/results.js'
import type { ChurnEvent } from './churn.js'
import type { OpRecord } from './load.js'
import type { ScaleOptions } from './options.js'
import type { RepairSummary } from './repair.js'
import type { StatusTotals } from './status-totals.js'
import type { NodeUsage } from './usage.js'

export interface RunFacts {
  options: ScaleOptions
  roles: Record<string, number>
  clubSizes: number[]
  lightened: readonly string[]
  loadStart: number[]
  loadAtLoadEnd: number[]
  startupMs: number
  loadMs: number
  ops: OpRecord[]
  churn: ChurnEvent[]
  repair: RepairSummary
  usage: NodeUsage[]
  windowMs: number
  /** The same, sampled with no load before the load starts. */
  idle: { used: NodeUsage[], windowMs: number }
  /** Writers whose `club join` never resolved a roster (setup, before the load). */
  joinFailures: string[]
  /** Provider announcements and connections opened during the load, from the nodes' status. */
  counts?: StatusTotals
}

export function percentile (values: number[], p: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1))]
}

const round = (v: number | null, digits = 1): number | null => v === null ? null : Number(v.toFixed(digits))
const MiB = 2 ** 20

function pcts (values: number[], digits = 1): { n: number, p50: number | null, p95: number | null, max: number | null } {
  return { n: values.length, p50: round(percentile(values, 50), digits), p95: round(percentile(values, 95), digits), max: round(percentile(values, 100), digits) }
}

/** MiB/s of the operations of at least 256 KiB (smaller ones measure round trips, not throughput). */
function throughput (ops: OpRecord[]): number[] {
  return ops.filter(o => o.ok && o.size >= 256 * 1024 && o.ms > 0).map(o => o.size / MiB / (o.ms / 1000))
}

export function figures (f: RunFacts): Record<string, any> {
  const puts = f.ops.filter(o => o.kind === 'put')
  const gets = f.ops.filter(o => o.kind === 'get')
  const failed = (list: OpRecord[]): OpRecord[] => list.filter(o => !o.ok)
  const ttfb = (list: OpRecord[]): number[] => list.filter(o => o.ok && o.ttfbMs !== undefined).map(o => o.ttfbMs as number)
  const byRole = (role: string): NodeUsage[] => f.usage.filter(u => u.role === role)
  const usage = Object.fromEntries(['owner', 'server', 'writer', 'reader'].map(role => {
    const list = byRole(role)
    return [role, {
      nodes: list.length,
      rssMiB: pcts(list.map(u => u.maxRssBytes / MiB)),
      fds: pcts(list.map(u => u.maxFds), 0),
      // share of one core over the load window
      cpuPercent: pcts(list.map(u => 100 * u.cpuMs / Math.max(1, f.windowMs))),
      idleCpuPercent: pcts(f.idle.used.filter(u => u.role === role).map(u => 100 * u.cpuMs / Math.max(1, f.idle.windowMs)))
    }]
  }))
  return {
    nodes: f.options.nodes,
    roles: f.roles,
    clubSizes: f.clubSizes,
    encoding: { k: f.options.k, happy: f.options.happy, n: f.options.n },
    loadMinutes: f.options.minutes,
    startupSeconds: round(f.startupMs / 1000),
    joinFailures: f.joinFailures,
    loadSeconds: round(f.loadMs / 1000),
    loadAverage: { start: f.loadStart.map(v => round(v, 2)), endOfLoad: f.loadAtLoadEnd.map(v => round(v, 2)), end: loadavg().map(v => round(v, 2)) },
    churn: {
      restarted: f.churn.filter(e => e.kind === 'restart').length,
      retired: f.churn.filter(e => e.kind === 'retire').length,
      restartDownSeconds: pcts(f.churn.filter(e => e.downMs !== undefined).map(e => (e.downMs as number) / 1000)),
      restartFailures: f.churn.filter(e => e.error !== undefined).map(e => `${e.server}: ${e.error}`)
    },
    uploads: {
      total: puts.length, failed: failed(puts).length,
      failedWithHappyServersLive: failed(puts).filter(o => o.couldHaveSucceeded === true).length,
      throughputMiBs: pcts(throughput(puts), 2), latencyMs: pcts(puts.filter(o => o.ok).map(o => o.ms), 0)
    },
    downloads: {
      total: gets.length, failed: failed(gets).length,
      failedWithKSharesReachable: failed(gets).filter(o => o.couldHaveSucceeded === true).length,
      ttfbMs: { all: pcts(ttfb(gets), 0), hinted: pcts(ttfb(gets.filter(o => o.via === 'hinted')), 0), plain: pcts(ttfb(gets.filter(o => o.via === 'plain')), 0) },
      throughputMiBs: pcts(throughput(gets), 2),
      // how long the files had been stored: plain caps are found through provider records announced after the upload
      fileAgeSeconds: { all: pcts(gets.map(o => (o.fileAgeMs ?? 0) / 1000)), failedPlain: pcts(failed(gets).filter(o => o.via === 'plain').map(o => (o.fileAgeMs ?? 0) / 1000)) }
    },
    counts: f.counts ?? null,
    repair: { ...f.repair, repairSeconds: pcts(f.repair.repairMs.map(v => v / 1000)) },
    usage,
    totalRssMiBAtEnd: round(f.usage.reduce((a, u) => a + u.lastRssBytes, 0) / MiB, 0),
    idleCpuCores: round(f.idle.used.reduce((a, u) => a + u.cpuMs, 0) / Math.max(1, f.idle.windowMs), 2),
    loadCpuCores: round(f.usage.reduce((a, u) => a + u.cpuMs, 0) / Math.max(1, f.windowMs), 2),
    failures: failed(f.ops).slice(0, 50).map(o => ({ kind: o.kind, node: o.node, size: o.size, club: o.club, via: o.via, fileAgeMs: o.fileAgeMs, ms: o.ms, couldHaveSucceeded: o.couldHaveSucceeded, evidence: o.evidence, error: o.error })),
    lightened: f.lightened
  }
}

/** The eight largest counts divided by the operations run, as "name n, …" (protocol names shortened to their last two parts). */
function perOp (counts: Record<string, number>, ops: number): string {
  const short = (name: string): string => name.startsWith('/') ? name.split('/').filter(Boolean).slice(-2).join('/') : name
  return Object.entries(counts).slice(0, 8).map(([k, n]) => `${short(k)} ${(n / Math.max(1, ops)).toFixed(1)}`).join(', ') || 'none'
}

const fmt = (v: number | string | null | undefined): string => v === null || v === undefined ? '–' : String(v)
const p = (x: { p50: number | null, p95: number | null }, unit = ''): string => `p50 ${fmt(x.p50)}${unit}  p95 ${fmt(x.p95)}${unit}`

export function table (g: Record<string, any>): string[][] {
  const rows: string[][] = [
    ['nodes', `${g.nodes}: ${Object.entries(g.roles).map(([r, n]) => `${n as number} ${r}`).join(', ')}; clubs of ${g.clubSizes.join('/')} servers; k/happy/n ${g.encoding.k}/${g.encoding.happy}/${g.encoding.n}`],
    ...(g.joinFailures.length > 0 ? [['club joins', `${g.joinFailures.length as number} failed (roster never resolved from the DHT within 3 min): ${(g.joinFailures as string[]).map(l => l.split(':')[0]).join('; ')}`]] : []),
    ['time', `startup ${g.startupSeconds} s, load ${g.loadSeconds} s; load average ${g.loadAverage.start.join(' ')} → ${g.loadAverage.endOfLoad.join(' ')} (end of load)`],
    ['churn', `${g.churn.restarted} servers SIGKILLed and restarted (down ${p(g.churn.restartDownSeconds, ' s')}), ${g.churn.retired} retired${g.churn.restartFailures.length > 0 ? `, ${g.churn.restartFailures.length} restarts failed` : ''}`],
    ['uploads', `${g.uploads.total}, ${g.uploads.failed} failed (${g.uploads.failedWithHappyServersLive} with ≥ happy servers of the club live throughout)`],
    ['upload MiB/s (≥256 KiB)', p(g.uploads.throughputMiBs)],
    ['downloads', `${g.downloads.total}, ${g.downloads.failed} failed (${g.downloads.failedWithKSharesReachable} with ≥ k shares reachable throughout)`],
    ['first byte', `all ${p(g.downloads.ttfbMs.all, ' ms')}; hinted ${p(g.downloads.ttfbMs.hinted, ' ms')}; plain ${p(g.downloads.ttfbMs.plain, ' ms')}`],
    ['download MiB/s (≥256 KiB)', p(g.downloads.throughputMiBs)],
    ['file age at download', `all ${p(g.downloads.fileAgeSeconds.all, ' s')}; failed plain ${p(g.downloads.fileAgeSeconds.failedPlain, ' s')}`],
    ...(g.counts !== null ? [['during the load', `provider records ${g.counts.announced as number} announced, ${g.counts.failed as number} failed, backlog at the end ${g.counts.backlog as number} (at most ${g.counts.maxBacklog as number} on one server); connections opened ${g.counts.connectionsOpened as number} (${g.counts.connectionsPerNodeMinute as number} per node per minute); ${g.counts.nodes as number} nodes read at both ends, ${g.counts.unread as number} live nodes unread at the end`]] : []),
    ...(g.counts?.inboundStreams !== undefined ? [['asked of the nodes', `per operation: ${perOp(g.counts.inboundStreams, g.uploads.total + g.downloads.total)}; kad-dht: ${perOp(g.counts.kadRequests, g.uploads.total + g.downloads.total)}`]] : []),
    ['below happy', `${g.repair.filesBelowHappy} files (${g.repair.spells} spells; ${g.repair.endedByRestart} ended by a restart; ${g.repair.stillBelowAtEnd} still below at the end)`],
    ['repair', g.repair.available === true
      ? `${g.repair.repaired} spells ended by new shares, in ${p(g.repair.repairSeconds, ' s')}; keep calls ${fmt(g.repair.keepCalls)}, errors ${g.repair.keepErrors?.length ?? 0}`
      : 'not available (this build has no `lafs-club keep`)']
  ]
  for (const [role, u] of Object.entries<any>(g.usage)) {
    if (u.nodes === 0) continue
    rows.push([`${role} ×${u.nodes as number}`, `RSS ${p(u.rssMiB, ' MiB')} max ${fmt(u.rssMiB.max)}; fds ${p(u.fds)} max ${fmt(u.fds.max)}; CPU under load ${p(u.cpuPercent, '%')}, idle ${p(u.idleCpuPercent, '%')} of a core`])
  }
  rows.push(['all nodes', `RSS ${g.totalRssMiBAtEnd as number} MiB at the end of the load; CPU idle ${g.idleCpuCores as number} cores, under load ${g.loadCpuCores as number} cores`])
  return rows
}

export function printTable (rows: string[][]): void {
  const w = Math.max(...rows.map(r => r[0].length))
  for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`)
}

export async function save (g: Record<string, any>, rows: string[][], startedMs: number, loadStart: number[], short: boolean): Promise<string> {
  const name = short ? 'scale-short' : 'scale'
  return await saveBenchResults('scale', startedMs, loadStart, rows, g, { file: `${name}.json`, command: short ? 'npm run scale:short' : 'npm run scale' })
}
