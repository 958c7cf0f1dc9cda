/**
 * `node.clubs`: the club manager seen from the door. Every change that alters
 * which servers matter (create, add, remove, join, accept) runs the roster
 * keeper at once, so the club's servers are connected before the next upload
 * instead of at the keeper's next pass. Joining the first club makes it the
 * node's default club (config `client.club`).
 */
import { dialableAddrs, normalizeClubId, trailingPeerId, type ClubManager, type SignedRoster } from '../club/index.js'
import { parseDuration } from './duration.js'
import { BadDurationError, StorageDisabledError } from './errors.js'
import type { ServerInfo } from '../client/index.js'
import type { ClubsApi } from './api.js'
import type { RosterKeeper } from './roster-keeper.js'
import type { ClubStatus, JoinRequestStatus } from './shapes.js'
import type { Logger } from '@libp2p/interface'

export interface ClubsInit {
  manager: ClubManager
  keeper: RosterKeeper
  log: Logger
  /** This node's dialable addresses, for invites. */
  multiaddrs: () => string[]
  /** This node runs a storage server (it may serve a club), and offers this many bytes (null: unbounded). */
  storage: { enabled: boolean, capacity: number | null }
  defaultClub: () => string | null
  /** Persists config `client.club`. */
  saveDefaultClub: (clubId: string | null) => Promise<void>
}

export interface NodeClubs extends ClubsApi {
  /** The roster's servers as the client layer dials them. */
  servers: (clubId: string, opts?: { signal?: AbortSignal }) => Promise<ServerInfo[]>
  /** The roster's upload helpers in its order, each as one dialable multiaddr with /p2p/. */
  helpers: (clubId: string, opts?: { signal?: AbortSignal }) => Promise<string[]>
  /** As `add`/`remove`/`publish`/`join`, answering the SignedRoster (for the flat aliases). */
  signed: {
    create: (input: Parameters<ClubsApi['create']>[0]) => Promise<SignedRoster>
    add: (clubId: string, server: string) => Promise<SignedRoster>
    remove: (clubId: string, server: string) => Promise<SignedRoster>
    publish: (clubId: string, opts?: { valid?: number | string }) => Promise<SignedRoster>
    join: (clubIdOrInvite: string, opts?: { signal?: AbortSignal }) => Promise<SignedRoster>
  }
}

/** A validity given as ms or as text (`30d`); undefined stays undefined (the club's or the default). */
function validityMs (valid: number | string | undefined): number | undefined {
  if (valid === undefined) return undefined
  const ms = typeof valid === 'number' ? valid : parseDuration(valid)
  if (ms === undefined || !Number.isFinite(ms)) throw new BadDurationError(String(valid))
  return ms
}

/** A server named by peer ID or by a multiaddr ending in /p2p/<id>. */
function peerIdOf (server: string): string {
  return server.startsWith('/') ? trailingPeerId(server) ?? server : server
}

export function createClubs (init: ClubsInit): NodeClubs {
  const { manager, log } = init
  const keepConnected = (): void => { init.keeper.runNow().catch((err: unknown) => { log.error('roster keeper pass failed: %e', err) }) }

  const status = async (signed: SignedRoster): Promise<ClubStatus> => ({
    clubId: signed.clubId,
    name: signed.roster.name,
    description: signed.roster.description,
    policy: signed.roster.policy,
    sequence: signed.sequence.toString(),
    expiresAt: signed.expiresAt,
    owned: await manager.isOwner(signed.clubId),
    isDefault: init.defaultClub() === signed.clubId,
    servers: signed.roster.servers.map(s => ({ peerId: s.peerId, multiaddrs: [...s.multiaddrs], ...(s.capacity != null ? { capacity: s.capacity } : {}) })),
    local: signed.roster.local === true,
    owner: signed.roster.owner != null ? { peerId: signed.roster.owner.peerId, multiaddrs: [...signed.roster.owner.multiaddrs] } : null,
    ...(signed.roster.helpers != null && signed.roster.helpers.length > 0 ? { helpers: signed.roster.helpers.map(h => ({ peerId: h.peerId, multiaddrs: [...h.multiaddrs] })) } : {})
  })

  const roster = async (clubId: string, opts: { signal?: AbortSignal } = {}): Promise<SignedRoster> => await manager.roster(clubId, { signal: opts.signal })

  const signed: NodeClubs['signed'] = {
    create: async (input) => {
      const published = await manager.createClub({
        name: input.name, description: input.description, policy: input.policy, servers: input.servers, local: input.local, validityMs: validityMs(input.valid)
      })
      log('created club %s with %d servers', published.signed.clubId, published.signed.roster.servers.length)
      keepConnected()
      return published.signed
    },
    add: async (clubId, server) => {
      const published = await manager.addServer(clubId, server)
      log('club %s: added %s, sequence %s', clubId, peerIdOf(server), published.signed.sequence)
      keepConnected()
      return published.signed
    },
    remove: async (clubId, server) => {
      const published = await manager.removeServer(clubId, peerIdOf(server))
      log('club %s: removed %s, sequence %s', clubId, peerIdOf(server), published.signed.sequence)
      keepConnected()
      return published.signed
    },
    publish: async (clubId, opts = {}) => (await manager.publish(clubId, { validityMs: validityMs(opts.valid) })).signed,
    join: async (clubIdOrInvite, opts = {}) => {
      const joined = await manager.joinAsUser(clubIdOrInvite, { signal: opts.signal })
      log('joined club %s (sequence %s, %d servers)', joined.clubId, joined.sequence, joined.roster.servers.length)
      if (init.defaultClub() == null) {
        await init.saveDefaultClub(joined.clubId)
        log('club %s is now the default club', joined.clubId)
      }
      keepConnected()
      return joined
    }
  }

  const approve = async (clubId: string, peerId: string): Promise<ClubStatus> => {
    const published = await manager.acceptJoin(clubId, peerId)
    log('club %s: approved %s', clubId, peerId)
    keepConnected()
    return await status(published.signed)
  }
  const deny = (clubId: string, peerId: string, reason?: string): void => {
    manager.refuseJoin(clubId, peerId, reason)
    log('club %s: denied %s', clubId, peerId)
  }

  return {
    signedRoster: roster,
    signed,
    servers: async (clubId, opts) => (await roster(clubId, opts)).roster.servers.map(s => ({ peerId: s.peerId, multiaddrs: dialableAddrs(s) })),
    helpers: async (clubId, opts) => ((await roster(clubId, opts)).roster.helpers ?? []).map(h => dialableAddrs(h)[0]).filter(a => a !== undefined),
    setHelpers: async (clubId, helpers) => await status((await manager.setHelpers(clubId, helpers)).signed),
    list: async () => {
      const ids = new Set([...await manager.ownedClubs(), ...await manager.knownClubs()])
      const out: ClubStatus[] = []
      for (const id of ids) {
        const cached = await manager.cached(id)
        if (cached !== undefined) out.push(await status(cached))
      }
      return out
    },
    show: async (clubId, opts = {}) => await status(await manager.roster(clubId, { signal: opts.signal, refresh: opts.refresh })),
    create: async (input) => await status(await signed.create(input)),
    add: async (clubId, server) => await status(await signed.add(clubId, server)),
    remove: async (clubId, server) => await status(await signed.remove(clubId, server)),
    publish: async (clubId, opts) => await status(await signed.publish(clubId, opts)),
    join: async (clubIdOrInvite, opts = {}) => {
      if (opts.serve === true && !init.storage.enabled) throw new StorageDisabledError('Serving a club')
      const joined = await signed.join(clubIdOrInvite, opts)
      if (opts.serve !== true) return await status(joined)
      const capacity = init.storage.capacity ?? undefined
      const answer = await manager.askToJoin(joined.clubId, { signal: opts.signal, note: opts.note, capacity })
      log('club %s: asked to serve it: %s', joined.clubId, answer.status)
      if (answer.status === 'accepted') keepConnected()
      const now = answer.status === 'accepted' ? await manager.cached(joined.clubId) ?? joined : joined
      return { ...await status(now), server: { status: answer.status === 'accepted' ? 'accepted' : 'pending', ...(answer.sequence != null ? { sequence: answer.sequence } : {}) } }
    },
    leave: async (clubId, opts = {}) => {
      const left = await manager.leave(clubId, opts)
      const wasDefault = init.defaultClub() === left.clubId
      if (wasDefault) await init.saveDefaultClub(null)
      log('left club %s%s', left.clubId, wasDefault ? ' (it was the default club)' : '')
      keepConnected()
      return { ...left, wasDefault }
    },
    invite: async (clubId) => ({ invite: await manager.invite(clubId, init.multiaddrs()) }),
    requests: (clubId) => manager.pendingJoinRequests(clubId).map((r): JoinRequestStatus => ({
      clubId: r.clubId, peerId: r.peerId, multiaddrs: [...r.multiaddrs], at: r.receivedAt, ...(r.capacity != null ? { capacity: r.capacity } : {}), ...(r.note != null ? { note: r.note } : {})
    })),
    approve: async (clubId, peerId) => await approve(clubId, peerId),
    deny: (clubId, peerId, reason) => { deny(clubId, peerId, reason) },
    accept: async (clubId, peerId) => await approve(clubId, peerId),
    refuse: (clubId, peerId, reason) => { deny(clubId, peerId, reason) },
    expiringSoon: async () => await manager.expiringRosters(),
    get defaultClub () { return init.defaultClub() },
    setDefault: async (clubId) => {
      await init.saveDefaultClub(clubId == null ? null : normalizeClubId(clubId))
    }
  }
}
