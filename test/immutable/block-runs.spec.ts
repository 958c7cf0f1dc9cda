import assert from 'node:assert/strict'
import { BlockRuns, MAX_RUN_SEGMENTS, runLength, runSegments } from '../../src/immutable/block-runs.js'
import { computeParams } from '../../src/immutable/params.js'
import { ShareReader, splitPieces, type ShareSource } from '../../src/immutable/share-reader.js'

const file = { k: 3, n: 10, size: 1, uebHash: new Uint8Array(32) }

function readers (n: number): ShareReader[] {
  return Array.from({ length: n }, (_, i) => {
    const source: ShareSource = { shnum: i, server: `s${i}`, read: async () => new Uint8Array(0) }
    return new ShareReader(source, file)
  })
}

describe('immutable: runs of blocks for a spreading download (block-runs.ts)', () => {
  it('a run reads about 1 MiB of a share: three blocks of 1 MiB segments with k = 3, never more than the cap, at least one', () => {
    const p = computeParams(64 * 2 ** 20, 3, 10, 2 ** 20)
    assert.equal(runSegments(p.blockSize), 3)
    assert.equal(runSegments(40 * 1024), MAX_RUN_SEGMENTS)
    assert.equal(runSegments(2 * 2 ** 20), 1)
    // the last segment is short: a run ending there reads only what the share holds
    const last = p.numSegments - 1
    assert.equal(runLength(p, last - 2, 3), 2 * p.blockSize + (runLength(p, last, 1)))
    assert.ok(runLength(p, last, 1) <= p.blockSize)
  })

  it('runs are aligned; a choice holds for the rest of its run until one of its shares is dropped', () => {
    const runs = new BlockRuns(3, 10)
    assert.deepEqual(runs.rest(0), { first: 0, count: 3 })
    assert.deepEqual(runs.rest(4), { first: 4, count: 2 })
    assert.deepEqual(runs.rest(9), { first: 9, count: 1 })
    const open = readers(5)
    const picked = open.slice(0, 3)
    const c = runs.choose(0, 3, picked)
    assert.equal(runs.choiceFor(1, open), c)
    assert.equal(runs.take(1), c)
    assert.equal(runs.take(1), undefined, 'a segment takes its choice once')
    // share 0 dropped: segment 2 must choose again
    assert.equal(runs.choiceFor(2, open.slice(1)), undefined)
    assert.equal(runs.choiceFor(2, open), undefined, 'an invalid choice is forgotten')
  })

  it('each chosen share reads its run once; every segment of the run gets its own block; a failed run fails each of them', async () => {
    const runs = new BlockRuns(3, 3)
    const open = readers(3)
    const c = runs.choose(0, 3, open)
    let calls = 0
    const readRun = async (): Promise<Uint8Array[][]> => { calls++; return [[Uint8Array.of(0)], [Uint8Array.of(1)], [Uint8Array.of(2)]] }
    const got = await Promise.all([0, 1, 2].map(async i => await c.block(open[0], i, readRun)))
    assert.equal(calls, 1)
    assert.deepEqual(got.map(b => b[0][0]), [0, 1, 2])
    const failing = runs.choose(0, 3, open)
    const boom = async (): Promise<Uint8Array[][]> => { throw new Error('server gone') }
    const results = await Promise.allSettled([0, 1, 2].map(async i => await failing.block(open[1], i, boom)))
    assert.deepEqual(results.map(r => r.status), ['rejected', 'rejected', 'rejected'])
  })

  it('splitPieces cuts a run into blocks as views, across piece boundaries, without copying', () => {
    const whole = Uint8Array.from({ length: 10 }, (_, i) => i)
    const pieces = [whole.subarray(0, 4), whole.subarray(4, 5), whole.subarray(5, 10)]
    const blocks = splitPieces(pieces, [3, 3, 4])
    assert.deepEqual(blocks.map(b => Array.from(Buffer.concat(b))), [[0, 1, 2], [3, 4, 5], [6, 7, 8, 9]])
    for (const b of blocks) for (const v of b) assert.equal(v.buffer, whole.buffer)
    assert.deepEqual(splitPieces([whole], [10]).map(b => b.length), [1])
  })
})
