/** Range reads: an MDMF range fetches only its own segments' blocks and hash-tree nodes. */
import assert from 'node:assert/strict'
import {
  blockRange, encodeMutable, InvalidMutableRangeError, mutableShareSourceFromBytes, parseShareHeader, readMutable, toReadCap,
  type MutableShareSource
} from '../../src/mutable/index.js'
import { equalBytes, pseudoRandom, vectorKey } from './helpers.js'

const key = vectorKey(9)

/** A source that records every range read from it. */
function recording (shnum: number, bytes: Uint8Array, log: Array<[number, number, number]>): MutableShareSource {
  const inner = mutableShareSourceFromBytes(shnum, bytes)
  return { shnum, read: async (offset, length) => { log.push([shnum, offset, length]); return await inner.read(offset, length) } }
}

describe('mutable: range reads', function () {
  const plaintext = pseudoRandom(60000, 7)
  const e = encodeMutable(plaintext, { keyPair: key, format: 'mdmf', seqnum: 1, k: 3, n: 10, segmentSize: 3000 })
  const cap = toReadCap(e.cap)
  const h = parseShareHeader(e.shares[0])

  it('has 20 segments of 3000 bytes', function () {
    assert.equal(h.geometry.numSegments, 20)
    assert.equal(h.prefix.segmentSize, 3000)
  })

  it('reads a range inside one segment touching no other segment\'s block', async function () {
    const log: Array<[number, number, number]> = []
    const sources = e.shares.map((s, i) => recording(i, s, log))
    const d = await readMutable(cap, sources, { offset: 30010, length: 100 })
    assert.ok(equalBytes(d.plaintext, plaintext.subarray(30010, 30110)))
    const seg = 10
    for (const [shnum, offset, length] of log) {
      for (let other = 0; other < 20; other++) {
        if (other === seg) continue
        const r = blockRange(h, other)
        const lo = r.saltAt as number
        const hi = r.at + r.length
        assert.ok(offset + length <= lo || offset >= hi, `share ${shnum} read ${offset}+${length}, inside segment ${other}'s block`)
      }
    }
    // Per share: header, key+signature+chain, tree root, one block with its salt, and log2(32)=5 tree nodes.
    const perShare = new Map<number, number>()
    for (const [s, , len] of log) perShare.set(s, (perShare.get(s) ?? 0) + len)
    const blocksRead = [...perShare.values()].filter(b => b > 2000).length
    assert.equal(blocksRead, 3, 'exactly k shares are asked for a block')
    for (const bytes of perShare.values()) assert.ok(bytes < 123 + 1000 + 32 + 1016 + 5 * 32 + 200, `read ${bytes} bytes of a ${e.shares[0].length}-byte share`)
  })

  it('reads ranges across segment boundaries, at the ends, and of length zero', async function () {
    const sources = e.shares.map((s, i) => mutableShareSourceFromBytes(i, s))
    for (const [offset, length] of [[0, 1], [2999, 2], [5999, 6002], [59999, 1], [57000, 3000], [0, 60000], [12345, 0], [60000, 0]]) {
      const d = await readMutable(cap, sources, { offset, length })
      assert.ok(equalBytes(d.plaintext, plaintext.subarray(offset, offset + length)), `${offset}+${length}`)
    }
    assert.ok(equalBytes((await readMutable(cap, sources, { offset: 59000 })).plaintext, plaintext.subarray(59000)))
  })

  it('refuses a range outside the file', async function () {
    const sources = e.shares.map((s, i) => mutableShareSourceFromBytes(i, s))
    await assert.rejects(readMutable(cap, sources, { offset: 59990, length: 11 }), InvalidMutableRangeError)
    await assert.rejects(readMutable(cap, sources, { offset: -1, length: 1 }), InvalidMutableRangeError)
  })

  it('reads SDMF ranges from its one segment', async function () {
    const s = encodeMutable(plaintext, { keyPair: key, format: 'sdmf', seqnum: 1, k: 3, n: 10 })
    const sources = s.shares.map((b, i) => mutableShareSourceFromBytes(i, b))
    const d = await readMutable(toReadCap(s.cap), sources, { offset: 100, length: 50000 })
    assert.ok(equalBytes(d.plaintext, plaintext.subarray(100, 50100)))
  })
})
