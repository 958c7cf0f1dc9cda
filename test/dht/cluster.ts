/**
 * In-process DHT clusters on loopback for the dht and club tests: a private
 * DHT protocol (never the public one), every address kept (loopback), server
 * mode forced, and a short initial self-query delay so the first query does
 * not sit behind kad-dht's default 1 s + 5 s self-lookup wait.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { MemoryDatastore } from 'datastore-core'
import { createDhtService, type DhtServiceOptions, type KadDHT } from '../../src/dht/index.js'
import { createTestLibp2p } from '../fixtures/libp2p.js'
import type { ConnectionGater, Libp2p, Metrics, PrivateKey } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

export const TEST_DHT_PROTOCOL = '/lafs-club-test/kad/1.0.0'

export type DhtNode = Libp2p<{ dht: KadDHT }>

export interface DhtNodeOptions {
  privateKey?: PrivateKey
  datastore?: Datastore
  dht?: DhtServiceOptions
  /** libp2p's metrics hook, e.g. an InboundCounter's `metrics`. */
  metrics?: () => Metrics
  /** libp2p's connection gater, e.g. to play a peer this node cannot reach. */
  connectionGater?: ConnectionGater
}

const datastores = new WeakMap<object, Datastore>()

/** The datastore a test node was created with (where kad-dht keeps its records). */
export function datastoreOf (node: DhtNode): Datastore {
  const ds = datastores.get(node)
  if (ds == null) throw new Error('not a node from createDhtNode')
  return ds
}

export async function createDhtNode (options: DhtNodeOptions = {}): Promise<DhtNode> {
  const datastore = options.datastore ?? new MemoryDatastore()
  const node = await createTestLibp2p({
    privateKey: options.privateKey ?? await generateKeyPair('Ed25519'),
    datastore,
    ...(options.metrics != null ? { metrics: options.metrics } : {}),
    ...(options.connectionGater != null ? { connectionGater: options.connectionGater } : {}),
    services: {
      dht: createDhtService({
        protocol: TEST_DHT_PROTOCOL,
        clientMode: false,
        addressScope: 'all',
        initialQuerySelfInterval: 50,
        // kad-dht pings every new contact before adding it; on a box busy with
        // parallel suites a 5 s ping can time out and leave a table empty
        ...options.dht,
        kadInit: { pingNewContactTimeout: { minTimeout: 15_000 }, onPeerConnectTimeout: 30_000, ...options.dht?.kadInit }
      }) as any
    }
  }) as unknown as DhtNode
  datastores.set(node, datastore)
  return node
}

/** Dials `target` from `node`, retrying: a busy single process sometimes times out noise handshakes. */
export async function dialRetry (node: DhtNode, target: DhtNode, attempts = 4): Promise<void> {
  const addr = target.getMultiaddrs()[0]
  let lastError: unknown
  for (let i = 0; i < attempts; i++) {
    try {
      await node.dial(multiaddr(addr.toString()), { signal: AbortSignal.timeout(5000) })
      return
    } catch (err) {
      lastError = err
      await new Promise(resolve => setTimeout(resolve, 100 * (i + 1)))
    }
  }
  throw lastError
}

/**
 * Connects every node to the seed and to `extra` distinct random earlier nodes, in
 * batches of `batch` so the event loop is not flooded with handshakes.
 */
export async function connectCluster (nodes: DhtNode[], options: { batch?: number, extra?: number } = {}): Promise<void> {
  const batch = options.batch ?? 10
  const extra = options.extra ?? 2
  const pairs: Array<[DhtNode, DhtNode]> = []
  for (let i = 1; i < nodes.length; i++) {
    pairs.push([nodes[i], nodes[0]])
    // nodes[1] has no earlier node but the seed, which it already dials
    if (i < 2) continue
    // distinct picks: with repeats a node could end up with the seed and one
    // other contact, and a table of 2 that waitForRoutingTables waits on in vain
    const earlier = Array.from({ length: i - 1 }, (_, k) => k + 1)
    for (let e = 0; e < extra && earlier.length > 0; e++) {
      const [j] = earlier.splice(Math.floor(Math.random() * earlier.length), 1)
      pairs.push([nodes[i], nodes[j]])
    }
  }
  for (let i = 0; i < pairs.length; i += batch) {
    await Promise.all(pairs.slice(i, i + batch).map(async ([a, b]) => { await dialRetry(a, b) }))
  }
}

export function routingTableSize (node: DhtNode): number {
  return (node.services.dht as unknown as { routingTable: { size: number } }).routingTable.size
}

/**
 * Waits until every routing table has at least `min` peers, or throws at the
 * deadline. A node still short after a few seconds gets its connected peers
 * offered to its routing table again (what kad-dht does on connect), because a
 * contact whose admission ping timed out is otherwise never retried.
 */
export async function waitForRoutingTables (nodes: DhtNode[], min: number, timeoutMs = 30_000): Promise<void> {
  const started = Date.now()
  let lastNudge = started
  while (true) {
    const sizes = nodes.map(routingTableSize)
    if (sizes.every(s => s >= min)) return
    if (Date.now() - started > timeoutMs) throw new Error(`routing tables did not reach ${min} peers in ${timeoutMs} ms: ${sizes.join(',')}`)
    if (Date.now() - lastNudge > 4000) {
      lastNudge = Date.now()
      nodes.forEach((n, i) => { if (sizes[i] < min) offerConnectedPeers(n) })
    }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

function offerConnectedPeers (node: DhtNode): void {
  const table = (node.services.dht as unknown as { routingTable: { add: (id: unknown) => Promise<void> } }).routingTable
  for (const connection of node.getConnections()) {
    table.add(connection.remotePeer).catch(() => {})
  }
}

/** Runs a self-lookup on each node (in batches) so its table holds its real neighbourhood. */
export async function selfLookups (nodes: DhtNode[], batch = 5): Promise<void> {
  for (let i = 0; i < nodes.length; i += batch) {
    await Promise.all(nodes.slice(i, i + batch).map(async n => {
      try {
        for await (const _ of n.services.dht.getClosestPeers(n.peerId.toMultihash().bytes, { signal: AbortSignal.timeout(10_000) })) { /* drain */ }
      } catch {
        // best effort: on a loaded box a lookup can time out; what it learned so far stays in the table
      }
    }))
  }
}

/** A connected cluster of `count` DHT nodes, ready for queries. */
export async function startCluster (count: number, options: DhtNodeOptions[] = []): Promise<DhtNode[]> {
  const nodes = await Promise.all(Array.from({ length: count }, async (_, i) => await createDhtNode(options[i] ?? {})))
  const t0 = Date.now()
  try {
    await connectCluster(nodes, { extra: 3 })
    const t1 = Date.now()
    await waitForRoutingTables(nodes, Math.min(count - 1, 3))
    const t2 = Date.now()
    // a self-lookup costs ~20-40 RPCs; only nodes with a thin table need one
    const thin = nodes.filter(n => routingTableSize(n) < Math.min(count - 1, 10))
    await selfLookups(thin)
    if (process.env.LAFS_TEST_VERBOSE != null) console.log(`      cluster: connect ${t1 - t0} ms, tables ${t2 - t1} ms, ${thin.length} self-lookups ${Date.now() - t2} ms, tables ${nodes.map(routingTableSize).join(',')}`)
  } catch (err) {
    await stopNodes(nodes)
    throw err
  }
  return nodes
}

/** Stops nodes in parallel, ignoring nodes that already stopped. */
export async function stopNodes (nodes: Array<{ stop: () => void | Promise<void> } | undefined>): Promise<void> {
  await Promise.all(nodes.map(async n => {
    try {
      await n?.stop()
    } catch {
      // teardown is best effort: a node that already stopped (or fails to) must not hide the others or the test's own error
    }
  }))
}
