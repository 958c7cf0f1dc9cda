import '../src/shim.js'
/**
 * Erasure codec throughput: ours (WebAssembly SIMD and plain JS kernels)
 * against python3-zfec measured in the same run on the same sizes.
 *
 * 64 MiB of random data is cut as Tahoe cuts a file (128 KiB segments
 * rounded up to a multiple of k, each split into k blocks) and every segment
 * is encoded to m shares; decoding rebuilds each segment from its LAST k
 * shares, the all-parity worst case. Speeds are plaintext MB/s (10^6 B/s),
 * best of at least 3 alternating runs (fast codes get more). Our SIMD runs and zfec's alternate, so a busy machine
 * slows both alike and the ratio stays meaningful; the js kernel (the slow
 * reference) is timed after them. The loop itself is lib/codec-measure.ts.
 */
import { jsKernel, simdKernel, type GfKernel } from '../src/erasure/index.js'
import { measureCodec } from './lib/codec-measure.js'
import { formatTable, mbps } from './lib/measure.js'
import { zfecAvailable } from './lib/zfec-python.js'

const TOTAL = 64 * 1024 * 1024
const RUNS = 3
const CODES: Array<[number, number]> = [[3, 10], [25, 100]]

async function main (): Promise<void> {
  const haveZfec = zfecAvailable()
  if (!haveZfec) console.log('python3-zfec not installed (apt-get install python3-zfec): showing our numbers only')
  const kernels = [simdKernel, jsKernel].filter((x): x is GfKernel => x != null)
  const header = ['code', 'op', ...kernels.map(kn => `${kn.name} MB/s`), ...(haveZfec ? ['zfec MB/s', ...kernels.map(kn => `${kn.name}/zfec`)] : [])]
  const { zfecVersion, cases } = await measureCodec({
    total: TOTAL,
    runs: RUNS,
    codes: CODES,
    alternating: simdKernel != null ? [simdKernel] : [],
    after: [jsKernel],
    withZfec: haveZfec
  })
  const rows = cases.map(c => {
    const ours = kernels.map(kn => mbps(TOTAL, c.best[kn.name] ?? Infinity))
    const base = haveZfec ? mbps(TOTAL, c.best.zfec ?? Infinity) : null
    return [
      `${c.k}/${c.m}`, c.op === 'encode' ? 'encode' : 'decode (last k)',
      ...ours.map(v => v.toFixed(0)),
      ...(base == null ? [] : [base.toFixed(0), ...ours.map(v => `${(v / base).toFixed(2)}x`)])
    ]
  })
  console.log(`erasure codec, ${TOTAL / 1048576} MiB cut into Tahoe segments, best of at least ${RUNS} alternating passes (more for fast codes, until ours add up to 1.5 s), Node ${process.version}` +
    (haveZfec ? `, zfec ${zfecVersion} (python3)` : ''))
  console.log(formatTable(header, rows))
}

await main()
