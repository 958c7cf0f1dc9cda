/** The WebAssembly SIMD kernel against the reference js kernel, byte for byte. */
import assert from 'node:assert/strict'
import { getKernel, jsKernel, simdKernel, type GfKernel } from '../../src/erasure/index.js'
import { gfModuleBytes } from '../../src/erasure/wasm/gf-module.js'
import { sleb, uleb } from '../../src/erasure/wasm/emitter.js'
import { wasmApi } from '../../src/erasure/wasm/wasm-api.js'
import { seededRandom, testSeed } from './helpers.js'

function compare (kernel: GfKernel, coeffs: Uint8Array, srcs: Uint8Array[], rows: number, length: number, what: string): void {
  const want = Array.from({ length: rows }, () => new Uint8Array(length))
  // Outputs start as garbage: the kernel must overwrite, not accumulate.
  const got = Array.from({ length: rows }, () => new Uint8Array(length).fill(0xa5))
  jsKernel.combine(coeffs, srcs, want, length)
  kernel.combine(coeffs, srcs, got, length)
  for (let r = 0; r < rows; r++) {
    if (Buffer.compare(got[r], want[r]) !== 0) {
      const at = got[r].findIndex((x, i) => x !== want[r][i])
      assert.fail(`${what}: row ${r} differs first at byte ${at} (got ${got[r][at]}, want ${want[r][at]})`)
    }
  }
}

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

describe('erasure: wasm SIMD kernel', function () {
  before(function () {
    if (simdKernel == null) {
      console.log('      SKIPPED: this JavaScript engine has no WebAssembly SIMD (the js kernel is in use)')
      this.skip()
    }
  })
  const kernel = (): GfKernel => simdKernel as GfKernel

  it('is the default kernel', () => {
    assert.equal(getKernel(), simdKernel)
    assert.match(kernel().name, /^wasm-simd/)
  })

  it('every coefficient 0..255 on every byte value, lengths 1..48', () => {
    const src = Uint8Array.from({ length: 256 }, (_, i) => i)
    const coeffs = Uint8Array.from({ length: 256 }, (_, c) => c)
    const outs = Array.from({ length: 256 }, () => new Uint8Array(256))
    kernel().combine(coeffs, [src], outs, 256)
    const want = Array.from({ length: 256 }, () => new Uint8Array(256))
    jsKernel.combine(coeffs, [src], want, 256)
    outs.forEach((o, c) => assert.deepEqual(o, want[c], `c=${c}`))
    const rnd = seededRandom(testSeed())
    for (let len = 1; len <= 48; len++) compare(kernel(), rnd.bytes(3 * 7), [rnd.bytes(len), rnd.bytes(len), rnd.bytes(len)], 7, len, `len ${len}`)
  })

  it('coefficients 0 and 1 only (plain copies, XORs and zero rows)', () => {
    const rnd = seededRandom(testSeed() + 1)
    for (const [k, rows, len] of [[1, 1, 17], [3, 7, 1000], [25, 75, 333], [8, 9, 16]]) {
      const coeffs = Uint8Array.from({ length: rows * k }, () => rnd.int(2))
      coeffs.fill(0, 0, k) // one all-zero row
      compare(kernel(), coeffs, Array.from({ length: k }, () => rnd.bytes(len)), rows, len, `k=${k} rows=${rows}`)
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
      compare(kernel(), coeffs, srcs, rows, length, `case ${t} k=${k} rows=${rows} length=${length} seed=${seed}`)
    }
  })

  it('k = 256 inputs into 256 rows at a length spanning several strips', () => {
    const rnd = seededRandom(testSeed() + 3)
    compare(kernel(), rnd.bytes(256 * 256), Array.from({ length: 256 }, () => rnd.bytes(700)), 256, 700, 'k=256 rows=256')
  })

  it('writes only the first `length` bytes of each output', () => {
    const rnd = seededRandom(testSeed() + 4)
    const outs = [new Uint8Array(40).fill(7), new Uint8Array(40).fill(7)]
    kernel().combine(rnd.bytes(2), [rnd.bytes(40)], outs, 21)
    for (const o of outs) assert.ok(o.subarray(21).every(x => x === 7))
    kernel().combine(rnd.bytes(2), [rnd.bytes(0)], [new Uint8Array(0), new Uint8Array(0)], 0)
    kernel().combine(new Uint8Array(0), [rnd.bytes(5)], [], 5)
  })
})
