/** Section 7's rows in the bench summary. */
import { median } from '../lib/measure.js'
import { metText, type SummaryRow } from '../lib/summary-row.js'
import type { MagicResult } from './magic-types.js'

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
