/**
 * Rosters of any club, as a user sees them: resolved from the DHT (fully
 * validated) and handed out from a cache while they are still valid. Clubs
 * this node belongs to (joined, accepted as a server, owned) use the on-disk
 * cache, whose replay guard survives restarts; any other club's roster (a
 * hinted cap, `clubs.show`) goes to the bounded, memory-only read cache and
 * is never listed by `known()`.
 */
import { getRecord, NotFoundError, putRecord, type DhtCallOptions, type KadDHT, type PutRecordResult } from '../dht/index.js'
import { clubRoutingKey, normalizeClubId } from './club-id.js'
import { ClubNotFoundError, StaleRosterError } from './errors.js'
import { verifyRosterRecord, type SignedRoster } from './roster-record.js'
import type { ClubMemberships, MembershipRole } from './memberships.js'
import type { ReadRosterCache } from './read-cache.js'
import type { RosterCache } from './roster-cache.js'
import type { Logger } from '@libp2p/interface'

export interface RosterOptions extends DhtCallOptions {
  /** Ask the DHT even when the cached roster is still valid (e.g. to see a change before the owner's next republish). */
  refresh?: boolean
}

export interface RosterBookInit {
  dht: () => KadDHT
  cache: RosterCache
  readCache: ReadRosterCache
  memberships: ClubMemberships
  /** Whether this node holds the club's key (owned clubs are members without an entry). */
  isOwned: (clubId: string) => Promise<boolean>
  queryTimeoutMs: number
  log: Logger
  /** This node's peer ID: a pushed roster that lists it as a server is kept with role 'listed' (its have answers name the club). */
  selfId?: string
}

/** At most this many clubs a node remembers being listed in by their owners (a stranger can make up clubs; each costs a roster on disk). */
export const MAX_LISTED_CLUBS = 32

export class RosterBook {
  private readonly dht: () => KadDHT
  private readonly cache: RosterCache
  private readonly readCache: ReadRosterCache
  private readonly memberships: ClubMemberships
  private readonly isOwned: (clubId: string) => Promise<boolean>
  private readonly queryTimeoutMs: number
  private readonly log: Logger
  private readonly selfId?: string

  constructor (init: RosterBookInit) {
    this.selfId = init.selfId
    this.dht = init.dht
    this.cache = init.cache
    this.readCache = init.readCache
    this.memberships = init.memberships
    this.isOwned = init.isOwned
    this.queryTimeoutMs = init.queryTimeoutMs
    this.log = init.log
  }

  /**
   * The club's roster: the cached one while it is valid (not past its IPNS
   * EOL), else the DHT's, validated and cached. What every reader of a roster
   * (downloads, locate, the gateway) should call.
   */
  async roster (clubId: string, options: RosterOptions = {}): Promise<SignedRoster> {
    const id = normalizeClubId(clubId)
    if (options.refresh !== true) {
      const cached = await this.cached(id).catch((err: unknown) => {
        // an unreadable cache costs one DHT lookup, not the roster
        this.log.error('club %s: could not read the cached roster - %e', id, err)
        return undefined
      })
      if (cached != null && cached.expiresAt > Date.now()) {
        this.log.trace('club %s: cached roster, sequence %s, valid for %d s more', id, String(cached.sequence), Math.round((cached.expiresAt - Date.now()) / 1000))
        return cached
      }
      this.log('club %s: %s, resolving from the DHT', id, cached == null ? 'no cached roster' : `cached roster (sequence ${cached.sequence}) expired`)
    }
    return await this.resolve(id, options)
  }

  /**
   * The club's current roster from the DHT, fully validated and cached (on disk
   * for a club this node belongs to, else in the read cache). A roster older
   * than the cached one throws StaleRosterError; a club with no valid roster in
   * the DHT throws ClubNotFoundError.
   */
  async resolve (clubId: string, options: DhtCallOptions = {}): Promise<SignedRoster> {
    const id = normalizeClubId(clubId)
    let bytes: Uint8Array
    try {
      bytes = await getRecord(this.dht(), clubRoutingKey(id), { ...options, signal: options.signal ?? AbortSignal.timeout(this.queryTimeoutMs) })
    } catch (err) {
      this.log('club %s: DHT lookup failed - %e', id, err)
      if (err instanceof NotFoundError) throw new ClubNotFoundError(`no valid roster for club ${id} in the DHT; check the ID, or that the owner has published and the node has DHT peers`, { cause: err })
      throw err
    }
    let signed: SignedRoster
    try {
      signed = await verifyRosterRecord(id, bytes)
      await this.store(signed)
    } catch (err) {
      this.log.error('club %s: refused the roster the DHT returned - %e', id, err)
      throw err
    }
    this.log('club %s: resolved roster sequence %s, %d server(s)', id, String(signed.sequence), signed.roster.servers.length)
    return signed
  }

  /**
   * Where a verified roster goes: the disk cache when this node belongs to the
   * club or already holds a disk copy (whose sequence must not be bypassed),
   * else the read cache, which forgets it after its TTL.
   */
  private async store (signed: SignedRoster): Promise<void> {
    const onDisk = await this.cache.get(signed.clubId).catch(() => undefined)
    if (onDisk != null || await this.isMember(signed.clubId)) {
      await this.cache.put(signed)
      this.readCache.delete(signed.clubId)
      return
    }
    this.readCache.put(signed)
    this.log.trace('club %s: not a member, roster sequence %s kept in the read cache only', signed.clubId, String(signed.sequence))
  }

  /**
   * A roster a peer pushed (the owner, right after publishing): kept when this
   * node belongs to the club, or the roster lists it as a server (role
   * 'listed', up to MAX_LISTED_CLUBS, an expired one making room: no
   * membership, its have answers only name the club), and the record
   * verifies under the club key with a sequence at least the cached one.
   * Returns the roster when it is newer than what was cached, undefined when
   * nothing changed or it was not wanted.
   */
  async acceptPushed (clubId: string, record: Uint8Array): Promise<SignedRoster | undefined> {
    const id = normalizeClubId(clubId)
    if (await this.isOwned(id)) return undefined
    const member = await this.isMember(id)
    if (!member && this.selfId == null) return undefined
    const signed = await verifyRosterRecord(id, record)
    if (!member) {
      const listed = await this.memberships.listed()
      if (!signed.roster.servers.some(s => s.peerId === this.selfId)) {
        // taken off the roster of a club that had listed it: stop naming the club
        const before = listed.includes(id) ? await this.cache.get(id).catch(() => undefined) : undefined
        if (before != null && signed.sequence > before.sequence) {
          await this.memberships.remove(id)
          await this.cache.put(signed)
          this.log('club %s no longer lists this node as a server', id)
          return signed
        }
        return undefined
      }
      if (!listed.includes(id)) {
        if (listed.length >= MAX_LISTED_CLUBS && !await this.dropExpiredListed(listed)) {
          this.log('club %s lists this node as a server, but %d clubs already do: roster not kept', id, listed.length)
          return undefined
        }
        await this.memberships.add(id, 'listed')
        this.log('club %s lists this node as a server: its have answers name the club', id)
      }
    }
    const before = await this.cache.get(id).catch(() => undefined)
    if (before != null && signed.sequence <= before.sequence) return undefined
    await this.cache.put(signed)
    this.log('club %s: took pushed roster sequence %s, %d server(s)', id, String(signed.sequence), signed.roster.servers.length)
    return signed
  }

  /** The cached roster, if this node has accepted one: the disk copy (it may be expired), else the read cache's. */
  async cached (clubId: string): Promise<SignedRoster | undefined> {
    return await this.cache.get(clubId) ?? this.readCache.get(clubId)
  }

  /** Whether this node belongs to the club: joined, accepted as a server, or owner. */
  async isMember (clubId: string): Promise<boolean> {
    const id = normalizeClubId(clubId)
    return await this.memberships.has(id) || await this.isOwned(id)
  }

  /** Forgets one listed club whose roster has expired (a stranger's made-up clubs do not hold the slots for good); false when none has. */
  private async dropExpiredListed (listed: readonly string[]): Promise<boolean> {
    for (const id of listed) {
      const signed = await this.cache.get(id).catch(() => undefined)
      if (signed != null && signed.expiresAt > Date.now()) continue
      await this.memberships.remove(id)
      this.log('club %s: its roster listing this node expired; forgotten to make room', id)
      return true
    }
    return false
  }

  /** Clubs whose owner listed this node as a server without it joining (have answers name them). */
  async listed (): Promise<string[]> { return await this.memberships.listed() }

  /** Clubs this node joined or serves (owned clubs are the key store's list). */
  async known (): Promise<string[]> {
    return (await this.memberships.list()).map(m => m.clubId)
  }

  /** Records a membership without a roster (one is resolved on the next republish round). */
  async markMember (clubId: string, role: MembershipRole): Promise<void> {
    await this.memberships.add(clubId, role)
  }

  /**
   * Makes the club one this node belongs to: resolves its roster from the DHT,
   * records the membership, and keeps the roster on disk (so its replay guard
   * survives restarts). The membership is written only once a valid roster was
   * found, so a failed join leaves nothing behind.
   */
  async join (clubId: string, role: MembershipRole, options: DhtCallOptions = {}): Promise<SignedRoster> {
    const id = normalizeClubId(clubId)
    // The DHT may still serve an older sequence than this node holds, or the
    // owner may publish a newer one between the lookup and the write below
    // (the owner joining its own club while another join is being
    // published): the newer, verified copy stands.
    let signed: SignedRoster
    try {
      signed = await this.resolve(id, options)
    } catch (err) {
      signed = await this.newerHeld(id, err)
    }
    await this.memberships.add(id, role)
    try {
      await this.cache.put(signed)
    } catch (err) {
      signed = await this.newerHeld(id, err)
    }
    this.readCache.delete(id)
    this.log('club %s: joined as %s at roster sequence %s', id, role, String(signed.sequence))
    return signed
  }

  /** The held roster when `err` says it is newer than the one at hand (StaleRosterError); else `err` again. */
  private async newerHeld (clubId: string, err: unknown): Promise<SignedRoster> {
    if (!(err instanceof StaleRosterError)) throw err
    const held = await this.cache.get(clubId)
    if (held == null) throw err
    return held
  }

  /**
   * Puts a member's cached copy back into the DHT as it is, so the club stays
   * findable while its owner is offline. Refreshed first: re-putting an outdated
   * copy would be refused by peers that hold a newer sequence. Undefined when
   * there is no unexpired copy to put.
   */
  async reput (clubId: string): Promise<PutRecordResult | undefined> {
    await this.resolve(clubId).catch(() => {})
    const cached = await this.cache.get(clubId)
    if (cached == null || cached.expiresAt < Date.now()) {
      this.log('club %s: no unexpired roster to re-put', clubId)
      return undefined
    }
    const put = await putRecord(this.dht(), clubRoutingKey(clubId), cached.record, { minAccepted: 1, signal: AbortSignal.timeout(this.queryTimeoutMs) })
    this.log('club %s: re-put roster sequence %s to %d peer(s)', clubId, String(cached.sequence), put.accepted)
    return put
  }
}
