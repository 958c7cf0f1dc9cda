/**
 * ClubManager: everything a node does with clubs, on top of a libp2p node with
 * our kad-dht service and a data folder.
 *
 * - owner: createClub, addServer/removeServer/updateClub (each publishes the next
 *   sequence), publish, the join protocol handler (auto-accept for 'open' clubs,
 *   a queue for 'invitation' clubs), invites, and a republish timer;
 * - user: resolve (DHT get + full validation + on-disk cache that refuses lower
 *   sequences), joinAsUser (club ID or invite), and re-putting cached rosters on
 *   the same timer so members keep the club findable too;
 * - server: askToJoin.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { isMultiaddr, multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { getRecord, NotFoundError, PutRejectedError, putRecord, type DhtCallOptions, type KadDHT, type PutRecordResult } from '../dht/index.js'
import { clubRoutingKey, normalizeClubId } from './club-id.js'
import { CLUB_JOIN_PROTOCOL, DEFAULT_REPUBLISH_INTERVAL_MS, DEFAULT_TTL_MS, DEFAULT_VALIDITY_MS, MAX_PENDING_JOIN_REQUESTS } from './constants.js'
import {
  ClubNotFoundError, ClubPublishError, InvalidRosterError, InviteBootstrapError, JoinRefusedError, NoSuchJoinRequestError,
  NotClubOwnerError, ServerNotMemberError
} from './errors.js'
import { decodeInvite, encodeInvite, isInvite } from './invite.js'
import { createJoinHandler, sendJoinRequest, type JoinAnswer, type JoinRequestBody } from './join-protocol.js'
import { ClubKeyStore } from './key-store.js'
import { RosterCache } from './roster-cache.js'
import { signRoster, verifyRosterRecord, type SignedRoster } from './roster-record.js'
import { checkRoster, type ClubPolicy, type Roster, type RosterServer } from './roster.js'
import type { Libp2p, PeerId, PrivateKey } from '@libp2p/interface'

export type ClubLibp2p = Pick<Libp2p<{ dht: KadDHT }>, 'peerId' | 'services' | 'handle' | 'unhandle' | 'dial' | 'dialProtocol' | 'getMultiaddrs'>

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
}

export interface CreateClubOptions {
  name: string
  description?: string
  policy?: ClubPolicy
  servers?: RosterServer[]
  /** Publish right away (default). When false the roster is only signed and cached. */
  publish?: boolean
}

export interface PublishedRoster {
  signed: SignedRoster
  /** Undefined when publishing was skipped. */
  put?: PutRecordResult
}

export interface JoinRequest extends JoinRequestBody {
  peerId: string
  receivedAt: number
}

export interface AskToJoinOptions {
  /** The owner's node; taken from the invite when `clubIdOrInvite` is one. */
  owner?: PeerId | Multiaddr | string
  multiaddrs?: string[]
  capacity?: number
  note?: string
  signal?: AbortSignal
}

export class ClubManager extends EventTarget {
  private readonly libp2p: ClubLibp2p
  private readonly keys: ClubKeyStore
  private readonly cache: RosterCache
  private readonly validityMs: number
  private readonly ttlMs: number
  private readonly republishIntervalMs: number
  private readonly minPublishPeers: number
  private readonly queryTimeoutMs: number
  private readonly locks = new Map<string, Promise<unknown>>()
  private readonly pending = new Map<string, JoinRequest>()
  private readonly refused = new Map<string, string>()
  private timer?: NodeJS.Timeout
  private started = false

  constructor (init: ClubManagerInit) {
    super()
    this.libp2p = init.libp2p
    this.keys = new ClubKeyStore(init.dataDir)
    this.cache = new RosterCache(init.dataDir)
    this.validityMs = init.validityMs ?? DEFAULT_VALIDITY_MS
    this.ttlMs = init.ttlMs ?? DEFAULT_TTL_MS
    this.republishIntervalMs = init.republishIntervalMs ?? DEFAULT_REPUBLISH_INTERVAL_MS
    this.minPublishPeers = init.minPublishPeers ?? 1
    this.queryTimeoutMs = init.queryTimeoutMs ?? 30_000
  }

  private get dht (): KadDHT { return this.libp2p.services.dht }

  /** Registers the join protocol and the republish timer. */
  async start (): Promise<void> {
    if (this.started) return
    await this.libp2p.handle(CLUB_JOIN_PROTOCOL, createJoinHandler(async (peerId, request) => await this.decideJoin(peerId, request)), { maxInboundStreams: 8 })
    this.timer = setInterval(() => { void this.republishNow() }, this.republishIntervalMs)
    this.timer.unref()
    this.started = true
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    if (this.started) await this.libp2p.unhandle(CLUB_JOIN_PROTOCOL).catch(() => {})
    this.started = false
  }

  // ---------- owner ----------

  async createClub (options: CreateClubOptions): Promise<PublishedRoster> {
    const roster = checkRoster({
      name: options.name,
      description: options.description ?? '',
      policy: options.policy ?? 'open',
      servers: options.servers ?? [],
      updatedAt: Date.now()
    })
    const key = await generateKeyPair('Ed25519')
    const clubId = await this.keys.save(key)
    return await this.withLock(clubId, async () => await this.signAndPublish(clubId, key, roster, 1n, options.publish ?? true))
  }

  /** Club IDs whose keys this node holds. */
  async ownedClubs (): Promise<string[]> {
    return await this.keys.list()
  }

  async isOwner (clubId: string): Promise<boolean> {
    return (await this.keys.load(clubId)) != null
  }

  /**
   * Adds (or updates) a server and publishes the next sequence. `server` may be
   * a full entry or one multiaddr ending in `/p2p/<peer id>`.
   */
  async addServer (clubId: string, server: RosterServer | Multiaddr | string): Promise<PublishedRoster> {
    server = typeof server === 'string' || isMultiaddr(server) ? serverFromAddress(server) : server
    const entry = server
    return await this.mutate(clubId, roster => {
      const others = roster.servers.filter(s => s.peerId !== peerIdFromString(entry.peerId).toString())
      return { ...roster, servers: [...others, entry] }
    })
  }

  async removeServer (clubId: string, peerId: string | PeerId): Promise<PublishedRoster> {
    const id = peerId.toString()
    return await this.mutate(clubId, roster => {
      if (!roster.servers.some(s => s.peerId === id)) throw new ServerNotMemberError(`server ${id} is not on club ${clubId}'s roster`)
      return { ...roster, servers: roster.servers.filter(s => s.peerId !== id) }
    })
  }

  async updateClub (clubId: string, patch: Partial<Pick<Roster, 'name' | 'description' | 'policy'>>): Promise<PublishedRoster> {
    return await this.mutate(clubId, roster => ({ ...roster, ...patch }))
  }

  /** Re-signs the current roster with the next sequence and a fresh validity, and puts it. */
  async publish (clubId: string): Promise<PublishedRoster> {
    return await this.mutate(clubId, roster => roster, { touch: false })
  }

  // ---------- users ----------

  /**
   * The club's current roster from the DHT, fully validated and cached. A roster
   * older than the cached one throws StaleRosterError; a club with no valid
   * roster in the DHT throws ClubNotFoundError.
   */
  async resolve (clubId: string, options: DhtCallOptions = {}): Promise<SignedRoster> {
    const id = normalizeClubId(clubId)
    let bytes: Uint8Array
    try {
      bytes = await getRecord(this.dht, clubRoutingKey(id), { ...options, signal: options.signal ?? AbortSignal.timeout(this.queryTimeoutMs) })
    } catch (err) {
      if (err instanceof NotFoundError) throw new ClubNotFoundError(`no valid roster for club ${id} in the DHT; check the ID, or that the owner has published and the node has DHT peers`, { cause: err })
      throw err
    }
    const signed = await verifyRosterRecord(id, bytes)
    await this.cache.put(signed)
    return signed
  }

  /** The cached roster, if this node has accepted one (it may be expired). */
  async cached (clubId: string): Promise<SignedRoster | undefined> {
    return await this.cache.get(clubId)
  }

  /** Clubs with a cached roster (joined or owned). */
  async knownClubs (): Promise<string[]> {
    return await this.cache.list()
  }

  /** Join as a user by club ID or invite: resolve, validate, cache. */
  async joinAsUser (clubIdOrInvite: string, options: DhtCallOptions = {}): Promise<SignedRoster> {
    if (isInvite(clubIdOrInvite)) return await this.joinWithInvite(clubIdOrInvite, options)
    return await this.resolve(clubIdOrInvite, options)
  }

  /** One step from an invite string: dial a bootstrap peer, then join. */
  async joinWithInvite (invite: string, options: DhtCallOptions = {}): Promise<SignedRoster> {
    const { clubId, bootstrap } = decodeInvite(invite)
    await this.dialAny(bootstrap, options.signal)
    return await this.resolve(clubId, options)
  }

  /** An invite carrying `clubId` and bootstrap addresses (default: this node's own). */
  createInvite (clubId: string, bootstrap?: Array<Multiaddr | string>): string {
    const self = this.libp2p.peerId.toString()
    const addrs = (bootstrap ?? this.libp2p.getMultiaddrs()).map(a => {
      const ma = multiaddr(a.toString())
      return ma.getComponents().some(c => c.name === 'p2p') ? ma : ma.encapsulate(`/p2p/${self}`)
    })
    return encodeInvite({ clubId, bootstrap: addrs })
  }

  // ---------- servers ----------

  /**
   * Asks the owner's node to add this node to the club. Resolves with 'accepted'
   * or 'pending' (an 'invitation' club's owner decides later); throws
   * JoinRefusedError when refused.
   */
  async askToJoin (clubIdOrInvite: string, options: AskToJoinOptions = {}): Promise<JoinAnswer> {
    let clubId: string
    let owner: PeerId | Multiaddr | undefined
    if (isInvite(clubIdOrInvite)) {
      const invite = decodeInvite(clubIdOrInvite)
      clubId = invite.clubId
      owner = invite.bootstrap[0]
    } else {
      clubId = normalizeClubId(clubIdOrInvite)
    }
    if (options.owner != null) owner = typeof options.owner === 'string' ? multiaddr(options.owner) : options.owner
    if (owner == null) throw new JoinRefusedError('askToJoin needs the owner node\'s address (options.owner) or an invite')
    const multiaddrs = options.multiaddrs ?? this.libp2p.getMultiaddrs().map(a => a.decapsulateCode(421).toString())
    const answer = await sendJoinRequest(this.libp2p, owner, { clubId, multiaddrs, capacity: options.capacity, note: options.note }, { signal: options.signal })
    if (answer.status === 'refused') throw new JoinRefusedError(`club ${clubId} refused this server: ${answer.reason ?? 'no reason given'}`)
    return answer
  }

  /** Join requests waiting for the owner's decision ('invitation' clubs). */
  pendingJoinRequests (clubId?: string): JoinRequest[] {
    const id = clubId != null ? normalizeClubId(clubId) : undefined
    return [...this.pending.values()].filter(r => id == null || r.clubId === id)
  }

  async acceptJoin (clubId: string, peerId: string | PeerId): Promise<PublishedRoster> {
    const key = pendingKey(normalizeClubId(clubId), peerId.toString())
    const request = this.pending.get(key)
    if (request == null) throw new NoSuchJoinRequestError(`no pending request from ${peerId.toString()} for club ${clubId}`)
    const published = await this.addServer(request.clubId, { peerId: request.peerId, multiaddrs: request.multiaddrs, capacity: request.capacity })
    this.pending.delete(key)
    this.refused.delete(key)
    return published
  }

  refuseJoin (clubId: string, peerId: string | PeerId, reason = 'refused by the club owner'): void {
    const key = pendingKey(normalizeClubId(clubId), peerId.toString())
    if (!this.pending.delete(key)) throw new NoSuchJoinRequestError(`no pending request from ${peerId.toString()} for club ${clubId}`)
    this.refused.set(key, reason)
  }

  // ---------- republishing ----------

  /**
   * What the timer runs: owned clubs are re-signed with the next sequence; other
   * cached rosters are refreshed from the DHT and, if unexpired, put again as
   * they are, so the club stays findable while the owner is offline. Failures become 'republish-error' events.
   */
  async republishNow (): Promise<{ republished: string[], reput: string[], failed: string[] }> {
    const owned = new Set(await this.ownedClubs())
    const result = { republished: [] as string[], reput: [] as string[], failed: [] as string[] }
    for (const clubId of owned) {
      try {
        await this.publish(clubId)
        result.republished.push(clubId)
      } catch (error) {
        result.failed.push(clubId)
        this.dispatchEvent(new CustomEvent('republish-error', { detail: { clubId, error } }))
      }
    }
    for (const clubId of await this.cache.list()) {
      if (owned.has(clubId)) continue
      // re-putting an outdated copy would be refused (peers hold a newer sequence): refresh first
      await this.resolve(clubId).catch(() => {})
      const cached = await this.cache.get(clubId)
      if (cached == null || cached.expiresAt < Date.now()) continue
      try {
        await putRecord(this.dht, clubRoutingKey(clubId), cached.record, { minAccepted: 1, signal: AbortSignal.timeout(this.queryTimeoutMs) })
        result.reput.push(clubId)
      } catch (error) {
        result.failed.push(clubId)
        this.dispatchEvent(new CustomEvent('republish-error', { detail: { clubId, error } }))
      }
    }
    return result
  }

  // ---------- internals ----------

  private async decideJoin (peerId: PeerId, request: JoinRequestBody): Promise<JoinAnswer> {
    const clubId = normalizeClubId(request.clubId)
    if (!(await this.isOwner(clubId))) return { status: 'refused', reason: `this node does not own club ${clubId}` }
    const current = await this.ownedRoster(clubId)
    const id = peerId.toString()
    if (current.roster.servers.some(s => s.peerId === id)) return { status: 'accepted', sequence: Number(current.sequence) }
    if (request.multiaddrs.length === 0) return { status: 'refused', reason: 'list at least one address the club\'s users can dial' }
    const key = pendingKey(clubId, id)
    const refusal = this.refused.get(key)
    if (refusal != null) return { status: 'refused', reason: refusal }
    const server: RosterServer = { peerId: id, multiaddrs: request.multiaddrs, capacity: request.capacity }
    checkRoster({ ...current.roster, servers: [...current.roster.servers, server] })
    if (current.roster.policy === 'open') {
      const published = await this.addServer(clubId, server)
      return { status: 'accepted', sequence: Number(published.signed.sequence) }
    }
    if (!this.pending.has(key) && this.pending.size >= MAX_PENDING_JOIN_REQUESTS) {
      return { status: 'refused', reason: 'too many join requests are waiting; ask again later' }
    }
    const entry: JoinRequest = { ...request, clubId, peerId: id, receivedAt: Date.now() }
    this.pending.set(key, entry)
    this.dispatchEvent(new CustomEvent('join-request', { detail: entry }))
    return { status: 'pending' }
  }

  private async mutate (clubId: string, change: (roster: Roster) => Roster, options: { touch?: boolean } = {}): Promise<PublishedRoster> {
    const id = normalizeClubId(clubId)
    return await this.withLock(id, async () => {
      const key = await this.keys.load(id)
      if (key == null) throw new NotClubOwnerError(`this node does not hold club ${id}'s key (${this.keys.pathFor(id)})`)
      const current = await this.ownedRoster(id)
      const changed = change(current.roster)
      const roster = checkRoster(options.touch === false ? changed : { ...changed, updatedAt: Math.max(Date.now(), current.roster.updatedAt + 1) })
      return await this.signAndPublish(id, key, roster, current.sequence + 1n, true)
    })
  }

  /** The owner's latest roster: the cache, or (key restored without cache) the DHT. */
  private async ownedRoster (clubId: string): Promise<SignedRoster> {
    const cached = await this.cache.get(clubId)
    if (cached != null) return cached
    try {
      return await this.resolve(clubId)
    } catch (err) {
      if (err instanceof ClubNotFoundError) throw new ClubNotFoundError(`no roster known for club ${clubId}, neither cached nor in the DHT`, { cause: err })
      throw err
    }
  }

  private async signAndPublish (clubId: string, key: PrivateKey, roster: Roster, sequence: bigint, publish: boolean): Promise<PublishedRoster> {
    const record = await signRoster(key, roster, sequence, { validityMs: this.validityMs, ttlMs: this.ttlMs })
    const signed = await verifyRosterRecord(clubId, record)
    // cache first: even if the put fails, the next publish must use a higher sequence
    await this.cache.put(signed)
    if (!publish) return { signed }
    let put: PutRecordResult
    try {
      put = await putRecord(this.dht, clubRoutingKey(clubId), record, { minAccepted: this.minPublishPeers, signal: AbortSignal.timeout(this.queryTimeoutMs) })
    } catch (err) {
      const detail = err instanceof PutRejectedError ? `${err.accepted} peer(s) accepted, ${err.rejected} refused` : String(err)
      throw new ClubPublishError(`club ${clubId}: roster sequence ${sequence} is signed and cached but publishing failed (${detail}); the key is saved, run publish once the node has DHT peers`, { cause: err })
    }
    this.dispatchEvent(new CustomEvent('published', { detail: { clubId, sequence, accepted: put.accepted } }))
    return { signed, put }
  }

  private async dialAny (addrs: Multiaddr[], signal?: AbortSignal): Promise<void> {
    const errors: string[] = []
    for (const addr of addrs) {
      try {
        await this.libp2p.dial(addr, { signal: signal ?? AbortSignal.timeout(10_000) })
        return
      } catch (err: any) {
        errors.push(`${addr.toString()}: ${err?.message ?? err}`)
      }
    }
    throw new InviteBootstrapError(`could not reach any bootstrap address in the invite (${errors.join('; ')})`)
  }

  private async withLock<T> (clubId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(clubId) ?? Promise.resolve()
    const run = previous.catch(() => {}).then(fn)
    this.locks.set(clubId, run)
    try {
      return await run
    } finally {
      if (this.locks.get(clubId) === run) this.locks.delete(clubId)
    }
  }
}

function serverFromAddress (address: Multiaddr | string): RosterServer {
  let ma: Multiaddr
  try { ma = multiaddr(address.toString()) } catch (err) {
    throw new InvalidRosterError(`${JSON.stringify(address.toString())} is not a multiaddr`, { cause: err })
  }
  const peerId = ma.getComponents().findLast(c => c.name === 'p2p')?.value
  if (peerId == null) throw new InvalidRosterError(`server address ${ma.toString()} must end in /p2p/<peer id>`)
  return { peerId, multiaddrs: [ma.decapsulateCode(421).toString()] }
}

function pendingKey (clubId: string, peerId: string): string {
  return `${clubId}/${peerId}`
}
