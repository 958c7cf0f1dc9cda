/**
 * Upload hashing on the segment worker (src/immutable/encode-hashing.ts)
 * gives the very shares and cap that hashing inline gives, for whole and
 * padded tail segments and for crypttext a helper encodes; an upload that
 * stops early leaves nothing behind that spoils the next one.
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { encodeChk, encodeImmutable, planChk, type EncodedImmutable } from '../../src/immutable/index.js'
import { WORKER_MIN_SEGMENTS } from '../../src/immutable/encode-hashing.js'
import { segmentWorkerCount } from '../../src/immutable/segment-worker.js'

/** Runs `fn` with the segment worker off (LAFS_SEGMENT_WORKER=0 is read on every use). */
async function inline<T> (fn: () => Promise<T>): Promise<T> {
  const before = process.env.LAFS_SEGMENT_WORKER
  process.env.LAFS_SEGMENT_WORKER = '0'
  try {
    return await fn()
  } finally {
    if (before === undefined) delete process.env.LAFS_SEGMENT_WORKER
    else process.env.LAFS_SEGMENT_WORKER = before
  }
}

const digest = (r: EncodedImmutable): string[] => [...r.shares].map(([s, b]) => `${s}:${createHash('sha256').update(b).digest('hex')}`)

describe('immutable: upload hashing on the segment worker', function () {
  this.timeout(60_000)

  for (const [what, size, k, n] of [
    ['whole segments, 3-of-10', 24 * 4096, 3, 10],
    ['a padded tail segment, 3-of-10', 24 * 4096 + 1001, 3, 10],
    ['a tail of 5 bytes, shorter than k, 7-of-9', 8 * 4102 + 5, 7, 9]
  ] as const) {
    it(`gives the shares and cap of inline hashing: ${what}`, async () => {
      const data = randomBytes(size)
      const opts = { convergenceSecret: randomBytes(16), k, n, maxSegmentSize: 4096 }
      const hashedBefore = segmentWorkerCount()
      const onWorker = await encodeImmutable(data, opts)
      const segments = Math.ceil(size / (Math.ceil(4096 / k) * k))
      assert.ok(segments >= WORKER_MIN_SEGMENTS)
      assert.equal(segmentWorkerCount() - hashedBefore, segments, 'every segment was hashed on the worker')
      const hashedInline = segmentWorkerCount()
      const onThread = await inline(async () => await encodeImmutable(data, opts))
      assert.equal(segmentWorkerCount(), hashedInline, 'none was, with the worker off')
      assert.equal(onWorker.cap, onThread.cap)
      assert.deepEqual(digest(onWorker), digest(onThread))
    })
  }

  it('an upload abandoned mid-file does not spoil the next one on the worker', async () => {
    const data = randomBytes(32 * 4096)
    const opts = { convergenceSecret: randomBytes(16), k: 3, n: 10, maxSegmentSize: 4096 }
    const plan = await planChk(data, opts)
    let seen = 0
    for await (const ev of encodeChk(plan, data)) {
      if (ev.type === 'blocks' && ++seen === 10) break // the consumer stops: the encoder's finally runs
    }
    assert.equal(seen, 10)
    const again = await encodeImmutable(data, opts)
    const reference = await inline(async () => await encodeImmutable(data, opts))
    assert.equal(again.cap, reference.cap)
    assert.deepEqual(digest(again), digest(reference))
  })
})
