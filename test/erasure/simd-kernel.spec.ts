/** The WebAssembly SIMD kernel against the reference js kernel, byte for byte. */
import assert from 'node:assert/strict'
import { getKernel, jsKernel, simdKernel, type GfKernel } from '../../src/erasure/index.js'
import { gfModuleBytes } from '../../src/erasure/wasm/gf-module.js'
import { sleb, uleb } from '../../src/erasure/wasm/emitter.js'
import { wasmApi } from '../../src/erasure/wasm/wasm-api.js'
import { createSimdKernel } from '../../src/erasure/wasm/simd-kernel.js'
import { seededRandom, testSeed } from './helpers.js'
import { kernelsUnderTest } from './kernels.js'

describe('erasure: wasm emitter', () => {
  it('LEB128 encodings', () => {
    assert.deepEqual(uleb(0), [0])
    assert.deepEqual(uleb(127), [0x7f])
    assert.deepEqual(uleb(128), [0x80, 0x01])
    assert.deepEqual(uleb(624485), [0xe5, 0x8e, 0x26])
    assert.deepEqual(sleb(0), [0])
    assert.deepEqual(sleb(-1), [0x7f])
    assert.deepEqual(sleb(63), [0x3f])
    assert.deepEqual(sleb(64), [0xc0, 0x00])
    assert.deepEqual(sleb(-64), [0x40])
    assert.deepEqual(sleb(-123456), [0xc0, 0xbb, 0x78])
    assert.throws(() => uleb(-1), RangeError)
  })

  it('emits a module that validates wherever SIMD exists', () => {
    const bytes = gfModuleBytes()
    assert.deepEqual([...bytes.subarray(0, 8)], [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0])
    assert.equal(wasmApi()?.validate(bytes) ?? false, simdKernel != null)
  })
})

describe('erasure: wasm SIMD kernel selection', function () {
  // Every Node.js the project supports (20.19+, 22, 24) has WebAssembly SIMD: without it the codec
  // falls back to the js kernel at a fraction of the speed, which is a defect here, not a reason to skip.
  it('is the default kernel (every supported Node.js has WebAssembly SIMD)', function () {
    assert.ok(simdKernel != null, `this engine (Node.js ${process.version}) has no WebAssembly SIMD; lafs-club needs Node.js 20.19+`)
    assert.equal(getKernel(), simdKernel)
    assert.match(simdKernel.name, /^wasm-simd/)
  })
})

// The default SIMD kernel, plain swizzle if the default is relaxed, and a two-vector unrolled variant.
function simdVariants (): GfKernel[] {
  const list = kernelsUnderTest().filter(kn => kn !== jsKernel)
  const unrolled = createSimdKernel({ unroll: 2 })
  if (unrolled != null) list.push({ name: `${unrolled.name} unroll 2`, combine: unrolled.combine })
  return list
}

describe('erasure: wasm SIMD kernels vs js kernel', function () {
  const variants = simdVariants()
  before(function () {
    assert.ok(variants.length > 0, `this engine (Node.js ${process.version}) has no WebAssembly SIMD kernel to compare`)
  })

  /** Runs the reference once and every SIMD variant on the same case. */
  function compareAll (coeffs: Uint8Array, srcs: Uint8Array[], rows: number, length: number, what: string): void {
    const want = Array.from({ length: rows }, () => new Uint8Array(length))
    jsKernel.combine(coeffs, srcs, want, length)
    for (const kernel of variants) {
      // Outputs start as garbage: the kernel must overwrite, not accumulate.
      const got = Array.from({ length: rows }, () => new Uint8Array(length).fill(0xa5))
      kernel.combine(coeffs, srcs, got, length)
      for (let r = 0; r < rows; r++) {
        if (Buffer.compare(got[r], want[r]) !== 0) {
          const at = got[r].findIndex((x, i) => x !== want[r][i])
          assert.fail(`${kernel.name}, ${what}: row ${r} differs first at byte ${at} (got ${got[r][at]}, want ${want[r][at]})`)
        }
      }
    }
  }

  it('every coefficient 0..255 on every byte value, lengths 1..48', () => {
    const src = Uint8Array.from({ length: 256 }, (_, i) => i)
    compareAll(Uint8Array.from({ length: 256 }, (_, c) => c), [src], 256, 256, 'all products')
    const rnd = seededRandom(testSeed())
    for (let len = 1; len <= 48; len++) compareAll(rnd.bytes(3 * 7), [rnd.bytes(len), rnd.bytes(len), rnd.bytes(len)], 7, len, `len ${len}`)
  })

  it('coefficients 0 and 1 only (plain copies, XORs and zero rows)', () => {
    const rnd = seededRandom(testSeed() + 1)
    for (const [k, rows, len] of [[1, 1, 17], [3, 7, 1000], [25, 75, 333], [8, 9, 16]]) {
      const coeffs = Uint8Array.from({ length: rows * k }, () => rnd.int(2))
      coeffs.fill(0, 0, k) // one all-zero row
      compareAll(coeffs, Array.from({ length: k }, () => rnd.bytes(len)), rows, len, `k=${k} rows=${rows}`)
    }
  })

  it('400 random shapes: k and rows up to 256, odd lengths, multi-strip lengths', () => {
    const seed = testSeed() + 2
    const rnd = seededRandom(seed)
    for (let t = 0; t < 400; t++) {
      const wide = t % 20 === 0
      const long = t % 10 === 1
      const k = 1 + rnd.int(wide ? 256 : long ? 6 : 30)
      const rows = 1 + rnd.int(wide ? 256 : long ? 10 : 30)
      const length = wide ? rnd.int(200) : long ? rnd.int(70000) : rnd.int(600)
      const coeffs = rnd.bytes(rows * k)
      // Some inputs are views at odd offsets into a bigger buffer.
      const srcs = Array.from({ length: k }, (_, j) => j % 3 === 1 ? rnd.bytes(length + 7).subarray(3, 3 + length) : rnd.bytes(length))
      compareAll(coeffs, srcs, rows, length, `case ${t} k=${k} rows=${rows} length=${length} seed=${seed}`)
    }
  })

  it('k = 256 inputs into 256 rows at a length spanning several strips', () => {
    const rnd = seededRandom(testSeed() + 3)
    compareAll(rnd.bytes(256 * 256), Array.from({ length: 256 }, () => rnd.bytes(700)), 256, 700, 'k=256 rows=256')
  })

  it('writes only the first `length` bytes of each output; empty calls are no-ops', () => {
    const rnd = seededRandom(testSeed() + 4)
    for (const kernel of variants) {
      const outs = [new Uint8Array(40).fill(7), new Uint8Array(40).fill(7)]
      kernel.combine(rnd.bytes(2), [rnd.bytes(40)], outs, 21)
      for (const o of outs) assert.ok(o.subarray(21).every(x => x === 7), kernel.name)
      kernel.combine(rnd.bytes(2), [rnd.bytes(0)], [new Uint8Array(0), new Uint8Array(0)], 0)
      kernel.combine(new Uint8Array(0), [rnd.bytes(5)], [], 5)
    }
  })
})
