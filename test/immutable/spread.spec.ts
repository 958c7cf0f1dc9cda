import assert from 'node:assert/strict'
import { ShareReader, type ShareSource } from '../../src/immutable/share-reader.js'
import { SegmentSpread } from '../../src/immutable/spread.js'

const K = 3
const BLOCK = 43_691
const file = { k: K, n: 10, size: 1, uebHash: new Uint8Array(32) }

/** Readers over sources that are never read: the choice looks only at share numbers, servers and what is known of them. */
function readers (specs: Array<{ shnum: number, server: string, bps?: number, preference?: number }>): ShareReader[] {
  return specs.map(s => {
    const source: ShareSource = { shnum: s.shnum, server: s.server, bytesPerSecond: s.bps, preference: s.preference, read: async () => new Uint8Array(0) }
    return new ShareReader(source, file)
  })
}

function tally (picks: ShareReader[][]): Map<string, number> {
  const out = new Map<string, number>()
  for (const p of picks) for (const r of p) out.set(r.source.server as string, (out.get(r.source.server as string) ?? 0) + 1)
  return out
}

describe('immutable: choosing k shares per segment by throughput (spread.ts)', () => {
  it('k distinct shares per segment, in share-number order; equal servers get equal turns', () => {
    const spread = new SegmentSpread(() => 0)
    const open = readers(Array.from({ length: 10 }, (_, i) => ({ shnum: i, server: `s${i}` })))
    const picks = Array.from({ length: 100 }, () => spread.choose(open, K, BLOCK))
    for (const p of picks) {
      assert.equal(p.length, K)
      assert.deepEqual(p.map(r => r.shnum), [...new Set(p.map(r => r.shnum))].sort((a, b) => a - b))
    }
    assert.deepEqual(picks[0].map(r => r.shnum), [0, 1, 2], 'the primaries first (no decoding)')
    for (const [server, n] of tally(picks)) assert.ok(n >= 29 && n <= 31, `${server} got ${n} of 300 blocks`)
  })

  it('a server known to be five times slower gets about a fifth of the blocks of each fast one', () => {
    const spread = new SegmentSpread(() => 0)
    const open = readers([
      ...Array.from({ length: 5 }, (_, i) => ({ shnum: i, server: `fast${i}`, bps: 10e6 })),
      { shnum: 5, server: 'slow', bps: 2e6 }
    ])
    const t = tally(Array.from({ length: 260 }, () => spread.choose(open, K, BLOCK)))
    const slow = t.get('slow') ?? 0
    for (let i = 0; i < 5; i++) {
      const fast = t.get(`fast${i}`) ?? 0
      assert.ok(fast >= 4.5 * slow && fast <= 5.5 * slow, `fast${i} ${fast} blocks, slow ${slow}`)
    }
  })

  it('a server that measures slow gets fewer blocks; a stalled request steers work away at once; idle, it is tried again', async () => {
    let now = 0
    const spread = new SegmentSpread(() => now)
    const open = readers(Array.from({ length: 4 }, (_, i) => ({ shnum: i, server: `s${i}` })))
    // Every server answers six blocks; s3 takes ten times as long as the others (10 ms vs 1 ms) (the first answer only warms up).
    for (let round = 0; round < 6; round++) {
      for (const r of open) {
        let release!: () => void
        const read = spread.measure(r, BLOCK, async () => { await new Promise<void>(resolve => { release = resolve }) })
        now += r.shnum === 3 ? 10 : 1
        release()
        await read
      }
    }
    const t = tally(Array.from({ length: 40 }, () => spread.choose(open, K, BLOCK)))
    assert.ok((t.get('s3') ?? 0) * 4 < (t.get('s0') ?? 0), `s3 (slow) ${t.get('s3')} blocks vs s0 ${t.get('s0')}`)

    // s0 holds a request that has not been answered for a second: the next segments go around it.
    let release!: () => void
    const stalled = spread.measure(open[0], BLOCK, async () => { await new Promise<void>(resolve => { release = resolve }) })
    now += 1000
    for (let i = 0; i < 5; i++) assert.ok(!spread.choose(open, K, BLOCK).includes(open[0]), 'the stalled server is not asked')
    release()
    await stalled

    // Long idle, the slow server's measurement fades back towards the fastest: it gets blocks again.
    now += 10_000
    const later = tally(Array.from({ length: 40 }, () => spread.choose(open, K, BLOCK)))
    assert.ok((later.get('s3') ?? 0) > 0, 's3 is tried again')
  })

  it('runs of blocks go only to servers that answered their probes and are not much slower than the fastest', async () => {
    let now = 0
    const spread = new SegmentSpread(() => now)
    const open = readers(Array.from({ length: 3 }, (_, i) => ({ shnum: i, server: `s${i}` })))
    const answer = async (r: ShareReader, ms: number): Promise<void> => {
      let release!: () => void
      const read = spread.measure(r, BLOCK, async () => { await new Promise<void>(resolve => { release = resolve }) })
      now += ms
      release()
      await read
    }
    assert.deepEqual(open.map(r => spread.runnable(r)), [false, false, false], 'unknown servers get single blocks')
    // s2 takes twenty times as long as the others
    for (let round = 0; round < 6; round++) for (const r of open) await answer(r, r.shnum === 2 ? 20 : 1)
    assert.deepEqual(open.map(r => spread.runnable(r)), [true, true, false])
  })

  it('a server whose throughput the caller knew is given runs at once, unless it is much slower than the fastest', () => {
    const spread = new SegmentSpread(() => 0)
    const open = readers([
      { shnum: 0, server: 'known', bps: 10e6 },
      { shnum: 1, server: 'also-known', bps: 9e6 },
      { shnum: 2, server: 'known-slow', bps: 1e6 },
      { shnum: 3, server: 'unknown' }
    ])
    assert.deepEqual(open.map(r => spread.runnable(r)), [true, true, false, false], 'seeded and fast: runs; seeded and slow, or unknown: single blocks')
    // An unknown server being probed gets one block at a time; a seeded one is not held back while it has one out.
    for (let i = 0; i < 4; i++) spread.choose(open, K, BLOCK)
    const inFlight = (name: string): ShareReader => open.find(r => r.source.server === name) as ShareReader
    const pending: Array<Promise<unknown>> = []
    let release!: () => void
    const gate = new Promise<void>(resolve => { release = resolve })
    for (const name of ['known', 'unknown']) pending.push(spread.measure(inFlight(name), BLOCK, async () => { await gate }))
    const next = tally(Array.from({ length: 6 }, () => spread.choose(open, K, BLOCK)))
    assert.ok((next.get('known') ?? 0) > 0, 'a seeded server with a block out is still chosen')
    assert.equal(next.get('unknown') ?? 0, 0, 'a server being probed is not chosen while its probe is out (others suffice)')
    release()
    return Promise.all(pending)
  })

  it('shares of a server that failed lately or is on probation are used only when the others are not enough', () => {
    const spread = new SegmentSpread(() => 0)
    const open = readers([{ shnum: 0, server: 'a' }, { shnum: 1, server: 'b' }, { shnum: 2, server: 'c' }, { shnum: 3, server: 'bad', preference: 3 }])
    for (let i = 0; i < 20; i++) assert.deepEqual(spread.choose(open, K, BLOCK).map(r => r.shnum), [0, 1, 2])
    assert.deepEqual(spread.choose(open.slice(1), K, BLOCK).map(r => r.shnum), [1, 2, 3], 'needed: used')
  })
})
