/**
 * Damaged shares: every byte of a share is flipped in turn. A used byte
 * must be caught by the right check; the download must still return the
 * right file from the other shares, and never a wrong byte.
 *
 * Unchecked on purpose (as in Tahoe): the plaintext-hash-tree region
 * (written as zeros, read by nobody), the header's block-size and
 * data-size fields (informational; readers use the offset table), and
 * hash-tree nodes a given read does not need.
 */
import assert from 'node:assert/strict'
import {
  BadShareError, encodeImmutable, NotEnoughSharesError, parseHeader, readImmutable, shareSourceFromBytes, verifyShares,
  type BadShareReport, type ShareCheck, type ShareSource
} from '../../src/immutable/index.js'
import { collect, equalBytes, pseudoRandom } from './helpers.js'

const secret = new Uint8Array(16).fill(1)

/** Which check a flipped byte at `at` must trip during a full read, or null if the byte is never used. */
function expectedCheck (share: Uint8Array, at: number, usedTreeNodes: Set<number>): ShareCheck | null {
  const o = parseHeader(share, 10).offsets
  if (at < 4) return 'layout' // version
  if (at < 0x0c) return null // block size, data size: informational
  if (at < o.data) return 'layout' // offset table
  if (at < o.plaintextHashTree) return 'block-hash'
  if (at < o.crypttextHashTree) return null // unused plaintext hash tree
  if (at < o.blockHashTree) return usedTreeNodes.has(Math.floor((at - o.crypttextHashTree) / 32)) ? 'crypttext-hash' : null
  if (at < o.shareHashChain) return usedTreeNodes.has(Math.floor((at - o.blockHashTree) / 32)) ? 'block-hash' : null
  if (at < o.uriExtension) return 'share-hash-chain'
  return 'ueb'
}

function sourcesOf (shares: Map<number, Uint8Array>, replace?: [number, Uint8Array]): ShareSource[] {
  return [...shares].map(([s, b]) => shareSourceFromBytes(s, replace !== undefined && replace[0] === s ? replace[1] : b))
}

describe('immutable: corrupted shares', function () {
  this.timeout(60_000)
  // 3 segments -> 4-leaf trees (nodes 0..6, leaves 3..6). Reading segments 0,1,2 in order fetches
  // nodes 4 and 2 (segment 0), nothing (segment 1: node 4 is then known), node 6 (segment 2).
  const usedTreeNodes = new Set([2, 4, 6])
  const data = pseudoRandom(700, 42)
  let shares: Map<number, Uint8Array>
  let cap: string

  before(async () => {
    const r = await encodeImmutable(data, { convergenceSecret: secret, k: 3, n: 10, maxSegmentSize: 300 })
    shares = r.shares
    cap = r.cap
  })

  it('every single-byte flip of share 0: right check or provably unused, and always the right file', async () => {
    const share0 = shares.get(0) as Uint8Array
    const counts = new Map<string, number>()
    for (let at = 0; at < share0.length; at++) {
      const bad = share0.slice()
      bad[at] ^= 0x01
      const reports: BadShareReport[] = []
      const got = await collect(readImmutable(cap, sourcesOf(shares, [0, bad]), { onBadShare: r => reports.push(r) }))
      assert.ok(equalBytes(got, data), `wrong bytes with share 0 flipped at ${at}`)
      const want = expectedCheck(share0, at, usedTreeNodes)
      if (want === null) assert.equal(reports.length, 0, `byte ${at} is unused but was reported: ${reports[0]?.check}`)
      else {
        assert.equal(reports.length, 1, `byte ${at} should be reported as ${want}`)
        assert.equal(reports[0].shnum, 0)
        assert.equal(reports[0].check, want, `byte ${at}: ${reports[0].error.message}`)
        assert.ok(reports[0].error instanceof BadShareError)
      }
      counts.set(want ?? 'unused', (counts.get(want ?? 'unused') ?? 0) + 1)
    }
    for (const c of ['layout', 'block-hash', 'crypttext-hash', 'share-hash-chain', 'ueb', 'unused']) assert.ok((counts.get(c) ?? 0) > 0, `covered ${c}`)
  })

  it('the verifier catches every flip outside the unused regions', async () => {
    const share0 = shares.get(0) as Uint8Array
    const o = parseHeader(share0, 10).offsets
    for (let at = 0; at < share0.length; at++) {
      const bad = share0.slice()
      bad[at] ^= 0x80
      const [res] = await verifyShares(cap, [shareSourceFromBytes(0, bad)])
      const unused = (at >= 4 && at < 0x0c) || (at >= o.plaintextHashTree && at < o.crypttextHashTree)
      assert.equal(res.ok, unused, `byte ${at}`)
      if (!unused) {
        // The verifier reads whole trees, so every node counts.
        const want = expectedCheck(share0, at, new Set([0, 1, 2, 3, 4, 5, 6]))
        assert.equal(res.check, want, `byte ${at}: ${res.error?.message}`)
      }
    }
    const all = await verifyShares(cap, sourcesOf(shares))
    assert.deepEqual(all.map(r => [r.shnum, r.ok]), [...shares.keys()].map(s => [s, true]))
  })

  it('several bad shares at once, parity shares too', async () => {
    const damaged = new Map(shares)
    const flip = (s: number, at: number): void => { const b = (shares.get(s) as Uint8Array).slice(); b[at] ^= 0xff; damaged.set(s, b) }
    const o = parseHeader(shares.get(0) as Uint8Array, 10).offsets
    flip(0, o.data + 5) // block of segment 0
    flip(1, o.uriExtension + 20) // UEB
    flip(4, o.data + 210) // block of segment 2 (tail)
    flip(5, o.shareHashChain + 10)
    const reports: BadShareReport[] = []
    const got = await collect(readImmutable(cap, sourcesOf(damaged), { onBadShare: r => reports.push(r) }))
    assert.ok(equalBytes(got, data))
    const byShare = new Map(reports.map(r => [r.shnum, r.check]))
    assert.equal(byShare.get(0), 'block-hash')
    assert.equal(byShare.get(1), 'ueb')
    // Shares 4 and 5 are only needed if enough primaries fail; when used, they must be caught.
    for (const [s, c] of byShare) if (s === 4) assert.equal(c, 'block-hash'); else if (s === 5) assert.equal(c, 'share-hash-chain')
    const parityOnly = [4, 5, 6, 7, 8].map(s => shareSourceFromBytes(s, damaged.get(s) as Uint8Array))
    const r2: BadShareReport[] = []
    assert.ok(equalBytes(await collect(readImmutable(cap, parityOnly, { onBadShare: r => r2.push(r) })), data))
    assert.deepEqual(r2.map((r): [number, string] => [r.shnum, r.check]).sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)), [[4, 'block-hash'], [5, 'share-hash-chain']])
  })

  it('with too few good shares: yields only verified bytes, then NotEnoughSharesError listing the failures', async () => {
    const o = parseHeader(shares.get(0) as Uint8Array, 10).offsets
    const bad = (shares.get(1) as Uint8Array).slice()
    bad[o.data + 2 * 100 + 3] ^= 1 // segment 2's block in share 1 (blocks are 100 bytes)
    const sources = [0, 1, 2].map(s => shareSourceFromBytes(s, s === 1 ? bad : shares.get(s) as Uint8Array))
    const yielded: Uint8Array[] = []
    await assert.rejects(async () => { for await (const c of readImmutable(cap, sources)) yielded.push(c) }, (e: unknown) => {
      assert.ok(e instanceof NotEnoughSharesError)
      assert.equal(e.failures.length, 1)
      assert.deepEqual([e.failures[0].shnum, e.failures[0].check], [1, 'block-hash'])
      assert.match(e.message, /share 1: block-hash/)
      return true
    })
    const prefix = Buffer.concat(yielded)
    assert.equal(prefix.length, 600)
    assert.ok(equalBytes(prefix, data.subarray(0, 600)))
  })

  it('read errors and truncated shares are reported, and replaced', async () => {
    const failing: ShareSource = { shnum: 0, read: async () => { throw new Error('connection reset') } }
    const truncated = shareSourceFromBytes(1, (shares.get(1) as Uint8Array).subarray(0, 200))
    const flaky = (() => {
      let n = 0
      const inner = shareSourceFromBytes(2, shares.get(2) as Uint8Array)
      return { shnum: 2, read: async (o: number, l: number) => { if (++n > 3) throw new Error('server went away'); return await inner.read(o, l) } }
    })()
    const rest = [3, 4, 5, 6].map(s => shareSourceFromBytes(s, shares.get(s) as Uint8Array))
    const reports: BadShareReport[] = []
    const got = await collect(readImmutable(cap, [failing, truncated, flaky, ...rest], { onBadShare: r => reports.push(r) }))
    assert.ok(equalBytes(got, data))
    const checks = new Map(reports.map(r => [r.shnum, r.check]))
    assert.equal(checks.get(0), 'read-error')
    assert.equal(checks.get(1), 'layout')
    assert.equal(checks.get(2), 'read-error')
    const vr = await verifyShares(cap, [failing, truncated])
    assert.deepEqual(vr.map(r => r.check), ['read-error', 'layout'])
  })

  it('a share claiming a number outside 0..N-1 is refused', async () => {
    const reports: BadShareReport[] = []
    const sources = [shareSourceFromBytes(12, shares.get(0) as Uint8Array), ...[1, 2, 3].map(s => shareSourceFromBytes(s, shares.get(s) as Uint8Array))]
    assert.ok(equalBytes(await collect(readImmutable(cap, sources, { onBadShare: r => reports.push(r) })), data))
    // Share 12 sorts after the primaries, so it is never needed here; mislabelled share 0 bytes as share 3 are caught:
    const mislabelled = [shareSourceFromBytes(3, shares.get(0) as Uint8Array), ...[1, 2, 4].map(s => shareSourceFromBytes(s, shares.get(s) as Uint8Array))]
    const r2: BadShareReport[] = []
    assert.ok(equalBytes(await collect(readImmutable(cap, mislabelled, { onBadShare: r => r2.push(r) })), data))
    assert.deepEqual(r2.map(r => [r.shnum, r.check]), [[3, 'share-hash-chain']])
    const [v] = await verifyShares(cap, [shareSourceFromBytes(12, shares.get(0) as Uint8Array)])
    assert.equal(v.check, 'layout')
  })
})
