/**
 * `createNode`: one lafs-club node from one data folder — libp2p with the DHT
 * and NAT traversal, the storage server and its protocols, clubs, lease
 * keeping and the files API — assembled behind the `LafsNode` door.
 */
import { mkdir } from 'node:fs/promises'
import { ReputationTable } from '../client/index.js'
import { ClubManager } from '../club/index.js'
import { createAccounts } from './accounts.js'
import { createAdmin } from './admin.js'
import { countConnections } from './connection-counter.js'
import { checkBootstrap, type BootstrapReport } from './bootstrap.js'
import { registerWithClubRelays } from './club-relays.js'
import { createClubs } from './clubs.js'
import { mergeConfig, type ConfigInput, type NodeConfig } from './config.js'
import { updateConfigFile } from './config-file.js'
import { ensureDataDir, openDataDir } from './data-dir.js'
import { NodeStoppedError } from './errors.js'
import { createFiles } from './files.js'
import { createDirs } from './dirs.js'
import { magicFoldersDir, startMagicFolders } from './magic-folders-api.js'
import { leaseRenewer } from './lease-renewal.js'
import { LeaseBook } from './leases.js'
import { InboundCounter } from './inbound-counter.js'
import { createSelfRepair } from './self-repair.js'
import { bootstrapPeers, buildLibp2p, networkProfile, openDatastore, seeksRelayReservations } from './libp2p.js'
import { defaultLogger, type NodeLogger } from './log.js'
import { keepRosterServersConnected } from './roster-keeper.js'
import { LocalProtocols, selfAwareOpener } from './self-streams.js'
import { startStorage, type NodeStorage } from './storage.js'
import { startNodeTor } from './tor.js'
import { startNodeHelper } from './helper.js'
import type { LafsNode } from './api.js'
import type { LafsLibp2p } from './libp2p.js'

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
  /** Fail with MissingDataDirError instead of initializing a new folder. */
  requireInit?: boolean
  /** Where operator messages go. Default: warnings on stderr. */
  logger?: NodeLogger
  /** How long to try the bootstrap peers before reporting that the node runs alone (default 20 s). */
  bootstrapTimeoutMs?: number
}

/** Applies the createNode shortcuts on top of the merged config. */
function resolveConfig (base: NodeConfig, opts: CreateNodeOptions): NodeConfig {
  const config = opts.config === undefined ? base : mergeConfig(base, opts.config, 'createNode options.config')
  const shortcuts: ConfigInput = {}
  if (opts.listen !== undefined) shortcuts.listen = opts.listen
  if (opts.bootstrap !== undefined) shortcuts.bootstrap = opts.bootstrap
  if (opts.dhtProtocol !== undefined) shortcuts.dht = { protocol: opts.dhtProtocol }
  if (opts.storage !== undefined) shortcuts.storage = { ...opts.storage }
  if (opts.gateway === false) shortcuts.gateway = { enabled: false }
  else if (opts.gateway !== undefined) shortcuts.gateway = { enabled: true, ...opts.gateway }
  return mergeConfig(config, shortcuts, 'createNode options')
}

/**
 * Starts a node from `opts.dataDir`. Resolves once libp2p listens and the
 * storage protocols are registered; bootstrapping continues in the background
 * (see `node.bootstrapped`).
 */
export async function createNode (opts: CreateNodeOptions): Promise<LafsNode> {
  const say = opts.logger ?? defaultLogger
  const opened = opts.requireInit === true ? await openDataDir(opts.dataDir) : await ensureDataDir(opts.dataDir)
  const config = resolveConfig(opened.config, opts)
  const { paths } = opened

  // Undo what was started if a later step fails, so the folder is free again.
  const cleanups: Array<() => Promise<void> | void> = []
  const cleanup = async (): Promise<void> => {
    for (const fn of cleanups.reverse()) {
      try { await fn() } catch (err) { say.error(`while stopping: ${(err as Error)?.message ?? String(err)}`) }
    }
  }

  try {
    const datastore = await openDatastore(paths.datastore, opts.dataDir)
    cleanups.push(async () => { await datastore.close() })
    const leases = LeaseBook.open(paths.leases)
    cleanups.push(() => { leases.close() })
    const reputation = ReputationTable.open(paths.reputation, { onError: err => { say.warn(`server reputation not recorded: ${err.message}`) } })
    cleanups.push(() => { reputation.close() })
    // The relay policy asks about club membership; the rosters are known once the club manager runs.
    let isRosterServer: (peerId: string) => boolean = () => false
    let servedClubs: () => readonly string[] = () => []
    // tor first: libp2p's onion listen address and Tor transport need it; stopped after libp2p
    const tor = await startNodeTor(config, paths.privateDir, say)
    if (tor !== undefined) cleanups.push(tor.stop)
    const inbound = new InboundCounter()
    const libp2p = await buildLibp2p({ config, privateKey: opened.privateKey, datastore, isClubMember: peerId => isRosterServer(peerId), tor, metrics: inbound.metrics })
    cleanups.push(async () => { await libp2p.stop() })
    const connectionsOpened = countConnections(libp2p)
    const log = libp2p.logger.forComponent('lafs-club:node')

    // This node's own storage server is reached in-process (libp2p cannot dial self).
    const local = new LocalProtocols()
    const opener = selfAwareOpener(libp2p, local)
    let storage: NodeStorage | undefined
    if (config.storage.enabled) {
      await mkdir(paths.storage, { recursive: true, mode: 0o700 })
      // the roster keeper (started below, after the club manager) knows which rosters list this node
      storage = await startStorage(libp2p, config, paths.storage, local, () => servedClubs())
      // Closed after libp2p stops, so no handler writes to a closed database.
      cleanups.splice(cleanups.length - 1, 0, async () => { await storage?.close() })
    }

    const manager = new ClubManager({
      libp2p,
      dataDir: opts.dataDir,
      privateKey: opened.privateKey,
      publicRanges: config.network.publicRanges,
      republishIntervalMs: config.clubs.republishIntervalSeconds * 1000
    })
    await manager.start()
    cleanups.push(async () => { await manager.stop() })
    const keeper = keepRosterServersConnected(libp2p, manager, { onError: m => { say.warn(m) } })
    cleanups.push(() => { keeper.stop() })
    isRosterServer = keeper.isRosterServer
    servedClubs = keeper.servedClubs
    if (seeksRelayReservations(config)) {
      const clubRelays = registerWithClubRelays(libp2p, { isRosterServer: keeper.isRosterServer })
      cleanups.push(() => { clubRelays.stop() })
    }
    const multiaddrs = (): string[] => libp2p.getMultiaddrs().map(ma => ma.toString())
    const clubs = createClubs({
      manager,
      keeper,
      log: libp2p.logger.forComponent('lafs-club:node:clubs'),
      multiaddrs,
      storage: { enabled: storage !== undefined, capacity: config.storage.capacity },
      defaultClub: () => config.client.club,
      saveDefaultClub: async (clubId) => {
        await updateConfigFile(paths.config, opts.dataDir, { client: { club: clubId } })
        config.client.club = clubId
      }
    })
    void keeper.runNow().catch(() => {})
    // a roster the owner pushed names servers this node should now keep
    // connected (and, as a relay, grant unlimited circuits)
    manager.addEventListener('roster', () => { void keeper.runNow().catch(() => {}) })

    const files = createFiles({
      libp2p,
      opener,
      dataDir: opts.dataDir,
      clientConfig: () => config.client,
      convergenceSecret: opened.convergenceSecret,
      leaseSecret: opened.leaseSecret,
      leases,
      locateDeps: {
        libp2p: { ...opener, peerId: libp2p.peerId, getPeers: () => libp2p.getPeers() },
        dht: libp2p.services.dht,
        clubs: manager
      },
      clubServers: clubs.servers,
      clubHelpers: clubs.helpers,
      reputation,
      memberClubs: async () => await manager.knownClubs()
    })
    cleanups.push(async () => { await files.close() })
    // Stopped before libp2p (cleanups run in reverse): placements in progress end first.
    const helper = config.helper.enabled
      ? await startNodeHelper({
        libp2p, opener, config, dataDir: opts.dataDir, leaseSecret: opened.leaseSecret, clubServers: clubs.servers, memberClubs: async () => await manager.knownClubs(), reputation
      })
      : undefined
    if (helper != null) cleanups.push(helper.stop)
    // Renewals, health checks and repairs of the files this node uploaded or keeps (src/node/self-repair.ts).
    const selfRepair = createSelfRepair({
      leases,
      check: files.check,
      renew: leaseRenewer(opener, opened.leaseSecret),
      settings: () => ({ happy: config.client.happy, repair: config.repair }),
      log: libp2p.logger.forComponent('lafs-club:node:repair'),
      say
    })
    selfRepair.start()
    cleanups.push(selfRepair.stop)

    // Folders use the unguarded parts: when the node stops, each finishes the file it is on first.
    const dirs = createDirs({ files, log: libp2p.logger.forComponent('lafs-club:node:dirs') })
    const magic = await startMagicFolders({ files, dirs, clubs, libp2p, dir: magicFoldersDir(paths.privateDir), log: libp2p.logger.forComponent('lafs-club:magic-folder') })
    cleanups.push(magic.stop)

    const bootstrapAbort = new AbortController()
    cleanups.push(() => { bootstrapAbort.abort() })
    // Over Tor the bootstrap peers are tried once tor can build circuits, with Tor's slower dials.
    const bootstrapped = tor === undefined
      ? reportBootstrap(libp2p, config, say, opts.bootstrapTimeoutMs, bootstrapAbort.signal)
      : tor.bootstrapped.then(async () => await reportBootstrap(libp2p, config, say, opts.bootstrapTimeoutMs ?? TOR_BOOTSTRAP_TIMEOUT_MS, bootstrapAbort.signal))
    if (storage !== undefined) {
      const announcer = storage.announcer
      // Re-announce shares already on disk once the node has peers to tell.
      void bootstrapped.then(async () => { await announcer.reprovideNow() }).catch((err: unknown) => { log('reprovide after bootstrap failed: %e', err) })
    }

    const accounts = createAccounts({ libp2p, storage: storage?.server, log: libp2p.logger.forComponent('lafs-club:node:accounts') })
    const admin = createAdmin({
      libp2p, config, storage: storage?.server, announcer: storage?.announcer, leases, reputation, clubs, bootstrapped, multiaddrs, repair: selfRepair.stats, tor: tor?.status, helper, connectionsOpened, inbound: () => inbound.snapshot(),
      log: libp2p.logger.forComponent('lafs-club:node:admin')
    })

    let stopped = false
    let stopping: Promise<void> | undefined
    const stop = async (): Promise<void> => {
      stopping ??= (async () => {
        stopped = true
        log('stopping')
        await cleanup()
      })()
      await stopping
    }
    // Every way in refuses work once the node is stopped.
    const alive = <A extends unknown[], R>(fn: (...a: A) => R) => (...a: A): R => {
      if (stopped) throw new NodeStoppedError()
      return fn(...a)
    }
    const guard = <T extends object>(api: T): T => {
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(api)) {
        const value = (api as Record<string, unknown>)[key]
        if (typeof value === 'function') out[key] = alive(value as (...a: unknown[]) => unknown)
      }
      return Object.defineProperties(out, Object.fromEntries(Object.entries(Object.getOwnPropertyDescriptors(api)).filter(([, d]) => d.get !== undefined))) as T
    }
    const filesApi = guard({
      put: files.put,
      get: files.get,
      cat: files.cat,
      check: files.check,
      locate: files.locate,
      createMutable: files.createMutable,
      read: files.read,
      overwrite: files.overwrite,
      modify: files.modify,
      version: files.version
    })
    const clubsApi = guard(clubs)
    const repairApi = guard({
      keep: async (caps: string | string[]) => selfRepair.keep(Array.isArray(caps) ? caps : [caps]),
      kept: async (o?: { all?: boolean }) => selfRepair.kept(o),
      unkeep: async (capOrSi: string) => selfRepair.unkeep(capOrSi),
      runNow: selfRepair.runNow,
      stats: selfRepair.stats,
      onCheck: selfRepair.onCheck
    })

    const node: LafsNode = {
      peerId: opened.peerId,
      get multiaddrs () { return multiaddrs() },
      config,
      dataDir: opts.dataDir,
      profile: networkProfile(config),
      bootstrapped,
      get stopped () { return stopped },
      files: filesApi,
      dirs: guard(dirs),
      magicFolders: guard(magic.api),
      clubs: clubsApi,
      accounts: guard(accounts),
      admin: guard(admin),
      repair: repairApi,
      tor: tor === undefined ? null : { status: alive(tor.status), bootstrapped: tor.bootstrapped, onionAddrs: tor.listen, provider: tor.provider },
      libp2p,
      storage: storage?.server,
      announcer: storage?.announcer,
      helper,
      leases,
      reputation,
      put: filesApi.put,
      get: filesApi.get,
      cat: filesApi.cat,
      locate: filesApi.locate,
      check: filesApi.check,
      keep: repairApi.keep,
      kept: repairApi.kept,
      unkeep: repairApi.unkeep,
      createClub: alive(async o => (await clubs.signed.create(o)).clubId),
      clubAdd: alive(async (clubId, server) => (await clubs.signed.add(clubId, server)).roster),
      clubRemove: alive(async (clubId, peerId) => (await clubs.signed.remove(clubId, peerId)).roster),
      clubPublish: alive(async clubId => (await clubs.signed.publish(clubId)).roster),
      joinClub: alive(async clubIdOrInvite => (await clubs.signed.join(clubIdOrInvite)).roster),
      stop
    }
    log('started %s, storage %s, helper %s', opened.peerId, storage !== undefined ? 'on' : 'off', helper != null ? 'on' : 'off')
    return node
  } catch (err) {
    await cleanup()
    throw err
  }
}

/** How long a node with Tor tries its bootstrap peers (after tor bootstrapped): a first onion contact takes tens of seconds. */
const TOR_BOOTSTRAP_TIMEOUT_MS = 120_000

async function reportBootstrap (libp2p: LafsLibp2p, config: NodeConfig, say: NodeLogger, timeoutMs: number | undefined, signal: AbortSignal): Promise<BootstrapReport> {
  const list = bootstrapPeers(config)
  if (signal.aborted) return { configured: list.length, connected: [], failed: [], alone: true }
  if (list.length < config.bootstrap.length) say.info(`skipping ${config.bootstrap.length - list.length} /dnsaddr bootstrap peers: tor cannot look up their DNS TXT records, and a Tor-only node makes no DNS lookup itself`)
  if (list.length === 0 && config.bootstrap.length > 0) {
    say.warn('none of the bootstrap peers can be dialled through Tor (all are /dnsaddr): this node runs alone until peers dial it. Give it /onion3, /ip4 or /dns4 bootstrap addresses.')
    return { configured: 0, connected: [], failed: [], alone: true }
  }
  if (list.length === 0) {
    say.info('no bootstrap peers configured: this node runs alone until peers dial it')
    return { configured: 0, connected: [], failed: [], alone: true }
  }
  try {
    const report = await checkBootstrap(libp2p, list, { timeoutMs, signal })
    if (signal.aborted) return report
    if (report.alone) {
      say.warn(`none of the ${report.configured} bootstrap peers answered: this node runs alone until peers dial it. ` +
        'Check the network, or set "bootstrap" in config.json to peers you can reach.')
    } else {
      say.info(`connected to ${report.connected.length} of ${report.configured} bootstrap peers`)
    }
    return report
  } catch (err) {
    say.warn(`bootstrap failed: ${(err as Error)?.message ?? String(err)}; this node runs alone until peers dial it`)
    return { configured: list.length, connected: [], failed: [], alone: true }
  }
}
