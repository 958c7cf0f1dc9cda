/**
 * Tampering: a flipped bit in any checked field makes that share fail the
 * check that covers it (named in the error), the file still decodes from
 * the other shares, and a wrong byte is never returned.
 */
import assert from 'node:assert/strict'
import {
  BadMutableShareError, decodeMutable, encodeMutable, extractPrivateKey, NotEnoughMutableSharesError, parseShareHeader,
  readMutable, mutableShareSourceFromBytes, toReadCap, verifyMutableShares, type MutableFormat, type MutableShareCheck
} from '../../src/mutable/index.js'
import { equalBytes, pseudoRandom, sharesMap, vectorKey } from './helpers.js'

const key = vectorKey(5)
const otherKey = vectorKey(6)

function flip (share: Uint8Array, at: number, bit = 0): Uint8Array {
  const c = share.slice()
  c[at] ^= 1 << bit
  return c
}

/** Decoding from exactly k shares with share 0 tampered: must fail on share 0 with `check`. */
async function failsWith (format: MutableFormat, shares: Uint8Array[], tampered: Uint8Array, check: MutableShareCheck): Promise<void> {
  const e = { shares }
  const cap = toReadCap(encodedCap(format))
  const given = new Map([[0, tampered], [1, e.shares[1]], [2, e.shares[2]]])
  await assert.rejects(decodeMutable(cap, given), (err: unknown) => {
    assert.ok(err instanceof NotEnoughMutableSharesError, String(err))
    assert.equal(err.failures.length, 1, err.message)
    assert.equal(err.failures[0].shnum, 0)
    assert.equal(err.failures[0].check, check, err.message)
    assert.ok(err.failures[0].error instanceof BadMutableShareError)
    return true
  })
  // With one more good share the file is read in full, and the bad share is reported.
  given.set(3, shares[3])
  const d = await decodeMutable(cap, given)
  assert.ok(equalBytes(d.plaintext, plaintext))
  assert.deepEqual(d.failures.map(f => [f.shnum, f.check]), [[0, check]])
  // verifyMutableShares names the same check.
  const report = await verifyMutableShares(cap, new Map([[0, tampered]]))
  assert.equal(report[0].failure?.check, check)
}

const plaintext = pseudoRandom(40000, 99)
const encoded = {
  sdmf: encodeMutable(plaintext, { keyPair: key, format: 'sdmf', seqnum: 3, k: 3, n: 10 }),
  mdmf: encodeMutable(plaintext, { keyPair: key, format: 'mdmf', seqnum: 3, k: 3, n: 10, segmentSize: 9000 })
}
function encodedCap (format: MutableFormat) { return encoded[format].cap }

describe('mutable: corruption and tampering', function () {
  for (const format of ['sdmf', 'mdmf'] as MutableFormat[]) {
    const shares = encoded[format].shares
    const h = parseShareHeader(shares[0], 0)
    const f = h.fields

    it(`${format}: the version byte`, async function () {
      await failsWith(format, shares, flip(shares[0], 0, 3), 'version')
    })

    it(`${format}: every byte of the signed prefix (seqnum, root hash, salt, k, N, sizes) is covered`, async function () {
      const cap = toReadCap(encodedCap(format))
      for (let at = 1; at < h.signedBytes.length; at++) {
        const bad = flip(shares[0], at, at % 8)
        const r = await verifyMutableShares(cap, new Map([[0, bad]]))
        assert.equal(r[0].ok, false, `byte ${at}`)
        // Changing k, N or the sizes may first break the layout; anything else is caught by the signature.
        assert.ok(['signature', 'layout'].includes(r[0].failure!.check), `byte ${at}: ${r[0].failure!.check}`)
      }
      await failsWith(format, shares, flip(shares[0], 20), 'signature') // inside the root hash
    })

    it(`${format}: the verification key`, async function () {
      await failsWith(format, shares, flip(shares[0], f.verificationKey[0] + 40), 'verification-key')
    })

    it(`${format}: the signature`, async function () {
      await failsWith(format, shares, flip(shares[0], f.signature[0] + 100), 'signature')
    })

    it(`${format}: the share hash chain (a hash, and a node number)`, async function () {
      await failsWith(format, shares, flip(shares[0], f.shareHashChain[0] + 10), 'share-hash-chain')
      await failsWith(format, shares, flip(shares[0], f.shareHashChain[0] + 1), 'share-hash-chain')
    })

    it(`${format}: the block hash tree root, and a node below it`, async function () {
      await failsWith(format, shares, flip(shares[0], f.blockHashTree[0] + 5), 'share-hash-chain')
      // Node 2 is a sibling on segment 0's path (node 1 is computed from below, never read).
      if (h.geometry.numSegments > 1) await failsWith(format, shares, flip(shares[0], f.blockHashTree[0] + 2 * 32 + 5), 'block-hash')
    })

    it(`${format}: the share data (first and last byte)`, async function () {
      await failsWith(format, shares, flip(shares[0], f.shareData[0] + (format === 'mdmf' ? 16 : 0)), 'block-hash')
      await failsWith(format, shares, flip(shares[0], f.shareData[1] - 1, 7), 'block-hash')
    })

    if (format === 'mdmf') {
      it('mdmf: a segment\'s salt', async function () {
        await failsWith(format, shares, flip(shares[0], f.shareData[0] + 3), 'block-hash')
      })
    }

    it(`${format}: the encrypted private key (checked when a writer extracts it)`, function () {
      const bad = flip(shares[0], f.encPrivkey[0] + 200)
      assert.throws(() => extractPrivateKey(encodedCap(format), 0, bad), (err: unknown) => err instanceof BadMutableShareError && err.check === 'private-key')
      assert.ok(extractPrivateKey(encodedCap(format), 0, shares[0]))
    })

    it(`${format}: a truncated share, and offsets pointing elsewhere`, async function () {
      await failsWith(format, shares, shares[0].subarray(0, 60), 'layout')
      await failsWith(format, shares, shares[0].subarray(0, f.shareData[0] + 5), 'layout')
      const dataOffsetLowByte = format === 'sdmf' ? 90 : 106 // share data no longer fits the signed sizes
      await failsWith(format, shares, flip(shares[0], dataOffsetLowByte, 2), 'layout')
      // SDMF's offsets are not signed: a moved boundary shows as the field it spoils.
      if (format === 'sdmf') await failsWith(format, shares, flip(shares[0], 78, 2), 'verification-key')
    })

    it(`${format}: shares made with another key are refused by their fingerprint`, async function () {
      const foreign = encodeMutable(plaintext, { keyPair: otherKey, format, seqnum: 9, k: 3, n: 10, segmentSize: 9000 })
      await failsWith(format, shares, foreign.shares[0], 'verification-key')
    })

    it(`${format}: a bit flipped anywhere never yields a wrong byte`, async function () {
      this.timeout(120000)
      const cap = toReadCap(encodedCap(format))
      const len = shares[0].length
      const step = Math.max(1, Math.floor(len / 400))
      let failed = 0
      for (let at = 0; at < len; at += step) {
        const given = [mutableShareSourceFromBytes(0, flip(shares[0], at, at % 8)), mutableShareSourceFromBytes(1, shares[1]), mutableShareSourceFromBytes(2, shares[2])]
        try {
          const d = await readMutable(cap, given)
          assert.ok(equalBytes(d.plaintext, plaintext), `byte ${at} gave wrong plaintext`)
        } catch (err) {
          assert.ok(err instanceof NotEnoughMutableSharesError, `byte ${at}: ${String(err)}`)
          failed++
        }
      }
      // Only bytes no reader looks at (the encrypted private key, MDMF's reserved gap) may pass unnoticed.
      assert.ok(failed > 0)
    })

    if (h.geometry.numSegments > 1) it(`${format}: verifying a share checks every node of its block hash tree`, async function () {
      const bad = flip(shares[0], f.blockHashTree[0] + 32 + 1) // node 1: never read by a reader
      const given = sharesMap([bad, shares[1], shares[2]])
      assert.ok(equalBytes((await decodeMutable(toReadCap(encodedCap(format)), given)).plaintext, plaintext))
      const report = await verifyMutableShares(encodedCap(format), new Map([[0, bad]]))
      assert.equal(report[0].failure?.check, 'block-hash')
    })
  }
})
