/**
 * The node's config file, `<dataDir>/config.json`.
 *
 * Every key is optional in the file: what is given is validated and merged
 * over DEFAULT_CONFIG. Validation is strict (unknown keys are errors) because a
 * typo in a config key otherwise silently leaves the default in force.
 * The reference for users is docs/config.md; keep it in step with this file.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { ConfigError, MissingDataDirError } from './errors.js'

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
}

export interface GatewayConfig {
  /** Serve the HTTP gateway and status page. Default true. */
  enabled: boolean
  /** Interface to listen on. Default 127.0.0.1; anything else exposes the gateway to the network. */
  host: string
  /** TCP port. Default 3456, as Tahoe's web API. 0 picks a free port. */
  port: number
}

export interface RelayConfig {
  /** Use circuit relays to be reachable from behind NAT (and dial relayed peers). Default true. */
  client: boolean
  /** Act as a relay for others: true, false, or `auto` = once this node's public address is confirmed. */
  server: 'auto' | boolean
}

export interface NatConfig {
  /** Ask the home router for a port mapping with UPnP/NAT-PMP. Default true; never on a loopback-only node. */
  upnp: boolean
  /** Ask peers to dial back to confirm which addresses are public (AutoNAT). Default true. */
  autonat: boolean
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
  connections: ConnectionsConfig
  client: ClientConfig
  /** File holding the convergence secret, relative to the data folder. Default `private/convergence`. */
  convergenceSecretFile: string
}

/** A deep-partial config, as found in config.json or passed to createNode. */
export type ConfigInput = {
  [K in keyof NodeConfig]?: NodeConfig[K] extends any[] ? NodeConfig[K]
    : NodeConfig[K] extends object ? { [J in keyof NodeConfig[K]]?: NodeConfig[K][J] | (J extends 'capacity' | 'freeQuota' ? string : never) }
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
    invitationExplanation: 'Ask the operator of this server for an invitation code.'
  },
  gateway: { enabled: true, host: '127.0.0.1', port: 3456 },
  relay: { client: true, server: 'auto' },
  nat: { upnp: true, autonat: true },
  connections: { maxConnections: 100, maxIncomingPending: 10, inboundPerHostPerSecond: 5, allow: [], deny: [] },
  client: { k: 3, happy: 7, n: 10, maxSegmentSize: 1024 * 1024 },
  convergenceSecretFile: 'private/convergence'
} satisfies NodeConfig)

/** A fresh, mutable copy of the defaults. */
export function defaultConfig (): NodeConfig {
  return structuredClone(DEFAULT_CONFIG) as NodeConfig
}

const SIZE_UNITS: Record<string, number> = {
  '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15, ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30, ti: 2 ** 40, pi: 2 ** 50
}

/**
 * Parses a byte count the way Tahoe's `parse_abbreviated_size` does: a plain
 * number, or a number with a unit — decimal (`kB`, `MB`, `GB`, `TB`) or binary
 * (`KiB`, `MiB`, `GiB`, `TiB`); the trailing `B` and the case are optional.
 * Returns undefined when the text is not a size.
 */
export function parseSize (text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]i?)?b?\s*$/i.exec(text)
  if (m == null) return undefined
  const unit = SIZE_UNITS[(m[2] ?? '').toLowerCase()]
  if (unit === undefined) return undefined
  return Math.round(Number(m[1]) * unit)
}

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
  }, Object.keys(DEFAULT_CONFIG.storage))

  v.section(top, 'gateway', (s, k) => {
    if (k === 'enabled') out.gateway.enabled = v.boolean('gateway.enabled', s.enabled)
    if (k === 'host') out.gateway.host = v.string('gateway.host', s.host, { minLength: 1, maxLength: 255 })
    if (k === 'port') out.gateway.port = v.integer('gateway.port', s.port, { min: 0, max: 65535 })
  }, Object.keys(DEFAULT_CONFIG.gateway))

  v.section(top, 'relay', (s, k) => {
    if (k === 'client') out.relay.client = v.boolean('relay.client', s.client)
    if (k === 'server') out.relay.server = v.oneOf('relay.server', s.server, ['auto', true, false] as const)
  }, Object.keys(DEFAULT_CONFIG.relay))

  v.section(top, 'nat', (s, k) => {
    if (k === 'upnp') out.nat.upnp = v.boolean('nat.upnp', s.upnp)
    if (k === 'autonat') out.nat.autonat = v.boolean('nat.autonat', s.autonat)
  }, Object.keys(DEFAULT_CONFIG.nat))

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
  }, Object.keys(DEFAULT_CONFIG.client))

  checkCoherent(out, source)
  return out
}

/** Rules that involve several keys; run on the merged result. */
function checkCoherent (c: NodeConfig, source: string): void {
  const { k, happy, n } = c.client
  if (k > n) throw new ConfigError('client.k', `must not exceed client.n (k=${k}, n=${n})`, source)
  if (happy < k || happy > n) throw new ConfigError('client.happy', `must be between client.k and client.n (k=${k}, happy=${happy}, n=${n})`, source)
}

type Obj = Record<string, unknown>

function describe (v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v)
  if (typeof v === 'object') return 'an object'
  return `${typeof v} ${String(v)}`
}

/** Small typed checks; each throws a ConfigError naming the key. */
class Validator {
  constructor (private readonly source: string) {}

  fail (key: string, problem: string): never {
    throw new ConfigError(key, problem, this.source)
  }

  object (key: string, v: unknown): Obj {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      this.fail(key, `must be an object, got ${describe(v)}`)
    }
    return v as Obj
  }

  onlyKeys (prefix: string, o: Obj, known: string[]): void {
    for (const k of Object.keys(o)) {
      if (!known.includes(k)) {
        const key = prefix === '' ? k : `${prefix}.${k}`
        this.fail(key, `is not a known key (known${prefix === '' ? '' : ` in "${prefix}"`}: ${known.join(', ')})`)
      }
    }
  }

  section (top: Obj, name: string, each: (s: Obj, key: string) => void, known: string[]): void {
    if (!(name in top)) return
    const s = this.object(name, top[name])
    this.onlyKeys(name, s, known)
    for (const k of Object.keys(s)) each(s, k)
  }

  boolean (key: string, v: unknown): boolean {
    if (typeof v !== 'boolean') this.fail(key, `must be true or false, got ${describe(v)}`)
    return v
  }

  string (key: string, v: unknown, o: { minLength?: number, maxLength?: number } = {}): string {
    if (typeof v !== 'string') this.fail(key, `must be a string, got ${describe(v)}`)
    if (o.minLength !== undefined && v.length < o.minLength) this.fail(key, 'must not be empty')
    if (o.maxLength !== undefined && v.length > o.maxLength) this.fail(key, `must be at most ${o.maxLength} characters long`)
    return v
  }

  number (key: string, v: unknown, o: { min: number, max: number }): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, `must be a number, got ${describe(v)}`)
    if (v < o.min || v > o.max) this.fail(key, `must be between ${o.min} and ${o.max}, got ${v}`)
    return v
  }

  integer (key: string, v: unknown, o: { min: number, max: number }): number {
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(key, `must be a whole number, got ${describe(v)}`)
    return this.number(key, v, o)
  }

  size (key: string, v: unknown): number {
    let n: number | undefined
    if (typeof v === 'number') n = v
    else if (typeof v === 'string') {
      n = parseSize(v)
      if (n === undefined) this.fail(key, `must be a byte count such as 1073741824, "50GB" or "2TiB", got ${describe(v)}`)
    } else {
      this.fail(key, `must be a byte count (a number, or a string such as "50GB"), got ${describe(v)}`)
    }
    if (!Number.isSafeInteger(n) || n < 0) this.fail(key, `must be a whole, non-negative number of bytes, got ${describe(v)}`)
    return n
  }

  oneOf<T extends string | boolean> (key: string, v: unknown, choices: readonly T[]): T {
    if (!choices.includes(v as T)) {
      this.fail(key, `must be one of ${choices.map(c => JSON.stringify(c)).join(', ')}, got ${describe(v)}`)
    }
    return v as T
  }

  multiaddrs (key: string, v: unknown, o: { allowEmpty: boolean, needPeerId?: boolean }): string[] {
    if (!Array.isArray(v)) this.fail(key, `must be an array of multiaddr strings, got ${describe(v)}`)
    if (!o.allowEmpty && v.length === 0) this.fail(key, 'must not be empty')
    return v.map((a, i) => {
      const k = `${key}[${i}]`
      if (typeof a !== 'string') this.fail(k, `must be a multiaddr string, got ${describe(a)}`)
      let ma: Multiaddr
      try { ma = multiaddr(a) } catch (err: any) { this.fail(k, `is not a valid multiaddr (${describe(a)}: ${err?.message ?? err})`) }
      if (o.needPeerId === true && ma.getComponents().findLast(c => c.name === 'p2p') === undefined) {
        this.fail(k, `must end with /p2p/<peer id> so the peer can be authenticated, got ${describe(a)}`)
      }
      return a
    })
  }

  protocolId (key: string, v: unknown): string {
    const s = this.string(key, v)
    if (!/^\/\S+$/.test(s)) this.fail(key, `must be a protocol id such as "/ipfs/kad/1.0.0", got ${describe(v)}`)
    return s
  }

  relativePath (key: string, v: unknown): string {
    const s = this.string(key, v, { minLength: 1 })
    if (s.startsWith('/') || s.split(/[\\/]/).includes('..')) this.fail(key, `must be a path inside the data folder (relative, no ".."), got ${describe(v)}`)
    return s
  }

  paymentMethods (key: string, v: unknown): PaymentMethodConfig[] {
    if (!Array.isArray(v)) this.fail(key, `must be an array of {name, url, explanation} objects, got ${describe(v)}`)
    return v.map((m, i) => {
      const k = `${key}[${i}]`
      const o = this.object(k, m)
      this.onlyKeys(k, o, ['name', 'url', 'explanation'])
      const url = this.string(`${k}.url`, o.url, { minLength: 1, maxLength: 2000 })
      try { new URL(url) } catch { this.fail(`${k}.url`, `must be an absolute URL (https:, mailto:, …), got ${describe(url)}`) }
      return {
        name: this.string(`${k}.name`, o.name, { minLength: 1, maxLength: 100 }),
        url,
        explanation: this.string(`${k}.explanation`, o.explanation, { minLength: 1, maxLength: 1000 })
      }
    })
  }
}

/** Reads and validates `path`, merged over the defaults. A missing file is a MissingDataDirError. */
export async function loadConfigFile (path: string, dataDir: string): Promise<NodeConfig> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err: any) {
    if (err?.code === 'ENOENT') throw new MissingDataDirError(dataDir)
    throw err
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err: any) {
    throw new ConfigError('', `is not valid JSON (${err?.message ?? err}). Fix the file, or move it away and run "lafs-club init" for a fresh one.`, path)
  }
  return mergeConfig(defaultConfig(), json, path)
}

/** Writes a config as pretty JSON (mode 0644: it holds no secrets). */
export async function writeConfigFile (path: string, config: NodeConfig | ConfigInput): Promise<void> {
  await writeFile(path, JSON.stringify(config, null, 2) + '\n', { mode: 0o644 })
}
