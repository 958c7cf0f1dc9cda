/**
 * Joining a club: users by club ID or one-code invite; servers by asking the
 * owner's node (named in the roster), or any roster member, which forwards the
 * request when the owner cannot be dialled; leaving; and the owner's side:
 * the decision, and the queue of an invitation-only club's requests
 * (SQLite, join-queue.ts, so it survives restarts).
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { PublicRanges } from './address-scope.js'
import { trailingPeerId, withPeerId } from './addresses.js'
import { normalizeClubId } from './club-id.js'
import { contactAddrs } from './contact-addrs.js'
import { DEFAULT_OPEN_JOINS_PER_MINUTE, JOIN_PROBE_TIMEOUT_MS } from './constants.js'
import {
  InviteBootstrapError, JoinProtocolError, JoinRateLimitedError, JoinRefusedError, JoinServerUnreachableError, NoSuchJoinRequestError,
  NotClubOwnerError, type ClubError
} from './errors.js'
import { decodeInvite, encodeInvite, isInvite } from './invite.js'
import { JoinThrottle, probeServer } from './join-guard.js'
import { JOIN_ANSWER_TIMEOUT_MS, requestingPeer, sendJoinRequest, signJoinRequest, type JoinAnswer, type JoinRequestBody } from './join-protocol.js'
import { checkRoster, type RosterServer } from './roster.js'
import type { DhtCallOptions } from '../dht/index.js'
import type { JoinQueue, JoinRequest } from './join-queue.js'
import type { ClubMemberships } from './memberships.js'
import type { ClubOwner, PublishedRoster } from './owner.js'
import type { SignedRoster } from './roster-record.js'
import type { RosterBook } from './rosters.js'
import type { Libp2p, Logger, PeerId, PrivateKey } from '@libp2p/interface'

export type { JoinRequest } from './join-queue.js'

export interface AskToJoinOptions {
  /** The owner's node; default: the roster's owner contact (or the invite's first address). */
  owner?: PeerId | Multiaddr | string
  /** Addresses to be listed with; default: this node's own that others can dial (all of them in a local club). */
  multiaddrs?: string[]
  capacity?: number
  note?: string
  signal?: AbortSignal
}

export interface LeaveResult {
  clubId: string
  /** This node was on the roster as a server, so it asked the owner to remove it. */
  wasServer: boolean
  /** The owner confirmed the removal (false when it could not be reached; the membership is forgotten anyway). */
  removed: boolean
  /** Why the removal was not confirmed. */
  detail?: string
}

export interface ClubJoiningInit {
  libp2p: Pick<Libp2p, 'peerId' | 'dial' | 'dialProtocol' | 'getMultiaddrs' | 'getConnections'>
  /** Signs join and leave requests so a roster member can forward them; without it requests go to the owner only. */
  privateKey?: PrivateKey
  owner: ClubOwner
  rosters: RosterBook
  memberships: ClubMemberships
  queue: JoinQueue
  publicRanges: PublicRanges
  emit: (type: string, detail: unknown) => void
  log: Logger
  openJoinsPerMinute?: number
  probeTimeoutMs?: number
  now?: () => number
}

/** Refusal codes the joiner turns back into their own error classes. */
const REFUSALS: Record<string, new (message: string) => ClubError> = {
  ERR_JOIN_RATE_LIMITED: JoinRateLimitedError,
  ERR_JOIN_SERVER_UNREACHABLE: JoinServerUnreachableError
}
/** A member could not pass the request on: try the next one. */
const OWNER_UNREACHABLE = 'ERR_JOIN_OWNER_UNREACHABLE'
/** Members asked when the owner cannot be reached, at most. */
const MAX_FORWARDERS = 4

interface Target { label: string, dial: PeerId | Multiaddr | Multiaddr[] }

export class ClubJoining {
  private readonly init: ClubJoiningInit
  private readonly throttle: JoinThrottle
  private readonly probeTimeoutMs: number

  constructor (init: ClubJoiningInit) {
    this.init = init
    this.throttle = new JoinThrottle(init.openJoinsPerMinute ?? DEFAULT_OPEN_JOINS_PER_MINUTE, init.now)
    this.probeTimeoutMs = init.probeTimeoutMs ?? JOIN_PROBE_TIMEOUT_MS
  }

  // ---------- users ----------

  /** Join as a user by club ID or invite: resolve, validate, record the membership, cache on disk. */
  async joinAsUser (clubIdOrInvite: string, options: DhtCallOptions = {}): Promise<SignedRoster> {
    if (isInvite(clubIdOrInvite)) return await this.joinWithInvite(clubIdOrInvite, options)
    return await this.init.rosters.join(clubIdOrInvite, 'user', options)
  }

  /** One step from an invite string: dial a bootstrap peer, then join. */
  async joinWithInvite (invite: string, options: DhtCallOptions = {}): Promise<SignedRoster> {
    const { clubId, bootstrap } = decodeInvite(invite)
    this.init.log('joining club %s from an invite with %d bootstrap address(es)', clubId, bootstrap.length)
    await this.dialAny(bootstrap, options.signal)
    return await this.init.rosters.join(clubId, 'user', options)
  }

  /** An invite carrying `clubId` and bootstrap addresses (default: this node's own). */
  createInvite (clubId: string, bootstrap?: Array<Multiaddr | string>): string {
    const self = this.init.libp2p.peerId.toString()
    // an address that already names a peer (this one, or a bootstrap peer given by the caller) stays as it is
    const addrs = (bootstrap ?? this.init.libp2p.getMultiaddrs()).map(a => {
      const ma = multiaddr(a.toString())
      return trailingPeerId(ma) != null ? ma : multiaddr(withPeerId(ma, self))
    })
    return encodeInvite({ clubId, bootstrap: addrs })
  }

  // ---------- servers ----------

  /**
   * Asks the owner's node to add this node to the club: directly, or through
   * roster members when the owner cannot be dialled. Resolves with 'accepted'
   * (this node now serves the club) or 'pending' (an invitation club's owner
   * decides later); throws JoinRefusedError when refused.
   */
  async askToJoin (clubIdOrInvite: string, options: AskToJoinOptions = {}): Promise<JoinAnswer> {
    const own = isInvite(clubIdOrInvite) ? undefined : normalizeClubId(clubIdOrInvite)
    if (own != null && await this.init.owner.isOwner(own)) return await this.listSelf(own, options)
    const { clubId, roster, targets } = await this.targets(clubIdOrInvite, options)
    // without a roster this node cannot tell whether the club is local: it lists everything and the owner keeps what the club allows
    const multiaddrs = options.multiaddrs ?? contactAddrs(this.init.libp2p.getMultiaddrs(), { local: roster == null || roster.roster.local === true, publicRanges: this.init.publicRanges })
    if (multiaddrs.length === 0) {
      throw new JoinServerUnreachableError(`this node has no address other networks can dial (it listens on ${this.init.libp2p.getMultiaddrs().map(a => a.toString()).join(', ') || 'nothing'}); ` +
        'set "announce" to its public address, forward a port, or wait for a relay reservation, then ask again')
    }
    const request = await this.sign({ clubId, multiaddrs, capacity: options.capacity, note: options.note, op: 'join' })
    const answer = await this.send(clubId, targets, request, options.signal)
    if (answer.status === 'refused') {
      const Refusal = (answer.code != null ? REFUSALS[answer.code] : undefined) ?? JoinRefusedError
      throw new Refusal(`club ${clubId} refused this server: ${answer.reason ?? 'no reason given'}`)
    }
    if (answer.status === 'accepted') await this.becameServer(clubId, options.signal)
    return answer
  }

  /** The owner serving its own club: no request, it lists itself (its addresses as any joiner's). */
  private async listSelf (clubId: string, options: AskToJoinOptions): Promise<JoinAnswer> {
    const current = await this.init.owner.ownedRoster(clubId)
    const multiaddrs = options.multiaddrs ?? contactAddrs(this.init.libp2p.getMultiaddrs(), { local: current.roster.local, publicRanges: this.init.publicRanges })
    if (multiaddrs.length === 0) throw new JoinServerUnreachableError(`this node has no address other networks can dial, so listing it on club ${clubId}'s roster would not help its users; set "announce" or wait for a relay reservation`)
    const published = await this.init.owner.addServer(clubId, { peerId: this.init.libp2p.peerId.toString(), multiaddrs, capacity: options.capacity })
    return { status: 'accepted', sequence: Number(published.signed.sequence) }
  }

  /**
   * Leaves the club: a server asks the owner (directly or through a member) to
   * take it off the roster; users and servers alike forget the membership, so
   * the node stops re-putting the roster and keeping its servers connected.
   */
  async leave (clubId: string, options: { signal?: AbortSignal } = {}): Promise<LeaveResult> {
    const id = normalizeClubId(clubId)
    if (await this.init.owner.isOwner(id)) throw new NotClubOwnerError(`this node owns club ${id}; an owner cannot leave its own club (give the servers another club, or stop publishing)`)
    const self = this.init.libp2p.peerId.toString()
    const cached = await this.init.rosters.cached(id).catch(() => undefined)
    const role = (await this.init.memberships.list()).find(m => m.clubId === id)?.role
    const wasServer = role === 'server' || (cached?.roster.servers.some(s => s.peerId === self) ?? false)
    const result: LeaveResult = { clubId: id, wasServer, removed: false }
    if (wasServer) {
      try {
        const { targets } = await this.targets(id, { signal: options.signal })
        const answer = await this.send(id, targets, await this.sign({ clubId: id, multiaddrs: [], op: 'leave' }), options.signal)
        result.removed = answer.status === 'accepted'
        if (!result.removed) result.detail = answer.reason ?? answer.status
      } catch (err: any) {
        result.detail = err?.message ?? String(err)
      }
    }
    await this.init.memberships.remove(id)
    this.init.log('left club %s (%s)%s', id, wasServer ? 'server' : 'user', result.detail != null ? ` - removal not confirmed: ${result.detail}` : '')
    return result
  }

  /** Where a request for the club goes: the owner first, then a few roster members that forward it. */
  private async targets (clubIdOrInvite: string, options: AskToJoinOptions): Promise<{ clubId: string, roster?: SignedRoster, targets: Target[] }> {
    let clubId: string
    let inviteOwner: Multiaddr | undefined
    if (isInvite(clubIdOrInvite)) {
      const invite = decodeInvite(clubIdOrInvite)
      clubId = invite.clubId
      inviteOwner = invite.bootstrap[0]
      await this.dialAny(invite.bootstrap, options.signal).catch(() => {})
    } else {
      clubId = normalizeClubId(clubIdOrInvite)
    }
    const roster = await this.init.rosters.roster(clubId, { signal: options.signal }).catch((err: unknown) => {
      this.init.log('club %s: no roster to find the owner by - %e', clubId, err)
      return undefined
    })
    const targets: Target[] = []
    const self = this.init.libp2p.peerId.toString()
    const ownerContact = roster?.roster.owner
    if (options.owner != null) {
      targets.push({ label: options.owner.toString(), dial: typeof options.owner === 'string' ? multiaddr(options.owner) : options.owner })
    } else if (ownerContact != null && ownerContact.peerId !== self) {
      targets.push({ label: `owner ${ownerContact.peerId}`, dial: dialTarget(ownerContact) })
    } else if (inviteOwner != null) {
      targets.push({ label: inviteOwner.toString(), dial: inviteOwner })
    }
    const forwarders = (roster?.roster.servers ?? []).filter(s => s.peerId !== self && s.peerId !== ownerContact?.peerId).slice(0, MAX_FORWARDERS)
    for (const s of forwarders) targets.push({ label: `member ${s.peerId}`, dial: dialTarget(s) })
    if (targets.length === 0) {
      throw new JoinRefusedError(`club ${clubId}'s roster does not name its owner's node (it predates owner contacts) and lists no other server: ` +
        'ask with the owner\'s address (an invite) or wait for the owner to publish again')
    }
    return { clubId, roster, targets }
  }

  private async send (clubId: string, targets: Target[], request: JoinRequestBody, signal?: AbortSignal): Promise<JoinAnswer> {
    const failures: string[] = []
    for (const [i, target] of targets.entries()) {
      // only a signed request can be forwarded; the owner (first) is always asked
      if (i > 0 && request.signed == null) break
      try {
        const answer = await sendJoinRequest(this.init.libp2p, target.dial, request, { signal })
        this.init.log('club %s: %s request via %s: %s%s', clubId, request.op ?? 'join', target.label, answer.status, answer.reason != null ? ` (${answer.reason})` : '')
        if (answer.status === 'refused' && answer.code === OWNER_UNREACHABLE) {
          failures.push(`${target.label}: ${answer.reason ?? 'could not reach the owner'}`)
          continue
        }
        return answer
      } catch (err: any) {
        if (!(err instanceof JoinProtocolError)) throw err
        failures.push(`${target.label}: ${err.message}`)
        this.init.log('club %s: %s unreachable - %e', clubId, target.label, err)
      }
    }
    throw new JoinProtocolError(`could not reach club ${clubId}'s owner, directly or through a member (${failures.join('; ')})`)
  }

  private async sign (request: JoinRequestBody): Promise<JoinRequestBody> {
    if (this.init.privateKey == null) return request
    return await signJoinRequest(this.init.privateKey, this.init.libp2p.peerId, request, (this.init.now ?? Date.now)())
  }

  /**
   * Accepted: this node now belongs to the club. The roster goes to the disk
   * cache when the DHT has it; when it cannot be read yet the membership is
   * still recorded, and the republish round resolves it later.
   */
  private async becameServer (clubId: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.init.rosters.join(clubId, 'server', { signal: signal ?? AbortSignal.timeout(this.probeTimeoutMs * 2) })
    } catch (err) {
      this.init.log('club %s: accepted as a server, roster not readable yet - %e', clubId, err)
      await this.init.rosters.markMember(clubId, 'server')
    }
  }

  // ---------- the owner's queue ----------

  /** Join requests waiting for the owner's decision ('invitation' clubs), oldest first. */
  pendingJoinRequests (clubId?: string): JoinRequest[] {
    return this.init.queue.list(clubId != null ? normalizeClubId(clubId) : undefined)
  }

  /**
   * Approves a pending request: probes the server on its listed addresses
   * first (JoinServerUnreachableError leaves the request pending), then lists
   * it and publishes.
   */
  async acceptJoin (clubId: string, peerId: string | PeerId): Promise<PublishedRoster> {
    const id = normalizeClubId(clubId)
    const request = this.init.queue.get(id, peerId.toString())
    if (request == null) throw new NoSuchJoinRequestError(`no pending request from ${peerId.toString()} for club ${id}`)
    const answered = await probeServer(this.init.libp2p, peerIdFromString(request.peerId), request.multiaddrs, { timeoutMs: this.probeTimeoutMs })
    this.init.log('club %s: server %s answered on %s', id, request.peerId, answered)
    const published = await this.init.owner.addServer(id, { peerId: request.peerId, multiaddrs: request.multiaddrs, capacity: request.capacity })
    this.init.queue.remove(id, request.peerId)
    this.init.queue.forgetRefusal(id, request.peerId)
    this.init.log('club %s: accepted the join request of %s', id, request.peerId)
    return published
  }

  refuseJoin (clubId: string, peerId: string | PeerId, reason = 'refused by the club owner'): void {
    const id = normalizeClubId(clubId)
    if (this.init.queue.get(id, peerId.toString()) == null) throw new NoSuchJoinRequestError(`no pending request from ${peerId.toString()} for club ${id}`)
    this.init.queue.refuse(id, peerId.toString(), reason, Date.now())
    this.init.log('club %s: refused the join request of %s (%s)', id, peerId.toString(), reason)
  }

  /** The join protocol handler's decision; `sender` is the connection's authenticated remote peer. */
  async decideJoin (sender: PeerId, request: JoinRequestBody): Promise<JoinAnswer> {
    let answer: JoinAnswer
    try {
      answer = await this.decide(sender, request)
    } catch (err) {
      // the handler turns this into a 'refused' answer carrying the error's code
      if (err instanceof JoinRateLimitedError || err instanceof JoinServerUnreachableError) this.init.log('%s request from %p for club %s refused - %e', request.op ?? 'join', sender, request.clubId, err)
      else this.init.log.error('%s request from %p for club %s failed - %e', request.op ?? 'join', sender, request.clubId, err)
      throw err
    }
    this.init.log('%s request from %p for club %s: %s%s', request.op ?? 'join', sender, request.clubId, answer.status, answer.reason != null ? ` (${answer.reason})` : '')
    return answer
  }

  private async decide (sender: PeerId, request: JoinRequestBody): Promise<JoinAnswer> {
    const clubId = normalizeClubId(request.clubId)
    if (!(await this.init.owner.isOwner(clubId))) return await this.forward(sender, clubId, request)
    const peerId = await requestingPeer(sender, request, (this.init.now ?? Date.now)())
    const id = peerId.toString()
    const current = await this.init.owner.ownedRoster(clubId)
    const listed = current.roster.servers.some(s => s.peerId === id)
    if (request.op === 'leave') {
      this.init.queue.remove(clubId, id)
      if (!listed) return { status: 'accepted', reason: 'not on the roster', sequence: Number(current.sequence) }
      const published = await this.init.owner.removeServer(clubId, id)
      return { status: 'accepted', sequence: Number(published.signed.sequence) }
    }
    if (listed) return { status: 'accepted', sequence: Number(current.sequence) }
    // a non-local club lists only addresses other networks can dial: loopback and LAN addresses would send every member to the wrong machine
    const multiaddrs = contactAddrs(request.multiaddrs, { local: current.roster.local, publicRanges: this.init.publicRanges })
    if (multiaddrs.length === 0) {
      if (request.multiaddrs.length === 0) return { status: 'refused', reason: 'list at least one address the club\'s users can dial' }
      throw new JoinServerUnreachableError(`none of the addresses listed (${request.multiaddrs.join(', ')}) can be dialled from another network, and club ${clubId} is not a local club; ` +
        'list a public or relayed address')
    }
    const refusal = this.init.queue.refusal(clubId, id)
    if (refusal != null) return { status: 'refused', reason: refusal }
    const server: RosterServer = { peerId: id, multiaddrs, capacity: request.capacity }
    checkRoster({ ...current.roster, servers: [...current.roster.servers, server] })
    if (current.roster.policy === 'open') {
      // rate first (it bounds the probes too), then reachability, then publish
      this.throttle.take(clubId)
      const answered = await probeServer(this.init.libp2p, peerId, multiaddrs, { timeoutMs: this.probeTimeoutMs })
      this.init.log('club %s: server %p answered on %s', clubId, peerId, answered)
      const published = await this.init.owner.addServer(clubId, server)
      return { status: 'accepted', sequence: Number(published.signed.sequence) }
    }
    const entry: JoinRequest = { clubId, multiaddrs, peerId: id, receivedAt: Date.now(), ...(request.capacity != null ? { capacity: request.capacity } : {}), ...(request.note != null ? { note: request.note } : {}) }
    const dropped = this.init.queue.add(entry)
    if (dropped > 0) this.init.log('club %s: join queue full, dropped the %d oldest request(s)', clubId, dropped)
    this.init.emit('join-request', entry)
    return { status: 'pending' }
  }

  /**
   * A member passes a server's signed request on to the owner, whose node the
   * server could not dial (behind a NAT, on another relay). Only requests the
   * sender signed itself, and only to the owner the roster names: no chains.
   */
  private async forward (sender: PeerId, clubId: string, request: JoinRequestBody): Promise<JoinAnswer> {
    const self = this.init.libp2p.peerId.toString()
    if (!(await this.init.rosters.isMember(clubId))) return { status: 'refused', reason: `this node does not own club ${clubId} and is not a member` }
    const roster = await this.init.rosters.cached(clubId)
    const owner = roster?.roster.owner
    if (owner == null || owner.peerId === self) return { status: 'refused', code: OWNER_UNREACHABLE, reason: `this node does not know club ${clubId}'s owner` }
    if (request.signed == null || request.signed.peer !== sender.toString()) return { status: 'refused', reason: 'only a request signed by its sender is forwarded to the owner' }
    try {
      // a little less than the asker waits, so the asker hears why rather than timing out itself
      const answer = await sendJoinRequest(this.init.libp2p, dialTarget(owner), request, { signal: AbortSignal.timeout(JOIN_ANSWER_TIMEOUT_MS - 10_000) })
      this.init.log('club %s: forwarded the %s request of %p to the owner: %s', clubId, request.op ?? 'join', sender, answer.status)
      return answer
    } catch (err: any) {
      return { status: 'refused', code: OWNER_UNREACHABLE, reason: `member ${self} could not reach the owner ${owner.peerId}: ${err?.message ?? err}` }
    }
  }

  private async dialAny (addrs: Multiaddr[], signal?: AbortSignal): Promise<void> {
    const errors: string[] = []
    for (const addr of addrs) {
      try {
        await this.init.libp2p.dial(addr, { signal: signal ?? AbortSignal.timeout(10_000) })
        this.init.log('invite: reached bootstrap peer %a', addr)
        return
      } catch (err: any) {
        this.init.log('invite: bootstrap peer %a unreachable - %e', addr, err)
        errors.push(`${addr.toString()}: ${err?.message ?? err}`)
      }
    }
    throw new InviteBootstrapError(`could not reach any bootstrap address in the invite (${errors.join('; ')})`)
  }
}

/** A roster entry as something to dial: its addresses with /p2p/, or its peer ID alone (found through the DHT) when it lists none. */
function dialTarget (entry: { peerId: string, multiaddrs: readonly string[] }): PeerId | Multiaddr[] {
  if (entry.multiaddrs.length > 0) return entry.multiaddrs.map(a => multiaddr(withPeerId(a, entry.peerId)))
  return peerIdFromString(entry.peerId)
}
