/**
 * The Kademlia simulator behind `npm run bench:lookup`: a lookup on complete
 * tables must find exactly the true k closest nodes in one round, a lookup
 * on tables built by joining must still find (nearly) all of them, the
 * routing table must keep kad-dht's 64 cells of k, and the cost must grow
 * far slower than N.
 */
import assert from 'node:assert/strict'
import { KadNetwork, KAD_DHT_DEFAULTS, lookup, randomKey, rng, TEXTBOOK_ALPHA3, type KadParams } from '../../bench/lib/kad-sim.js'
import { buildNetwork, refreshKey } from '../../bench/lib/kad-sim-network.js'

function complete (size: number, params: KadParams, seed: number): KadNetwork {
  const net = new KadNetwork(size, params, rng(seed))
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) net.learn(i, j)
  return net
}

function meanOver (net: KadNetwork, lookups: number, f: (r: ReturnType<typeof lookup>, from: number, key: ReturnType<typeof randomKey>) => number): number {
  let sum = 0
  for (let i = 0; i < lookups; i++) {
    const from = Math.floor(net.rand() * net.size)
    const key = randomKey(net.rand)
    sum += f(lookup(net, from, key, { frozen: true }), from, key)
  }
  return sum / lookups
}

describe('bench/kad-sim: Kademlia lookups as kad-dht 16 runs them', function () {
  this.timeout(20_000)

  it('on complete tables finds the true k closest in one round of min(k, N-1) RPCs', () => {
    for (const params of [KAD_DHT_DEFAULTS, TEXTBOOK_ALPHA3]) {
      const net = complete(60, params, 1)
      for (let i = 0; i < 20; i++) {
        const from = i
        const key = randomKey(net.rand)
        const r = lookup(net, from, key, { frozen: true })
        assert.deepEqual(new Set(r.closest), new Set(net.trueClosest(key, 20, from)))
        if (params === KAD_DHT_DEFAULTS) {
          // 20 paths of one starting peer each: the first wave is all of it
          assert.equal(r.rpcs, 20)
          assert.equal(r.roundTrips, 1)
        } else {
          // one path, alpha 3: every one of the 20 must still answer before the list is final
          assert.equal(r.rpcs, 20)
        }
      }
    }
    const small = complete(8, KAD_DHT_DEFAULTS, 2)
    assert.equal(lookup(small, 0, randomKey(small.rand), { frozen: true }).rpcs, 7)
  })

  it('keeps at most k peers per 6-bit cell of the id, as the kad-dht trie does', () => {
    const params = { ...KAD_DHT_DEFAULTS, k: 3 }
    const net = new KadNetwork(400, params, rng(3))
    for (let j = 1; j < 400; j++) net.learn(0, j)
    const perCell = new Map<number, number>()
    for (const p of net.tables[0]) {
      const cell = net.hi[p] >>> 26
      perCell.set(cell, (perCell.get(cell) ?? 0) + 1)
    }
    assert.ok([...perCell.values()].every(c => c <= 3))
    assert.ok(net.tables[0].length > 150 && net.tables[0].length <= 64 * 3, `table of ${net.tables[0].length}`)
  })

  it('makes refresh keys that share exactly cpl leading bits with the node', () => {
    const net = new KadNetwork(5, KAD_DHT_DEFAULTS, rng(4))
    for (let cpl = 0; cpl < 16; cpl++) {
      const key = refreshKey(net, 2, cpl)
      assert.equal(Math.clz32((key.hi ^ net.hi[2]) >>> 0), cpl)
    }
  })

  it('on tables built by joining, finds nearly all of the true k closest', () => {
    for (const params of [KAD_DHT_DEFAULTS, TEXTBOOK_ALPHA3]) {
      const net = buildNetwork(300, params, 5, 'settled')
      const found = meanOver(net, 30, (r, from, key) => {
        const truth = new Set(net.trueClosest(key, 20, from))
        return r.closest.filter(p => truth.has(p)).length
      })
      assert.ok(found >= 18, `found ${found.toFixed(1)} of the true 20 closest on average`)
    }
  })

  it('costs grow far slower than N: round trips under log2(N); textbook RPCs beyond the k answers under log2(N)', () => {
    const rt: number[] = []
    const rpcs: number[] = []
    for (const n of [50, 500]) {
      const net = buildNetwork(n, TEXTBOOK_ALPHA3, 6, 'settled')
      rt.push(meanOver(net, 40, r => r.roundTrips))
      rpcs.push(meanOver(net, 40, r => r.rpcs))
      assert.ok(rt[rt.length - 1] < Math.log2(n), `N=${n}: ${rt[rt.length - 1]} round trips`)
      // a lookup must hear from k = 20 peers; a textbook one pays about one more RPC per bit of log2(N)
      assert.ok(rpcs[rpcs.length - 1] <= 20 + Math.log2(n), `N=${n}: ${rpcs[rpcs.length - 1]} RPCs`)
    }
    // ten times the nodes: more work, but nowhere near ten times
    assert.ok(rpcs[1] >= rpcs[0] && rpcs[1] < 2 * rpcs[0], `RPCs ${rpcs.join(' → ')}`)
    assert.ok(rt[1] >= rt[0], `round trips ${rt.join(' → ')}`)
  })

  it('is reproducible from its seed', () => {
    const a = buildNetwork(120, KAD_DHT_DEFAULTS, 9, 'young')
    const b = buildNetwork(120, KAD_DHT_DEFAULTS, 9, 'young')
    assert.deepEqual(a.tables, b.tables)
    const key = randomKey(rng(1))
    assert.deepEqual(lookup(a, 3, key, { frozen: true }), lookup(b, 3, key, { frozen: true }))
  })
})
