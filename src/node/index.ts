/**
 * One lafs-club node: libp2p with the DHT and NAT traversal, the storage
 * server and its protocols, lease keeping, and (through a hook) the client
 * layer — all from one data folder. `createNode` is the programmatic entry
 * point (like Helia's `createHelia`); the CLI daemon is a thin layer over it.
 */
import { mkdir } from 'node:fs/promises'
import { mergeConfig, type ConfigInput, type NodeConfig } from './config.js'
import { checkBootstrap, type BootstrapReport } from './bootstrap.js'
import { ClubManager, type Roster } from '../club/index.js'
import { STORAGE_PROTOCOL } from '../protocols/index.js'
import { checkFile, serversFromMultiaddrs, type CheckReport, type ServerInfo } from '../client/index.js'
import { InvalidCapError, parseHintedCap, storageIndexOf, type ChkReadCap } from '../immutable/index.js'
import { locate, type LocateDeps, type LocateOptions, type LocateResult } from '../routing/index.js'
import { defaultClientFactory, type ClientFactory, type GetOptions, type NodeClient, type PutOptions, type PutResult } from './client.js'
import { ensureDataDir, openDataDir } from './data-dir.js'
import { NodeStoppedError } from './errors.js'
import { LeaseBook } from './leases.js'
import { buildLibp2p, networkProfile, openDatastore, type LafsLibp2p, type NetworkProfile } from './libp2p.js'
import { defaultLogger, type NodeLogger } from './log.js'
import { keepRosterServersConnected } from './roster-keeper.js'
import { startStorage, type NodeStorage } from './storage.js'
import type { StorageServer } from '../storage/index.js'
import type { ProviderAnnouncer } from '../dht/index.js'

export * from './config.js'
export * from './errors.js'
export { initDataDir, openDataDir, ensureDataDir, type InitOptions, type InitResult, type OpenedDataDir } from './data-dir.js'
export { dataDirPaths, type DataDirPaths } from './paths.js'
export { readIdentity, loadOrCreateIdentity } from './identity.js'
export { LeaseBook, DEFAULT_RENEW_MARGIN_MS, type LeaseRecord, type RecordUploadInput, type RenewFn, type RenewOutcome, type RenewReport, type LeaseBookOptions } from './leases.js'
export { checkBootstrap, DEFAULT_BOOTSTRAP_TIMEOUT_MS, type BootstrapReport } from './bootstrap.js'
export { networkProfile, type LafsLibp2p, type LafsServices, type NetworkProfile } from './libp2p.js'
export { defaultClientFactory, type ClientFactory, type NodeClient, type NodeCore, type PutOptions, type PutResult, type GetOptions } from './client.js'
export { defaultLogger, silentLogger, consoleLogger, type NodeLogger } from './log.js'
export { installProcessHandlers, type ProcessHandlerOptions } from './process.js'
export { hasPublicAddress } from './relay-auto.js'
export { keepRosterServersConnected, ROSTER_KEEP_ALIVE_TAG, type RosterKeeper, type RosterKeeperOptions, type RosterPass } from './roster-keeper.js'

export interface CreateNodeOptions {
  /** The data folder; initialized with defaults if it has no config.json yet (unless `requireInit`). */
  dataDir: string
  /** Overrides config `listen`. Tests pass ['/ip4/127.0.0.1/tcp/0']. */
  listen?: string[]
  /** Overrides config `bootstrap`; [] runs without bootstrap peers. */
  bootstrap?: string[]
  /** Overrides config `storage.enabled` / `storage.capacity` (bytes). */
  storage?: { enabled?: boolean, capacity?: number }
  /** Overrides config `dht.protocol`. */
  dhtProtocol?: string
  /** Overrides config `gateway`: false turns it off, `{ port }` sets the port. */
  gateway?: false | { port: number, host?: string }
  /** Any other config keys, validated like the file and applied over it (before the shortcuts above). */
  config?: ConfigInput
  /** Fail with MissingDataDirError instead of initializing a new folder (what `lafs-club start` wants). */
  requireInit?: boolean
  /** Where operator messages go. Default: warnings on stderr. */
  logger?: NodeLogger
  /** Builds put/get/cat (see src/node/client.ts). */
  client?: ClientFactory
  /** How long to try the bootstrap peers before reporting that the node runs alone (default 20 s). */
  bootstrapTimeoutMs?: number
}

export interface NodeCheckOptions { verify?: boolean, repair?: boolean, servers?: string[], signal?: AbortSignal }

export type NodeLocateOptions = Omit<LocateOptions, 'club'> & { club?: string }

export interface LafsNode {
  /** This node's peer ID (base58btc, `12D3KooW…`). */
  readonly peerId: string
  /** The addresses this node can be dialled on right now, each ending in /p2p/<peerId>. */
  readonly multiaddrs: string[]
  readonly libp2p: LafsLibp2p
  /** The effective config: file, then `options.config`, then the option shortcuts. */
  readonly config: NodeConfig
  readonly dataDir: string
  readonly profile: NetworkProfile
  /** This node's storage server, when storage is enabled. */
  readonly storage?: StorageServer
  /** Keeps provider records for the storage indexes this node holds, when storage is enabled. */
  readonly announcer?: ProviderAnnouncer
  /** The caps this node uploaded and their lease expiry. */
  readonly leases: LeaseBook
  readonly convergenceSecret: Uint8Array
  /** Settles once the bootstrap peers were tried; `alone` when none answered. Never rejects. */
  readonly bootstrapped: Promise<BootstrapReport>
  readonly stopped: boolean
  put: (data: Uint8Array | AsyncIterable<Uint8Array>, opts?: PutOptions) => Promise<PutResult>
  get: (cap: string, opts?: GetOptions) => Promise<Uint8Array>
  cat: (cap: string, opts?: GetOptions) => AsyncIterable<Uint8Array>
  /** Clubs this node owns, joined or serves (rosters in the DHT). */
  readonly clubs: ClubManager
  /** Finds servers holding shares of a cap: DHT provider records or the club hint, whichever is cheaper. */
  locate: (cap: string, opts?: NodeLocateOptions) => Promise<LocateResult>
  /** Creates a club owned by this node (key in <dataDir>/clubs/) and publishes its empty roster; resolves to the club ID. */
  createClub: (opts: { name: string, description?: string, policy?: 'open' | 'invitation' }) => Promise<string>
  /** Adds a server (multiaddr ending in /p2p/<id>) to a club this node owns and publishes the next roster. */
  clubAdd: (clubId: string, serverMultiaddr: string) => Promise<Roster>
  clubRemove: (clubId: string, peerId: string) => Promise<Roster>
  /** Publishes the club's roster again (next sequence number). */
  clubPublish: (clubId: string) => Promise<Roster>
  /** Resolves a club (by ID or one-code invite), checks its roster and caches it. */
  joinClub: (clubIdOrInvite: string) => Promise<Roster>
  /**
   * Tahoe-style check: counts the shares servers hold; `verify` downloads and
   * checks every block; `repair` regenerates missing or corrupt shares onto
   * servers that hold none. Servers: `servers`, else the cap's club hint and the locate planner.
   */
  check: (cap: string, opts?: NodeCheckOptions) => Promise<CheckReport>
  /** Stops transfers, libp2p, the storage server and the datastore, in that order. Safe to call twice. */
  stop: () => Promise<void>
}

/** Applies the createNode shortcuts on top of the merged config. */
function resolveConfig (base: NodeConfig, opts: CreateNodeOptions): NodeConfig {
  let config = opts.config === undefined ? base : mergeConfig(base, opts.config, 'createNode options.config')
  const shortcuts: ConfigInput = {}
  if (opts.listen !== undefined) shortcuts.listen = opts.listen
  if (opts.bootstrap !== undefined) shortcuts.bootstrap = opts.bootstrap
  if (opts.dhtProtocol !== undefined) shortcuts.dht = { protocol: opts.dhtProtocol }
  if (opts.storage !== undefined) shortcuts.storage = { ...opts.storage }
  if (opts.gateway === false) shortcuts.gateway = { enabled: false }
  else if (opts.gateway !== undefined) shortcuts.gateway = { enabled: true, ...opts.gateway }
  config = mergeConfig(config, shortcuts, 'createNode options')
  return config
}

function idempotent (fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined
  return async () => { running ??= fn(); await running }
}

/**
 * Starts a node from `opts.dataDir`. Resolves once libp2p listens and the
 * storage protocols are registered; bootstrapping continues in the background
 * (see `node.bootstrapped`).
 */
export async function createNode (opts: CreateNodeOptions): Promise<LafsNode> {
  const log = opts.logger ?? defaultLogger
  const opened = opts.requireInit === true ? await openDataDir(opts.dataDir) : await ensureDataDir(opts.dataDir)
  const config = resolveConfig(opened.config, opts)
  const { paths } = opened

  // Undo what was started if a later step fails, so the folder is free again.
  const cleanups: Array<() => Promise<void> | void> = []
  const cleanup = async (): Promise<void> => {
    for (const fn of cleanups.reverse()) {
      try { await fn() } catch (err: any) { log.error(`while stopping: ${err?.message ?? err}`) }
    }
  }

  try {
    const datastore = await openDatastore(paths.datastore, opts.dataDir)
    cleanups.push(async () => { await datastore.close() })

    // Lease periods are set by the servers holding the shares, not by this
    // node's own storage.leaseDays: the client layer records the real expiry.
    const leases = LeaseBook.open(paths.leases)
    cleanups.push(() => { leases.close() })

    const libp2p = await buildLibp2p({ config, privateKey: opened.privateKey, datastore })
    cleanups.push(async () => { await libp2p.stop() })

    let storage: NodeStorage | undefined
    if (config.storage.enabled) {
      await mkdir(paths.storage, { recursive: true, mode: 0o700 })
      storage = await startStorage(libp2p, config, paths.storage)
      // Closed after libp2p stops, so no handler writes to a closed database.
      cleanups.splice(cleanups.length - 1, 0, async () => { await storage?.close() })
    }

    const clubs = new ClubManager({ libp2p, dataDir: opts.dataDir })
    await clubs.start()
    cleanups.push(async () => { await clubs.stop() })
    const keeper = keepRosterServersConnected(libp2p, clubs, { onError: m => { log.warn(m) } })
    cleanups.push(() => { keeper.stop() })
    const keepConnected = (): void => { keeper.runNow().catch(() => {}) }
    keepConnected()
    const locateDeps: LocateDeps = { libp2p, dht: libp2p.services.dht, clubs }
    const nodeLocate = async (cap: string | ChkReadCap, o: NodeLocateOptions = {}): Promise<LocateResult> => {
      const parsed = typeof cap === 'string' ? parseHintedCap(cap) : { cap, hint: undefined }
      if (parsed.cap.kind !== 'chk') throw new InvalidCapError('unknown-type', 'locating shares needs a CHK read-cap (a literal cap holds its data)')
      const target = { storageIndex: storageIndexOf(parsed.cap), k: parsed.cap.k, n: parsed.cap.n }
      return await locate(locateDeps, target, { ...o, club: o.club ?? parsed.hint })
    }
    const clubServers = async (clubId: string, o: { signal?: AbortSignal } = {}): Promise<ServerInfo[]> => {
      let signed = await clubs.cached(clubId)
      if (signed == null || signed.expiresAt <= Date.now()) signed = await clubs.resolve(clubId, { signal: o.signal })
      return signed.roster.servers.map(s => ({ peerId: s.peerId, multiaddrs: s.multiaddrs.map(a => a.includes('/p2p/') ? a : `${a}/p2p/${s.peerId}`) }))
    }

    const client: NodeClient = await (opts.client ?? defaultClientFactory)({
      dataDir: opts.dataDir,
      clubServers,
      locate: async (cap, o) => ({ holders: (await nodeLocate(cap, o)).servers }),
      peerId: opened.peerId,
      libp2p,
      config,
      convergenceSecret: opened.convergenceSecret,
      leaseSecret: opened.leaseSecret,
      leases,
      storage: storage?.server,
      log
    })
    cleanups.push(async () => { await client.close?.() })
    if (client.renewLease !== undefined) {
      const stopRenewing = leases.scheduleRenewals(client.renewLease, {
        onReport: r => { for (const f of r.failed) log.warn(`could not renew the leases of ${f.lease.cap}: ${f.error.message}`) }
      })
      cleanups.push(stopRenewing)
    }

    const bootstrapAbort = new AbortController()
    cleanups.push(() => { bootstrapAbort.abort() })
    const bootstrapped = reportBootstrap(libp2p, config, log, opts.bootstrapTimeoutMs, bootstrapAbort.signal)
    if (storage !== undefined) {
      const announcer = storage.announcer
      // Re-announce shares already on disk once the node has peers to tell.
      void bootstrapped.then(async () => { await announcer.reprovideNow() }).catch(() => {})
    }

    let stopped = false
    const stop = idempotent(async () => {
      stopped = true
      await cleanup()
    })
    const alive = <A extends unknown[], R>(fn: (...a: A) => R) => (...a: A): R => {
      if (stopped) throw new NodeStoppedError()
      return fn(...a)
    }

    const node: LafsNode = {
      peerId: opened.peerId,
      get multiaddrs () { return libp2p.getMultiaddrs().map(ma => ma.toString()) },
      libp2p,
      config,
      dataDir: opts.dataDir,
      profile: networkProfile(config),
      storage: storage?.server,
      announcer: storage?.announcer,
      leases,
      convergenceSecret: opened.convergenceSecret,
      bootstrapped,
      get stopped () { return stopped },
      put: alive(async (data, o) => await client.put(data, o)),
      get: alive(async (cap, o) => await client.get(cap, o)),
      cat: alive((cap, o) => client.cat(cap, o)),
      clubs,
      locate: alive(nodeLocate),
      createClub: alive(async (o: { name: string, description?: string, policy?: 'open' | 'invitation' }) => (await clubs.createClub(o)).signed.clubId),
      clubAdd: alive(async (clubId: string, serverMultiaddr: string) => {
        const roster = (await clubs.addServer(clubId, serverMultiaddr)).signed.roster
        keepConnected()
        return roster
      }),
      clubRemove: alive(async (clubId: string, peerId: string) => {
        const roster = (await clubs.removeServer(clubId, peerId)).signed.roster
        keepConnected()
        return roster
      }),
      clubPublish: alive(async (clubId: string) => (await clubs.publish(clubId)).signed.roster),
      joinClub: alive(async (clubIdOrInvite: string) => {
        const roster = (await clubs.joinAsUser(clubIdOrInvite)).roster
        keepConnected()
        return roster
      }),
      check: alive(async (cap: string, o: NodeCheckOptions = {}) => {
        // Candidates: the given servers, else the hinted club's roster plus whoever the locate planner finds.
        const byPeer = new Map<string, ServerInfo>()
        if (o.servers != null && o.servers.length > 0) {
          for (const s of serversFromMultiaddrs(o.servers)) byPeer.set(s.peerId, s)
        } else {
          // Connected storage servers, the hinted club's roster, and whoever the DHT knows of.
          for (const s of await connectedStorageServers(libp2p)) byPeer.set(s.peerId, s)
          const { hint } = parseHintedCap(cap)
          if (hint != null) for (const s of await clubServers(hint, { signal: o.signal })) byPeer.set(s.peerId, s)
          try {
            const located = await nodeLocate(cap, { signal: o.signal, budget: { deadlineMs: byPeer.size > 0 ? 10_000 : 30_000 } })
            for (const s of located.servers) if (!byPeer.has(s.peerId)) byPeer.set(s.peerId, s)
          } catch (err) {
            if (byPeer.size === 0) throw err
          }
        }
        return await checkFile(libp2p, cap, {
          servers: [...byPeer.values()],
          verify: o.verify,
          repair: o.repair,
          leaseSecret: opened.leaseSecret,
          happy: config.client.happy,
          signal: o.signal
        })
      }),
      stop
    }
    // TODO(gateway): src/gateway sits above the node (DESIGN.md §1), so the
    // CLI starts it with `node` and `node.config.gateway`; nothing here listens on HTTP.
    return node
  } catch (err) {
    await cleanup()
    throw err
  }
}

/** Peers this node is connected to that said (through identify) they run a storage server. */
async function connectedStorageServers (libp2p: LafsLibp2p): Promise<ServerInfo[]> {
  const out = new Map<string, ServerInfo>()
  for (const conn of libp2p.getConnections()) {
    const id = conn.remotePeer.toString()
    if (out.has(id)) continue
    try {
      const peer = await libp2p.peerStore.get(conn.remotePeer)
      if (!peer.protocols.includes(STORAGE_PROTOCOL)) continue
    } catch {
      continue
    }
    const addr = conn.remoteAddr.toString()
    out.set(id, { peerId: id, multiaddrs: [addr.includes('/p2p/') ? addr : `${addr}/p2p/${id}`] })
  }
  return [...out.values()]
}

async function reportBootstrap (libp2p: LafsLibp2p, config: NodeConfig, log: NodeLogger, timeoutMs: number | undefined, signal: AbortSignal): Promise<BootstrapReport> {
  if (config.bootstrap.length === 0) {
    log.info('no bootstrap peers configured: this node runs alone until peers dial it')
    return { configured: 0, connected: [], failed: [], alone: true }
  }
  try {
    const report = await checkBootstrap(libp2p, config.bootstrap, { timeoutMs, signal })
    if (signal.aborted) return report
    if (report.alone) {
      log.warn(`none of the ${report.configured} bootstrap peers answered: this node runs alone until peers dial it. ` +
        'Check the network, or set "bootstrap" in config.json to peers you can reach.')
    } else {
      log.info(`connected to ${report.connected.length} of ${report.configured} bootstrap peers`)
    }
    return report
  } catch (err: any) {
    log.warn(`bootstrap failed: ${err?.message ?? err}; this node runs alone until peers dial it`)
    return { configured: config.bootstrap.length, connected: [], failed: [], alone: true }
  }
}
