import assert from 'node:assert/strict'
import {
  BadShareError, computeLayout, computeParams, deriveParams, encodeHeader, encodeImmutable, InvalidParametersError,
  parseHeader, V1_HEADER_SIZE, V2_HEADER_SIZE
} from '../../src/immutable/index.js'
import { checkOffsets, uebLengthFor } from '../../src/immutable/layout.js'

const GiB = 2 ** 30

function headerFields (h: Uint8Array): number[] {
  const v = new DataView(h.buffer, h.byteOffset, h.byteLength)
  if (v.getUint32(0) === 1) return Array.from({ length: 9 }, (_, i) => v.getUint32(i * 4))
  return [2, ...Array.from({ length: 8 }, (_, i) => Number(v.getBigUint64(4 + i * 8)))]
}

describe('immutable: parameters', () => {
  it('S = roundup(min(maxSeg, size), k), numSegs, tail, block sizes', () => {
    const p = computeParams(1024, 3, 10, 131072)
    assert.deepEqual([p.segmentSize, p.numSegments, p.tailSize, p.tailPadded, p.blockSize, p.tailBlockSize, p.shareDataSize], [1026, 1, 1024, 1026, 342, 342, 342])
    const q = computeParams(131072 * 2 + 1, 71, 255, 131072)
    assert.equal(q.segmentSize, 131137) // exceeds maxSeg by up to k-1
    assert.equal(q.numSegments, 2)
    assert.equal(q.shareDataSize, Math.ceil((131072 * 2 + 1) / 71))
    const r = computeParams(1000, 3, 10, 100)
    assert.deepEqual([r.segmentSize, r.numSegments, r.tailSize, r.tailPadded], [102, 10, 82, 84])
    assert.equal(r.segmentTreeLeaves, 16)
    assert.equal(r.shareTreeLeaves, 16)
  })

  it('refuses bad parameters with a typed error', () => {
    for (const [size, k, n, seg] of [[100, 0, 10, 10], [100, 11, 10, 10], [100, 3, 257, 10], [0, 3, 10, 10], [100, 3, 10, 0], [100, 1.5, 10, 10]]) {
      assert.throws(() => computeParams(size, k, n, seg), InvalidParametersError, `${size} ${k} ${n} ${seg}`)
    }
    assert.throws(() => deriveParams(100, 3, 10, 100), /multiple of k/)
    assert.throws(() => deriveParams(100, 3, 10, 105), /larger than the file/)
  })
})

describe('immutable: share layout', () => {
  it('matches the spec example (1024 x "a", 3-of-10): header, UEB length, total size', async () => {
    const l = computeLayout(computeParams(1024, 3, 10, 131072))
    assert.deepEqual(headerFields(encodeHeader(l)), [1, 342, 342, 36, 378, 410, 442, 474, 644])
    assert.equal(l.uebLength, 316)
    assert.equal(l.shareSize, 964)
    const enc = await encodeImmutable(new Uint8Array(1024).fill(0x61), { convergenceSecret: new Uint8Array(16).fill(0x61), k: 3, n: 10, maxSegmentSize: 131072 })
    assert.equal(enc.cap, 'URI:CHK:dx7tvyr2fc4u7lxjc6kehq2svq:tiy4qh2g6lqejxcaym3rr7ymkdkinn4qised6kgxloj7sptsqu4a:3:10:1024')
    for (const share of enc.shares.values()) {
      assert.equal(share.length, 964)
      assert.deepEqual(share.subarray(0, 36), encodeHeader(l))
      assert.ok(share.subarray(378, 410).every(b => b === 0), 'unused plaintext hash tree region is zero')
    }
  })

  it('the UEB length follows the digit counts', () => {
    const a = uebLengthFor(computeParams(1024, 3, 10, 131072))
    const b = uebLengthFor(computeParams(10240, 3, 10, 131072))
    // size, segment_size and both codec params grow by one digit; the two codec params' netstring lengths go from 9 to 10
    assert.equal(b - a, 6)
  })

  it('v1 up to a UEB offset below 2^32, v2 from there (synthetic sizes, nothing allocated)', () => {
    const small = computeLayout(computeParams(3 * GiB, 1, 1, 1048576))
    assert.equal(small.version, 1)
    assert.equal(small.headerSize, V1_HEADER_SIZE)
    const big = computeLayout(computeParams(5 * GiB, 1, 1, 1048576))
    assert.equal(big.version, 2)
    assert.equal(big.headerSize, V2_HEADER_SIZE)
    assert.equal(big.offsets.data, 0x44)
    assert.equal(big.uebLengthSize, 8)
    assert.equal(big.offsets.plaintextHashTree, 0x44 + 5 * GiB)
    const treeSize = (2 * 8192 - 1) * 32 // 5120 segments -> 8192 leaves
    assert.equal(big.treeSize, treeSize)
    assert.equal(big.offsets.shareHashChain, big.offsets.blockHashTree + treeSize)
    assert.equal(big.offsets.uriExtension, big.offsets.shareHashChain + 34)
    assert.equal(big.shareSize, big.offsets.uriExtension + 8 + big.uebLength)
    const h = encodeHeader(big)
    assert.equal(h.length, 0x44)
    assert.deepEqual(headerFields(h), [2, 1048576, 5 * GiB, ...Object.values(big.offsets)])
    const parsed = parseHeader(h, 1)
    assert.deepEqual(parsed.offsets, big.offsets)
    assert.equal(parsed.version, 2)
    assert.equal(parsed.uebLengthSize, 8)
    checkOffsets(parsed, computeParams(5 * GiB, 1, 1, 1048576))

    // The switch point: share data of just under 4 GiB still needs v2 once the trees push the UEB past 2^32.
    const edge = computeParams(2 ** 32 - 100, 1, 1, 1048576)
    assert.equal(computeLayout(edge).version, 2)
    // 3-of-10 with a 12 GiB file: each share holds 4 GiB of data.
    assert.equal(computeLayout(computeParams(12 * GiB, 3, 10, 1048576)).version, 2)
    assert.equal(computeLayout(computeParams(11 * GiB, 3, 10, 1048576)).version, 1)
  })

  it('parseHeader refuses unknown versions, moved data, and a chain region of the wrong size', () => {
    const l = computeLayout(computeParams(1024, 3, 10, 131072))
    const good = encodeHeader(l)
    assert.deepEqual(parseHeader(good, 10).offsets, l.offsets)
    const bad = (mutate: (v: DataView) => void, n = 10): void => {
      const h = good.slice()
      mutate(new DataView(h.buffer))
      assert.throws(() => parseHeader(h, n), (e: unknown) => e instanceof BadShareError && e.check === 'layout')
    }
    bad(v => v.setUint32(0, 3))
    bad(v => v.setUint32(0x0c, 40))
    bad(v => v.setUint32(0x20, 645))
    bad(v => v.setUint32(0x1c, 475))
    bad(v => v.setUint32(0x14, 1000))
    bad(() => {}, 5) // N=5 has a 4-entry chain, this header has room for 5
    assert.throws(() => parseHeader(good.subarray(0, 20), 10), BadShareError)
  })
})

describe('immutable: layout v2 end to end (forced on a small file)', () => {
  it('writes a 0x44-byte header and a u64 UEB length; reads, ranges and verifies like v1', async () => {
    const { encodeChk, planChk, readImmutable, shareSourceFromBytes, verifyShares } = await import('../../src/immutable/index.js')
    const { collect, equalBytes, pseudoRandom } = await import('./helpers.js')
    const data = pseudoRandom(5000, 8)
    const opts = { convergenceSecret: new Uint8Array(16), k: 3, n: 10, maxSegmentSize: 1000 }
    const build = async (layoutVersion: 1 | 2): Promise<{ cap: string, shares: Map<number, Uint8Array>, uebOffset: number }> => {
      const plan = await planChk(data, { ...opts, layoutVersion })
      if (plan.kind !== 'chk') throw new Error('expected CHK')
      const shares = new Map<number, Uint8Array>()
      let cap = ''
      for await (const ev of encodeChk(plan, data)) {
        if (ev.type === 'blocks') {
          ev.blocks.forEach((b, s) => {
            if (!shares.has(s)) { const x = new Uint8Array(plan.shareSize); x.set(plan.header); shares.set(s, x) }
            ;(shares.get(s) as Uint8Array).set(b, ev.offset)
          })
        }
        else if (ev.type === 'trailer') ev.trailers.forEach((t, s) => (shares.get(s) as Uint8Array).set(t, ev.offset))
        else cap = ev.cap
      }
      return { cap, shares, uebOffset: plan.layout.offsets.uriExtension }
    }
    const v1 = await build(1)
    const v2 = await build(2)
    assert.equal(v2.cap, v1.cap, 'the layout does not change the cap')
    const same = (a: Uint8Array, b: Uint8Array): boolean => equalBytes(a, b)
    assert.ok(same((v2.shares.get(4) as Uint8Array).subarray(0x44, v2.uebOffset), (v1.shares.get(4) as Uint8Array).subarray(0x24, v1.uebOffset)), 'same regions, shifted by the longer header')
    const s0 = v2.shares.get(0) as Uint8Array
    assert.equal(new DataView(s0.buffer).getUint32(0), 2)
    assert.equal(s0.length, (v1.shares.get(0) as Uint8Array).length + 0x20 + 4)
    assert.equal(Number(new DataView(s0.buffer).getBigUint64(v2.uebOffset)), (v1.shares.get(0) as Uint8Array).length - v1.uebOffset - 4)
    const sources = [7, 2, 9].map(s => shareSourceFromBytes(s, v2.shares.get(s) as Uint8Array))
    assert.ok(equalBytes(await collect(readImmutable(v2.cap, sources)), data))
    assert.ok(equalBytes(await collect(readImmutable(v2.cap, sources, { offset: 2999, length: 1003 })), data.subarray(2999, 4002)))
    assert.ok((await verifyShares(v2.cap, [...v2.shares].map(([s, b]) => shareSourceFromBytes(s, b)))).every(r => r.ok))
  })
})
