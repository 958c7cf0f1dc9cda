/** Encode → decode of SDMF and MDMF files across parameters, versions and missing shares. */
import assert from 'node:assert/strict'
import {
  decodeMutable, encodeMutable, extractPrivateKey, formatMutableCap, generateMutableKeyPair, InvalidMutableParametersError, mutableCapsFromKey,
  NotEnoughMutableSharesError, toMutableVerifyCap, toReadCap, verifyMutableShares, writeCapFromKeyPair, type MutableFormat
} from '../../src/mutable/index.js'
import { decodeMutable as decodeFromPackage, encodeMutable as encodeFromPackage } from '../../src/index.js'
import { equalBytes, fixedSalts, pseudoRandom, sharesMap, vectorKey } from './helpers.js'

const key = vectorKey(3)

describe('mutable: round trips', function () {
  for (const format of ['sdmf', 'mdmf'] as MutableFormat[]) {
    for (const [k, n] of [[1, 1], [1, 3], [2, 3], [3, 10], [71, 255], [101, 255]]) {
      it(`${format} k=${k} N=${n}: every size decodes from the last k shares`, async function () {
        for (const size of [0, 1, 55, 56, 4097, 70001]) {
          const pt = pseudoRandom(size, 0x1000 + size)
          const e = encodeMutable(pt, { keyPair: key, format, seqnum: 1, k, n, segmentSize: 16384 })
          assert.equal(e.shares.length, n)
          const pick = Array.from({ length: k }, (_, i) => n - 1 - i)
          const d = await decodeMutable(toReadCap(e.cap), sharesMap(e.shares, pick))
          assert.ok(equalBytes(d.plaintext, pt), `${format} ${k}/${n} size ${size}`)
          assert.equal(d.seqnum, 1n)
          assert.deepEqual(d.failures, [])
          // The write cap reads too.
          assert.ok(equalBytes((await decodeMutable(e.cap, sharesMap(e.shares, pick))).plaintext, pt))
        }
      })
    }
  }

  it('uses Tahoe\'s segment sizes: SDMF one segment of next_multiple(len, k), MDMF 128 KiB rounded up to k', function () {
    const pt = pseudoRandom(300000)
    assert.equal(encodeMutable(pt, { keyPair: key, format: 'sdmf', seqnum: 1, k: 3, n: 10 }).prefix.segmentSize, 300000)
    assert.equal(encodeMutable(pt.subarray(1), { keyPair: key, format: 'sdmf', seqnum: 1, k: 3, n: 10 }).prefix.segmentSize, 300000)
    assert.equal(encodeMutable(pt, { keyPair: key, format: 'mdmf', seqnum: 1, k: 3, n: 10 }).prefix.segmentSize, 131073)
    assert.equal(encodeMutable(pt.subarray(0, 10), { keyPair: key, format: 'mdmf', seqnum: 1, k: 3, n: 10 }).prefix.segmentSize, 131073)
  })

  it('gives the same share bytes for the same salts except the (randomised PSS) signature', function () {
    const pt = pseudoRandom(50000)
    for (const format of ['sdmf', 'mdmf'] as MutableFormat[]) {
      const salts = fixedSalts(format === 'sdmf' ? 1 : 4)
      const a = encodeMutable(pt, { keyPair: key, format, seqnum: 7, k: 3, n: 10, segmentSize: 15000, salts })
      const b = encodeMutable(pt, { keyPair: key, format, seqnum: 7, k: 3, n: 10, segmentSize: 15000, salts })
      assert.ok(equalBytes(a.rootHash, b.rootHash))
      const sig = format === 'sdmf' ? [107 + key.publicDer.length, 107 + key.publicDer.length + 256] : [0, 0]
      for (let i = 0; i < 10; i++) {
        const x = Buffer.from(a.shares[i]); const y = Buffer.from(b.shares[i])
        if (format === 'sdmf') { x.fill(0, sig[0], sig[1]); y.fill(0, sig[0], sig[1]) } else {
          const s = Number(x.readBigUInt64BE(75)); const e = Number(x.readBigUInt64BE(83))
          x.fill(0, s, e); y.fill(0, s, e)
        }
        assert.ok(x.equals(y))
      }
    }
  })

  it('reads the newest version when shares of two versions are mixed, and never mixes them', async function () {
    const v1 = pseudoRandom(20000, 1)
    const v2 = pseudoRandom(20000, 2)
    for (const format of ['sdmf', 'mdmf'] as MutableFormat[]) {
      const a = encodeMutable(v1, { keyPair: key, format, seqnum: 1, k: 3, n: 10, segmentSize: 4096 })
      const b = encodeMutable(v2, { keyPair: key, format, seqnum: 2, k: 3, n: 10, segmentSize: 4096 })
      const cap = toReadCap(a.cap)
      // 3 shares of v2 and 7 of v1: v2 is recoverable and newest.
      const mixed = new Map<number, Uint8Array>()
      for (let i = 0; i < 10; i++) mixed.set(i, i < 3 ? b.shares[i] : a.shares[i])
      const d = await decodeMutable(cap, mixed)
      assert.equal(d.seqnum, 2n)
      assert.ok(equalBytes(d.plaintext, v2))
      // Only 2 of v2: v2 is not recoverable, so v1 is returned whole.
      mixed.set(2, a.shares[2])
      const d1 = await decodeMutable(cap, mixed)
      assert.equal(d1.seqnum, 1n)
      assert.ok(equalBytes(d1.plaintext, v1))
    }
  })

  it('refuses with NotEnoughMutableSharesError when fewer than k shares are given', async function () {
    const e = encodeMutable(pseudoRandom(1000), { keyPair: key, format: 'mdmf', seqnum: 1, k: 3, n: 10 })
    await assert.rejects(decodeMutable(toReadCap(e.cap), sharesMap(e.shares, [0, 5])), (err: unknown) => {
      assert.ok(err instanceof NotEnoughMutableSharesError)
      assert.equal(err.needed, 3)
      assert.equal(err.good, 2)
      return true
    })
    await assert.rejects(decodeMutable(toMutableVerifyCap(e.cap), sharesMap(e.shares)), TypeError)
  })

  it('recovers the signature key from a share with the write cap, and verifies shares with a verify cap', async function () {
    for (const format of ['sdmf', 'mdmf'] as MutableFormat[]) {
      const e = encodeMutable(pseudoRandom(3000), { keyPair: key, format, seqnum: 1, k: 2, n: 4, segmentSize: 1000 })
      const pair = extractPrivateKey(e.cap, 1, e.shares[1])
      assert.ok(equalBytes(pair.privateDer, key.privateDer))
      const report = await verifyMutableShares(toMutableVerifyCap(e.cap), sharesMap(e.shares))
      assert.deepEqual(report.map(r => r.ok), [true, true, true, true])
      assert.ok(report.every(r => r.seqnum === 1n))
      assert.ok((await verifyMutableShares(e.cap, sharesMap(e.shares))).every(r => r.ok))
    }
  })

  it('works with a freshly generated key (RSA-2048, e=65537)', async function () {
    const fresh = await generateMutableKeyPair()
    assert.equal(fresh.privateKey.asymmetricKeyDetails?.modulusLength, 2048)
    assert.equal(fresh.privateKey.asymmetricKeyDetails?.publicExponent, 65537n)
    const pem = fresh.privateKey.export({ format: 'pem', type: 'pkcs1' }) as string
    const caps = mutableCapsFromKey(pem, 'mdmf')
    const e = encodeFromPackage(pseudoRandom(777), { keyPair: fresh, format: 'mdmf', seqnum: 1, k: 3, n: 10 })
    assert.equal(caps.writeCap, formatMutableCap(e.cap))
    assert.deepEqual(writeCapFromKeyPair(fresh, 'mdmf'), e.cap)
    assert.ok(equalBytes((await decodeFromPackage(e.cap, sharesMap(e.shares))).plaintext, pseudoRandom(777)))
  })

  it('refuses parameters a share cannot hold', function () {
    const pt = pseudoRandom(10)
    assert.throws(() => encodeMutable(pt, { keyPair: key, format: 'sdmf', seqnum: 1, k: 4, n: 3 }), InvalidMutableParametersError)
    assert.throws(() => encodeMutable(pt, { keyPair: key, format: 'sdmf', seqnum: 1, k: 1, n: 256 }), InvalidMutableParametersError)
    assert.throws(() => encodeMutable(pt, { keyPair: key, format: 'sdmf', seqnum: -1, k: 1, n: 1 }), InvalidMutableParametersError)
    assert.throws(() => encodeMutable(pt, { keyPair: key, format: 'mdmf', seqnum: 1, k: 1, n: 1, segmentSize: 0 }), InvalidMutableParametersError)
    assert.throws(() => encodeMutable(pt, { keyPair: key, format: 'mdmf', seqnum: 1, k: 1, n: 1, salts: [] }), InvalidMutableParametersError)
  })
})
