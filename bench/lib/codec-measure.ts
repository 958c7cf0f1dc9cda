/**
 * The erasure codec timing loop shared by bench/codec.ts and the combined
 * bench: our codec and python3-zfec on the same Tahoe-cut data, passes
 * alternating so a busy machine slows both alike.
 *
 * Encode turns every segment into m shares; decode rebuilds every segment
 * from its LAST k shares (all parity, the worst case). A warm-up pass lets
 * V8 move the wasm code to its optimizing tier. `alternating` kernels take
 * turns with zfec; `after` kernels (the slow js reference) run once those
 * are done, so their garbage is not collected inside the fast runs. Each
 * figure is the best pass; fast codes get more passes (see MIN_SECONDS).
 */
import { randomFillSync } from 'node:crypto'
import { decode, encode, getKernel, setKernel, type GfKernel } from '../../src/erasure/index.js'
import { segmentBlocks, segmentSize } from './segments.js'
import { ZfecTimer } from './zfec-python.js'

export type CodecOp = 'encode' | 'decode'

export interface CodecCase {
  k: number
  m: number
  op: CodecOp
  /** Best seconds per contender: kernel names, and 'zfec' when it ran. */
  best: Record<string, number>
}

export interface CodecMeasureOptions {
  total: number
  runs: number
  codes: Array<[number, number]>
  alternating: GfKernel[]
  after?: GfKernel[]
  withZfec: boolean
}

export function randomData (n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let off = 0; off < n; off += 65536) randomFillSync(out.subarray(off, Math.min(n, off + 65536)))
  return out
}

const MIN_SECONDS = 1.5
const MAX_RUNS = 25

function seconds (fn: () => void): number {
  const t = process.hrtime.bigint()
  fn()
  return Number(process.hrtime.bigint() - t) / 1e9
}

/** One timed pass of our codec over every segment with the given kernel. */
function ourPass (kernel: GfKernel, op: CodecOp, k: number, m: number, segs: Uint8Array[][], lastShares: Uint8Array[][]): number {
  const previous = getKernel()
  setKernel(kernel)
  try {
    if (op === 'encode') return seconds(() => { for (const blocks of segs) encode(k, m, blocks) })
    const lastNums = Array.from({ length: k }, (_, i) => m - k + i)
    return seconds(() => { for (const given of lastShares) decode(k, m, given, lastNums) })
  } finally {
    setKernel(previous)
  }
}

export async function measureCodec (opts: CodecMeasureOptions): Promise<{ zfecVersion: string, cases: CodecCase[] }> {
  const data = randomData(opts.total)
  const after = opts.after ?? []
  const cases: CodecCase[] = []
  let zfecVersion = ''
  for (const [k, m] of opts.codes) {
    const segs = segmentBlocks(data, k)
    const lastShares = segs.map(blocks => encode(k, m, blocks).slice(m - k))
    const zfec = opts.withZfec ? await ZfecTimer.start(k, m, opts.total, segmentSize(opts.total, k)) : null
    zfecVersion = zfec?.version ?? ''
    try {
      for (const op of ['encode', 'decode'] as const) {
        const best: Record<string, number> = {}
        const record = (who: string, s: number): void => { best[who] = Math.min(best[who] ?? Infinity, s) }
        for (const kn of opts.alternating) ourPass(kn, op, k, m, segs, lastShares)
        for (const kn of after) ourPass(kn, op, k, m, segs.slice(0, 8), lastShares.slice(0, 8))
        // A 3-of-10 pass over 64 MiB takes 20-50 ms, so a few runs can all
        // land on a busy moment: keep alternating until our passes add up to
        // MIN_SECONDS (at least `runs`, at most MAX_RUNS rounds).
        let spent = 0
        for (let run = 0; run < opts.runs || (spent < MIN_SECONDS && run < MAX_RUNS); run++) {
          for (const kn of opts.alternating) {
            const s = ourPass(kn, op, k, m, segs, lastShares)
            spent += s
            record(kn.name, s)
          }
          if (zfec != null) record('zfec', await zfec.time(op))
        }
        for (let run = 0; run < opts.runs; run++) for (const kn of after) record(kn.name, ourPass(kn, op, k, m, segs, lastShares))
        cases.push({ k, m, op, best })
      }
    } finally {
      await zfec?.close()
    }
  }
  return { zfecVersion, cases }
}
