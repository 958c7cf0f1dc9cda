/**
 * Section 4: the client's peak resident set size over a streamed round trip
 * of 1 GiB (upload, then download with SHA-256 checking) from a generated
 * source that is never held in memory. Runs in a process of its own, so
 * nothing another section allocated sits in the heap. The baseline is this
 * same process's RSS just before the round trip (node up, a 4 MiB warm-up
 * done): the ratio says how much the round trip itself adds.
 */
import { randomBytes } from 'node:crypto'
import { mbps } from '../lib/measure.js'
import { metText, progressLog, type SummaryRow } from '../lib/summary-row.js'
import { startChildGrid, type ChildGrid } from '../lib/transfer-grid.js'
import { createBenchNode } from '../lib/transfer-node.js'
import { downloadOnce, plaintext, stopClient, uploadOnce } from '../lib/transfer-ops.js'
import { phase } from '../lib/transfer-phase.js'
import { mib, RssSampler } from '../lib/transfer-rss.js'
import type { Libp2p } from '@libp2p/interface'

export const RSS_GOAL_MIB = 250

export interface RssResult {
  sizeBytes: number
  startMiB: number
  beforeMiB: number
  /** Highest of the 50 ms samples during the round trip. */
  peakMiB: number
  /** The kernel's high-water mark for the whole process (`process.resourceUsage().maxRSS`); the goal is judged on it. */
  maxRssMiB: number
  uploadPeakMiB: number
  downloadPeakMiB: number
  uploadMBps: number
  downloadMBps: number
  goalMiB: number
  met: boolean
}

export async function runRss (quick: boolean): Promise<RssResult> {
  const log = progressLog('rss')
  const size = (quick ? 256 : 1024) * 2 ** 20
  const rss = new RssSampler(50)
  const startRss = rss.sample()
  let grid: ChildGrid | undefined
  let client: Libp2p | undefined
  try {
    grid = await startChildGrid(10)
    client = await createBenchNode()
    const g = grid
    const c = client
    const leaseSecret = randomBytes(32)
    const warm = await plaintext(4 * 2 ** 20, false)
    await downloadOnce(c, g, await uploadOnce(c, g, warm, leaseSecret, 3, 10), warm)
    const pt = await plaintext(size, true)
    const before = rss.sample()
    log(`streamed round trip of ${size / 2 ** 20} MiB, generated source; RSS before ${mib(before).toFixed(0)} MiB`)
    const up = await phase(g, rss, async () => await uploadOnce(c, g, pt, leaseSecret, 3, 10))
    log(`upload ${mbps(size, up.run.ms / 1000).toFixed(1)} MB/s, peak ${mib(up.run.peakRss).toFixed(0)} MiB`)
    const down = await phase(g, rss, async () => { await downloadOnce(c, g, up.value, pt) })
    log(`download ${mbps(size, down.run.ms / 1000).toFixed(1)} MB/s, peak ${mib(down.run.peakRss).toFixed(0)} MiB`)
    const peakMiB = mib(Math.max(up.run.peakRss, down.run.peakRss))
    const maxRssMiB = mib(rss.maxRss())
    log(`maxRSS (kernel high-water mark, whole process) ${maxRssMiB.toFixed(0)} MiB`)
    return {
      sizeBytes: size,
      startMiB: mib(startRss),
      beforeMiB: mib(before),
      peakMiB,
      maxRssMiB,
      uploadPeakMiB: mib(up.run.peakRss),
      downloadPeakMiB: mib(down.run.peakRss),
      uploadMBps: mbps(size, up.run.ms / 1000),
      downloadMBps: mbps(size, down.run.ms / 1000),
      goalMiB: RSS_GOAL_MIB,
      met: Math.max(peakMiB, maxRssMiB) < RSS_GOAL_MIB
    }
  } finally {
    rss.stop()
    try { if (client != null) await stopClient(client) } catch { /* a failed stop must not hide the run's own error */ }
    await grid?.stop()
  }
}

export function rssRows (r: RssResult): SummaryRow[] {
  return [{
    section: '4 memory',
    measure: `client peak RSS, ${r.sizeBytes >= 2 ** 30 ? `${r.sizeBytes / 2 ** 30} GiB` : `${r.sizeBytes / 2 ** 20} MiB`} streamed round trip`,
    ours: `${r.maxRssMiB.toFixed(0)} MiB maxRSS (sampled ${r.peakMiB.toFixed(0)})`,
    baseline: `before it ${r.beforeMiB.toFixed(0)} MiB`,
    ratio: `${(r.maxRssMiB / r.beforeMiB).toFixed(2)}x`,
    goal: `< ${r.goalMiB} MiB`,
    result: metText(r.met)
  }]
}
