import assert from 'node:assert/strict'
import { PeerTokenBuckets } from '../../src/protocols/rate-limit/token-bucket.js'

describe('protocols: per-peer token buckets', () => {
  let now = 0
  const clock = (): number => now
  beforeEach(() => { now = 1_000_000 })

  it('allows a burst, then refuses with the time until enough tokens are back', () => {
    const b = new PeerTokenBuckets({ tokensPerSecond: 100, burst: 50, now: clock })
    assert.deepEqual(b.take('a', 30), { ok: true })
    assert.deepEqual(b.take('a', 20), { ok: true })
    assert.deepEqual(b.take('a', 10), { ok: false, retryAfterMs: 100 })
    now += 99
    assert.equal(b.take('a', 10).ok, false)
    now += 1
    assert.deepEqual(b.take('a', 10), { ok: true })
  })

  it('refills up to the burst and no further', () => {
    const b = new PeerTokenBuckets({ tokensPerSecond: 1000, burst: 10, now: clock })
    b.take('a', 10)
    now += 60_000
    assert.deepEqual(b.take('a', 10), { ok: true })
    assert.equal(b.take('a', 1).ok, false)
  })

  it('keeps peers apart and charges a cost above the burst as the whole burst', () => {
    const b = new PeerTokenBuckets({ tokensPerSecond: 10, burst: 5, now: clock })
    assert.deepEqual(b.take('a', 500), { ok: true })
    assert.deepEqual(b.take('a', 1), { ok: false, retryAfterMs: 100 })
    assert.deepEqual(b.take('b', 5), { ok: true })
  })

  it('forgets idle peers when the table is full, never exceeding its size', () => {
    const b = new PeerTokenBuckets({ tokensPerSecond: 1, burst: 1, maxKeys: 100, now: clock })
    for (let i = 0; i < 1000; i++) {
      b.take(`peer${i}`)
      assert.ok(b.size <= 100)
    }
    // drained buckets of recent peers are kept: a peer cannot reset its bucket by waiting out others
    now += 10
    b.take('x')
    assert.equal(b.take('peer999').ok, false)
  })

  it('rejects nonsense settings', () => {
    assert.throws(() => new PeerTokenBuckets({ tokensPerSecond: 0, burst: 1 }), RangeError)
    assert.throws(() => new PeerTokenBuckets({ tokensPerSecond: 1, burst: 0 }), RangeError)
  })
})
