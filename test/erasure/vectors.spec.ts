/**
 * Every check in test/vectors/zfec.json (made with zfec 1.5.2), run under
 * each kernel this machine offers, so a fast kernel cannot drift from zfec.
 */
import assert from 'node:assert/strict'
import { decode, encode, getKernel, setKernel, zfecDecode, zfecEncode, type GfKernel } from '../../src/erasure/index.js'
import { concat, hex, loadZfecVectors, makeInput, sha256Hex, splitBlocks, type CodecCase } from './helpers.js'
import { kernelsUnderTest } from './kernels.js'

const vectors = loadZfecVectors()

function checkShares (c: CodecCase, shares: Uint8Array[]): void {
  assert.equal(shares.length, c.m, 'one share per share number')
  for (let i = 0; i < c.m; i++) {
    assert.equal(shares[i].length, c.blocksize, `share ${i} length`)
    if (c.shares_hex != null) assert.equal(hex(shares[i]), c.shares_hex[i], `share ${i} bytes`)
    assert.equal(sha256Hex(shares[i]), c.shares_sha256[i], `share ${i} sha256`)
  }
}

for (const kernel of kernelsUnderTest()) {
  describe(`erasure: zfec vectors (${kernel.name} kernel)`, () => {
    let previous: GfKernel
    before(() => { previous = getKernel(); setKernel(kernel) })
    after(() => { setKernel(previous) })

    it('file is the expected format with the documented counts', () => {
      assert.equal(vectors.format, 'zfec-vectors/1')
      assert.equal(vectors.cases.length, 26)
      assert.equal(vectors.easyfec.length, 8)
      assert.equal(vectors.matrices.length, 9)
      const decodes = vectors.cases.reduce((n, c) => n + c.decode.length, 0) +
        vectors.easyfec.reduce((n, c) => n + c.decode.length, 0)
      assert.equal(decodes, 173)
    })

    describe('encode + decode cases', () => {
      for (const c of vectors.cases) {
        it(c.id, () => {
          const input = makeInput(c.input)
          assert.equal(input.length, c.k * c.blocksize)
          assert.equal(sha256Hex(input), c.input_sha256, 'input recipe')
          if (c.input_hex != null) assert.equal(hex(input), c.input_hex)
          const blocks = splitBlocks(input, c.k)
          const shares = zfecEncode(c.k, c.m, blocks)
          checkShares(c, shares)
          for (const d of c.decode) {
            const given = d.sharenums.map(s => shares[s])
            const out = zfecDecode(c.k, c.m, given, d.sharenums)
            assert.equal(out.length, c.k, `${d.label}: k blocks out`)
            assert.equal(sha256Hex(...out), d.recovered_concat_sha256, `${d.label} ${JSON.stringify(d.sharenums)}`)
          }
        })
      }
    })

    describe('easyfec cases (zero padding)', () => {
      for (const c of vectors.easyfec) {
        it(c.id, () => {
          const data = makeInput(c.input)
          assert.equal(data.length, c.datalen)
          assert.equal(sha256Hex(data), c.input_sha256)
          if (c.input_hex != null) assert.equal(hex(data), c.input_hex)
          // easyfec's padding rule, computed here rather than read from the file.
          const b = Math.ceil(c.datalen / c.k)
          assert.equal(b, c.blocksize)
          assert.equal(c.k * b - c.datalen, c.padlen)
          const padded = new Uint8Array(c.k * b)
          padded.set(data)
          const shares = encode(c.k, c.m, splitBlocks(padded, c.k))
          checkShares(c, shares)
          for (const d of c.decode) {
            const out = concat(decode(c.k, c.m, d.sharenums.map(s => shares[s]), d.sharenums))
            const unpadded = out.subarray(0, out.length - c.padlen)
            assert.ok(out.subarray(out.length - c.padlen).every(x => x === 0), 'padding decodes to zeros')
            assert.equal(sha256Hex(unpadded), d.output_sha256, `${d.label} ${JSON.stringify(d.sharenums)}`)
          }
        })
      }
    })
  })
}
