/** Inputs zfec accepts silently or hangs on (spec §7) must fail loudly here. */
import assert from 'node:assert/strict'
import {
  BlockLengthMismatchError, DuplicateShareError, ErasureError, InvalidParametersError,
  ShareNumberOutOfRangeError, WrongBlockCountError, decode, encode, zfecDecode, zfecEncode
} from '../../src/erasure/index.js'
import { seededRandom } from './helpers.js'

type ErrorClass = new (message: string) => ErasureError

function expectError (fn: () => unknown, cls: ErrorClass, code: string, mentions?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`)
    assert.ok(err instanceof ErasureError)
    assert.equal(err.code, code)
    if (mentions != null) assert.match(err.message, mentions)
    return true
  })
}

describe('erasure: rejected inputs', () => {
  const rnd = seededRandom(7)
  const k = 3
  const m = 10
  const blocks = Array.from({ length: k }, () => rnd.bytes(32))
  const shares = encode(k, m, blocks)

  describe('bad k / m', () => {
    const cases: Array<[number, number]> = [[0, 10], [0, 0], [-1, 3], [3, 257], [257, 257], [4, 3], [256, 255], [1.5, 3], [3, 9.5], [NaN, 3], [3, Infinity]]
    for (const [bk, bm] of cases) {
      it(`k=${bk}, m=${bm}`, () => {
        const blk = Array.from({ length: Math.max(1, Math.min(Number.isFinite(bk) ? Math.floor(bk) : 1, 4)) }, () => new Uint8Array(4))
        expectError(() => encode(bk, bm, blk), InvalidParametersError, 'ERR_INVALID_PARAMETERS', /1 <= k <= m <= 256/)
        expectError(() => zfecEncode(bk, bm, blk), InvalidParametersError, 'ERR_INVALID_PARAMETERS')
        expectError(() => decode(bk, bm, blk, blk.map((_, i) => i)), InvalidParametersError, 'ERR_INVALID_PARAMETERS')
      })
    }
    it('k = m = 256 and k = 1, m = 256 are accepted', () => {
      assert.equal(encode(256, 256, Array.from({ length: 256 }, () => new Uint8Array(1))).length, 256)
      assert.equal(encode(1, 256, [new Uint8Array(1)]).length, 256)
    })
  })

  describe('decode share numbers', () => {
    it('duplicate primary share numbers (zfec 1.5.2 hangs)', () => {
      expectError(() => decode(k, m, [shares[1], shares[1], shares[5]], [1, 1, 5]), DuplicateShareError, 'ERR_DUPLICATE_SHARE', /share number 1/)
      expectError(() => zfecDecode(k, m, [shares[0], shares[2], shares[0]], [0, 2, 0]), DuplicateShareError, 'ERR_DUPLICATE_SHARE')
    })
    it('duplicate parity share numbers (zfec returns wrong bytes)', () => {
      expectError(() => decode(k, m, [shares[5], shares[5], shares[6]], [5, 5, 6]), DuplicateShareError, 'ERR_DUPLICATE_SHARE', /share number 5/)
      expectError(() => decode(k, m, [shares[9], shares[0], shares[9]], [9, 0, 9]), DuplicateShareError, 'ERR_DUPLICATE_SHARE')
    })
    it('share number >= m (zfec reads past its matrix)', () => {
      expectError(() => decode(k, m, [shares[0], shares[1], shares[2]], [0, 1, 10]), ShareNumberOutOfRangeError, 'ERR_SHARE_NUMBER_OUT_OF_RANGE', /10 .*0\.\.9/)
      expectError(() => decode(k, m, [shares[0], shares[1], shares[2]], [0, 255, 1]), ShareNumberOutOfRangeError, 'ERR_SHARE_NUMBER_OUT_OF_RANGE')
      expectError(() => decode(k, m, [shares[0], shares[1], shares[2]], [0, 256, 1]), ShareNumberOutOfRangeError, 'ERR_SHARE_NUMBER_OUT_OF_RANGE')
    })
    it('negative or fractional share number', () => {
      expectError(() => decode(k, m, [shares[0], shares[1], shares[2]], [0, -1, 2]), ShareNumberOutOfRangeError, 'ERR_SHARE_NUMBER_OUT_OF_RANGE', /-1/)
      expectError(() => decode(k, m, [shares[0], shares[1], shares[2]], [0, 1.5, 2]), ShareNumberOutOfRangeError, 'ERR_SHARE_NUMBER_OUT_OF_RANGE')
    })
    it('share numbers and blocks of different counts', () => {
      expectError(() => decode(k, m, [shares[0], shares[1], shares[2]], [0, 1]), WrongBlockCountError, 'ERR_WRONG_BLOCK_COUNT', /3 share numbers/)
      expectError(() => decode(k, m, [shares[0], shares[1]], [0, 1, 2]), WrongBlockCountError, 'ERR_WRONG_BLOCK_COUNT', /3 blocks, got 2/)
    })
    it('wrong number of shares (too few, too many)', () => {
      expectError(() => decode(k, m, [shares[0], shares[1]], [0, 1]), WrongBlockCountError, 'ERR_WRONG_BLOCK_COUNT')
      expectError(() => decode(k, m, shares.slice(0, 4), [0, 1, 2, 3]), WrongBlockCountError, 'ERR_WRONG_BLOCK_COUNT')
      expectError(() => decode(k, m, [], []), WrongBlockCountError, 'ERR_WRONG_BLOCK_COUNT')
    })
    it('blocks of unequal length', () => {
      expectError(() => decode(k, m, [shares[0], shares[4], shares[7].subarray(1)], [0, 4, 7]), BlockLengthMismatchError, 'ERR_BLOCK_LENGTH_MISMATCH', /block 2 has 31/)
    })
  })

  describe('encode blocks', () => {
    it('wrong block count', () => {
      expectError(() => encode(k, m, blocks.slice(0, 2)), WrongBlockCountError, 'ERR_WRONG_BLOCK_COUNT', /needs exactly 3 blocks, got 2/)
      expectError(() => encode(k, m, [...blocks, blocks[0]]), WrongBlockCountError, 'ERR_WRONG_BLOCK_COUNT')
      expectError(() => zfecEncode(k, m, []), WrongBlockCountError, 'ERR_WRONG_BLOCK_COUNT')
    })
    it('blocks of unequal length', () => {
      expectError(() => encode(k, m, [blocks[0], blocks[1], new Uint8Array(31)]), BlockLengthMismatchError, 'ERR_BLOCK_LENGTH_MISMATCH')
      expectError(() => encode(k, m, [new Uint8Array(0), blocks[1], blocks[2]]), BlockLengthMismatchError, 'ERR_BLOCK_LENGTH_MISMATCH')
    })
    it('wanted share number out of range', () => {
      expectError(() => encode(k, m, blocks, [3, 10]), ShareNumberOutOfRangeError, 'ERR_SHARE_NUMBER_OUT_OF_RANGE')
      expectError(() => encode(k, m, blocks, [-1]), ShareNumberOutOfRangeError, 'ERR_SHARE_NUMBER_OUT_OF_RANGE')
    })
  })
})
