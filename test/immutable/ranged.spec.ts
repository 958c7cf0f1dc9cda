import assert from 'node:assert/strict'
import {
  encodeImmutable, InvalidRangeError, parseHeader, readImmutable, shareSourceFromBytes, type ShareSource
} from '../../src/immutable/index.js'
import { collect, equalBytes, pseudoRandom } from './helpers.js'

interface Logged { source: ShareSource, reads: Array<[number, number]> }

function logged (shnum: number, bytes: Uint8Array): Logged {
  const inner = shareSourceFromBytes(shnum, bytes)
  const reads: Array<[number, number]> = []
  return { reads, source: { shnum, read: async (o, l) => { reads.push([o, l]); return await inner.read(o, l) } } }
}

describe('immutable: ranged reads', function () {
  this.timeout(30_000)
  const size = 10_000
  const data = pseudoRandom(size, 77)
  const S = 501 // maxSeg 500 rounded up to a multiple of k=3 -> 20 segments, 32-leaf trees
  let shares: Map<number, Uint8Array>
  let cap: string

  before(async () => {
    const r = await encodeImmutable(data, { convergenceSecret: new Uint8Array(16), k: 3, n: 10, maxSegmentSize: 500 })
    shares = r.shares
    cap = r.cap
  })

  async function readRange (offset: number, length: number, shnums = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]): Promise<{ got: Uint8Array, logs: Logged[] }> {
    const logs = shnums.map(s => logged(s, shares.get(s) as Uint8Array))
    const got = await collect(readImmutable(cap, logs.map(l => l.source), { offset, length }))
    return { got, logs }
  }

  it('many offsets and lengths match slices, and only the segments touched are fetched', async () => {
    const o = parseHeader(shares.get(0) as Uint8Array, 10).offsets
    const B = S / 3
    const ranges: Array<[number, number]> = [
      [0, 1], [0, S], [0, S + 1], [S - 1, 2], [S, S], [size - 1, 1], [size - 1000, 1000], [1234, 5678], [0, size], [5000, 0], [size, 0]
    ]
    const rnd = pseudoRandom(200, 9)
    for (let i = 0; i < 40; i++) {
      const off = ((rnd[i] << 8) | rnd[i + 100]) % size
      ranges.push([off, (rnd[i + 50] * 37) % (size - off + 1)])
    }
    for (const [offset, length] of ranges) {
      const { got, logs } = await readRange(offset, length)
      assert.ok(equalBytes(got, data.subarray(offset, offset + length)), `range ${offset}+${length}`)
      const want = new Set<number>()
      if (length > 0) for (let s = Math.floor(offset / S); s <= Math.floor((offset + length - 1) / S); s++) want.add(s)
      for (const l of logs) {
        const blockReads = l.reads.filter(([at]) => at >= o.data && at < o.plaintextHashTree)
        const segs = new Set(blockReads.map(([at]) => (at - o.data) / B))
        if (l.source.shnum < 3) assert.deepEqual([...segs].sort((a, b) => a - b), [...want].sort((a, b) => a - b), `share ${l.source.shnum} range ${offset}+${length}`)
        else assert.equal(blockReads.length, 0, 'parity shares are not touched when the primaries are good')
        assert.equal(blockReads.length, segs.size, 'each block is read once')
        // Hash tree nodes: for one segment at most log2(32) = 5 per tree; never whole trees.
        const bhtBytes = l.reads.filter(([at]) => at >= o.blockHashTree && at < o.shareHashChain).reduce((n, [, len]) => n + len, 0)
        assert.ok(bhtBytes <= 32 * Math.min(5 * want.size, 63), `block tree bytes ${bhtBytes} for ${want.size} segments`)
        if (want.size === 1) assert.ok(bhtBytes <= 5 * 32)
      }
    }
  })

  it('a one-segment read moves a few KB, not the share', async () => {
    const { logs } = await readRange(7000, 10)
    const total = logs.reduce((n, l) => n + l.reads.reduce((m, [, len]) => m + len, 0), 0)
    const shareSize = (shares.get(0) as Uint8Array).length
    assert.ok(total < 3 * 1500, `read ${total} bytes over 3 shares (each share is ${shareSize})`)
  })

  it('ranges outside the file are refused; literal caps support ranges', async () => {
    for (const [offset, length] of [[-1, 1], [0, size + 1], [size + 1, 0], [size - 1, 2], [1.5, 1]]) {
      await assert.rejects(collect(readImmutable(cap, [], { offset, length })), InvalidRangeError)
    }
    const lit = await encodeImmutable(data.subarray(0, 40), { convergenceSecret: new Uint8Array(16), k: 3, n: 10 })
    assert.ok(equalBytes(await collect(readImmutable(lit.cap, [], { offset: 10, length: 5 })), data.subarray(10, 15)))
    await assert.rejects(collect(readImmutable(lit.cap, [], { offset: 41 })), InvalidRangeError)
  })

  it('ranged reads from parity shares only', async () => {
    for (const [offset, length] of [[0, 100], [4999, 1002], [size - 3, 3]]) {
      const { got } = await readRange(offset, length, [9, 7, 5])
      assert.ok(equalBytes(got, data.subarray(offset, offset + length)))
    }
  })
})
