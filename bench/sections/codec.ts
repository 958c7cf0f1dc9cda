/**
 * Section 1: our erasure codec (the kernel the product uses) against
 * python3-zfec, 3-of-10 and 25-of-100, encode and decode from the last k
 * shares, on Tahoe-cut random data. Without python3-zfec our figures are
 * still measured and the ratio rows say loudly that zfec was missing.
 */
import { getKernel } from '../../src/erasure/index.js'
import { measureCodec } from '../lib/codec-measure.js'
import { mbps } from '../lib/measure.js'
import { metText, progressLog, type SummaryRow } from '../lib/summary-row.js'
import { PYTHON, zfecAvailable } from '../lib/zfec-python.js'

export interface CodecCaseResult { code: string, op: string, oursMBps: number, zfecMBps?: number, ratio?: number }

export interface CodecResult {
  kernel: string
  totalBytes: number
  runs: number
  /** Empty when zfec did not run; `skipped` says why. */
  zfecVersion: string
  skipped?: string
  cases: CodecCaseResult[]
}

export const ZFEC_MISSING = 'skipped: python3-zfec missing'
/** What the table says where a ratio could not be measured: meant to be noticed. */
const LOUD = (why: string): string => `${why.toUpperCase()} (apt-get install python3-zfec)`

export async function runCodec (quick: boolean): Promise<CodecResult> {
  const log = progressLog('codec')
  const total = (quick ? 16 : 64) * 2 ** 20
  const runs = quick ? 1 : 3
  const haveZfec = zfecAvailable()
  if (!haveZfec) log(`WARNING: ${ZFEC_MISSING} (no 'import zfec' in ${PYTHON}; apt-get install python3-zfec): our figures only, no ratio`)
  const kernel = getKernel()
  log(`${kernel.name} kernel${haveZfec ? ' vs python3-zfec' : ''}, ${total / 2 ** 20} MiB, best of at least ${runs} alternating passes`)
  const { zfecVersion, cases } = await measureCodec({ total, runs, codes: [[3, 10], [25, 100]], alternating: [kernel], withZfec: haveZfec })
  return {
    kernel: kernel.name,
    totalBytes: total,
    runs,
    zfecVersion,
    ...(haveZfec ? {} : { skipped: ZFEC_MISSING }),
    cases: cases.map(c => {
      const oursMBps = mbps(total, c.best[kernel.name])
      const zfecMBps = c.best.zfec != null ? mbps(total, c.best.zfec) : undefined
      return { code: `${c.k}/${c.m}`, op: c.op, oursMBps, ...(zfecMBps != null ? { zfecMBps, ratio: oursMBps / zfecMBps } : {}) }
    })
  }
}

/** Issue #6: our codec at least four times zfec's speed. */
const CODEC_GOAL = 4

export function codecRows (r: CodecResult): SummaryRow[] {
  return r.cases.map(c => ({
    section: '1 codec',
    measure: `${c.code} ${c.op === 'encode' ? 'encode' : 'decode (last k)'}`,
    ours: `${c.oursMBps.toFixed(0)} MB/s`,
    baseline: c.zfecMBps != null ? `zfec ${c.zfecMBps.toFixed(0)} MB/s` : (r.skipped ?? '-'),
    ratio: c.ratio != null ? `${c.ratio.toFixed(2)}x` : '-',
    goal: `>= ${CODEC_GOAL}x`,
    result: c.ratio != null ? metText(c.ratio >= CODEC_GOAL) : LOUD(r.skipped ?? ZFEC_MISSING)
  }))
}
