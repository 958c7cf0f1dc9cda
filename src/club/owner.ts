/**
 * The owner's side of a club: the key, the roster's content, and publishing.
 * Every change is signed with the next sequence, cached, then put in the DHT,
 * one change at a time per club.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { isMultiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { PutRejectedError, putRecord, type KadDHT, type PutRecordResult } from '../dht/index.js'
import { trailingPeerId, withoutPeerId } from './addresses.js'
import { clubRoutingKey, normalizeClubId } from './club-id.js'
import { ClubNotFoundError, ClubPublishError, InvalidRosterError, NotClubOwnerError, ServerNotMemberError } from './errors.js'
import { signRoster, verifyRosterRecord, type SignedRoster } from './roster-record.js'
import { checkRoster, type ClubPolicy, type Roster, type RosterServer } from './roster.js'
import { contactAddrs } from './contact-addrs.js'
import { checkValidity, type OwnerSettings } from './owner-settings.js'
import type { PublicRanges } from './address-scope.js'
import type { ClubKeyStore } from './key-store.js'
import type { RosterCache } from './roster-cache.js'
import type { RosterBook } from './rosters.js'
import type { Logger, PeerId, PrivateKey } from '@libp2p/interface'

/** Pauses before a rejected roster put is tried again (then it fails). */
const PUT_RETRY_DELAYS_MS = [500, 2000]

export interface CreateClubOptions {
  name: string
  description?: string
  policy?: ClubPolicy
  /** Roster entries, or multiaddrs ending in /p2p/<peer id>. */
  servers?: Array<RosterServer | Multiaddr | string>
  /** Publish right away (default). When false the roster is only signed and cached. */
  publish?: boolean
  /** A local club (demo, loopback, one LAN): private and loopback addresses may be listed. Default false. */
  local?: boolean
  /** IPNS validity of this club's rosters (default: the manager's, 30 days); kept for later publishes. */
  validityMs?: number
}

export interface PublishOptions {
  /** A new validity for this and later rosters of the club. */
  validityMs?: number
}

export interface PublishedRoster {
  signed: SignedRoster
  /** Undefined when publishing was skipped. */
  put?: PutRecordResult
}

export interface ClubOwnerInit {
  dht: () => KadDHT
  keys: ClubKeyStore
  cache: RosterCache
  rosters: RosterBook
  settings: OwnerSettings
  /** This node's peer ID and current addresses: the roster's `owner` contact. */
  self: () => { peerId: string, addrs: string[] }
  publicRanges: PublicRanges
  validityMs: number
  ttlMs: number
  minPublishPeers: number
  queryTimeoutMs: number
  emit: (type: string, detail: unknown) => void
  log: Logger
}

export class ClubOwner {
  private readonly init: ClubOwnerInit
  private readonly locks = new Map<string, Promise<unknown>>()

  constructor (init: ClubOwnerInit) {
    this.init = init
  }

  async createClub (options: CreateClubOptions): Promise<PublishedRoster> {
    const roster = checkRoster({
      name: options.name,
      description: options.description ?? '',
      policy: options.policy ?? 'open',
      servers: (options.servers ?? []).map(s => typeof s === 'string' || isMultiaddr(s) ? serverFromAddress(s) : s),
      updatedAt: Date.now(),
      ...(options.local === true ? { local: true } : {})
    })
    if (options.validityMs != null) checkValidity(options.validityMs)
    const key = await generateKeyPair('Ed25519')
    const clubId = await this.init.keys.save(key)
    if (options.validityMs != null) await this.init.settings.set(clubId, { validityMs: options.validityMs })
    this.init.log('created club %s (%s, %s)', clubId, roster.policy, JSON.stringify(roster.name))
    return await this.withLock(clubId, async () => await this.signAndPublish(clubId, key, roster, 1n, options.publish ?? true))
  }

  /** Club IDs whose keys this node holds. */
  async ownedClubs (): Promise<string[]> {
    return await this.init.keys.list()
  }

  async isOwner (clubId: string): Promise<boolean> {
    return (await this.init.keys.load(clubId)) != null
  }

  /**
   * Adds (or updates) a server and publishes the next sequence. `server` may be
   * a full entry or one multiaddr ending in `/p2p/<peer id>`.
   */
  async addServer (clubId: string, server: RosterServer | Multiaddr | string): Promise<PublishedRoster> {
    const entry = typeof server === 'string' || isMultiaddr(server) ? serverFromAddress(server) : server
    return await this.mutate(clubId, roster => {
      const others = roster.servers.filter(s => s.peerId !== peerIdFromString(entry.peerId).toString())
      this.init.log('club %s: %s server %s', clubId, others.length < roster.servers.length ? 'updating' : 'adding', entry.peerId)
      return { ...roster, servers: [...others, entry] }
    })
  }

  async removeServer (clubId: string, peerId: string | PeerId): Promise<PublishedRoster> {
    const id = peerId.toString()
    return await this.mutate(clubId, roster => {
      if (!roster.servers.some(s => s.peerId === id)) throw new ServerNotMemberError(`server ${id} is not on club ${clubId}'s roster`)
      this.init.log('club %s: removing server %s', clubId, id)
      return { ...roster, servers: roster.servers.filter(s => s.peerId !== id) }
    })
  }

  /** Replaces the upload helpers the roster lists (multiaddrs ending in /p2p/<peer id>; none clears them) and publishes. */
  async setHelpers (clubId: string, helpers: Array<Multiaddr | string>): Promise<PublishedRoster> {
    const entries: RosterServer[] = []
    for (const h of helpers) {
      const e = serverFromAddress(h)
      const same = entries.find(x => x.peerId === e.peerId)
      if (same != null) same.multiaddrs.push(...e.multiaddrs)
      else entries.push(e)
    }
    return await this.mutate(clubId, roster => {
      this.init.log('club %s: %d upload helper(s)', clubId, entries.length)
      const { helpers: _old, ...rest } = roster
      return entries.length > 0 ? { ...rest, helpers: entries } : rest
    })
  }

  async updateClub (clubId: string, patch: Partial<Pick<Roster, 'name' | 'description' | 'policy'>>): Promise<PublishedRoster> {
    return await this.mutate(clubId, roster => ({ ...roster, ...patch }))
  }

  /** Re-signs the current roster with the next sequence and a fresh validity (a new one with `validityMs`), and puts it. */
  async publish (clubId: string, options: PublishOptions = {}): Promise<PublishedRoster> {
    if (options.validityMs != null) {
      checkValidity(options.validityMs)
      if (!(await this.isOwner(clubId))) throw new NotClubOwnerError(`this node does not hold club ${normalizeClubId(clubId)}'s key (${this.init.keys.pathFor(clubId)})`)
      await this.init.settings.set(clubId, { validityMs: options.validityMs })
    }
    return await this.mutate(clubId, roster => roster, { touch: false })
  }

  /** The validity this club's rosters are signed with. */
  async validityMs (clubId: string): Promise<number> {
    return (await this.init.settings.get(clubId)).validityMs ?? this.init.validityMs
  }

  /** The owner's latest roster: the cache, or (key restored without cache) the DHT. */
  async ownedRoster (clubId: string): Promise<SignedRoster> {
    const cached = await this.init.cache.get(clubId)
    if (cached != null) return cached
    try {
      return await this.init.rosters.resolve(clubId)
    } catch (err) {
      if (err instanceof ClubNotFoundError) throw new ClubNotFoundError(`no roster known for club ${clubId}, neither cached nor in the DHT`, { cause: err })
      throw err
    }
  }

  private async mutate (clubId: string, change: (roster: Roster) => Roster, options: { touch?: boolean } = {}): Promise<PublishedRoster> {
    const id = normalizeClubId(clubId)
    return await this.withLock(id, async () => {
      const key = await this.init.keys.load(id)
      if (key == null) throw new NotClubOwnerError(`this node does not hold club ${id}'s key (${this.init.keys.pathFor(id)})`)
      const current = await this.ownedRoster(id)
      const changed = change(current.roster)
      const roster = checkRoster(options.touch === false ? changed : { ...changed, updatedAt: Math.max(Date.now(), current.roster.updatedAt + 1) })
      return await this.signAndPublish(id, key, roster, current.sequence + 1n, true)
    })
  }

  private async signAndPublish (clubId: string, key: PrivateKey, content: Roster, sequence: bigint, publish: boolean): Promise<PublishedRoster> {
    // the owner's contact is refreshed on every signature: its addresses change (a new relay, a new public IP)
    const self = this.init.self()
    const roster = checkRoster({ ...content, owner: { peerId: self.peerId, multiaddrs: contactAddrs(self.addrs, { local: content.local, publicRanges: this.init.publicRanges }) } })
    const record = await signRoster(key, roster, sequence, { validityMs: await this.validityMs(clubId), ttlMs: this.init.ttlMs })
    const signed = await verifyRosterRecord(clubId, record)
    // cache first: even if the put fails, the next publish must use a higher sequence
    await this.init.cache.put(signed)
    if (!publish) {
      this.init.log('club %s: roster sequence %s signed and cached, not published', clubId, String(sequence))
      return { signed }
    }
    let put: PutRecordResult
    try {
      put = await this.put(clubId, record, sequence)
    } catch (err) {
      const detail = err instanceof PutRejectedError
        ? `${err.accepted} peer(s) accepted, ${err.rejected} refused or failed${err.errors[0] != null ? `: ${err.errors[0].message}` : ''}`
        : String(err)
      this.init.log.error('club %s: publishing roster sequence %s failed (%s)', clubId, String(sequence), detail)
      throw new ClubPublishError(`club ${clubId}: roster sequence ${sequence} is signed and cached but publishing failed (${detail}); the key is saved, run publish once the node has DHT peers`, { cause: err })
    }
    this.init.log('club %s: published roster sequence %s (%d server(s)) to %d peer(s), %d refused', clubId, String(sequence), roster.servers.length, put.accepted, put.rejected)
    this.init.emit('published', { clubId, sequence, accepted: put.accepted })
    return { signed, put }
  }

  /**
   * A put that no DHT server took is tried again while the deadline lasts: in a
   * small DHT the one or two servers a node knows can be busy or mid-reconnect
   * (seen in the NAT lab: the only peer a home node reached failed the put; and
   * with six joins arriving at once, an owner behind a NAT once reached no peer
   * at all), and the roster must not wait for the next republish round to be
   * found. (A member's re-put, rosters.ts, has the next round for that.)
   */
  private async put (clubId: string, record: Uint8Array, sequence: bigint): Promise<PutRecordResult> {
    const signal = AbortSignal.timeout(this.init.queryTimeoutMs)
    for (let attempt = 1; ; attempt++) {
      try {
        return await putRecord(this.init.dht(), clubRoutingKey(clubId), record, { minAccepted: this.init.minPublishPeers, signal })
      } catch (err) {
        const wait = PUT_RETRY_DELAYS_MS[attempt - 1]
        // also when it reached nobody: putRecord waited for a routing table with peers, so that lookup failed for the moment
        if (!(err instanceof PutRejectedError) || wait === undefined || signal.aborted) throw err
        this.init.log('club %s: roster sequence %s reached %d peer(s) (attempt %d); trying again in %d ms', clubId, String(sequence), err.accepted, attempt, wait)
        await new Promise(resolve => setTimeout(resolve, wait))
      }
    }
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

/** `/ip4/…/tcp/…/p2p/<id>` → a roster entry (the address without its /p2p/ part). */
function serverFromAddress (address: Multiaddr | string): RosterServer {
  let peerId: string | undefined
  let addr: string
  try {
    peerId = trailingPeerId(address)
    addr = withoutPeerId(address)
  } catch (err) {
    throw new InvalidRosterError(`${JSON.stringify(address.toString())} is not a multiaddr`, { cause: err })
  }
  if (peerId == null) throw new InvalidRosterError(`server address ${address.toString()} must end in /p2p/<peer id>`)
  return { peerId, multiaddrs: [addr] }
}
