/**
 * Joining a club: users by club ID or one-code invite, servers by asking the
 * owner's node, and the owner's queue of join requests for 'invitation' clubs
 * (in memory: a restarted owner forgets them and servers ask again).
 */
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { trailingPeerId, withoutPeerId, withPeerId } from './addresses.js'
import { normalizeClubId } from './club-id.js'
import { DEFAULT_OPEN_JOINS_PER_MINUTE, JOIN_PROBE_TIMEOUT_MS, MAX_PENDING_JOIN_REQUESTS } from './constants.js'
import { InviteBootstrapError, JoinRateLimitedError, JoinRefusedError, JoinServerUnreachableError, NoSuchJoinRequestError, type ClubError } from './errors.js'
import { decodeInvite, encodeInvite, isInvite } from './invite.js'
import { JoinThrottle, probeServer } from './join-guard.js'
import { sendJoinRequest, type JoinAnswer, type JoinRequestBody } from './join-protocol.js'
import { checkRoster, type RosterServer } from './roster.js'
import type { DhtCallOptions } from '../dht/index.js'
import type { ClubOwner, PublishedRoster } from './owner.js'
import type { SignedRoster } from './roster-record.js'
import type { RosterBook } from './rosters.js'
import type { Libp2p, Logger, PeerId } from '@libp2p/interface'

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

export interface ClubJoiningInit {
  libp2p: Pick<Libp2p, 'peerId' | 'dial' | 'dialProtocol' | 'getMultiaddrs' | 'getConnections'>
  owner: ClubOwner
  rosters: RosterBook
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

export class ClubJoining {
  private readonly init: ClubJoiningInit
  private readonly pending = new Map<string, JoinRequest>()
  private readonly refused = new Map<string, string>()
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
    const multiaddrs = options.multiaddrs ?? this.init.libp2p.getMultiaddrs().map(a => withoutPeerId(a))
    const answer = await sendJoinRequest(this.init.libp2p, owner, { clubId, multiaddrs, capacity: options.capacity, note: options.note }, { signal: options.signal })
    this.init.log('asked %s to join club %s with %d address(es): %s%s', owner.toString(), clubId, multiaddrs.length, answer.status, answer.reason != null ? ` (${answer.reason})` : '')
    if (answer.status === 'refused') {
      const Refusal = (answer.code != null ? REFUSALS[answer.code] : undefined) ?? JoinRefusedError
      throw new Refusal(`club ${clubId} refused this server: ${answer.reason ?? 'no reason given'}`)
    }
    if (answer.status === 'accepted') await this.becameServer(clubId, options.signal)
    return answer
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

  /** Join requests waiting for the owner's decision ('invitation' clubs). */
  pendingJoinRequests (clubId?: string): JoinRequest[] {
    const id = clubId != null ? normalizeClubId(clubId) : undefined
    return [...this.pending.values()].filter(r => id == null || r.clubId === id)
  }

  async acceptJoin (clubId: string, peerId: string | PeerId): Promise<PublishedRoster> {
    const key = pendingKey(normalizeClubId(clubId), peerId.toString())
    const request = this.pending.get(key)
    if (request == null) throw new NoSuchJoinRequestError(`no pending request from ${peerId.toString()} for club ${clubId}`)
    const published = await this.init.owner.addServer(request.clubId, { peerId: request.peerId, multiaddrs: request.multiaddrs, capacity: request.capacity })
    this.pending.delete(key)
    this.refused.delete(key)
    this.init.log('club %s: accepted the join request of %s', request.clubId, request.peerId)
    return published
  }

  refuseJoin (clubId: string, peerId: string | PeerId, reason = 'refused by the club owner'): void {
    const key = pendingKey(normalizeClubId(clubId), peerId.toString())
    if (!this.pending.delete(key)) throw new NoSuchJoinRequestError(`no pending request from ${peerId.toString()} for club ${clubId}`)
    this.refused.set(key, reason)
    this.init.log('club %s: refused the join request of %s (%s)', normalizeClubId(clubId), peerId.toString(), reason)
  }

  /** The join protocol handler's decision; the peer is the connection's authenticated remote peer. */
  async decideJoin (peerId: PeerId, request: JoinRequestBody): Promise<JoinAnswer> {
    let answer: JoinAnswer
    try {
      answer = await this.decide(peerId, request)
    } catch (err) {
      // the handler turns this into a 'refused' answer carrying the error's code
      if (err instanceof JoinRateLimitedError || err instanceof JoinServerUnreachableError) this.init.log('join request from %p for club %s refused - %e', peerId, request.clubId, err)
      else this.init.log.error('join request from %p for club %s failed - %e', peerId, request.clubId, err)
      throw err
    }
    this.init.log('join request from %p for club %s: %s%s', peerId, request.clubId, answer.status, answer.reason != null ? ` (${answer.reason})` : '')
    return answer
  }

  private async decide (peerId: PeerId, request: JoinRequestBody): Promise<JoinAnswer> {
    const clubId = normalizeClubId(request.clubId)
    if (!(await this.init.owner.isOwner(clubId))) return { status: 'refused', reason: `this node does not own club ${clubId}` }
    const current = await this.init.owner.ownedRoster(clubId)
    const id = peerId.toString()
    if (current.roster.servers.some(s => s.peerId === id)) return { status: 'accepted', sequence: Number(current.sequence) }
    if (request.multiaddrs.length === 0) return { status: 'refused', reason: 'list at least one address the club\'s users can dial' }
    const key = pendingKey(clubId, id)
    const refusal = this.refused.get(key)
    if (refusal != null) return { status: 'refused', reason: refusal }
    const server: RosterServer = { peerId: id, multiaddrs: request.multiaddrs, capacity: request.capacity }
    checkRoster({ ...current.roster, servers: [...current.roster.servers, server] })
    if (current.roster.policy === 'open') {
      // rate first (it bounds the probes too), then reachability, then publish
      this.throttle.take(clubId)
      const answered = await probeServer(this.init.libp2p, peerId, request.multiaddrs, { timeoutMs: this.probeTimeoutMs })
      this.init.log('club %s: server %p answered on %s', clubId, peerId, answered)
      const published = await this.init.owner.addServer(clubId, server)
      return { status: 'accepted', sequence: Number(published.signed.sequence) }
    }
    if (!this.pending.has(key) && this.pending.size >= MAX_PENDING_JOIN_REQUESTS) {
      return { status: 'refused', reason: 'too many join requests are waiting; ask again later' }
    }
    const entry: JoinRequest = { ...request, clubId, peerId: id, receivedAt: Date.now() }
    this.pending.set(key, entry)
    this.init.emit('join-request', entry)
    return { status: 'pending' }
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

function pendingKey (clubId: string, peerId: string): string {
  return `${clubId}/${peerId}`
}
