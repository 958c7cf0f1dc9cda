/**
 * `node.admin`: garbage collection now, and the status snapshot the status
 * page, `/metrics` and `lafs-club status` show.
 */
import { StorageDisabledError } from './errors.js'
import { connectedPeers } from './peers.js'
import { relayServerStatus } from './relay-policy.js'
import type { AdminApi, ClubsApi } from './api.js'
import type { BootstrapReport } from './bootstrap.js'
import type { ConnectionCounts } from './connection-counter.js'
import type { InboundCounts } from './inbound-counter.js'
import type { NodeConfig } from './config.js'
import type { LeaseBook } from './leases.js'
import type { ReputationTable } from '../client/index.js'
import type { RepairStats } from './self-repair-types.js'
import type { LafsLibp2p } from './libp2p.js'
import type { BootstrapStatus, ClubExpiryWarning, ClubStatus, HelperStatus, JoinRequestStatus, NodeSnapshot, ServerReputationStatus, TorNodeStatus } from './shapes.js'
import type { ProviderAnnouncer } from '../dht/index.js'
import type { StorageServer } from '../storage/index.js'
import type { UploadHelper } from '../helper/index.js'
import type { Logger } from '@libp2p/interface'

/** How many corruption advisories the snapshot carries. */
const RECENT_ADVISORIES = 20
/** How many accounts (those using the most bytes) the snapshot carries. */
const TOP_ACCOUNTS = 50
/** How many servers' reputations the snapshot carries. */
const REPUTATION_SERVERS = 50

export interface AdminInit {
  libp2p: LafsLibp2p
  config: NodeConfig
  storage?: StorageServer
  announcer?: ProviderAnnouncer
  leases: LeaseBook
  /** Absent: the snapshot lists no server reputation. */
  reputation?: ReputationTable
  clubs: ClubsApi
  bootstrapped: Promise<BootstrapReport>
  multiaddrs: () => string[]
  /** Self-repair counters for the snapshot. */
  repair: () => RepairStats
  /** The node's tor state, when it uses Tor. */
  tor?: () => Promise<TorNodeStatus>
  /** The upload helper, when this node offers one. */
  helper?: UploadHelper
  /** Connections opened since libp2p started (connection-counter.ts). */
  connectionsOpened: () => ConnectionCounts
  /** What peers asked of this node since libp2p started (inbound-counter.ts). */
  inbound: () => InboundCounts
  log: Logger
}

export function createAdmin (init: AdminInit): AdminApi {
  const { libp2p, storage, announcer, leases, log } = init
  let bootstrap: BootstrapStatus | null = null
  void init.bootstrapped.then(r => { bootstrap = { configured: r.configured, connected: r.connected.length, alone: r.alone } })

  return {
    gc: async () => {
      if (storage === undefined) throw new StorageDisabledError('gc')
      const result = await storage.gc()
      log('gc: deleted %d shares, freed %d bytes', result.deletedShares, result.freedBytes)
      return result
    },
    reprovide: async () => {
      if (storage === undefined || announcer === undefined) throw new StorageDisabledError('reprovide')
      await announcer.reprovideNow()
      await announcer.onIdle()
      const { backlog, announced, failed, rounds } = announcer.stats
      log('reprovide: %d announced, %d failed', announced, failed)
      return { backlog, announced, failed, rounds }
    },
    status: async (): Promise<NodeSnapshot> => {
      const peers = await connectedPeers(libp2p)
      const storageServersConnected = peers.filter(p => p.storageServer).length
      const stats = storage?.stats()
      // Bounded reads: the newest advisories and the biggest accounts, each with a count.
      const accounts = storage?.accounts({ limit: TOP_ACCOUNTS })
      const advisories = storage?.corruptionReports({ limit: RECENT_ADVISORIES })
      let clubs: ClubStatus[] = []
      let clubRequests: JoinRequestStatus[] = []
      let clubsExpiringSoon: ClubExpiryWarning[] = []
      try {
        clubs = await init.clubs.list()
        clubRequests = init.clubs.requests()
        clubsExpiringSoon = await init.clubs.expiringSoon()
      } catch (err) {
        log.error('status: listing clubs failed: %s', (err as Error).message)
      }
      return {
        peerId: libp2p.peerId.toString(),
        multiaddrs: init.multiaddrs(),
        reachability: libp2p.services.reachability.reachability(),
        relay: relayServerStatus(libp2p.services.relay),
        peers,
        connectionsOpened: init.connectionsOpened(),
        inbound: init.inbound(),
        happy: init.config.client.happy,
        storageServersConnected,
        uploadReady: storageServersConnected >= init.config.client.happy,
        defaultClub: init.config.client.club,
        ...(init.helper != null ? { helper: helperStatus(init.helper, init.config) } : {}),
        storage: stats === undefined ? null : { shares: stats.shares, bytes: stats.bytes, capacity: Number.isFinite(stats.capacity) ? stats.capacity : null, accounts: stats.accounts, incoming: stats.incoming },
        accounts: accounts?.top ?? [],
        accountsTotal: accounts?.total ?? 0,
        reprovide: announcer === undefined ? null : (({ backlog, announced, failed, rounds }) => ({ backlog, announced, failed, rounds }))(announcer.stats),
        corruption: advisories?.recent ?? [],
        corruptionTotal: advisories?.total ?? 0,
        // A cap kept for others is never shown again, not even here: its storage index names it.
        leasesExpiringSoon: leases.expiringSoon().map(l => ({ ...(l.uploaded && !l.kept ? { cap: l.cap } : {}), storageIndex: l.storageIndex, expiresAt: l.expiresAt, club: l.club, lastError: l.lastError })),
        leasesHeld: leases.list().length,
        clubs,
        clubRequests,
        clubsExpiringSoon,
        bootstrap,
        reputation: init.reputation == null ? [] : reputationStatus(init.reputation),
        reputationTotal: init.reputation?.count() ?? 0,
        reputationOnProbation: init.reputation?.onProbation() ?? 0,
        repair: init.repair(),
        tor: init.tor === undefined ? null : await init.tor()
      }
    }
  }
}

function reputationStatus (table: ReputationTable): ServerReputationStatus[] {
  return table.list({ limit: REPUTATION_SERVERS }).map(r => {
    const samples = r.upSamples + r.downSamples
    return {
      ...r,
      uptime: samples === 0 ? null : r.upSamples / samples,
      probation: r.probation.map(p => ({ club: p.club, kind: p.kind, since: p.since, passes: p.passes, needed: p.needed, text: table.probationText(p) }))
    }
  })
}

function helperStatus (helper: UploadHelper, config: NodeConfig): HelperStatus {
  const s = helper.stats()
  return {
    placed: s.placed,
    alreadyStored: s.alreadyStored,
    spoolBytes: s.spoolBytes,
    spoolLimit: config.helper.spoolBytes,
    clientSpoolLimit: config.helper.clientSpoolBytes,
    partials: s.partials.length,
    active: s.partials.filter(p => p.active).length,
    clients: Object.entries(s.received).map(([peerId, receivedBytes]) => ({ peerId, receivedBytes })).sort((a, b) => b.receivedBytes - a.receivedBytes).slice(0, TOP_ACCOUNTS)
  }
}
