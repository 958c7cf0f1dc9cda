/**
 * Builds the libp2p node from a NodeConfig: transports, encryption, muxing,
 * the DHT, NAT traversal and the connection limits. Knows nothing about
 * storage or files; src/node/index.ts adds those on top.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { identify, identifyPush, type Identify } from '@libp2p/identify'
import { ping, type Ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { isLoopback, isPrivate } from '@libp2p/utils'
import { webSockets } from '@libp2p/websockets'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { LevelDatastore } from 'datastore-level'
import { createLibp2p } from 'libp2p'
import { createDhtService } from '../dht/index.js'
import { isPublicAddr, rosterIpnsCheck } from '../club/index.js'
import { torTransport, type TorProvider } from '../tor/index.js'
import { DataDirInUseError } from './errors.js'
import { cachePeerInfos } from './peer-info-cache.js'
import { PeerRecordCache } from './peer-record-cache.js'
import { reachabilityService, type ReachabilityService } from './reachability.js'
import { autoRelayServer } from './relay-auto.js'
import { policyRelayServer, type RelayPolicy } from './relay-policy.js'
import type { NodeConfig, SecureChannel } from './config.js'
import type { ConnectionEncrypter, Libp2p, Metrics, PeerDiscovery, PrivateKey, Transport } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'

/** Services every lafs-club libp2p node has; optional ones (NAT, relay) are looked up by name. */
export interface LafsServices extends Record<string, unknown> {
  identify: Identify
  ping: Ping
  dht: KadDHT
  reachability: ReachabilityService
}

export type LafsLibp2p = Libp2p<LafsServices>

/** What the config implies once the listen addresses are known. */
export interface NetworkProfile {
  /** Every listen address is on loopback: nothing outside this machine can reach the node. */
  loopbackOnly: boolean
  /** Keep private/loopback addresses in the DHT routing table. */
  lan: boolean
  /** UPnP port mapping runs (never on loopback-only nodes: it multicasts to the LAN). */
  upnp: boolean
  /** kad-dht `clientMode`: false = server from the start, true = client only, undefined = kad-dht switches by itself. */
  dhtClientMode: boolean | undefined
  /** `tor.hideIp`: every dial through tor, nothing listens but loopback and the onion service, no NAT traversal or relaying. */
  torOnly: boolean
}

function ipListenAddrs (listen: string[]): string[] {
  return listen.filter(a => /^\/(ip4|ip6|dns4|dns6|dns)\//.test(a))
}

/** 0.0.0.0 and :: mean "every interface", which may well include a public one. */
function isWildcard (ma: Multiaddr): boolean {
  const host = ma.getComponents()[0]?.value
  return host === '0.0.0.0' || host === '::'
}

export function networkProfile (config: NodeConfig): NetworkProfile {
  const addrs = ipListenAddrs(config.listen).map(a => multiaddr(a))
  // A node with no IP listen address only dials out: it behaves like a public node.
  const loopbackOnly = addrs.length > 0 && addrs.every(ma => isLoopback(ma))
  const lan = config.dht.lan === 'auto'
    ? addrs.length > 0 && addrs.every(ma => !isWildcard(ma) && (isLoopback(ma) || isPrivate(ma)))
    : config.dht.lan
  const torOnly = config.tor.hideIp
  const dhtClientMode = torOnly ? true : config.dht.clientMode === 'server'
    ? false
    : config.dht.clientMode === 'client'
      ? true
      // kad-dht's own switch waits for a public address, which a LAN never has
      : lan ? false : undefined
  return { loopbackOnly, lan, upnp: config.nat.upnp && !loopbackOnly && !torOnly && addrs.length > 0, dhtClientMode, torOnly }
}

/**
 * Listening on /p2p-circuit asks relays for reservations, so peers can reach
 * a node behind NAT; a loopback-only node has no one to be reachable for,
 * and a node that announces a public address (a VPS) needs no relay.
 */
function seeksRelayByDefault (config: NodeConfig): boolean {
  const announcesPublic = config.announce.some(a => isPublicAddr(a, config.network.publicRanges))
  const { loopbackOnly, torOnly } = networkProfile(config)
  return config.relay.client && !loopbackOnly && !torOnly && !announcesPublic
}

/** The node holds relay reservations: by default (see above), or because `listen` names a `/p2p-circuit` address. */
export function seeksRelayReservations (config: NodeConfig): boolean {
  return config.relay.client && !config.tor.hideIp && (seeksRelayByDefault(config) || config.listen.some(a => a.endsWith('/p2p-circuit')))
}

/**
 * Opens the on-disk datastore, mapping LevelDB's lock error to
 * DataDirInUseError; peer records are cached in front of it (peer-record-cache.ts).
 */
export async function openDatastore (path: string, dataDir: string): Promise<PeerRecordCache> {
  const ds = new LevelDatastore(path)
  try {
    await ds.open()
    return new PeerRecordCache(ds)
  } catch (err: any) {
    // LevelDatastore flattens the cause to a string; open the underlying
    // level once more to learn whether another process holds the lock.
    const cause = await ds.db.open({ createIfMissing: true }).then(() => undefined, (e: unknown) => e as { code?: string, cause?: { code?: string } } | undefined)
    await ds.db.close().catch(() => {})
    const codes = `${cause?.code ?? ''} ${cause?.cause?.code ?? ''}`
    if (/LEVEL_LOCKED/.test(codes)) throw new DataDirInUseError(dataDir, cause)
    throw cause ?? err
  }
}

/**
 * How often yamux pings each connection, from both ends (its default is 30 s).
 * The ping only keeps NAT mappings and idle-connection timers open: TCP NATs
 * must keep an idle established mapping for at least 2 h 4 min (RFC 5382,
 * REQ-5), so two minutes leaves a wide margin even for routers that fall
 * short of it; dead peers are found by request deadlines, stall resets and TCP. At
 * 30 s, sending pings alone took 9% of an idle node's JavaScript time in
 * the 100-node scale grid and answering them 4%, besides the reads and
 * decryption of every frame (perf, interop/scale/README.md).
 */
const KEEP_ALIVE_INTERVAL_MS = 120_000

/**
 * yamux settings (exported so tests build their nodes the same way).
 * The receive window of a stream bounds what a peer can push into a stream
 * whose reader has paused (a storage session over its write budget): with
 * yamux's default 16 MiB, 6 hostile connections grew the server's RSS by
 * 289 MiB, with 4 MiB by 164-189 (src/protocols/README.md, Limits). 4 MiB
 * still allows 40 MB/s per stream at 100 ms of round trip, as much as the
 * client's own 4 MiB write window. On loopback bench/protocols-throughput.ts
 * showed no difference through its noise (upload, 3 runs each: 108-193 MiB/s
 * with 16 MiB, 101-201 with 4 MiB).
 */
export const YAMUX_OPTIONS = { streamOptions: { maxStreamWindowSize: 4 * 2 ** 20 }, keepAliveInterval: KEEP_ALIVE_INTERVAL_MS }

/**
 * libp2p's connection monitor pings every connection and by default aborts
 * one whose ping fails. On a saturated home uplink that misfires: a ping
 * queues behind megabytes of upload data (10 servers × the 4 MiB stream
 * window above on 20 Mbit/s is about 16 s), and interop/netlab saw
 * connections of an upload aborted by late pings; each time the upload lost
 * a server. Measuring only (no abort), it still opened a stream per
 * connection each way every 30 s — with libp2p writing the peer's record on
 * every stream, the largest part of an idle node's CPU in the scale grid —
 * to learn a round-trip time nothing here reads. So it is off: yamux's own
 * keep-alive frame (every KEEP_ALIVE_INTERVAL_MS, no stream) keeps NAT mappings open, and a
 * dead peer is found by the storage sessions' request deadlines and stall
 * resets, and by TCP. The ping service itself stays because kad-dht
 * requires it (it pings old routing-table contacts before evicting them).
 */
export const CONNECTION_MONITOR_OPTIONS = { enabled: false }
const PING_TIMEOUT_MS = 120_000
/** Pings in flight per connection each way, and how long the answering side waits for a ping's bytes. */
export const PING_OPTIONS = { maxOutboundStreams: 4, maxInboundStreams: 4, timeout: PING_TIMEOUT_MS }

/**
 * The connection encrypters for `network.secureChannels`, in its order.
 * Both authenticate the remote peer ID in the handshake (Noise signs its
 * static key with the libp2p key; TLS carries the libp2p key in a
 * certificate extension), and storage accounts are that peer ID whichever
 * ran. Noise comes first by default: on the bench machine (2 cores with AES
 * instructions) Node's native TLS moved a bare stream for less CPU on the
 * receiving side, but our uploads and downloads cost the storage servers no
 * less over TLS (uploads often more: TLS hands data up in records of 16 KiB,
 * four times as many pieces as Noise's 64 KiB messages), and its handshake
 * costs about twice Noise's (a fresh certificate per connection). On CPUs
 * without AES instructions (a Raspberry Pi 4) ChaCha20 is the cheaper
 * cipher anyway. `npm run bench:transfer` measures both.
 */
export async function connectionEncrypters (channels: readonly SecureChannel[]): Promise<Array<(components: any) => ConnectionEncrypter>> {
  // loaded only when asked for: @libp2p/tls and its X.509 stack cost a node started with Noise alone about a tenth of its start-up CPU
  const tls = channels.includes('tls') ? (await import('@libp2p/tls')).tls : undefined
  return channels.map(c => c === 'tls' && tls !== undefined ? tls() : noise())
}

export interface BuildLibp2pOptions {
  config: NodeConfig
  privateKey: PrivateKey
  datastore: PeerRecordCache
  /**
   * For `relay.unlimitedFor: "club-members"`: whether a peer is a server on
   * a roster of this node's clubs. Asked on every reservation and relayed
   * connection, so it must answer at once (from rosters already known).
   */
  isClubMember?: (peerId: string) => boolean
  /** The node's tor (config `tor`): adds the Tor transport, and its onion listen addresses. */
  tor?: { provider: TorProvider, listen: string[] }
  /** libp2p's metrics hook (the node's InboundCounter). */
  metrics?: (components: any) => Metrics
}

/**
 * libp2p's dial timeouts when Tor is in use: a first connection to an onion
 * service took about 25 s on a private Tor network (descriptor fetch,
 * introduction, rendezvous), far beyond the 6 s / 10 s defaults.
 */
export const TOR_DIAL_TIMEOUTS = { dialTimeout: 120_000, addressDialTimeout: 90_000 }

/** A transport that only listens: in Tor-only mode loopback TCP stays for local tools, but must never dial out directly. */
function listenOnly (factory: (components: any) => Transport): (components: any) => Transport {
  return (components) => {
    const t = factory(components)
    t.dialFilter = () => []
    return t
  }
}

/** The transports the config asks for: Tor first (libp2p dials with the first transport that accepts an address). */
function transportsFor (config: NodeConfig, tor: BuildLibp2pOptions['tor']): Array<(components: any) => Transport> {
  const viaTor = tor === undefined ? [] : [torTransport({ provider: tor.provider, dialAll: config.tor.hideIp, maxInbound: config.connections.maxConnections })]
  if (config.tor.hideIp) {
    // no WebSockets and no circuit relay: both would dial directly
    return [...viaTor, ...(config.listen.length > 0 ? [listenOnly(tcp())] : [])]
  }
  return [...viaTor, tcp(), webSockets(), ...(config.relay.client ? [circuitRelayTransport()] : [])]
}

/**
 * The bootstrap peers this node can dial: a /dnsaddr needs a DNS TXT lookup,
 * which tor cannot make for us, so a Tor-only node skips those.
 */
export function bootstrapPeers (config: NodeConfig): string[] {
  return config.tor.hideIp ? config.bootstrap.filter(a => !a.startsWith('/dnsaddr/')) : config.bootstrap
}

/** The relay policy config.json's `relay` section describes. */
export function relayPolicy (config: NodeConfig, isClubMember: (peerId: string) => boolean = () => false): RelayPolicy {
  const r = config.relay
  return {
    unlimited: peer => r.unlimitedFor === 'all' || (r.unlimitedFor === 'club-members' && isClubMember(peer.toString())),
    defaultLimit: { dataBytes: r.limitedDataBytes, durationSeconds: r.limitedDurationSeconds },
    maxReservations: r.maxReservations,
    maxBytesPerSecond: r.maxRelayedBytesPerSecond
  }
}

/** Creates (and starts) the libp2p node. The caller owns the datastore. */
export async function buildLibp2p ({ config, privateKey, datastore, isClubMember, tor, metrics }: BuildLibp2pOptions): Promise<LafsLibp2p> {
  const profile = networkProfile(config)

  const listen = [...config.listen, ...(tor?.listen ?? [])]
  if (seeksRelayByDefault(config)) listen.push('/p2p-circuit')

  const allow = [...config.connections.allow]
  // In-process grids and local tests open many connections from 127.0.0.1 at
  // once; the per-host inbound limit would refuse most of them.
  // Connections through our onion service come from tor on 127.0.0.1 too.
  if (profile.loopbackOnly || (tor?.listen.length ?? 0) > 0) allow.push('/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128')

  const services: Record<string, (components: any) => unknown> = {
    identify: identify(),
    // Storage and club handlers are registered after libp2p starts, so a
    // peer met in between (a bootstrap dial) first hears a protocol list
    // without them; push tells connected peers when the list changes.
    identifyPush: identifyPush(),
    ping: ping(PING_OPTIONS),
    dht: createDhtService({
      protocol: config.dht.protocol,
      clientMode: profile.dhtClientMode,
      addressScope: profile.lan ? 'all' : 'public',
      ipnsChecks: [rosterIpnsCheck],
      // A fresh node's first lookup starts once the bootstrap peer is in the
      // routing table, not after kad-dht's first self-lookup (1 s later):
      // the largest part of its time to a first byte (docs/architecture.md).
      allowQueryWithZeroPeers: true
    }),
    reachability: reachabilityService({ publicRanges: config.network.publicRanges })
  }
  // AutoNAT asks peers to dial back every new connection: on a loopback-only
  // node there is no NAT to learn about, and the dial-backs only cost CPU.
  // AutoNAT v2, not v1: a v1 server (@libp2p/autonat 3.0.28) dials back
  // without `force`, gets the connection the request came in on, and closes
  // it in its cleanup, so every peer that asked lost its connection to every
  // public node (seen in interop/netlab). v2 dials back on a new connection
  // and confirms a UPnP-mapped address after one successful dial-back.
  // Hole punching upgrades a relayed connection to a direct one: never in Tor-only mode.
  if (!profile.torOnly) services.dcutr = dcutr()
  // NAT services load only where they run (on loopback, in Tor-only mode and on most VPSes they do not)
  if (!profile.loopbackOnly && !profile.torOnly && (config.nat.autonat || profile.upnp)) services.autoNAT = (await import('@libp2p/autonat-v2')).autoNATv2()
  if (profile.upnp) services.upnp = (await import('@libp2p/upnp-nat')).uPnPNAT()
  const relayServer = policyRelayServer(relayPolicy(config, isClubMember))
  if (profile.torOnly) { /* no relaying: a relay accepts direct connections */ } else if (config.relay.server === true) services.relay = relayServer
  else if (config.relay.server === 'auto') services.relay = autoRelayServer({ create: relayServer, publicRanges: config.network.publicRanges })

  const peerDiscovery: Array<(components: any) => PeerDiscovery> = []
  const bootstrapList = bootstrapPeers(config)
  if (bootstrapList.length > 0) peerDiscovery.push(bootstrap({ list: bootstrapList }))

  const node = await createLibp2p({
    privateKey,
    datastore,
    addresses: {
      listen,
      ...(config.announce.length > 0 ? { announce: config.announce } : {}),
      // a Tor-only node tells peers its onion addresses and nothing else
      ...(profile.torOnly ? { announceFilter: (addrs: Multiaddr[]) => addrs.filter(a => a.getComponents()[0]?.name === 'onion3') } : {})
    },
    transports: transportsFor(config, tor),
    connectionEncrypters: await connectionEncrypters(config.network.secureChannels),
    streamMuxers: [yamux(YAMUX_OPTIONS)],
    connectionMonitor: CONNECTION_MONITOR_OPTIONS,
    connectionManager: {
      maxConnections: config.connections.maxConnections,
      maxIncomingPendingConnections: config.connections.maxIncomingPending,
      inboundConnectionThreshold: config.connections.inboundPerHostPerSecond,
      allow,
      deny: config.connections.deny,
      ...(tor !== undefined ? TOR_DIAL_TIMEOUTS : {}),
      // no resolver: a Tor-only node makes no DNS lookup itself (names go to tor in the dial)
      ...(profile.torOnly ? { resolvers: {} } : {})
    },
    peerDiscovery,
    ...(metrics !== undefined ? { metrics } : {}),
    services
  })
  // kad-dht's answers read up to 20 peers each from the peer store: decoded once, not every time
  cachePeerInfos(node.peerStore, datastore)
  return node as unknown as LafsLibp2p
}
