/**
 * ClubManager: everything a node does with clubs, on top of a libp2p node with
 * our kad-dht service and a data folder. One object for callers; each job
 * lives in its own part:
 * - rosters.ts (RosterBook): any club's roster for users — `roster()` (cached
 *   while valid, else resolved), `resolve`, the caches: on disk for clubs this
 *   node belongs to (memberships.ts), in memory for a short while for others
 *   (read-cache.ts);
 * - owner.ts (ClubOwner): create, add/remove servers, update, publish;
 * - joining.ts (ClubJoining): join as a user (ID or invite), ask to join as a
 *   server, the owner's queue of join requests;
 * - here: start/stop, the join protocol handler and the republish timer.
 */
import { defaultLogger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import { shareableAddrs, type PublicRanges } from './address-scope.js'
import { dialableAddrs } from './addresses.js'
import { CLUB_JOIN_PROTOCOL, CLUB_ROSTER_PROTOCOL, DEFAULT_REPUBLISH_INTERVAL_MS, DEFAULT_TTL_MS, DEFAULT_VALIDITY_MS, MAX_PENDING_JOIN_REQUESTS, ROSTER_EXPIRY_WARNING_MS } from './constants.js'
import { InviteBootstrapError } from './errors.js'
import { ClubJoining, type AskToJoinOptions, type JoinRequest, type LeaveResult } from './joining.js'
import { JoinQueue } from './join-queue.js'
import { OwnerSettings } from './owner-settings.js'
import { createJoinHandler, type JoinAnswer } from './join-protocol.js'
import { ClubKeyStore } from './key-store.js'
import { ClubMemberships, type ClubMembership } from './memberships.js'
import { ClubOwner, type CreateClubOptions, type PublishOptions, type PublishedRoster } from './owner.js'
import { ReadRosterCache, type ReadRosterCacheOptions } from './read-cache.js'
import { RosterCache } from './roster-cache.js'
import { RosterBook, type RosterOptions } from './rosters.js'
import { createRosterPushHandler, pushRoster } from './roster-push.js'
import type { SignedRoster } from './roster-record.js'
import type { Roster, RosterServer } from './roster.js'
import type { DhtCallOptions, KadDHT } from '../dht/index.js'
import type { ComponentLogger, Libp2p, Logger, PeerId, PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export type ClubLibp2p = Pick<Libp2p<{ dht: KadDHT }>, 'peerId' | 'services' | 'handle' | 'unhandle' | 'dial' | 'dialProtocol' | 'getMultiaddrs' | 'getConnections'> & {
  /** The node's logger (libp2p's `logger`); the club parts log through it. */
  logger?: ComponentLogger
}

export interface ClubManagerInit {
  libp2p: ClubLibp2p
  /** Club keys go to `<dataDir>/clubs/`, cached rosters to `<dataDir>/clubs/cache/`. */
  dataDir: string
  validityMs?: number
  ttlMs?: number
  republishIntervalMs?: number
  /** A publish that reaches fewer DHT peers than this fails. Default 1. */
  minPublishPeers?: number
  /** Deadline for a DHT get or put when the caller gives no signal. Default 30 s. */
  queryTimeoutMs?: number
  /** Default: the libp2p node's logger, else `defaultLogger()` from @libp2p/logger. */
  logger?: ComponentLogger
  /** Bounds of the memory-only cache for rosters of clubs this node has not joined (default 64 entries, 10 min). */
  readCache?: Omit<ReadRosterCacheOptions, 'now'>
  /** Open clubs this node owns accept at most this many new servers a minute (default DEFAULT_OPEN_JOINS_PER_MINUTE). */
  openJoinsPerMinute?: number
  /** Per-address deadline of the owner's reachability probe of a joining server (default JOIN_PROBE_TIMEOUT_MS). */
  joinProbeTimeoutMs?: number
  /** The clock of the read cache and the join rate limit; tests move it instead of sleeping. Default Date.now. */
  now?: () => number
  /**
   * The node's key: signs join and leave requests so roster members can
   * forward them to an owner this node cannot dial. Without it requests go to
   * the owner only.
   */
  privateKey?: PrivateKey
  /** CIDR blocks counted as public (config `network.publicRanges`), for labs. Default none. */
  publicRanges?: PublicRanges
  /** Pending join requests kept over all owned clubs (default MAX_PENDING_JOIN_REQUESTS); the oldest is dropped. */
  maxPendingJoinRequests?: number
}

/** An owned club whose roster's validity ends soon: the owner's node has not been able to republish it. */
export interface RosterExpiryWarning {
  clubId: string
  name: string
  expiresAt: number
}

/** How long stop() waits for a republish round in flight (its DHT puts have their own, longer deadlines). */
const STOP_WAIT_MS = 5000

export type { CreateClubOptions, PublishOptions, PublishedRoster } from './owner.js'
export type { AskToJoinOptions, JoinRequest, LeaveResult } from './joining.js'
export type { RosterOptions } from './rosters.js'
export type { ClubMembership, MembershipRole } from './memberships.js'

export class ClubManager extends EventTarget {
  private readonly libp2p: ClubLibp2p
  private readonly rosters: RosterBook
  private readonly owner: ClubOwner
  private readonly joining: ClubJoining
  private readonly memberships: ClubMemberships
  private readonly readCache: ReadRosterCache
  private readonly republishIntervalMs: number
  private readonly queue: JoinQueue
  private readonly publicRanges: PublicRanges
  private readonly log: Logger
  private timer?: NodeJS.Timeout
  private round?: Promise<unknown>
  private started = false

  constructor (init: ClubManagerInit) {
    super()
    this.libp2p = init.libp2p
    const logger = init.logger ?? init.libp2p.logger ?? defaultLogger()
    this.log = logger.forComponent('lafs-club:club:republish')
    const emit = (type: string, detail: unknown): void => { this.dispatchEvent(new CustomEvent(type, { detail })) }
    const dht = (): KadDHT => this.libp2p.services.dht
    const cache = new RosterCache(init.dataDir)
    const keys = new ClubKeyStore(init.dataDir)
    const queryTimeoutMs = init.queryTimeoutMs ?? 30_000
    // owned clubs are members through their key file; the rest of an older folder's cache counts as joined
    this.memberships = new ClubMemberships(init.dataDir, async () => {
      const owned = new Set(await keys.list())
      return (await cache.list()).filter(id => !owned.has(id))
    })
    this.readCache = new ReadRosterCache({ ...init.readCache, now: init.now })
    this.publicRanges = init.publicRanges ?? []
    this.queue = new JoinQueue(init.dataDir, init.maxPendingJoinRequests ?? MAX_PENDING_JOIN_REQUESTS)
    this.rosters = new RosterBook({
      dht,
      cache,
      readCache: this.readCache,
      memberships: this.memberships,
      isOwned: async (clubId) => (await keys.load(clubId)) != null,
      queryTimeoutMs,
      log: logger.forComponent('lafs-club:club:rosters'),
      selfId: init.libp2p.peerId.toString()
    })
    this.owner = new ClubOwner({
      dht,
      keys,
      cache,
      rosters: this.rosters,
      settings: new OwnerSettings(init.dataDir),
      self: () => ({ peerId: this.libp2p.peerId.toString(), addrs: this.libp2p.getMultiaddrs().map(a => a.toString()) }),
      publicRanges: this.publicRanges,
      validityMs: init.validityMs ?? DEFAULT_VALIDITY_MS,
      ttlMs: init.ttlMs ?? DEFAULT_TTL_MS,
      minPublishPeers: init.minPublishPeers ?? 1,
      queryTimeoutMs,
      emit,
      log: logger.forComponent('lafs-club:club:owner')
    })
    this.joining = new ClubJoining({
      libp2p: init.libp2p,
      privateKey: init.privateKey,
      owner: this.owner,
      rosters: this.rosters,
      memberships: this.memberships,
      queue: this.queue,
      publicRanges: this.publicRanges,
      emit,
      log: logger.forComponent('lafs-club:club:join'),
      openJoinsPerMinute: init.openJoinsPerMinute,
      probeTimeoutMs: init.joinProbeTimeoutMs,
      now: init.now
    })
    this.republishIntervalMs = init.republishIntervalMs ?? DEFAULT_REPUBLISH_INTERVAL_MS
  }

  /** Reads (or, in a folder from an older version, migrates) the memberships, then registers the join protocol and the republish timer. */
  async start (): Promise<void> {
    if (this.started) return
    await this.memberships.list()
    await this.libp2p.handle(CLUB_JOIN_PROTOCOL, createJoinHandler(async (peerId, request) => await this.joining.decideJoin(peerId, request)), {
      maxInboundStreams: 8,
      // a few hundred bytes each way: fine over a relay's limited connection, which may be the only way to a NATed owner or joiner
      runOnLimitedConnection: true
    })
    await this.libp2p.handle(CLUB_ROSTER_PROTOCOL, createRosterPushHandler(async (_from, push) => {
      const signed = await this.rosters.acceptPushed(push.club, push.record)
      if (signed != null) this.dispatchEvent(new CustomEvent('roster', { detail: { clubId: signed.clubId, sequence: signed.sequence } }))
    }, this.log), { maxInboundStreams: 4, runOnLimitedConnection: true })
    this.addEventListener('published', this.onPublished)
    this.timer = setInterval(() => {
      if (this.round != null) return // the previous round is still putting
      this.round = this.republishNow().catch(() => {}).finally(() => { this.round = undefined })
    }, this.republishIntervalMs)
    this.timer.unref()
    this.started = true
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    // a round in flight finishes first (bounded), so no put lands after stop() returned
    if (this.round != null) {
      let wait: NodeJS.Timeout | undefined
      await Promise.race([this.round, new Promise(resolve => { wait = setTimeout(resolve, STOP_WAIT_MS) })])
      clearTimeout(wait)
    }
    this.removeEventListener('published', this.onPublished)
    if (this.started) {
      await this.libp2p.unhandle(CLUB_JOIN_PROTOCOL).catch(() => {})
      await this.libp2p.unhandle(CLUB_ROSTER_PROTOCOL).catch(() => {})
    }
    this.queue.close()
    this.started = false
  }

  /**
   * Hands the roster just published to every server on it (over the open
   * connection, else dialled at its roster addresses), so members (a club
   * relay above all) know new servers at once instead of when their copy
   * expires, and a server the owner listed learns which club it serves.
   * Best effort: a server missed here still finds the roster in the DHT.
   */
  private readonly onPublished = (evt: Event): void => {
    const { clubId } = (evt as CustomEvent<{ clubId: string }>).detail
    void (async () => {
      const signed = await this.rosters.cached(clubId)
      if (signed == null) return
      const self = this.libp2p.peerId.toString()
      const connected = new Map(this.libp2p.getConnections().map(c => [c.remotePeer.toString(), c.remotePeer]))
      const targets = signed.roster.servers.filter(s => s.peerId !== self)
        .map(s => connected.get(s.peerId) ?? dialableAddrs(s).flatMap(a => { try { return [multiaddr(a)] } catch { return [] } }))
        .filter(t => !Array.isArray(t) || t.length > 0)
      const results = await Promise.allSettled(targets.map(async peer => { await pushRoster(this.libp2p, peer, { club: clubId, record: signed.record }) }))
      const failed = results.filter(r => r.status === 'rejected').length
      this.log('club %s: pushed roster sequence %s to %d server(s), %d failed', clubId, String(signed.sequence), targets.length - failed, failed)
    })().catch((err: unknown) => { this.log.error('club %s: pushing the roster failed - %e', clubId, err) })
  }

  // ---------- rosters (users) ----------

  /**
   * The club's roster: the cached one while it is valid, else resolved from
   * the DHT, validated and cached. `refresh: true` always asks the DHT. Reading
   * a club this node does not belong to never joins it: its roster goes to the
   * short-lived read cache, not to `knownClubs()`.
   */
  async roster (clubId: string, options: RosterOptions = {}): Promise<SignedRoster> { return await this.rosters.roster(clubId, options) }

  /**
   * The club's current roster from the DHT, fully validated and cached. A roster
   * older than the cached one throws StaleRosterError; a club with no valid
   * roster in the DHT throws ClubNotFoundError.
   */
  async resolve (clubId: string, options: DhtCallOptions = {}): Promise<SignedRoster> { return await this.rosters.resolve(clubId, options) }

  /** The cached roster, if this node has accepted one (it may be expired). */
  async cached (clubId: string): Promise<SignedRoster | undefined> { return await this.rosters.cached(clubId) }

  /**
   * Clubs this node belongs to: owned, joined as a user, or accepted as a
   * server. What the roster keeper keeps connected, the republisher re-puts and
   * `clubs.list()` shows; clubs merely read (hinted caps, show) are not here.
   */
  async knownClubs (): Promise<string[]> {
    return [...new Set([...await this.owner.ownedClubs(), ...await this.rosters.known()])].sort()
  }

  /** Clubs whose owner pushed a roster listing this node as a server, though it never joined (no membership). */
  async listedClubs (): Promise<string[]> { return await this.rosters.listed() }

  /** Clubs joined as a user or server (with role and date); owned clubs are `ownedClubs()`. */
  async joinedClubs (): Promise<ClubMembership[]> { return await this.memberships.list() }

  /** Whether this node belongs to the club (joined, accepted as a server, or owner). */
  async isMember (clubId: string): Promise<boolean> { return await this.rosters.isMember(clubId) }

  /** Club IDs whose rosters sit in the short-lived read cache (read, not joined). */
  readCachedClubs (): string[] { return this.readCache.list() }

  // ---------- owner ----------

  async createClub (options: CreateClubOptions): Promise<PublishedRoster> { return await this.owner.createClub(options) }

  /** Club IDs whose keys this node holds. */
  async ownedClubs (): Promise<string[]> { return await this.owner.ownedClubs() }

  async isOwner (clubId: string): Promise<boolean> { return await this.owner.isOwner(clubId) }

  /** Adds (or updates) a server and publishes the next sequence; `server` may be one multiaddr ending in `/p2p/<peer id>`. */
  async addServer (clubId: string, server: RosterServer | Multiaddr | string): Promise<PublishedRoster> { return await this.owner.addServer(clubId, server) }

  async removeServer (clubId: string, peerId: string | PeerId): Promise<PublishedRoster> { return await this.owner.removeServer(clubId, peerId) }

  /** Replaces the upload helpers the roster lists and publishes the next sequence. */
  async setHelpers (clubId: string, helpers: Array<Multiaddr | string>): Promise<PublishedRoster> { return await this.owner.setHelpers(clubId, helpers) }

  async updateClub (clubId: string, patch: Partial<Pick<Roster, 'name' | 'description' | 'policy'>>): Promise<PublishedRoster> { return await this.owner.updateClub(clubId, patch) }

  /** Re-signs the current roster with the next sequence and a fresh validity (a new, kept one with `validityMs`), and puts it. */
  async publish (clubId: string, options: PublishOptions = {}): Promise<PublishedRoster> { return await this.owner.publish(clubId, options) }

  /** Owned clubs whose cached roster's validity ends within `withinMs` (default 3 days), or has ended. */
  async expiringRosters (withinMs = ROSTER_EXPIRY_WARNING_MS, now = Date.now()): Promise<RosterExpiryWarning[]> {
    const out: RosterExpiryWarning[] = []
    for (const clubId of await this.owner.ownedClubs()) {
      const cached = await this.rosters.cached(clubId).catch(() => undefined)
      if (cached != null && cached.expiresAt - now < withinMs) out.push({ clubId, name: cached.roster.name, expiresAt: cached.expiresAt })
    }
    return out
  }

  // ---------- joining ----------

  /** Join as a user by club ID or invite: resolve, validate, record the membership, cache on disk. */
  async joinAsUser (clubIdOrInvite: string, options: DhtCallOptions = {}): Promise<SignedRoster> { return await this.joining.joinAsUser(clubIdOrInvite, options) }

  /** One step from an invite string: dial a bootstrap peer, then join. */
  async joinWithInvite (invite: string, options: DhtCallOptions = {}): Promise<SignedRoster> { return await this.joining.joinWithInvite(invite, options) }

  /** An invite carrying `clubId` and bootstrap addresses (default: this node's own), as given. */
  createInvite (clubId: string, bootstrap?: Array<Multiaddr | string>): string { return this.joining.createInvite(clubId, bootstrap) }

  /**
   * An invite with this node's addresses that others can dial (all of them for
   * a local club); InviteBootstrapError when it has none (a node behind NAT
   * without a relay address yet, or a loopback-only node in a non-local club).
   */
  async invite (clubId: string, addrs: Array<Multiaddr | string> = this.libp2p.getMultiaddrs()): Promise<string> {
    const roster = await this.rosters.roster(clubId)
    const shareable = shareableAddrs(addrs, { local: roster.roster.local, publicRanges: this.publicRanges })
    if (shareable.length === 0) {
      throw new InviteBootstrapError(`this node has no address other networks can dial (${addrs.map(a => a.toString()).join(', ') || 'none'}), so an invite from it would not work; ` +
        'give the club ID instead (joiners find it through their bootstrap peers), set "announce" to a public address, or use a club created with --local on one machine or LAN')
    }
    return this.joining.createInvite(roster.clubId, shareable)
  }

  /**
   * Asks the owner's node to add this node to the club: 'accepted' (then this
   * node belongs to the club) or 'pending'; JoinRefusedError when refused,
   * JoinRateLimitedError or JoinServerUnreachableError when an open club's
   * owner throttled the request or could not reach this node's addresses.
   */
  async askToJoin (clubIdOrInvite: string, options: AskToJoinOptions = {}): Promise<JoinAnswer> { return await this.joining.askToJoin(clubIdOrInvite, options) }

  /** Join requests waiting for the owner's decision ('invitation' clubs). */
  pendingJoinRequests (clubId?: string): JoinRequest[] { return this.joining.pendingJoinRequests(clubId) }

  async acceptJoin (clubId: string, peerId: string | PeerId): Promise<PublishedRoster> { return await this.joining.acceptJoin(clubId, peerId) }

  refuseJoin (clubId: string, peerId: string | PeerId, reason?: string): void { this.joining.refuseJoin(clubId, peerId, reason) }

  /**
   * Leaves a joined club: a server asks the owner (directly or through a
   * member) to take it off the roster; either way the membership is forgotten,
   * so this node stops re-putting the roster and keeping its servers connected.
   * NotClubOwnerError for a club this node owns.
   */
  async leave (clubId: string, options: { signal?: AbortSignal } = {}): Promise<LeaveResult> { return await this.joining.leave(clubId, options) }

  // ---------- republishing ----------

  /**
   * What the timer runs: owned clubs are re-signed with the next sequence; other
   * cached rosters are refreshed from the DHT and, if unexpired, put again as
   * they are, so the club stays findable while the owner is offline. Failures become 'republish-error' events.
   */
  async republishNow (): Promise<{ republished: string[], reput: string[], failed: string[] }> {
    const owned = new Set(await this.ownedClubs())
    const result = { republished: [] as string[], reput: [] as string[], failed: [] as string[] }
    const failed = (clubId: string, error: unknown): void => {
      result.failed.push(clubId)
      this.log.error('club %s: republishing failed - %e', clubId, error)
      this.dispatchEvent(new CustomEvent('republish-error', { detail: { clubId, error } }))
    }
    for (const clubId of owned) {
      try {
        await this.owner.publish(clubId)
        result.republished.push(clubId)
      } catch (error) {
        failed(clubId, error)
      }
    }
    // only clubs this node belongs to: a roster merely read is never re-put
    for (const clubId of await this.rosters.known()) {
      if (owned.has(clubId)) continue
      try {
        if (await this.rosters.reput(clubId) != null) result.reput.push(clubId)
      } catch (error) {
        failed(clubId, error)
      }
    }
    this.log('republish round: %d re-signed, %d re-put, %d failed', result.republished.length, result.reput.length, result.failed.length)
    return result
  }
}
