import '../src/shim.js'
/**
 * Erasure codec throughput: ours (WebAssembly SIMD and plain JS kernels)
 * against python3-zfec measured in the same run on the same sizes.
 *
 * 64 MiB of random data is cut as Tahoe cuts a file (128 KiB segments
 * rounded up to a multiple of k, each split into k blocks) and every segment
 * is encoded to m shares; decoding rebuilds each segment from its LAST k
 * shares, the all-parity worst case. Speeds are plaintext MB/s (10^6 B/s),
 * best of 3 runs. Our SIMD runs and zfec's alternate, so a busy machine
 * slows both alike and the ratio stays meaningful; the js kernel (the slow
 * reference) is timed after them.
 */
import { randomFillSync } from 'node:crypto'
import { decode, encode, getKernel, jsKernel, setKernel, simdKernel, type GfKernel } from '../src/erasure/index.js'
import { formatTable, mbps } from './lib/measure.js'
import { segmentBlocks, segmentSize } from './lib/segments.js'
import { ZfecTimer, zfecAvailable } from './lib/zfec-python.js'

const TOTAL = 64 * 1024 * 1024
const RUNS = 3
const CODES: Array<[number, number]> = [[3, 10], [25, 100]]
type Op = 'encode' | 'decode'

function randomBytes (n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let off = 0; off < n; off += 65536) randomFillSync(out.subarray(off, Math.min(n, off + 65536)))
  return out
}

function seconds (fn: () => void): number {
  const t = process.hrtime.bigint()
  fn()
  return Number(process.hrtime.bigint() - t) / 1e9
}

/** One timed pass of our codec over every segment with the given kernel. */
function ourPass (kernel: GfKernel, op: Op, k: number, m: number, segs: Uint8Array[][], lastShares: Uint8Array[][]): number {
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

async function main (): Promise<void> {
  const haveZfec = zfecAvailable()
  if (!haveZfec) console.log('python3-zfec not installed (apt-get install python3-zfec): showing our numbers only')
  const kernels = [simdKernel, jsKernel].filter((x): x is GfKernel => x != null)
  const data = randomBytes(TOTAL)
  const header = ['code', 'op', ...kernels.map(kn => `${kn.name} MB/s`), ...(haveZfec ? ['zfec MB/s', ...kernels.map(kn => `${kn.name}/zfec`)] : [])]
  const rows: string[][] = []
  let zfecVersion = ''
  for (const [k, m] of CODES) {
    const segs = segmentBlocks(data, k)
    const lastShares = segs.map(blocks => encode(k, m, blocks).slice(m - k))
    const zfec = haveZfec ? await ZfecTimer.start(k, m, TOTAL, segmentSize(TOTAL, k)) : null
    zfecVersion = zfec?.version ?? ''
    for (const op of ['encode', 'decode'] as const) {
      const best = new Map<string, number>()
      const record = (who: string, s: number): void => { best.set(who, Math.min(best.get(who) ?? Infinity, s)) }
      // Warm-up: a full pass lets V8 move the wasm code from its baseline tier to the optimizing one.
      if (simdKernel != null) ourPass(simdKernel, op, k, m, segs, lastShares)
      ourPass(jsKernel, op, k, m, segs.slice(0, 8), lastShares.slice(0, 8))
      // Our fast runs alternate with zfec's; the slow js kernel runs afterwards so its garbage is not collected inside them.
      for (let run = 0; run < RUNS; run++) {
        if (simdKernel != null) record(simdKernel.name, ourPass(simdKernel, op, k, m, segs, lastShares))
        if (zfec != null) record('zfec', await zfec.time(op))
      }
      for (let run = 0; run < RUNS; run++) record(jsKernel.name, ourPass(jsKernel, op, k, m, segs, lastShares))
      const ours = kernels.map(kn => mbps(TOTAL, best.get(kn.name) ?? Infinity))
      const base = zfec == null ? null : mbps(TOTAL, best.get('zfec') ?? Infinity)
      rows.push([
        `${k}/${m}`, op === 'encode' ? 'encode' : 'decode (last k)',
        ...ours.map(v => v.toFixed(0)),
        ...(base == null ? [] : [base.toFixed(0), ...ours.map(v => `${(v / base).toFixed(2)}x`)])
      ])
    }
    await zfec?.close()
  }
  console.log(`erasure codec, ${TOTAL / 1048576} MiB cut into Tahoe segments, best of ${RUNS}, Node ${process.version}` +
    (haveZfec ? `, zfec ${zfecVersion} (python3)` : ''))
  console.log(formatTable(header, rows))
}

await main()
