/**
 * Real kad-dht nodes on 127.0.0.1, one process, to check bench/lib/kad-sim.ts:
 * the same joining procedure the simulator models (each node dials one random
 * earlier node and kad-dht runs its own start-up self-lookup and cpl-0
 * refresh), optionally one maintenance round (a self-lookup and a refresh of
 * every cpl, through kad-dht's own key generator), then provider walks and
 * IPNS gets measured with src/dht's QueryCostMeter. Each node's routing table
 * and provider store are copied into a simulated network right before the
 * measured lookups, so the simulator can replay the very same lookups on the
 * very same tables.
 */
import { createHash, randomBytes } from 'node:crypto'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { MemoryDatastore } from 'datastore-core'
import { createIPNSRecord, marshalIPNSRecord, multihashToIPNSRoutingKey } from 'ipns'
import { createLibp2p } from 'libp2p'
import { createDhtService, QueryCostMeter, storageIndexToCid, type KadDHT } from '../../src/dht/index.js'
import { KadNetwork, keyFromBytes, lookup, rng, type KadParams, type Key } from './kad-sim.js'
import type { Libp2p, PeerId } from '@libp2p/interface'

const PROTOCOL = '/lafs-club-lookup-bench/kad/1.0.0'
const HOUR = 3_600_000
const JOIN_BATCH = 10
const MAINTAIN_BATCH = 5

type Node = Libp2p<{ dht: KadDHT }>

export interface RealCost { rpcs: number, roundTrips: number, rpcsAtFirstProvider?: number, roundTripsAtFirstProvider?: number }

export interface RealRun {
  size: number
  age: 'young' | 'settled'
  tables: { mean: number, min: number, max: number }
  /** Mean over the files/records measured. */
  real: { providerWalk: RealCost, ipnsGet: RealCost }
  /** The simulator replaying the same lookups (same reader, key, tables, records), mean of `replays` latency draws each. */
  replay: { providerWalk: RealCost, ipnsGet: RealCost }
  samples: { providerWalk: RealCost[], ipnsGet: RealCost[] }
  seconds: number
}

const kadIdOfBytes = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(bytes).digest())

async function createNode (params: KadParams): Promise<Node> {
  return await createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    datastore: new MemoryDatastore(),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { maxConnections: 2000, allow: ['/ip4/127.0.0.0/ipcidr/8'] },
    connectionMonitor: { enabled: false },
    services: {
      identify: identify(),
      ping: ping(),
      dht: createDhtService({
        protocol: PROTOCOL,
        clientMode: false,
        addressScope: 'all',
        kBucketSize: params.k,
        alpha: params.alpha,
        disjointPaths: params.disjointPaths,
        // the start-up self-lookup runs soon after the first peer is known; the periodic one and reprovides wait an hour
        initialQuerySelfInterval: 100,
        querySelfInterval: HOUR,
        // on a busy 2-core box a new contact's admission ping can take seconds; kad-dht's 10 s
        // default drops the contact for good, leaving tables thinner than any real network's
        kadInit: { reprovide: { interval: HOUR }, pingNewContactTimeout: { minTimeout: 15_000 }, onPeerConnectTimeout: 30_000 } as any
      }) as any
    }
  }) as unknown as Node
}

const tableOf = (n: Node): { size: number, kb: { toIterable: () => Iterable<{ peerId: PeerId, kadId: Uint8Array }> } } =>
  (n.services.dht as any).routingTable

/** Waits until no table in `nodes` has changed for `quietMs`, or `maxMs` passed. */
async function quiet (nodes: Node[], quietMs: number, maxMs: number): Promise<void> {
  const end = Date.now() + maxMs
  let last = nodes.map(n => tableOf(n).size).join(',')
  let since = Date.now()
  while (Date.now() < end) {
    await new Promise(resolve => setTimeout(resolve, 100))
    const now = nodes.map(n => tableOf(n).size).join(',')
    if (now !== last) { last = now; since = Date.now() } else if (Date.now() - since >= quietMs) return
  }
}

async function drain (it: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of it) { /* the lookup's side effects are what we want */ }
}

/** One maintenance round as kad-dht's 5-minute timers run it: a self-lookup, then a refresh of cpl 0..max common prefix. */
async function maintain (n: Node): Promise<void> {
  const dht = n.services.dht
  const refresh = (dht as any).routingTableRefresh
  await drain(dht.getClosestPeers(n.peerId.toMultihash().bytes, { signal: AbortSignal.timeout(30_000) })).catch(() => {})
  const top = Math.min(15, refresh._maxCommonPrefix() as number)
  for (let cpl = 0; cpl <= top; cpl++) {
    const target: PeerId = refresh._generateRandomPeerId(cpl)
    await drain(dht.getClosestPeers(target.toMultihash().bytes, { signal: AbortSignal.timeout(30_000) })).catch(() => {})
  }
}

function mean (costs: RealCost[]): RealCost {
  const avg = (f: (c: RealCost) => number | undefined): number | undefined => {
    const v = costs.map(f).filter((x): x is number => x != null)
    return v.length === 0 ? undefined : v.reduce((a, b) => a + b, 0) / v.length
  }
  return { rpcs: avg(c => c.rpcs) ?? 0, roundTrips: avg(c => c.roundTrips) ?? 0, rpcsAtFirstProvider: avg(c => c.rpcsAtFirstProvider), roundTripsAtFirstProvider: avg(c => c.roundTripsAtFirstProvider) }
}

export interface RealOptions {
  size: number
  params: KadParams
  files: number
  /** Providers per file (servers holding a share). */
  servers: number
  /** Simulated latency draws per replayed lookup. */
  replays: number
  seed: number
  log: (line: string) => void
}

/**
 * Builds a real network of `size` nodes, measures it young, runs one
 * maintenance round, measures it again. Every node is stopped before it returns.
 */
export async function runRealNetwork (opts: RealOptions): Promise<RealRun[]> {
  const rand = rng(opts.seed)
  const pick = (n: number): number => Math.floor(rand() * n)
  const nodes: Node[] = []
  try {
    const t0 = Date.now()
    for (let i = 0; i < opts.size; i++) nodes.push(await createNode(opts.params))
    for (let i = 1; i < opts.size; i += JOIN_BATCH) {
      const batch = nodes.slice(i, i + JOIN_BATCH)
      await Promise.all(batch.map(async (n, j) => {
        const boot = nodes[pick(i + j)]
        for (let attempt = 0; ; attempt++) {
          try {
            await n.dial(multiaddr(boot.getMultiaddrs()[0].toString()), { signal: AbortSignal.timeout(10_000) })
            break
          } catch (err) {
            if (attempt >= 3) throw err
          }
        }
      }))
      // kad-dht's own start-up self-lookup and cpl-0 refresh run now; wait until the tables stop changing
      await quiet(nodes.slice(0, i + JOIN_BATCH), 1000, 15_000)
    }
    opts.log(`N=${opts.size}: ${opts.size} real nodes joined in ${((Date.now() - t0) / 1000).toFixed(0)} s`)
    const runs: RealRun[] = []
    runs.push(await measure(nodes, opts, 'young', rand))
    const t1 = Date.now()
    for (let i = 0; i < nodes.length; i += MAINTAIN_BATCH) await Promise.all(nodes.slice(i, i + MAINTAIN_BATCH).map(maintain))
    await quiet(nodes, 700, 15_000)
    opts.log(`N=${opts.size}: maintenance round in ${((Date.now() - t1) / 1000).toFixed(0)} s`)
    runs.push(await measure(nodes, opts, 'settled', rand))
    return runs
  } finally {
    await Promise.all(nodes.map(async n => { await Promise.resolve(n.stop()).catch(() => {}) }))
  }
}

async function measure (nodes: Node[], opts: RealOptions, age: 'young' | 'settled', rand: () => number): Promise<RealRun> {
  const t0 = Date.now()
  const files = Array.from({ length: opts.files }, () => {
    const order = nodes.map((_, i) => i).sort(() => rand() - 0.5)
    return { si: new Uint8Array(randomBytes(16)), servers: order.slice(1, 1 + opts.servers), reader: order[0], ipnsReader: order[opts.servers + 1] ?? order[0], owner: order[opts.servers + 2] ?? order[1] }
  })
  // publish: provider records from every server, and one IPNS record per file from its owner
  const timed = async (what: string, work: Promise<void>): Promise<void> => {
    const started = Date.now()
    await work.catch((err: unknown) => { opts.log(`${what} failed: ${(err as Error).message}`) })
    if (Date.now() - started > 30_000) opts.log(`${what} took ${Date.now() - started} ms`)
  }
  // every file at once: a provide spends most of its time waiting on its ADD_PROVIDER streams, not working
  const records = await Promise.all(files.map(async f => {
    const cid = storageIndexToCid(f.si)
    await Promise.all(f.servers.map(async s => { await timed(`provide from node ${s}`, drain(nodes[s].services.dht.provide(cid, { signal: AbortSignal.timeout(60_000) }))) }))
    const key = await generateKeyPair('Ed25519')
    const record = await createIPNSRecord(key, '/ipfs/bafkqaaa', 1n, 3_600_000)
    const routingKey = multihashToIPNSRoutingKey(key.publicKey.toMultihash())
    await timed(`IPNS put from node ${f.owner}`, drain(nodes[f.owner].services.dht.put(routingKey, marshalIPNSRecord(record), { signal: AbortSignal.timeout(60_000) })))
    return { key: routingKey }
  }))
  await quiet(nodes, 500, 10_000)
  opts.log(`N=${nodes.length} ${age}: ${opts.files} files provided by ${opts.servers} servers each and ${opts.files} IPNS records put in ${((Date.now() - t0) / 1000).toFixed(0)} s`)

  // copy every table and provider store into a simulated network, before the measured lookups change them
  const index = new Map<string, number>(nodes.map((n, i) => [n.peerId.toString(), i]))
  const ids: Key[] = nodes.map(n => keyFromBytes(kadIdOfBytes(n.peerId.toMultihash().bytes)))
  const sim = new KadNetwork(nodes.length, opts.params, rng(opts.seed + 7), ids)
  nodes.forEach((n, i) => {
    for (const peer of tableOf(n).kb.toIterable()) {
      const j = index.get(peer.peerId.toString())
      if (j != null) sim.learn(i, j)
    }
  })
  for (const [fi, f] of files.entries()) {
    const cid = storageIndexToCid(f.si)
    await Promise.all(nodes.map(async (n, i) => {
      const held: PeerId[] = await (n.services.dht as any).providers.getProviders(cid)
      if (held.length > 0) sim.providers[i].set(`f${fi}`, new Set(held.map(p => index.get(p.toString())).filter((x): x is number => x != null)))
    }))
  }
  const sizes = sim.tables.map(t => t.length)
  const tables = { mean: sizes.reduce((a, b) => a + b, 0) / sizes.length, min: Math.min(...sizes), max: Math.max(...sizes) }

  const realWalks: RealCost[] = []
  const realGets: RealCost[] = []
  const simWalks: RealCost[] = []
  const simGets: RealCost[] = []
  for (const [fi, f] of files.entries()) {
    const cid = storageIndexToCid(f.si)
    const walkKey = keyFromBytes(kadIdOfBytes(cid.multihash.bytes))
    const getKey = keyFromBytes(kadIdOfBytes(records[fi].key))
    for (let r = 0; r < opts.replays; r++) {
      const w = lookup(sim, f.reader, walkKey, { providerKey: `f${fi}`, frozen: true })
      simWalks.push({ rpcs: w.rpcs, roundTrips: w.roundTrips, rpcsAtFirstProvider: w.rpcsAtFirstProvider, roundTripsAtFirstProvider: w.roundTripsAtFirstProvider })
      const g = lookup(sim, f.ipnsReader, getKey, { frozen: true })
      simGets.push({ rpcs: g.rpcs, roundTrips: g.roundTrips })
    }
    const meter = new QueryCostMeter()
    let first: { rpcs: number, roundTrips: number } | undefined
    for await (const event of nodes[f.reader].services.dht.findProviders(cid, { onProgress: meter.onProgress as any, signal: AbortSignal.timeout(60_000) })) {
      if (event.name === 'PROVIDER' && first == null) first = { rpcs: meter.cost.rpcs, roundTrips: meter.cost.roundTrips }
    }
    const walk = meter.finish()
    realWalks.push({ rpcs: walk.rpcs, roundTrips: walk.roundTrips, rpcsAtFirstProvider: first?.rpcs, roundTripsAtFirstProvider: first?.roundTrips })
    const getMeter = new QueryCostMeter()
    await drain(nodes[f.ipnsReader].services.dht.get(records[fi].key, { onProgress: getMeter.onProgress as any, signal: AbortSignal.timeout(60_000) })).catch(() => {})
    const get = getMeter.finish()
    // a get that finds out-of-date copies sends PUT_VALUE corrections after the walk: not part of the walk
    realGets.push({ rpcs: get.rpcsByType.GET_VALUE ?? 0, roundTrips: get.roundTrips - ((get.rpcsByType.PUT_VALUE ?? 0) > 0 ? 1 : 0) })
  }
  const run: RealRun = {
    size: nodes.length,
    age,
    tables,
    real: { providerWalk: mean(realWalks), ipnsGet: mean(realGets) },
    replay: { providerWalk: mean(simWalks), ipnsGet: mean(simGets) },
    samples: { providerWalk: realWalks, ipnsGet: realGets },
    seconds: (Date.now() - t0) / 1000
  }
  opts.log(`N=${nodes.length} ${age}: tables mean ${tables.mean.toFixed(1)} (min ${tables.min}, max ${tables.max}); ` +
    `provider walk real ${run.real.providerWalk.rpcs.toFixed(1)} RPCs / ${run.real.providerWalk.roundTrips.toFixed(2)} RT, replay ${run.replay.providerWalk.rpcs.toFixed(1)} / ${run.replay.providerWalk.roundTrips.toFixed(2)}; ` +
    `IPNS get real ${run.real.ipnsGet.rpcs.toFixed(1)} / ${run.real.ipnsGet.roundTrips.toFixed(2)}, replay ${run.replay.ipnsGet.rpcs.toFixed(1)} / ${run.replay.ipnsGet.roundTrips.toFixed(2)}`)
  return run
}
