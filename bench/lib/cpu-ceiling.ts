/**
 * The best ratio a transfer could reach against the raw stream on this
 * machine, from what the same round measured.
 *
 * A raw stream of S bytes costs C_raw CPU milliseconds (both processes, all
 * threads) and takes W_raw. Our transfer must at least move its wire bytes
 * (S down; S x n/k up) at the raw stream's CPU cost per byte, and do the CHK
 * work no implementation can skip: SHA-256d over every block and segment,
 * AES-CTR, and on upload the convergent-key pass, the flat crypttext hash
 * and the erasure code. With that work spread perfectly over all P cores
 * and nothing else paid (no framing, no storage, no scheduling gaps):
 *
 *   W_min = (wire / S x C_raw + C_chk) / P        ceiling = W_raw / W_min
 *
 * A goal above the ceiling cannot be met on this machine by any client
 * that speaks this transport, only by a cheaper transport or more cores.
 */
import { randomBytes } from 'node:crypto'
import { cpus } from 'node:os'
import { encode as erasureEncode } from '../../src/erasure/index.js'
import { ctrStreamAt } from '../../src/immutable/cipher.js'
import { DEFAULT_MAX_SEGMENT_SIZE } from '../../src/immutable/index.js'
import { blockHash, TaggedHasher, TAGS } from '../../src/immutable/hashes.js'
import { median } from './measure.js'

/** The segment size our uploads use by default (rounded up to a multiple of k below, as the encoder does). */
const MAX_SEGMENT = DEFAULT_MAX_SEGMENT_SIZE
const SAMPLE = 16 * 2 ** 20

/** Single-thread CPU milliseconds of the unavoidable CHK work for `size` bytes. */
export interface ChkWorkMs {
  /** Block hashes (k blocks = the segment), segment hashes, AES. */
  download: number
  /** Convergent-key hash, AES, flat and segment crypttext hashes, erasure code, n block hashes. */
  upload: number
}

/** Times the CHK work on a 16 MiB sample in default-sized segments (best of `repeats`) and scales it to `size`. */
export function measureChkWork (size: number, k: number, n: number, repeats = 3): ChkWorkMs {
  const sample = randomBytes(SAMPLE)
  const key = randomBytes(16)
  const blockLen = Math.ceil(MAX_SEGMENT / k)
  const segmentLen = blockLen * k
  const best = (fn: () => void): number => {
    let min = Infinity
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now()
      fn()
      min = Math.min(min, performance.now() - t0)
    }
    return min * size / SAMPLE
  }
  const segments = (each: (segment: Uint8Array) => void): void => {
    for (let o = 0; o + segmentLen <= SAMPLE; o += segmentLen) each(sample.subarray(o, o + segmentLen))
  }
  const download = best(() => {
    const cipher = ctrStreamAt(key, 0)
    segments(seg => {
      for (let j = 0; j < k; j++) blockHash(seg.subarray(j * blockLen, (j + 1) * blockLen))
      new TaggedHasher(TAGS.crypttextSegment).update(seg).digest()
      cipher.update(seg)
    })
  })
  const upload = best(() => {
    const convergent = new TaggedHasher(TAGS.convergentKeyPrefix)
    segments(seg => convergent.update(seg))
    convergent.digest()
    const cipher = ctrStreamAt(key, 0)
    const flat = new TaggedHasher(TAGS.crypttext)
    segments(seg => {
      const blocks: Uint8Array[] = []
      const segHash = new TaggedHasher(TAGS.crypttextSegment)
      for (let j = 0; j < k; j++) {
        const block = cipher.update(seg.subarray(j * blockLen, (j + 1) * blockLen))
        flat.update(block)
        segHash.update(block)
        blocks.push(block)
      }
      segHash.digest()
      for (const b of erasureEncode(k, n, blocks)) blockHash(b)
    })
    flat.digest()
  })
  return { download, upload }
}

/** The raw-stream steps of one round: wall and CPU milliseconds (both processes) for the same bytes as the transfer. */
export interface RawRound {
  rawDown: { ms: number, clientCpuMs: number, serverCpuMs: number }
  rawUp: { ms: number, clientCpuMs: number, serverCpuMs: number }
}

/**
 * The best download and upload ratio against the raw stream the machine
 * allows (file bytes per second over raw bytes per second), the median over
 * rounds; an upload puts n/k bytes on the wire per byte of file.
 */
export function ceilings (rounds: readonly RawRound[], chk: ChkWorkMs, k: number, n: number, cores = cpus().length): { download: number, upload: number } {
  const one = (raw: RawRound['rawDown'], wireFactor: number, chkMs: number): number =>
    raw.ms / ((wireFactor * (raw.clientCpuMs + raw.serverCpuMs) + chkMs) / cores)
  return {
    download: median(rounds.map(r => one(r.rawDown, 1, chk.download))),
    upload: median(rounds.map(r => one(r.rawUp, n / k, chk.upload)))
  }
}

/** One round's step of ours: wall and CPU milliseconds of both processes. */
export interface StepRun { ms: number, clientCpuMs: number, serverCpuMs: number }

/**
 * Why a step falls short of its ceiling, from one round: the share of the
 * ceiling it reached (W_min / W) is exactly the product of
 *   busy: how much of the cores' time the step kept busy, C / (P x W), and
 *   cpuEfficiency: the least CPU the step could cost over what it cost, C_min / C,
 * with C_min = wire / S x C_raw + C_chk as in the ceiling. rawBusy is the raw
 * stream's own busy share: a step as serial as the raw stream, paying nothing
 * extra, would reach that share of its ceiling and no more.
 */
export interface CeilingGap { share: number, busy: number, cpuEfficiency: number, rawBusy: number }

export function ceilingGap (raw: RawRound['rawDown'], ours: StepRun, wireFactor: number, chkMs: number, cores = cpus().length): CeilingGap {
  const cpu = (s: StepRun): number => s.clientCpuMs + s.serverCpuMs
  const least = wireFactor * cpu(raw) + chkMs
  const busy = cpu(ours) / (cores * ours.ms)
  const cpuEfficiency = least / cpu(ours)
  return { share: busy * cpuEfficiency, busy, cpuEfficiency, rawBusy: cpu(raw) / (cores * raw.ms) }
}

/** ceilingGap of the download and the upload in every round, each figure the median over rounds. */
export function ceilingGaps (rounds: ReadonlyArray<RawRound & { download: StepRun, upload: StepRun }>, chk: ChkWorkMs, k: number, n: number, cores = cpus().length): { download: CeilingGap, upload: CeilingGap } {
  const medianOf = (gaps: CeilingGap[]): CeilingGap => ({
    share: median(gaps.map(g => g.share)),
    busy: median(gaps.map(g => g.busy)),
    cpuEfficiency: median(gaps.map(g => g.cpuEfficiency)),
    rawBusy: median(gaps.map(g => g.rawBusy))
  })
  return {
    download: medianOf(rounds.map(r => ceilingGap(r.rawDown, r.download, 1, chk.download, cores))),
    upload: medianOf(rounds.map(r => ceilingGap(r.rawUp, r.upload, n / k, chk.upload, cores)))
  }
}
