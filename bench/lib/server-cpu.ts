/**
 * The storage server's CPU per byte (issue 17, part 3): CPU-seconds of the
 * serving process (all threads) per GiB it served (download) or stored
 * (upload), against the raw-stream node in the same process moving bytes
 * over the same channel in the same round.
 *
 * Bytes counted: a download serves the file's size in share data (k blocks
 * of segment/k per segment; the hash trees add well under 1 %), an upload
 * stores n/k times it. The raw stream moves the file's size each way.
 */
import { median } from './measure.js'
import type { PhaseRun } from './transfer-phase.js'

export const SERVER_CPU_GOAL = { servedVsRaw: 1.3 }

export interface ServerCpuRound {
  rawDown: Pick<PhaseRun, 'serverCpuMs'>
  rawUp: Pick<PhaseRun, 'serverCpuMs'>
  download: Pick<PhaseRun, 'serverCpuMs'>
  upload: Pick<PhaseRun, 'serverCpuMs'>
}

/** CPU-seconds per GiB: medians over rounds; `ratio` the median of same-round ratios; `bestRatio` the least CPU of ours over the least of raw (CPU contention on a shared machine only ever adds time). */
export interface ServerCpuFigure { ours: number, raw: number, ratio: number, bestRatio: number }

export interface ServerCpu {
  served: ServerCpuFigure
  stored: ServerCpuFigure
  rounds: number
}

export function serverCpu (rounds: readonly ServerCpuRound[], sizeBytes: number, k: number, n: number): ServerCpu {
  const gib = sizeBytes / 2 ** 30
  const perGiB = (ms: number, bytesFactor: number): number => ms / 1000 / (gib * bytesFactor)
  const one = (ours: (r: ServerCpuRound) => number, raw: (r: ServerCpuRound) => number, factor: number): ServerCpuFigure => ({
    ours: median(rounds.map(r => perGiB(ours(r), factor))),
    raw: median(rounds.map(r => perGiB(raw(r), 1))),
    // the ratio of the same round: a load burst slows both
    ratio: median(rounds.map(r => perGiB(ours(r), factor) / perGiB(raw(r), 1))),
    bestRatio: Math.min(...rounds.map(r => perGiB(ours(r), factor))) / Math.min(...rounds.map(r => perGiB(raw(r), 1)))
  })
  return {
    served: one(r => r.download.serverCpuMs, r => r.rawDown.serverCpuMs, 1),
    stored: one(r => r.upload.serverCpuMs, r => r.rawUp.serverCpuMs, n / k),
    rounds: rounds.length
  }
}

/** Table cells: CPU-s/GiB ours, raw, ratio (and the ratio of the least-CPU rounds). */
export function serverCpuCells (c: ServerCpuFigure): [string, string, string] {
  return [c.ours.toFixed(2), c.raw.toFixed(2), `${c.ratio.toFixed(2)}x (least ${c.bestRatio.toFixed(2)}x)`]
}
