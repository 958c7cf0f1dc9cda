/**
 * Rosters of any club, as a user sees them: resolved from the DHT (fully
 * validated), kept in the on-disk cache that refuses lower sequences, and
 * handed out from that cache while they are still valid.
 */
import { getRecord, NotFoundError, putRecord, type DhtCallOptions, type KadDHT, type PutRecordResult } from '../dht/index.js'
import { clubRoutingKey, normalizeClubId } from './club-id.js'
import { ClubNotFoundError } from './errors.js'
import { verifyRosterRecord, type SignedRoster } from './roster-record.js'
import type { RosterCache } from './roster-cache.js'
import type { Logger } from '@libp2p/interface'

export interface RosterOptions extends DhtCallOptions {
  /** Ask the DHT even when the cached roster is still valid (e.g. to see a change before the owner's next republish). */
  refresh?: boolean
}

export interface RosterBookInit {
  dht: () => KadDHT
  cache: RosterCache
  queryTimeoutMs: number
  log: Logger
}

export class RosterBook {
  private readonly dht: () => KadDHT
  private readonly cache: RosterCache
  private readonly queryTimeoutMs: number
  private readonly log: Logger

  constructor (init: RosterBookInit) {
    this.dht = init.dht
    this.cache = init.cache
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
      const cached = await this.cache.get(id).catch((err: unknown) => {
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
   * The club's current roster from the DHT, fully validated and cached. A roster
   * older than the cached one throws StaleRosterError; a club with no valid
   * roster in the DHT throws ClubNotFoundError.
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
      await this.cache.put(signed)
    } catch (err) {
      this.log.error('club %s: refused the roster the DHT returned - %e', id, err)
      throw err
    }
    this.log('club %s: resolved roster sequence %s, %d server(s)', id, String(signed.sequence), signed.roster.servers.length)
    return signed
  }

  /** The cached roster, if this node has accepted one (it may be expired). */
  async cached (clubId: string): Promise<SignedRoster | undefined> {
    return await this.cache.get(clubId)
  }

  /** Clubs with a cached roster (joined or owned). */
  async known (): Promise<string[]> {
    return await this.cache.list()
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
