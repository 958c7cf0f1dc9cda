/**
 * Tahoe-LAFS's 240 official mutable-file caps (tahoe-ssk.json): the write
 * cap derived from each RSA key must equal Tahoe's byte for byte, and the
 * read and verify caps and storage index must follow from it.
 */
import assert from 'node:assert/strict'
import { mutableCapsFromKey as fromPackage } from '../../src/index.js'
import {
  fingerprintHash, formatMutableCap, importMutablePrivateKey, mutableCapsFromKey, mutableStorageIndexHash,
  parseMutableCap, readkeyHash, toMutableVerifyCap, toReadCap, writeCapFromKeyPair, writekeyHash, type MutableFormat
} from '../../src/mutable/index.js'
import { base32Encode } from '../../src/immutable/index.js'
import { loadVector } from '../immutable/helpers.js'

interface SskVector { id: number, format: MutableFormat, key_pem: string, expected: string, zfec: { required: number, total: number } }

const vectors = loadVector<{ cases: SskVector[] }>('tahoe-ssk.json').cases

describe('mutable: Tahoe SSK/MDMF vectors (tahoe-ssk.json)', function () {
  it('has the 240 official cases, 120 of each format', function () {
    assert.equal(vectors.length, 240)
    assert.equal(vectors.filter(v => v.format === 'sdmf').length, 120)
    assert.equal(vectors.filter(v => v.format === 'mdmf').length, 120)
  })

  it('derives every official write cap byte-equal from its RSA key', function () {
    let checked = 0
    for (const v of vectors) {
      const caps = mutableCapsFromKey(v.key_pem, v.format)
      assert.equal(caps.writeCap, v.expected, `case ${v.id}`)
      checked++
    }
    assert.equal(checked, 240)
  })

  it('derives read cap, verify cap and storage index along Tahoe\'s key chain', function () {
    for (const v of vectors) {
      const pair = importMutablePrivateKey(v.key_pem)
      const writekey = writekeyHash(pair.privateDer)
      const fingerprint = fingerprintHash(pair.publicDer)
      const readkey = readkeyHash(writekey)
      const si = mutableStorageIndexHash(readkey)
      const ro = v.format === 'sdmf' ? 'URI:SSK-RO:' : 'URI:MDMF-RO:'
      const ver = v.format === 'sdmf' ? 'URI:SSK-Verifier:' : 'URI:MDMF-Verifier:'
      const caps = mutableCapsFromKey(v.key_pem, v.format)
      assert.equal(caps.readCap, `${ro}${base32Encode(readkey)}:${base32Encode(fingerprint)}`, `case ${v.id}`)
      assert.equal(caps.verifyCap, `${ver}${base32Encode(si)}:${base32Encode(fingerprint)}`, `case ${v.id}`)
      assert.equal(caps.storageIndex, base32Encode(si))
      assert.equal(caps.storageIndex.length, 26)
      // The parsed official cap carries the same derived keys.
      const parsed = parseMutableCap(v.expected)
      assert.equal(parsed.kind, 'mutable-write')
      assert.deepEqual(parsed, writeCapFromKeyPair(pair, v.format))
      assert.equal(formatMutableCap(toReadCap(parsed as any)), caps.readCap)
      assert.equal(formatMutableCap(toMutableVerifyCap(parsed)), caps.verifyCap)
    }
  })

  it('gives the same caps for the PKCS#8 PEM and the PKCS#8 DER of a key', function () {
    const v = vectors[7]
    const pair = importMutablePrivateKey(v.key_pem)
    const pem8 = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
    assert.equal(mutableCapsFromKey(pem8, v.format).writeCap, v.expected)
    assert.deepEqual(writeCapFromKeyPair(importMutablePrivateKey(pair.privateDer), v.format), parseMutableCap(v.expected))
  })

  it('is exported from the package main entry', function () {
    const v = vectors[200]
    assert.equal(fromPackage(v.key_pem, v.format).writeCap, v.expected)
  })
})
