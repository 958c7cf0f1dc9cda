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
import { DEFAULT_TOR_CONFIG, checkTorCoherent, mergeTorKey } from './tor-config.js'
import type { NodeConfig, StorageConfig } from './config-types.js'

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

export type {
  PaymentMethodConfig, DhtConfig, StorageConfig, GatewayConfig, RelayConfig, NatConfig, NetworkConfig,
  ClubsConfig, ConnectionsConfig, ClientConfig, HelperConfig, NodeConfig, ConfigInput, RepairConfig, SecureChannel, TorConfig
} from './config-types.js'
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
    nameClubs: true,
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
  network: { publicRanges: [], secureChannels: ['noise', 'tls'] },
  clubs: { republishIntervalSeconds: 12 * 3600 },
  repair: { intervalSeconds: 6 * 3600, maxChecksPerPass: 1000, verifyBytesPerPass: 64 * 2 ** 20, maxBytesPerSecond: 2 ** 20 },
  connections: { maxConnections: 100, maxIncomingPending: 10, inboundPerHostPerSecond: 5, allow: [], deny: [] },
  client: { k: 3, happy: 7, n: 10, maxSegmentSize: 1024 * 1024, club: null, helper: null, spreadDownloads: true },
  tor: { ...DEFAULT_TOR_CONFIG, extraConfig: [] },
  helper: { enabled: false, spoolBytes: 10 * 2 ** 30, clientSpoolBytes: 2 * 2 ** 30, maxUploads: 8, partialExpirySeconds: 86_400, clients: null },
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
    if (k === 'nameClubs') out.storage.nameClubs = v.boolean('storage.nameClubs', s.nameClubs)
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
    if (k === 'secureChannels') out.network.secureChannels = v.secureChannels('network.secureChannels', s.secureChannels)
  }, Object.keys(DEFAULT_CONFIG.network))

  v.section(top, 'clubs', (s, k) => {
    if (k === 'republishIntervalSeconds') out.clubs.republishIntervalSeconds = v.integer('clubs.republishIntervalSeconds', s.republishIntervalSeconds, { min: 1, max: 47 * 3600 })
  }, Object.keys(DEFAULT_CONFIG.clubs))

  v.section(top, 'repair', (s, k) => {
    if (k === 'intervalSeconds') out.repair.intervalSeconds = v.integer('repair.intervalSeconds', s.intervalSeconds, { min: 0, max: 30 * 86_400 })
    if (k === 'maxChecksPerPass') out.repair.maxChecksPerPass = v.integer('repair.maxChecksPerPass', s.maxChecksPerPass, { min: 0, max: 10_000_000 })
    if (k === 'verifyBytesPerPass') out.repair.verifyBytesPerPass = v.size('repair.verifyBytesPerPass', s.verifyBytesPerPass)
    if (k === 'maxBytesPerSecond') out.repair.maxBytesPerSecond = v.size('repair.maxBytesPerSecond', s.maxBytesPerSecond)
  }, Object.keys(DEFAULT_CONFIG.repair))

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
    if (k === 'helper') {
      out.client.helper = s.helper === null || s.helper === 'club' ? s.helper : v.multiaddr('client.helper', s.helper, { needPeerId: true })
    }
    if (k === 'spreadDownloads') out.client.spreadDownloads = v.boolean('client.spreadDownloads', s.spreadDownloads)
  }, Object.keys(DEFAULT_CONFIG.client))

  v.section(top, 'tor', (s, k) => { mergeTorKey(v, s, k, out.tor) }, Object.keys(DEFAULT_CONFIG.tor))
  v.section(top, 'helper', (s, k) => {
    if (k === 'enabled') out.helper.enabled = v.boolean('helper.enabled', s.enabled)
    if (k === 'spoolBytes') out.helper.spoolBytes = v.size('helper.spoolBytes', s.spoolBytes)
    if (k === 'clientSpoolBytes') out.helper.clientSpoolBytes = v.size('helper.clientSpoolBytes', s.clientSpoolBytes)
    if (k === 'maxUploads') out.helper.maxUploads = v.integer('helper.maxUploads', s.maxUploads, { min: 1, max: 10_000 })
    if (k === 'clients') out.helper.clients = s.clients === null ? null : v.peerIds('helper.clients', s.clients)
    if (k === 'partialExpirySeconds') out.helper.partialExpirySeconds = v.integer('helper.partialExpirySeconds', s.partialExpirySeconds, { min: 60, max: 365 * 86_400 })
  }, Object.keys(DEFAULT_CONFIG.helper))

  checkCoherent(out, source)
  checkTorCoherent(out, source)
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
  // a per-client share above the whole spool is harmless (the spool's limit applies first); setting only spoolBytes must stay valid
  if (c.helper.spoolBytes < 1) throw new ConfigError('helper.spoolBytes', 'must be at least 1 byte (a helper with no spool refuses every upload; set helper.enabled false instead)', source)
}

