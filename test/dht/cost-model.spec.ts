import assert from 'node:assert/strict'
import { estimateFromDistances, estimateLookupCost } from '../../src/dht/index.js'

describe('dht: cost model and size estimator (no network)', function () {
  it('predicts one round of min(k, N-1) RPCs up to k nodes, and more hops beyond', function () {
    assert.deepEqual(estimateLookupCost(1), { networkSize: 1, roundTrips: 0, rpcs: 0, upperRpcs: 0 })
    const small = estimateLookupCost(20)
    assert.equal(small.roundTrips, 1)
    assert.equal(small.rpcs, 19)
    // one more node than k still fits the first wave: a lookup never asks a node twice
    assert.deepEqual(estimateLookupCost(21), { networkSize: 21, roundTrips: 1, rpcs: 20, upperRpcs: 20 })
    for (const n of [2, 5, 21, 22, 30, 50, 1000]) {
      const e = estimateLookupCost(n)
      assert.ok(e.rpcs <= n - 1 && e.upperRpcs <= n - 1 && e.upperRpcs >= e.rpcs, `N=${n}: ${JSON.stringify(e)}`)
    }
    const fifty = estimateLookupCost(50)
    assert.ok(fifty.rpcs >= 25 && fifty.rpcs <= 35, `N=50: ${fifty.rpcs} (measured 29)`)
    const big = estimateLookupCost(10_000)
    assert.ok(big.roundTrips > fifty.roundTrips && big.rpcs > fifty.rpcs && big.upperRpcs >= big.rpcs)
  })

  it('recovers the size of uniformly random networks within a factor of two', function () {
    const KEYSPACE = 2n ** 256n
    for (const n of [10, 100, 1000, 10_000]) {
      const estimates: number[] = []
      for (let t = 0; t < 7; t++) {
        // the k nearest of n-1 uniform ids: what a full routing-table neighbourhood holds
        const all = Array.from({ length: n - 1 }, () => BigInt('0x' + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')) % KEYSPACE)
        const nearest = all.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, 20)
        estimates.push(estimateFromDistances(nearest, 20))
      }
      const median = estimates.sort((a, b) => a - b)[3]
      assert.ok(median >= n / 2 && median <= n * 2, `N=${n}: median estimate ${median}`)
    }
  })
})
