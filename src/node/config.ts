/**
 * The node's config file, `<dataDir>/config.json`.
 *
 * Every key is optional in the file: what is given is validated and merged
 * over DEFAULT_CONFIG. Validation is strict (unknown keys are errors) because a
 * typo in a config key otherwise silently leaves the default in force.
 * The reference for users is docs/config.md; keep it in step with this file.
 */
import { ConfigError } from './errors.js'
import { Validator } from './config-validator.js'

export { parseSize } from './size.js'

/**
 * The public IPFS (Amino) bootstrap peers, as go-ipfs/kubo ships them. Using
 * them puts the node on the public DHT, where club rosters (IPNS records) and
 * provider records live. Replace the list (or empty it) for a private grid.
 */
export const IPFS_BOOTSTRAP_PEERS: readonly string[] = Object.freeze([
  '/dnsaddr/bootstrap.libp2p.io/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN',
  '/dnsaddr/bootstrap.libp2p.io/p2p/QmQCU2EcMqAqQPR2i9bChDtGNJchTbq5TbXJJ16u19uLTa',
  '/dnsaddr/bootstrap.libp2p.io/p2p/QmbLHAnMoJPWSCR5Zhtx6BHJX9KiKNN6tpvbUcqanj75Nb',
  '/dnsaddr/bootstrap.libp2p.io/p2p/QmcZf59bWwK5XFi76CZX8cbJ4BhTzzA3gU1ZjYZcYW3dwt',
  '/ip4/104.131.131.82/tcp/4001/p2p/QmaCpDMGvV2BGHeYERUEnRQAwe3N8SzbUtfsmvsqQLuvuJ'
])

/** Kademlia protocol of the public IPFS DHT. */
export const IPFS_DHT_PROTOCOL = '/ipfs/kad/1.0.0'

/** One way a storage server accepts new users, shown to clients by the account protocol. */
export interface PaymentMethodConfig {
  /** Short name, e.g. "invitation" or "liberapay". */
  name: string
  /** Where the user goes to pay or ask (https:, mailto:, …). */
  url: string
  /** One or two sentences for a human: what they get and how. */
  explanation: string
}

export interface DhtConfig {
  /** Kademlia protocol id. Default `/ipfs/kad/1.0.0` joins the public IPFS DHT. */
  protocol: string
  /**
   * `server` answers DHT queries from the start; `client` only asks;
   * `auto` lets kad-dht switch to server once a public address is confirmed
   * (in LAN mode, where that never happens, `auto` means server).
   */
  clientMode: 'auto' | 'client' | 'server'
  /**
   * Keep private and loopback addresses in the routing table (for a LAN grid or
   * tests) instead of dropping them as the public DHT does. `auto`: on when
   * every listen address is loopback or private.
   */
  lan: 'auto' | boolean
}

export interface StorageConfig {
  /** Run a storage server that keeps other people's shares. Default true. */
  enabled: boolean
  /** Most bytes of shares this node keeps; null = bounded only by free disk space. File form may be "50GB". */
  capacity: number | null
  /** Bytes an account (client key) may store without an invitation. Default 1 GiB. */
  freeQuota: number
  /** How long a lease lasts after it is added or renewed, in days. Default 31, as Tahoe. */
  leaseDays: number
  /** Ways a user can get more than the free quota, shown by `account terms`. */
  paymentMethods: PaymentMethodConfig[]
  /** What a user must do to get an invitation, shown by `account terms`. */
  invitationExplanation: string
  // Limits against hostile peers (docs/config.md gives each default's reason).
  /** Uploads in progress on the whole server. Default 8192. */
  maxUploads: number
  /** Uploads in progress per free (anonymous) account. Default 256. */
  freeMaxUploads: number
  /** Uploads in progress per granted account. Default 4096. */
  grantedMaxUploads: number
  /** Shares (stored plus in progress) per free account. Default 20,000. */
  freeMaxShares: number
  /** Shares per granted account. Default 2,000,000. */
  grantedMaxShares: number
  /** Storage indexes per free account. Default 10,000. */
  freeMaxStorageIndexes: number
  /** Storage indexes per granted account. Default 1,000,000. */
  grantedMaxStorageIndexes: number
  /** Bytes all free accounts together may use; null = half of capacity, or of the free disk at start. */
  freeBudget: number | null
  /** Uploads in progress of all free accounts together. Default 2048. */
  freeMaxReservations: number
  /** An upload nothing was written to is dropped this long after its allocation. Default 120. */
  reservationTimeoutSeconds: number
  /** An account's uploads are dropped this long after its last connection closed. Default 300. */
  disconnectGraceSeconds: number
  /** Standing corruption advisories kept per reporter. Default 100. */
  advisoriesPerReporter: number
  /** Corruption advisories kept in all (oldest dropped first). Default 10,000. */
  maxAdvisories: number
  /** Corruption advisories are deleted after this many days. Default 30. */
  advisoryRetentionDays: number
  /** Corruption advisories one reporter may send per minute. Default 20. */
  advisoriesPerMinute: number
  /** Bytes of received storage requests held in memory by all sessions together. Default 64 MiB. File form may be "64MiB". */
  writeBudget: number
  /** Bytes of that budget one storage session may hold. Default 5 MiB. */
  sessionWriteBudget: number
  /** Storage sessions (protocol streams) one connection may have open. Default 4. */
  sessionsPerConnection: number
}

export interface GatewayConfig {
  /** Serve the HTTP gateway and status page. Default true. */
  enabled: boolean
  /** Interface to listen on. Default 127.0.0.1; anything else exposes the gateway to the network. */
  host: string
  /** TCP port. Default 3456, as Tahoe's web API. 0 picks a free port. */
  port: number
  /**
   * Serve active content (HTML, SVG, XML, JavaScript) from /uri inline instead
   * of as a download. Default false: a cap anyone can make would otherwise run
   * a page next to the gateway (sandboxed by CSP either way).
   */
  inlineActiveContent: boolean
}

export interface RelayConfig {
  /** Use circuit relays to be reachable from behind NAT (and dial relayed peers). Default true. */
  client: boolean
  /** Act as a relay for others: true, false, or `auto` = once this node's public address is confirmed. */
  server: 'auto' | boolean
  /**
   * Whose relayed connections go without limit when this node relays:
   * `club-members` (default) = the servers on the rosters of the clubs this
   * node owns, serves or joined; `all`; `none` (everyone gets the limit below).
   */
  unlimitedFor: 'club-members' | 'all' | 'none'
  /** Most reservations this relay holds at once. Default 64 (libp2p's own default is 15). */
  maxReservations: number
  /** Bytes per second all relayed connections together may carry; null (default) = no cap. File form may be "5MB". */
  maxRelayedBytesPerSecond: number | null
  /** Data limit of a relayed connection that is not unlimited. Default 131072 (libp2p's 128 KiB). */
  limitedDataBytes: number
  /** Duration limit of a relayed connection that is not unlimited. Default 120 (libp2p's 2 minutes). */
  limitedDurationSeconds: number
}

export interface NatConfig {
  /** Ask the home router for a port mapping with UPnP/NAT-PMP. Default true; never on a loopback-only node. */
  upnp: boolean
  /** Ask peers to dial back to confirm which addresses are public (AutoNAT). Default true. */
  autonat: boolean
}

export interface NetworkConfig {
  /**
   * CIDR blocks treated as public addresses (e.g. `["11.0.0.0/8"]`), for a
   * network lab that plays the internet with addresses of its own. Default []:
   * a normal node judges addresses as libp2p does.
   */
  publicRanges: string[]
}

export interface ClubsConfig {
  /**
   * How often the node re-signs the rosters of clubs it owns and re-puts the
   * owner's signed roster of clubs it joined or serves, so the club stays
   * resolvable while its owner is away. Default 43200 (12 h): four chances
   * within kad-dht's fixed 48 h record lifetime.
   */
  republishIntervalSeconds: number
}

export interface ConnectionsConfig {
  /** Most open connections; above it the least useful are closed. Default 100, gentle on home routers. */
  maxConnections: number
  /** Most inbound connections still in their handshake. Default 10. */
  maxIncomingPending: number
  /** New inbound connections accepted per second from one IP address. Default 5. */
  inboundPerHostPerSecond: number
  /** Multiaddr prefixes (e.g. `/ip4/10.0.0.0/ipcidr/8`) exempt from the limits above. */
  allow: string[]
  /** Multiaddr prefixes never connected to. */
  deny: string[]
}

export interface ClientConfig {
  /** Shares needed to read a file (Tahoe's `shares.needed`). Default 3. */
  k: number
  /** Distinct servers an upload must reach to succeed (`shares.happy`). Default 7. */
  happy: number
  /** Shares made per file (`shares.total`). Default 10. */
  n: number
  /** Bytes per encrypted segment. Default 1 MiB (131072 × 8), as Tahoe. */
  maxSegmentSize: number
  /**
   * The club uploads go through when none is named, and the club asked first
   * for a cap without a hint. `club join` (and `club create`) set it when it is
   * still null; null = upload to the storage servers this node is connected to.
   */
  club: string | null
}

/** The node's settings, after defaults are applied. */
export interface NodeConfig {
  /** Multiaddrs to listen on. Default TCP 4001 and WebSockets 4002 on every interface. */
  listen: string[]
  /** Multiaddrs to tell peers instead of the ones observed (e.g. a VPS's public address); [] = automatic. */
  announce: string[]
  /** Peers dialled at start to join the DHT, each with /p2p/<peer id>. Default: the public IPFS bootstrap peers. */
  bootstrap: string[]
  dht: DhtConfig
  storage: StorageConfig
  gateway: GatewayConfig
  relay: RelayConfig
  nat: NatConfig
  network: NetworkConfig
  clubs: ClubsConfig
  connections: ConnectionsConfig
  client: ClientConfig
  /** File holding the convergence secret, relative to the data folder. Default `private/convergence`. */
  convergenceSecretFile: string
}

/** A deep-partial config, as found in config.json or passed to createNode. */
export type ConfigInput = {
  [K in keyof NodeConfig]?: NodeConfig[K] extends any[] ? NodeConfig[K]
    : NodeConfig[K] extends object ? { [J in keyof NodeConfig[K]]?: NodeConfig[K][J] | (J extends 'capacity' | 'freeQuota' | 'freeBudget' | 'writeBudget' | 'sessionWriteBudget' ? string : never) }
      : NodeConfig[K]
}

export const DEFAULT_CONFIG: Readonly<NodeConfig> = Object.freeze({
  listen: ['/ip4/0.0.0.0/tcp/4001', '/ip4/0.0.0.0/tcp/4002/ws'],
  announce: [],
  bootstrap: [...IPFS_BOOTSTRAP_PEERS],
  dht: { protocol: IPFS_DHT_PROTOCOL, clientMode: 'auto', lan: 'auto' },
  storage: {
    enabled: true,
    capacity: null,
    freeQuota: 2 ** 30,
    leaseDays: 31,
    paymentMethods: [],
    invitationExplanation: 'Ask the operator of this server for an invitation code.',
    maxUploads: 8192,
    freeMaxUploads: 256,
    grantedMaxUploads: 4096,
    freeMaxShares: 20_000,
    grantedMaxShares: 2_000_000,
    freeMaxStorageIndexes: 10_000,
    grantedMaxStorageIndexes: 1_000_000,
    freeBudget: null,
    freeMaxReservations: 2048,
    reservationTimeoutSeconds: 120,
    disconnectGraceSeconds: 300,
    advisoriesPerReporter: 100,
    maxAdvisories: 10_000,
    advisoryRetentionDays: 30,
    advisoriesPerMinute: 20,
    writeBudget: 64 * 2 ** 20,
    sessionWriteBudget: 5 * 2 ** 20,
    sessionsPerConnection: 4
  },
  gateway: { enabled: true, host: '127.0.0.1', port: 3456, inlineActiveContent: false },
  relay: {
    client: true,
    server: 'auto',
    unlimitedFor: 'club-members',
    maxReservations: 64,
    maxRelayedBytesPerSecond: null,
    limitedDataBytes: 128 * 1024,
    limitedDurationSeconds: 120
  },
  nat: { upnp: true, autonat: true },
  network: { publicRanges: [] },
  clubs: { republishIntervalSeconds: 12 * 3600 },
  connections: { maxConnections: 100, maxIncomingPending: 10, inboundPerHostPerSecond: 5, allow: [], deny: [] },
  client: { k: 3, happy: 7, n: 10, maxSegmentSize: 1024 * 1024, club: null },
  convergenceSecretFile: 'private/convergence'
} satisfies NodeConfig)

/** A fresh, mutable copy of the defaults. */
export function defaultConfig (): NodeConfig {
  return structuredClone(DEFAULT_CONFIG) as NodeConfig
}

/** Whole-number storage limits and their allowed [min, max]. */
const STORAGE_COUNTS = {
  maxUploads: [1, 1_000_000],
  freeMaxUploads: [0, 1_000_000],
  grantedMaxUploads: [0, 1_000_000],
  freeMaxShares: [0, 1e12],
  grantedMaxShares: [0, 1e12],
  freeMaxStorageIndexes: [0, 1e12],
  grantedMaxStorageIndexes: [0, 1e12],
  freeMaxReservations: [0, 1_000_000],
  reservationTimeoutSeconds: [1, 86_400],
  disconnectGraceSeconds: [0, 86_400],
  advisoriesPerReporter: [0, 1_000_000],
  maxAdvisories: [0, 10_000_000],
  advisoriesPerMinute: [0, 1_000_000],
  sessionsPerConnection: [1, 64]
} as const satisfies Partial<Record<keyof StorageConfig, readonly [number, number]>>

/**
 * Bounds of storage.writeBudget and storage.sessionWriteBudget: below 1 MiB
 * a session cannot hold one full write frame (so it pauses after every
 * frame); above 4 GiB the budget no longer bounds anything a home machine has.
 */
const MIN_WRITE_BUDGET = 2 ** 20
const MAX_WRITE_BUDGET = 4 * 2 ** 30

/** Validates a deep-partial config (from the file or from code) and merges it over `base`. */
export function mergeConfig (base: NodeConfig, input: unknown, source = 'config'): NodeConfig {
  const v = new Validator(source)
  const out = structuredClone(base)
  const top = v.object('', input)
  v.onlyKeys('', top, Object.keys(DEFAULT_CONFIG))

  if ('listen' in top) out.listen = v.multiaddrs('listen', top.listen, { allowEmpty: true })
  if ('announce' in top) out.announce = v.multiaddrs('announce', top.announce, { allowEmpty: true })
  if ('bootstrap' in top) out.bootstrap = v.multiaddrs('bootstrap', top.bootstrap, { allowEmpty: true, needPeerId: true })
  if ('convergenceSecretFile' in top) out.convergenceSecretFile = v.relativePath('convergenceSecretFile', top.convergenceSecretFile)

  v.section(top, 'dht', (s, k) => {
    if (k === 'protocol') out.dht.protocol = v.protocolId('dht.protocol', s.protocol)
    if (k === 'clientMode') out.dht.clientMode = v.oneOf('dht.clientMode', s.clientMode, ['auto', 'client', 'server'] as const)
    if (k === 'lan') out.dht.lan = v.oneOf('dht.lan', s.lan, ['auto', true, false] as const)
  }, Object.keys(DEFAULT_CONFIG.dht))

  v.section(top, 'storage', (s, k) => {
    if (k === 'enabled') out.storage.enabled = v.boolean('storage.enabled', s.enabled)
    if (k === 'capacity') out.storage.capacity = s.capacity === null ? null : v.size('storage.capacity', s.capacity)
    if (k === 'freeQuota') out.storage.freeQuota = v.size('storage.freeQuota', s.freeQuota)
    if (k === 'leaseDays') out.storage.leaseDays = v.number('storage.leaseDays', s.leaseDays, { min: 1, max: 3650 })
    if (k === 'paymentMethods') out.storage.paymentMethods = v.paymentMethods('storage.paymentMethods', s.paymentMethods)
    if (k === 'invitationExplanation') out.storage.invitationExplanation = v.string('storage.invitationExplanation', s.invitationExplanation, { maxLength: 1000 })
    if (k === 'freeBudget') out.storage.freeBudget = s.freeBudget === null ? null : v.size('storage.freeBudget', s.freeBudget)
    if (k === 'writeBudget') out.storage.writeBudget = v.size('storage.writeBudget', s.writeBudget, { min: MIN_WRITE_BUDGET, max: MAX_WRITE_BUDGET })
    if (k === 'sessionWriteBudget') out.storage.sessionWriteBudget = v.size('storage.sessionWriteBudget', s.sessionWriteBudget, { min: MIN_WRITE_BUDGET, max: MAX_WRITE_BUDGET })
    if (k === 'advisoryRetentionDays') out.storage.advisoryRetentionDays = v.number('storage.advisoryRetentionDays', s.advisoryRetentionDays, { min: 1, max: 3650 })
    if (k in STORAGE_COUNTS) {
      const key = k as keyof typeof STORAGE_COUNTS
      out.storage[key] = v.integer(`storage.${key}`, s[key], { min: STORAGE_COUNTS[key][0], max: STORAGE_COUNTS[key][1] })
    }
  }, Object.keys(DEFAULT_CONFIG.storage))

  v.section(top, 'gateway', (s, k) => {
    if (k === 'enabled') out.gateway.enabled = v.boolean('gateway.enabled', s.enabled)
    if (k === 'host') out.gateway.host = v.string('gateway.host', s.host, { minLength: 1, maxLength: 255 })
    if (k === 'port') out.gateway.port = v.integer('gateway.port', s.port, { min: 0, max: 65535 })
    if (k === 'inlineActiveContent') out.gateway.inlineActiveContent = v.boolean('gateway.inlineActiveContent', s.inlineActiveContent)
  }, Object.keys(DEFAULT_CONFIG.gateway))

  v.section(top, 'relay', (s, k) => {
    if (k === 'client') out.relay.client = v.boolean('relay.client', s.client)
    if (k === 'server') out.relay.server = v.oneOf('relay.server', s.server, ['auto', true, false] as const)
    if (k === 'unlimitedFor') out.relay.unlimitedFor = v.oneOf('relay.unlimitedFor', s.unlimitedFor, ['club-members', 'all', 'none'] as const)
    if (k === 'maxReservations') out.relay.maxReservations = v.integer('relay.maxReservations', s.maxReservations, { min: 0, max: 100_000 })
    if (k === 'maxRelayedBytesPerSecond') {
      out.relay.maxRelayedBytesPerSecond = s.maxRelayedBytesPerSecond === null ? null : v.size('relay.maxRelayedBytesPerSecond', s.maxRelayedBytesPerSecond)
      if (out.relay.maxRelayedBytesPerSecond === 0) v.fail('relay.maxRelayedBytesPerSecond', 'must be more than 0, or null for no cap (set "relay.server" to false to relay nothing)')
    }
    if (k === 'limitedDataBytes') out.relay.limitedDataBytes = v.size('relay.limitedDataBytes', s.limitedDataBytes)
    if (k === 'limitedDurationSeconds') out.relay.limitedDurationSeconds = v.integer('relay.limitedDurationSeconds', s.limitedDurationSeconds, { min: 1, max: 86_400 })
  }, Object.keys(DEFAULT_CONFIG.relay))

  v.section(top, 'nat', (s, k) => {
    if (k === 'upnp') out.nat.upnp = v.boolean('nat.upnp', s.upnp)
    if (k === 'autonat') out.nat.autonat = v.boolean('nat.autonat', s.autonat)
  }, Object.keys(DEFAULT_CONFIG.nat))

  v.section(top, 'network', (s, k) => {
    if (k === 'publicRanges') out.network.publicRanges = v.cidrs('network.publicRanges', s.publicRanges)
  }, Object.keys(DEFAULT_CONFIG.network))

  v.section(top, 'clubs', (s, k) => {
    if (k === 'republishIntervalSeconds') out.clubs.republishIntervalSeconds = v.integer('clubs.republishIntervalSeconds', s.republishIntervalSeconds, { min: 1, max: 47 * 3600 })
  }, Object.keys(DEFAULT_CONFIG.clubs))

  v.section(top, 'connections', (s, k) => {
    if (k === 'maxConnections') out.connections.maxConnections = v.integer('connections.maxConnections', s.maxConnections, { min: 1, max: 100_000 })
    if (k === 'maxIncomingPending') out.connections.maxIncomingPending = v.integer('connections.maxIncomingPending', s.maxIncomingPending, { min: 1, max: 10_000 })
    if (k === 'inboundPerHostPerSecond') out.connections.inboundPerHostPerSecond = v.integer('connections.inboundPerHostPerSecond', s.inboundPerHostPerSecond, { min: 1, max: 10_000 })
    if (k === 'allow') out.connections.allow = v.multiaddrs('connections.allow', s.allow, { allowEmpty: true })
    if (k === 'deny') out.connections.deny = v.multiaddrs('connections.deny', s.deny, { allowEmpty: true })
  }, Object.keys(DEFAULT_CONFIG.connections))

  v.section(top, 'client', (s, k) => {
    if (k === 'k') out.client.k = v.integer('client.k', s.k, { min: 1, max: 256 })
    if (k === 'happy') out.client.happy = v.integer('client.happy', s.happy, { min: 1, max: 256 })
    if (k === 'n') out.client.n = v.integer('client.n', s.n, { min: 1, max: 256 })
    if (k === 'maxSegmentSize') out.client.maxSegmentSize = v.integer('client.maxSegmentSize', s.maxSegmentSize, { min: 1, max: 2 ** 30 })
    if (k === 'club') out.client.club = s.club === null ? null : v.clubId('client.club', s.club)
  }, Object.keys(DEFAULT_CONFIG.client))

  checkCoherent(out, source)
  return out
}

/** Rules that involve several keys; run on the merged result. */
function checkCoherent (c: NodeConfig, source: string): void {
  const { k, happy, n } = c.client
  if (k > n) throw new ConfigError('client.k', `must not exceed client.n (k=${k}, n=${n})`, source)
  if (happy < k || happy > n) throw new ConfigError('client.happy', `must be between client.k and client.n (k=${k}, happy=${happy}, n=${n})`, source)
  const { writeBudget, sessionWriteBudget } = c.storage
  if (sessionWriteBudget > writeBudget) {
    throw new ConfigError('storage.sessionWriteBudget', `must not exceed storage.writeBudget (session ${sessionWriteBudget}, total ${writeBudget} bytes)`, source)
  }
}

