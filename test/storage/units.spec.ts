import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { decodeStorageIndex, encodeStorageIndex } from '../../src/storage/index.js'
import { MAX_WRITTEN_RANGES, WrittenRanges } from '../../src/storage/ranges.js'
import { canonicalInvitationCode, newInvitationCode } from '../../src/storage/invitation-code.js'

describe('storage: storage index folder names (Tahoe base32, from src/immutable)', () => {
  it('round-trips the storage indexes of the Tahoe CHK vectors', async () => {
    const doc = JSON.parse(await readFile(new URL('../vectors/tahoe-chk-derived.json', import.meta.url), 'utf8'))
    for (const v of doc.vectors.slice(0, 20)) {
      const si = decodeStorageIndex(v.storage_index_b32)
      assert.ok(si, v.storage_index_b32)
      assert.equal(si.length, 16)
      assert.equal(encodeStorageIndex(si), v.storage_index_b32)
    }
  })

  it('is not a storage index: upper case, bad lengths, non-zero trailing bits, the wrong byte count', () => {
    const name = encodeStorageIndex(new Uint8Array(16).fill(0xa5))
    assert.equal(name.length, 26)
    assert.deepEqual(decodeStorageIndex(name), new Uint8Array(16).fill(0xa5))
    assert.equal(decodeStorageIndex(name.toUpperCase()), undefined, 'upper case')
    assert.equal(decodeStorageIndex(name.slice(0, 25)), undefined, 'a length that is not whole bytes')
    assert.equal(decodeStorageIndex(name.slice(0, -1) + 'b'), undefined, "the last character's unused bits are not zero")
    assert.equal(decodeStorageIndex(`${name.slice(0, 25)}=`), undefined, 'padding')
    assert.equal(decodeStorageIndex('mzxw6ytboi'), undefined, '6 bytes, not 16')
    assert.equal(decodeStorageIndex('incoming'), undefined, 'the incoming folder')
  })
})

describe('storage: written ranges', () => {
  it('merges out-of-order writes and reports the gaps', () => {
    const r = new WrittenRanges()
    r.add(5, 10)
    r.add(20, 25)
    assert.deepEqual(r.missing(30), [{ start: 0, end: 5 }, { start: 10, end: 20 }, { start: 25, end: 30 }])
    assert.deepEqual(r.overlaps(8, 22), [{ start: 8, end: 10 }, { start: 20, end: 22 }])
    r.add(0, 5)
    r.add(10, 20)
    assert.equal(r.isComplete(30), false)
    r.add(24, 30)
    assert.equal(r.isComplete(30), true)
    assert.equal(r.covered, 30)
    assert.deepEqual(r.missing(30), [])
  })

  it(`refuses more than ${MAX_WRITTEN_RANGES} separate ranges, and merging ones still go in`, () => {
    const r = new WrittenRanges()
    for (let i = 0; i < MAX_WRITTEN_RANGES; i++) r.add(2 * i, 2 * i + 1)
    assert.throws(() => { r.add(2 * MAX_WRITTEN_RANGES, 2 * MAX_WRITTEN_RANGES + 1) }, (err: Error & { code?: string }) => err.code === 'ERR_LIMIT_EXCEEDED')
    r.add(1, 2)
    assert.equal(r.missing(10).length, 4, 'the first two ranges merged: 0..3, then gaps at 3, 5, 7, 9')
    r.add(2 * MAX_WRITTEN_RANGES, 2 * MAX_WRITTEN_RANGES + 1)
  })
})

describe('storage: invitation codes', () => {
  it('are four groups of four base32 characters, unique, and forgiving on input', () => {
    const a = newInvitationCode()
    assert.match(a, /^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/)
    assert.notEqual(a, newInvitationCode())
    assert.equal(canonicalInvitationCode(` ${a.toUpperCase().replace(/-/g, ' ')} `), a.replace(/-/g, ''))
  })
})
