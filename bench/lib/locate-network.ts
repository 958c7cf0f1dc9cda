/**
 * An in-process loopback network of full lafs-club nodes for the locate
 * benchmark: one owner (bootstrap peer, club owner, uploader), the club's
 * storage servers, plain DHT nodes that only fill the network, and readers
 * that join late so they hold none of the provider records or rosters the
 * others published (kad-dht hands records to the closest peers at put time
 * only, so a node that was not there cannot have them).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode, silentLogger, type LafsLibp2p, type LafsNode } from '../../src/node/index.js'
import { createLightDhtNode, type LightNode } from './locate-light-node.js'

/** A private DHT, so nothing here could ever talk to the public IPFS one. */
export const BENCH_DHT_PROTOCOL = '/lafs-club-bench/kad/1.0.0'
const LISTEN = ['/ip4/127.0.0.1/tcp/0']
/** Starting every node at once makes the bootstrap peer refuse dials; batches keep it calm. */
const BATCH = 10

export type Role = 'owner' | 'server' | 'filler' | 'reader'

/** What the routing-table helpers need: full and light nodes both have it. */
export interface DhtPeer { libp2p: LafsLibp2p }

export interface BenchNode {
  role: Role
  /** Full node (createNode); fillers may be light DHT-only nodes instead. */
  node?: LafsNode
  light?: LightNode
  dir?: string
  peer: DhtPeer
}

export interface TableStats { min: number, median: number, max: number }

export const tcpAddr = (n: LafsNode): string => {
  const addr = n.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws'))
  if (addr == null) throw new Error(`node ${n.peerId} has no TCP address`)
  return addr
}

export const tableSize = (n: DhtPeer): number => (n.libp2p.services.dht as any).routingTable?.size ?? 0

export function tableStats (nodes: DhtPeer[]): TableStats {
  const sizes = nodes.map(tableSize).sort((a, b) => a - b)
  return { min: sizes[0] ?? 0, median: sizes[Math.floor(sizes.length / 2)] ?? 0, max: sizes[sizes.length - 1] ?? 0 }
}

export async function until (deadlineMs: number, check: () => boolean | Promise<boolean>): Promise<boolean> {
  const end = Date.now() + deadlineMs
  while (!(await check())) {
    if (Date.now() > end) return false
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  return true
}

/** Owns every node and temp folder it started, so one call stops them all. */
export class BenchNetwork {
  readonly nodes: BenchNode[] = []
  private bootstrap: string[] = []

  /** lightFillers: fillers are DHT-only nodes (see locate-light-node.ts). */
  constructor (private readonly log: (line: string) => void, private readonly lightFillers = false) {}

  /** Full nodes of a role (light fillers are not listed). */
  byRole (role: Role): LafsNode[] {
    return this.nodes.filter(n => n.role === role && n.node != null).map(n => n.node as LafsNode)
  }

  get peers (): DhtPeer[] { return this.nodes.map(n => n.peer) }

  get size (): number { return this.nodes.length }

  private async startOne (role: Role): Promise<DhtPeer> {
    if (role === 'filler' && this.lightFillers) {
      const light = await createLightDhtNode({ protocol: BENCH_DHT_PROTOCOL, listen: LISTEN, bootstrap: this.bootstrap })
      this.nodes.push({ role, light, peer: light })
      return light
    }
    const dir = await mkdtemp(join(tmpdir(), `lafs-bench-locate-${role}-`))
    try {
      const node = await createNode({
        dataDir: dir,
        listen: LISTEN,
        bootstrap: this.bootstrap,
        storage: { enabled: role === 'server' },
        gateway: false,
        dhtProtocol: BENCH_DHT_PROTOCOL,
        // the bootstrap peer alone sees every node; loopback is on the allow list, this keeps pruning out of the picture
        config: {
          connections: { maxConnections: 1000 },
          // NAT traversal does nothing on loopback but costs a dial-back per new
          // connection (AutoNAT); on a 2-core box that alone starves 100 nodes
          nat: { autonat: false, upnp: false },
          relay: { client: false, server: false }
        },
        logger: silentLogger
      })
      quietConnectionMonitor(node.libp2p)
      this.nodes.push({ role, node, dir, peer: node })
      return node
    } catch (err) {
      await rm(dir, { recursive: true, force: true })
      throw err
    }
  }

  /** The first node: everyone else bootstraps from it. */
  async startOwner (): Promise<LafsNode> {
    const owner = await this.startOne('owner') as LafsNode
    this.bootstrap = [tcpAddr(owner)]
    return owner
  }

  /** Starts nodes in batches; each batch waits (briefly) until its nodes know a DHT peer. */
  async startMany (roles: Role[], deadlineMs: number): Promise<DhtPeer[]> {
    const started: DhtPeer[] = []
    for (let at = 0; at < roles.length; at += BATCH) {
      const batch = await Promise.all(roles.slice(at, at + BATCH).map(async r => await this.startOne(r)))
      started.push(...batch)
      await until(Math.min(deadlineMs, 10_000), () => batch.every(n => tableSize(n) >= 1))
      this.log(`  started ${started.length}/${roles.length} (${roles[at]}…), network ${this.size} nodes`)
    }
    return started
  }

  /**
   * Waits until every node's routing table holds at least `want` peers, or the
   * deadline passes (then the bench carries on and reports the sizes it got).
   * On a loaded box kad-dht's admission ping of a new contact can time out, and
   * such a peer is never retried; so nodes still short get their connected
   * peers offered again (what kad-dht does on connect), and every node runs
   * one self-lookup (in small batches) so its table holds its real neighbourhood.
   */
  async settle (nodes: DhtPeer[], want: number, deadlineMs: number): Promise<{ reached: boolean, ms: number, tables: TableStats }> {
    const t0 = Date.now()
    const end = t0 + deadlineMs
    const nudge = (): void => { for (const n of nodes) if (tableSize(n) < want) offerConnectedPeers(n) }
    nudge()
    for (let at = 0; at < nodes.length && Date.now() < end; at += 5) {
      await Promise.all(nodes.slice(at, at + 5).map(async n => { await selfLookup(n, Math.min(10_000, Math.max(1000, end - Date.now()))) }))
    }
    let lastNudge = 0
    const reached = await until(Math.max(0, end - Date.now()), () => {
      if (Date.now() - lastNudge > 4000) { lastNudge = Date.now(); nudge() }
      return nodes.every(n => tableSize(n) >= want)
    })
    return { reached, ms: Date.now() - t0, tables: tableStats(nodes) }
  }

  /** Stops every node, then removes every temp folder; errors are collected, not thrown halfway. */
  async stop (): Promise<void> {
    const nodes = this.nodes.splice(0)
    const results = await Promise.allSettled(nodes.map(async n => { await (n.node ?? n.light)?.stop() }))
    await Promise.allSettled(nodes.map(async n => { if (n.dir != null) await rm(n.dir, { recursive: true, force: true }) }))
    const failed = results.filter(r => r.status === 'rejected')
    if (failed.length > 0) this.log(`  warning: ${failed.length} node(s) failed to stop cleanly: ${String(failed[0].reason)}`)
  }
}

function offerConnectedPeers (node: DhtPeer): void {
  const table = (node.libp2p.services.dht as unknown as { routingTable: { add: (id: unknown) => Promise<void> } }).routingTable
  for (const connection of node.libp2p.getConnections()) table.add(connection.remotePeer).catch(() => {})
}

async function selfLookup (node: DhtPeer, timeoutMs: number): Promise<void> {
  try {
    for await (const _ of node.libp2p.services.dht.getClosestPeers(node.libp2p.peerId.toMultihash().bytes, { signal: AbortSignal.timeout(timeoutMs) })) { /* drain */ }
  } catch {
    // best effort: what a timed-out lookup learned stays in the table
  }
}

/**
 * libp2p's connection monitor pings every connection of a node every 10 s, all
 * at once, and aborts a connection whose ping misses its adaptive timeout. With
 * 50-100 nodes on one event loop that is ~1600 streams in one burst every 10 s,
 * and under that load pings miss, so connections carrying uploads and DHT
 * queries get aborted ("Remote closed connection", "Unexpected EOF"). Between
 * real machines each node has its own CPU; here the heartbeat measures only
 * the bench's own contention, so it is switched off (createNode has no option
 * for it, hence the reach into libp2p's components).
 */
function quietConnectionMonitor (libp2p: LafsLibp2p): void {
  (libp2p as unknown as { components?: { connectionMonitor?: { stop: () => void } } }).components?.connectionMonitor?.stop()
}
