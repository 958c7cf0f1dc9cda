/**
 * A Kademlia lookup simulator that follows @libp2p/kad-dht 16.4 step by step,
 * for networks too large to run as real nodes on this machine (bench/lookup.ts
 * checks it against real kad-dht nodes at N = 50 and 100 first).
 *
 * What it mirrors, with the kad-dht file it comes from:
 * - ids: kad id = sha256 of the key (peer ids, CIDs); here ids are drawn
 *   uniformly, which is what sha256 makes them. Distances use the top 64 bits
 *   of the XOR (two 32-bit halves); two of 1,000 ids agree on 64 bits with
 *   odds of ~1e-14, so the order of peers is the same as on 256 bits.
 * - routing table (routing-table/k-bucket.ts): a trie over the ids' own bits
 *   (not the distance to us) whose leaves split when full, down to
 *   prefixLength = 6; a leaf at depth 6 keeps at most k = 20 peers and refuses
 *   more while the old ones answer pings. So a peer is taken iff fewer than
 *   k peers share its first 6 bits in the table: 64 cells of 20.
 * - who learns whom: a querier adds every peer that answered it
 *   (query/manager.ts queueRoutingTableUpdate), and the answering peer adds
 *   the querier when the connection opens (topology-listener.ts). Peers named
 *   in answers are not added until they answer themselves.
 * - a lookup (query/manager.ts, query/query-path.ts): the querier's k closest
 *   table peers, shuffled, dealt round-robin onto `disjointPaths` paths; each
 *   path has a queue sorted by distance, `alpha` requests in flight, and its own
 *   list of the k closest peers that answered. A queued peer is skipped (no
 *   request) when it can no longer enter that list. A peer named in an answer
 *   is queued only if no path has seen it, it is not the querier, it is strictly
 *   closer to the key than the peer that named it, and it could enter the
 *   list. The lookup ends when every path's queue is idle. An answer names
 *   the answering node's k closest table peers to the key
 *   (peer-routing getClosestPeersOffline).
 * - cost, as src/dht/cost-meter.ts counts it: one RPC per request sent; round
 *   trips = deepest hop of a request, where a peer is hop 1 when first dialled
 *   as a starting peer and h + 1 when first named by an answer from hop h.
 * - request latencies are random (uniform 0.5-1.5 time units), so which
 *   answers arrive first varies as it does on a real network.
 */

export interface KadParams {
  /** Bucket size, closest-set size, answer size. kad-dht: 20. */
  k: number
  /** Requests in flight per path. kad-dht default: 10. */
  alpha: number
  /** Disjoint paths. kad-dht default: k (20), one starting peer each. */
  disjointPaths: number
  /** Trie depth of the routing table. kad-dht: 6. */
  prefixLength: number
}

/** kad-dht 16 as lafs-club runs it (src/dht/service.ts passes no overrides). */
export const KAD_DHT_DEFAULTS: KadParams = { k: 20, alpha: 10, disjointPaths: 20, prefixLength: 6 }

/** The textbook lookup the issue names: k = 20, α = 3, one path. */
export const TEXTBOOK_ALPHA3: KadParams = { k: 20, alpha: 3, disjointPaths: 1, prefixLength: 6 }

/** A small, fast, seedable PRNG (mulberry32), so every figure can be reproduced. */
export function rng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A 64-bit id prefix as two unsigned 32-bit halves. */
export interface Key { hi: number, lo: number }

export const randomKey = (rand: () => number): Key => ({ hi: Math.floor(rand() * 4294967296) >>> 0, lo: Math.floor(rand() * 4294967296) >>> 0 })

/** Key from the first 8 bytes of a 32-byte kad id. */
export function keyFromBytes (bytes: Uint8Array): Key {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return { hi: view.getUint32(0, false), lo: view.getUint32(4, false) }
}

/** XOR distance as a double: exact ordering on the top 53 bits, ties beyond that broken arbitrarily. */
const distance = (aHi: number, aLo: number, key: Key): number => ((aHi ^ key.hi) >>> 0) * 4294967296 + ((aLo ^ key.lo) >>> 0)

export class KadNetwork {
  readonly hi: Uint32Array
  readonly lo: Uint32Array
  /** Each node's routing table: peer indexes, and how many fall in each 6-bit cell. */
  readonly tables: number[][]
  private readonly members: Array<Set<number>>
  private readonly cells: Uint8Array[]
  /** Provider records each node holds: key string → provider indexes. */
  readonly providers: Array<Map<string, Set<number>>>

  constructor (readonly size: number, readonly params: KadParams, readonly rand: () => number, ids?: Key[]) {
    this.hi = new Uint32Array(size)
    this.lo = new Uint32Array(size)
    for (let i = 0; i < size; i++) {
      const id = ids?.[i] ?? randomKey(rand)
      this.hi[i] = id.hi
      this.lo[i] = id.lo
    }
    this.tables = Array.from({ length: size }, () => [])
    this.members = Array.from({ length: size }, () => new Set())
    this.cells = Array.from({ length: size }, () => new Uint8Array(1 << params.prefixLength))
    this.providers = Array.from({ length: size }, () => new Map())
  }

  keyOf (node: number): Key { return { hi: this.hi[node], lo: this.lo[node] } }

  /** Adds `peer` to `node`'s table if its cell has room (every simulated peer answers pings, so none is evicted). */
  learn (node: number, peer: number): void {
    if (node === peer || this.members[node].has(peer)) return
    const cell = this.hi[peer] >>> (32 - this.params.prefixLength)
    if (this.cells[node][cell] >= this.params.k) return
    this.cells[node][cell]++
    this.members[node].add(peer)
    this.tables[node].push(peer)
  }

  knows (node: number, peer: number): boolean { return this.members[node].has(peer) }

  /** The `count` peers of `node`'s table closest to `key`, closest first. */
  closestInTable (node: number, key: Key, count: number): number[] {
    const table = this.tables[node]
    const best: number[] = []
    const bestD: number[] = []
    for (const p of table) {
      const d = distance(this.hi[p], this.lo[p], key)
      if (best.length === count && d >= bestD[count - 1]) continue
      let at = best.length === count ? count - 1 : best.length
      while (at > 0 && bestD[at - 1] > d) {
        if (at < count) { best[at] = best[at - 1]; bestD[at] = bestD[at - 1] }
        at--
      }
      best[at] = p
      bestD[at] = d
      if (best.length > count) { best.length = count; bestD.length = count }
    }
    return best
  }

  /** The true `count` closest nodes to `key` (excluding `except`), by brute force. */
  trueClosest (key: Key, count: number, except = -1): number[] {
    const all: Array<[number, number]> = []
    for (let i = 0; i < this.size; i++) if (i !== except) all.push([distance(this.hi[i], this.lo[i], key), i])
    all.sort((a, b) => a[0] - b[0])
    return all.slice(0, count).map(e => e[1])
  }

  distanceOf (node: number, key: Key): number { return distance(this.hi[node], this.lo[node], key) }
}

export interface LookupOptions {
  /** Provider records to look for: the walk reports when answers carry them. */
  providerKey?: string
  /**
   * Called with the new providers from each answer, at the answer's time; return
   * a time at which to abort the walk (requests started before it still count), or undefined.
   */
  onProviders?: (providers: number[], at: number) => number | undefined
  /** Do not let this lookup change any routing table (measuring on a frozen snapshot). */
  frozen?: boolean
  /**
   * Stop after this many query events (DIAL_PEER and SEND_QUERY per request,
   * PEER_RESPONSE per answer), as kad-dht's self-query does with `take(k)`.
   */
  maxEvents?: number
}

export interface LookupResult {
  rpcs: number
  roundTrips: number
  /** The k closest peers that answered, closest first (what FINAL_PEER events would name). */
  closest: number[]
  /** Time units until the walk ended or was aborted. */
  time: number
  /** RPCs sent when the first answer carrying a provider arrived (undefined: none did). */
  rpcsAtFirstProvider?: number
  roundTripsAtFirstProvider?: number
  aborted: boolean
}

interface Path {
  queue: Array<{ peer: number, d: number }>
  running: number
  closest: Array<{ peer: number, d: number }>
}

/** Min-heap of pending answers by time. */
class Events {
  private readonly items: Array<{ t: number, path: number, peer: number }> = []
  get size (): number { return this.items.length }
  push (e: { t: number, path: number, peer: number }): void {
    const a = this.items
    a.push(e)
    let i = a.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (a[p].t <= a[i].t) break
      ;[a[p], a[i]] = [a[i], a[p]]
      i = p
    }
  }

  pop (): { t: number, path: number, peer: number } {
    const a = this.items
    const top = a[0]
    const last = a.pop() as { t: number, path: number, peer: number }
    if (a.length > 0) {
      a[0] = last
      let i = 0
      while (true) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < a.length && a[l].t < a[m].t) m = l
        if (r < a.length && a[r].t < a[m].t) m = r
        if (m === i) break
        ;[a[m], a[i]] = [a[i], a[m]]
        i = m
      }
    }
    return top
  }
}

function canAdd (list: Path['closest'], d: number, k: number): boolean {
  return list.length < k || d < list[list.length - 1].d
}

function addClosest (list: Path['closest'], peer: number, d: number, k: number): void {
  if (list.some(e => e.peer === peer)) return
  if (list.length === k && d >= list[k - 1].d) return
  let at = list.findIndex(e => e.d >= d)
  if (at < 0) at = list.length
  list.splice(at, 0, { peer, d })
  if (list.length > k) list.length = k
}

/** One kad-dht query from `from` towards `key` (GET_PROVIDERS, GET_VALUE and FIND_NODE all walk alike). */
export function lookup (net: KadNetwork, from: number, key: Key, options: LookupOptions = {}): LookupResult {
  const { k, alpha, disjointPaths } = net.params
  const rand = net.rand
  const start = net.closestInTable(from, key, k)
  // kad-dht shuffles with a coin-flip comparator; any shuffle deals peers to paths the same way on average
  for (let i = start.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[start[i], start[j]] = [start[j], start[i]]
  }
  const paths: Path[] = []
  start.forEach((peer, i) => {
    const at = i % disjointPaths
    paths[at] ??= { queue: [], running: 0, closest: [] }
    paths[at].queue.push({ peer, d: net.distanceOf(peer, key) })
  })
  const seen = new Set<number>(start)
  const hops = new Map<number, number>()
  const events = new Events()
  let rpcs = 0
  let depth = 0
  let now = 0
  let abortAt = Infinity
  let queryEvents = 0
  const maxEvents = options.maxEvents ?? Infinity
  let firstProvider: { rpcs: number, depth: number } | undefined
  const providersFound = new Set<number>()
  if (options.providerKey != null) {
    const local = net.providers[from].get(options.providerKey)
    if (local != null && local.size > 0) {
      const fresh = [...local]
      fresh.forEach(p => providersFound.add(p))
      firstProvider = { rpcs: 0, depth: 0 }
      const abort = options.onProviders?.(fresh, 0)
      if (abort != null) abortAt = Math.min(abortAt, abort)
    }
  }

  const pump = (pathIndex: number): void => {
    const path = paths[pathIndex]
    // an aborted walk starts nothing new
    if (now >= abortAt) return
    while (path.running < alpha && path.queue.length > 0) {
      // the queue hands out its closest job first
      let best = 0
      for (let i = 1; i < path.queue.length; i++) if (path.queue[i].d < path.queue[best].d) best = i
      const job = path.queue.splice(best, 1)[0]
      if (!canAdd(path.closest, job.d, k)) continue
      if (queryEvents >= maxEvents) return
      queryEvents += 2
      if (!hops.has(job.peer)) hops.set(job.peer, 1)
      depth = Math.max(depth, hops.get(job.peer) as number)
      rpcs++
      path.running++
      events.push({ t: now + 0.5 + rand(), path: pathIndex, peer: job.peer })
    }
  }

  paths.forEach((_, i) => { pump(i) })
  while (events.size > 0) {
    const ev = events.pop()
    if (ev.t >= abortAt) { now = abortAt; break }
    now = ev.t
    if (queryEvents >= maxEvents) break
    queryEvents++
    const path = paths[ev.path]
    path.running--
    const peer = ev.peer
    const d = net.distanceOf(peer, key)
    if (options.frozen !== true) {
      net.learn(from, peer)
      net.learn(peer, from)
    }
    addClosest(path.closest, peer, d, k)
    const hop = hops.get(peer) ?? 1
    const answer = net.closestInTable(peer, key, k)
    for (const p of answer) if (!hops.has(p)) hops.set(p, hop + 1)
    if (options.providerKey != null) {
      const held = net.providers[peer].get(options.providerKey)
      if (held != null) {
        const fresh = [...held].filter(p => !providersFound.has(p))
        if (fresh.length > 0) {
          fresh.forEach(p => providersFound.add(p))
          firstProvider ??= { rpcs, depth }
          const abort = options.onProviders?.(fresh, now)
          if (abort != null) abortAt = Math.min(abortAt, abort)
        }
      }
    }
    for (const p of answer) {
      if (seen.has(p) || p === from) continue
      const pd = net.distanceOf(p, key)
      if (pd >= d) continue
      if (!canAdd(path.closest, pd, k)) continue
      seen.add(p)
      path.queue.push({ peer: p, d: pd })
    }
    pump(ev.path)
  }
  const closest = paths.flatMap(p => p.closest).sort((a, b) => a.d - b.d).slice(0, k).map(e => e.peer)
  return {
    rpcs,
    roundTrips: depth,
    closest,
    time: now,
    rpcsAtFirstProvider: firstProvider?.rpcs,
    roundTripsAtFirstProvider: firstProvider?.depth,
    aborted: abortAt !== Infinity && events.size > 0
  }
}
