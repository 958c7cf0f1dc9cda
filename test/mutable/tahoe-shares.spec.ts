/**
 * Shares written by Tahoe-LAFS's own mutable-file code
 * (tahoe-mutable-shares.json, made by interop/tahoe/make-mutable-shares.py):
 * we read them, verify them, and with the same key and salts write the
 * same bytes (all but the RSA-PSS signature, which is randomised).
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import {
  decodeMutable, encodeMutable, parseMutableCap, parseShareHeader, toMutableVerifyCap, toReadCap, verifyMutableShares,
  type MutableFormat, type MutableWriteCap
} from '../../src/mutable/index.js'
import { loadVector } from '../immutable/helpers.js'
import { equalBytes, sharesMap, vectorKey } from './helpers.js'

interface TahoeShareCase {
  id: number
  key_id: number
  format: MutableFormat
  write_cap: string
  k: number
  n: number
  seqnum: number
  max_segment_size: number
  length: number
  plaintext_sha256: string
  salts_hex: string[]
  shares_b64: string[]
}

const cases = loadVector<{ cases: TahoeShareCase[] }>('tahoe-mutable-shares.json').cases

function plaintextOf (c: TahoeShareCase): Uint8Array {
  const seed = createHash('sha256').update(`lafs-club mutable ${c.id}`).digest()
  const out = new Uint8Array(c.length)
  for (let at = 0; at < c.length; at += 32) out.set(seed.subarray(0, Math.min(32, c.length - at)), at)
  return out
}

function withoutSignature (share: Uint8Array): Buffer {
  const h = parseShareHeader(share)
  const b = Buffer.from(share)
  b.fill(0, h.fields.signature[0], h.fields.signature[1])
  return b
}

describe('mutable: shares written by Tahoe-LAFS (tahoe-mutable-shares.json)', function () {
  it('has SDMF and MDMF cases, empty and multi-segment', function () {
    assert.equal(cases.length, 9)
    assert.ok(cases.some(c => c.format === 'sdmf' && c.length === 0))
    assert.ok(cases.some(c => c.format === 'mdmf' && c.length === 0))
    assert.ok(cases.some(c => c.format === 'mdmf' && c.salts_hex.length > 3))
  })

  for (const c of cases) {
    const shares = c.shares_b64.map(s => new Uint8Array(Buffer.from(s, 'base64')))
    const cap = parseMutableCap(c.write_cap) as MutableWriteCap

    it(`case ${c.id} (${c.format} ${c.k}/${c.n}, ${c.length} bytes): we read and verify Tahoe's shares`, async function () {
      const pt = plaintextOf(c)
      assert.equal(createHash('sha256').update(pt).digest('hex'), c.plaintext_sha256)
      const last = Array.from({ length: c.k }, (_, i) => c.n - 1 - i)
      const d = await decodeMutable(toReadCap(cap), sharesMap(shares, last))
      assert.ok(equalBytes(d.plaintext, pt))
      assert.equal(d.seqnum, BigInt(c.seqnum))
      assert.deepEqual(d.failures, [])
      const report = await verifyMutableShares(cap, sharesMap(shares))
      assert.ok(report.every(r => r.ok), JSON.stringify(report.filter(r => !r.ok).map(r => r.failure?.error.message)))
      assert.ok((await verifyMutableShares(toMutableVerifyCap(cap), sharesMap(shares))).every(r => r.ok))
    })

    it(`case ${c.id}: with Tahoe's key and salts we write the same share bytes (signature aside)`, function () {
      const e = encodeMutable(plaintextOf(c), {
        keyPair: vectorKey(c.key_id),
        format: c.format,
        seqnum: c.seqnum,
        k: c.k,
        n: c.n,
        segmentSize: c.format === 'mdmf' ? c.max_segment_size : undefined,
        salts: c.salts_hex.map(h => new Uint8Array(Buffer.from(h, 'hex')))
      })
      assert.deepEqual(e.cap, cap)
      assert.equal(e.shares.length, shares.length)
      e.shares.forEach((s, i) => assert.ok(withoutSignature(s).equals(withoutSignature(shares[i])), `share ${i}`))
    })
  }
})
