/** GF(2^8) tables and zfec's encoding matrix against the vectors and spec §3–4. */
import assert from 'node:assert/strict'
import { zfecEncodingMatrix } from '../../src/erasure/index.js'
import { EXP, LOG, gfInv, gfMul } from '../../src/erasure/gf256.js'
import { invert, multiply } from '../../src/erasure/matrix.js'
import { hex, loadZfecVectors } from './helpers.js'

const vectors = loadZfecVectors()

describe('erasure: GF(2^8)', () => {
  it('uses zfec\'s polynomial and generator', () => {
    assert.equal(vectors.gf.poly, 0x11d)
    assert.equal(vectors.gf.generator, 2)
  })

  it('exp table equals the vectors\' exp_hex (α^0 .. α^254)', () => {
    assert.equal(hex(EXP.subarray(0, 255)), vectors.gf.exp_hex)
    assert.equal(EXP[8], 0x1d)
    assert.equal(EXP[9], 0x3a)
    assert.equal(EXP[254], 0x8e)
  })

  it('log inverts exp on every non-zero element', () => {
    const seen = new Set<number>()
    for (let i = 0; i < 255; i++) {
      assert.equal(LOG[EXP[i]], i)
      seen.add(EXP[i])
    }
    assert.equal(seen.size, 255)
    assert.ok(!seen.has(0))
  })

  it('matches the spec\'s spot checks', () => {
    assert.equal(gfMul(0x80, 0x02), 0x1d)
    assert.equal(gfMul(0xff, 0xff), 0xe2)
    assert.equal(gfMul(0x53, 0xca), 0x8f)
    assert.equal(LOG[3], 25)
    assert.equal(gfInv(1), 1)
    assert.equal(gfInv(2), 0x8e)
    assert.equal(gfInv(3), 0xf4)
    assert.throws(() => gfInv(0), RangeError)
  })

  it('multiplication agrees with shift-and-reduce on all 65536 pairs', () => {
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        let x = a; let y = b; let p = 0
        while (y !== 0) {
          if ((y & 1) !== 0) p ^= x
          x <<= 1
          if ((x & 0x100) !== 0) x ^= 0x11d
          y >>= 1
        }
        if (gfMul(a, b) !== p) assert.fail(`mul(${a}, ${b}) = ${gfMul(a, b)}, expected ${p}`)
      }
    }
  })

  it('every non-zero element times its inverse is 1', () => {
    for (let a = 1; a < 256; a++) assert.equal(gfMul(a, gfInv(a)), 1, `a=${a}`)
  })
})

describe('erasure: encoding matrix', () => {
  for (const mat of vectors.matrices) {
    it(`(k=${mat.k}, m=${mat.m}) equals zfec's row by row`, () => {
      const rows = zfecEncodingMatrix(mat.k, mat.m)
      assert.equal(rows.length, mat.rows_hex.length)
      rows.forEach((row, r) => assert.equal(hex(row), mat.rows_hex[r], `row ${r}`))
    })
  }

  it('spec §4 known parity rows', () => {
    const parity = (k: number, m: number): string[] => zfecEncodingMatrix(k, m).slice(k).map(hex)
    assert.deepEqual(parity(1, 4), ['01', '01', '01'])
    assert.deepEqual(parity(2, 3), ['0302'])
    assert.deepEqual(parity(3, 4), ['0f0806'])
    assert.deepEqual(parity(4, 5), ['7740380e'])
    assert.deepEqual(parity(3, 10), ['0f0806', '2d301c', '99e078', '0be7ed', '893bb3', '46f1b6', 'bad962'])
  })

  it('equals V · T⁻¹ computed by plain Gauss-Jordan (spec §4 definition)', () => {
    for (const k of [1, 2, 5, 31, 64, 129]) {
      const v = new Uint8Array(256 * k)
      v[0] = 1
      for (let r = 1; r < 256; r++) for (let c = 0; c < k; c++) v[r * k + c] = EXP[((r - 1) * c) % 255]
      const tInv = invert(v.subarray(0, k * k), k)
      assert.ok(tInv != null)
      const e = multiply(v, tInv, 256, k, k)
      const ours = zfecEncodingMatrix(k, 256)
      for (let r = 0; r < 256; r++) assert.equal(hex(ours[r]), hex(e.subarray(r * k, r * k + k)), `k=${k} row ${r}`)
    }
  })

  it('invert() finds singular matrices and round-trips random ones', () => {
    assert.equal(invert(Uint8Array.of(1, 2, 1, 2), 2), null)
    assert.equal(invert(Uint8Array.of(0), 1), null)
    const e = zfecEncodingMatrix(4, 9)
    const pick = Uint8Array.from([e[8], e[1], e[6], e[4]].flatMap(r => [...r]))
    const inv = invert(pick, 4)
    assert.ok(inv != null)
    assert.equal(hex(multiply(pick, inv, 4, 4, 4)), hex(Uint8Array.of(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1)))
  })

  it('rows 0..k-1 are the identity and rows do not depend on m (k=1..256)', () => {
    for (const k of [1, 2, 3, 17, 128, 255, 256]) {
      const big = zfecEncodingMatrix(k, 256)
      for (let r = 0; r < k; r++) {
        for (let c = 0; c < k; c++) if (big[r][c] !== (r === c ? 1 : 0)) assert.fail(`k=${k} row ${r} is not a unit row`)
      }
      const small = zfecEncodingMatrix(k, k + Math.floor((256 - k) / 2))
      small.forEach((row, r) => assert.deepEqual(row, big[r], `k=${k} row ${r}`))
    }
  })
})
