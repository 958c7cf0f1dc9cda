/**
 * Building simulated networks on top of kad-sim.ts: routing tables filled by
 * joins and refreshes as kad-dht fills them, provider records stored as its
 * provide stores them, and the cost of locating one file both ways.
 */
import { KadNetwork, lookup, randomKey, rng, type KadParams, type Key } from './kad-sim.js'
/** A key whose first `cpl` bits equal `node`'s and whose next bit differs (routing-table/refresh.ts). */
export function refreshKey (net: KadNetwork, node: number, cpl: number): Key {
  const r = randomKey(net.rand)
  const own = net.hi[node]
  if (cpl >= 31) return { hi: (own ^ 1) >>> 0, lo: r.lo }
  const flip = (0x80000000 >>> cpl) >>> 0
  const keep = cpl === 0 ? 0 : (0xFFFFFFFF << (32 - cpl)) >>> 0
  const below = (flip - 1) >>> 0
  return { hi: ((own & keep) | (~own & flip) | (r.hi & below)) >>> 0, lo: r.lo }
}

/** Longest common prefix between `node` and any peer of its table (refresh.ts `_maxCommonPrefix`, counted in bytes there). */
function maxCommonPrefixBytes (net: KadNetwork, node: number): number {
  let best = 0
  for (const p of net.tables[node]) {
    const x = (net.hi[node] ^ net.hi[p]) >>> 0
    const zeroBytes = x === 0 ? 4 : Math.floor(Math.clz32(x) / 8)
    best = Math.max(best, zeroBytes)
  }
  return best
}

/**
 * What one node does when it starts: its self-query (query-self.ts, which stops
 * after k query events), and the routing-table refresh kad-dht runs at start.
 * The maintenance round ('full') runs the self-lookup to its end (bench/lib/lookup-real.ts
 * does the same on real nodes) and refreshes every cpl.
 */
function startUpLookups (net: KadNetwork, node: number, full: boolean): void {
  lookup(net, node, net.keyOf(node), full ? {} : { maxEvents: net.params.k })
  // refresh.ts computes the max common prefix in whole bytes (leading zero bytes of the XOR) and
  // refreshes cpl 0..that; at start the table is empty, so only cpl 0 runs.
  const top = full ? Math.min(15, maxCommonPrefixBytes(net, node)) : 0
  for (let cpl = 0; cpl <= top; cpl++) lookup(net, node, refreshKey(net, node, cpl))
}

export type NetworkAge = 'young' | 'settled'

/**
 * Builds a network the way real nodes build one: nodes join one after the
 * other, each dials one random earlier node (its bootstrap peer, which learns
 * it too) and then runs kad-dht's start-up lookups (self-lookup, refresh of
 * cpl 0). 'settled' then runs one full maintenance round on every node, as
 * kad-dht does every 5 minutes: a self-lookup and a refresh of every cpl.
 */
export function buildNetwork (size: number, params: KadParams, seed: number, age: NetworkAge = 'settled'): KadNetwork {
  const net = new KadNetwork(size, params, rng(seed))
  for (let i = 1; i < size; i++) {
    const boot = Math.floor(net.rand() * i)
    net.learn(i, boot)
    net.learn(boot, i)
    startUpLookups(net, i, false)
  }
  if (age === 'settled') for (let i = 0; i < size; i++) startUpLookups(net, i, true)
  return net
}

/** Stores provider records as kad-dht's provide does: a lookup, then ADD_PROVIDER to the k closest that answered. */
export function provide (net: KadNetwork, provider: number, key: Key, keyName: string): void {
  const found = lookup(net, provider, key)
  const holders = [...found.closest]
  holders.push(provider) // a provider also keeps its own record
  for (const h of holders) {
    let set = net.providers[h].get(keyName)
    if (set == null) net.providers[h].set(keyName, set = new Set())
    set.add(provider)
  }
}

export interface WayCost { rpcs: number, roundTrips: number }

export interface FileLocateCosts {
  /** Provider walk, stopped when enough have-share answers came back, plus the have-share RPCs. */
  dht: WayCost
  /** Roster cached: one have-share round to the first servers on the ring. */
  clubCached: WayCost
  /** Roster to resolve: an IPNS get (a full walk) and then the have-share round. */
  clubResolve: WayCost
  /** The provider walk alone, run to its end. */
  providerWalk: WayCost
  /** The IPNS get alone (a full walk). */
  ipnsGet: WayCost
}

/**
 * The three ways of src/routing/locate.ts for one file with `shares` servers
 * holding one share each (k-of-N; the DHT way stops once min(N, k+1) distinct
 * shares are confirmed, the club way asks the first N servers of the roster).
 */
export function locateCosts (net: KadNetwork, reader: number, servers: number[], needShares: number, seedKey: Key, keyName: string): FileLocateCosts {
  for (const s of servers) provide(net, s, seedKey, keyName)
  // Measured lookups are frozen: each one sees the network as the provides left it, whatever ran before.
  // The DHT way: each new provider gets a have-share query at once; the walk is
  // aborted when the answer that completes `needShares` arrives.
  let haves = 0
  const answers: number[] = []
  let abortAt: number | undefined
  const walk = lookup(net, reader, seedKey, {
    providerKey: keyName,
    frozen: true,
    onProviders: (providers, at) => {
      for (const _ of providers) {
        haves++
        answers.push(at + 0.5 + net.rand())
      }
      answers.sort((a, b) => a - b)
      if (answers.length >= needShares) abortAt = answers[needShares - 1]
      return abortAt
    }
  })
  const dht = { rpcs: walk.rpcs + haves, roundTrips: walk.roundTrips + (haves > 0 ? 1 : 0) }
  const full = lookup(net, reader, seedKey, { providerKey: keyName, frozen: true })
  // the roster record lives under its own key: a full GET_VALUE walk
  const roster = lookup(net, reader, randomKey(net.rand), { frozen: true })
  const have = servers.length
  return {
    dht,
    clubCached: { rpcs: have, roundTrips: 1 },
    clubResolve: { rpcs: roster.rpcs + have, roundTrips: roster.roundTrips + 1 },
    providerWalk: { rpcs: full.rpcs, roundTrips: full.roundTrips },
    ipnsGet: { rpcs: roster.rpcs, roundTrips: roster.roundTrips }
  }
}

export function tableStats (net: KadNetwork): { mean: number, min: number, max: number } {
  const sizes = net.tables.map(t => t.length)
  return { mean: sizes.reduce((a, b) => a + b, 0) / sizes.length, min: Math.min(...sizes), max: Math.max(...sizes) }
}
