/**
 * `node.clubs`: the club manager seen from the door. Every change that alters
 * which servers matter (create, add, remove, join, accept) runs the roster
 * keeper at once, so the club's servers are connected before the next upload
 * instead of at the keeper's next pass. Joining the first club makes it the
 * node's default club (config `client.club`).
 */
import { dialableAddrs, normalizeClubId, trailingPeerId, type ClubManager, type SignedRoster } from '../club/index.js'
import type { ServerInfo } from '../client/index.js'
import type { ClubsApi } from './api.js'
import type { RosterKeeper } from './roster-keeper.js'
import type { ClubStatus } from './shapes.js'
import type { Logger } from '@libp2p/interface'

export interface ClubsInit {
  manager: ClubManager
  keeper: RosterKeeper
  log: Logger
  /** This node's dialable addresses, for invites. */
  multiaddrs: () => string[]
  defaultClub: () => string | null
  /** Persists config `client.club`. */
  saveDefaultClub: (clubId: string | null) => Promise<void>
}

export interface NodeClubs extends ClubsApi {
  /** The roster's servers as the client layer dials them. */
  servers: (clubId: string, opts?: { signal?: AbortSignal }) => Promise<ServerInfo[]>
  /** As `add`/`remove`/`publish`/`join`, answering the SignedRoster (for the flat aliases). */
  signed: {
    create: (input: Parameters<ClubsApi['create']>[0]) => Promise<SignedRoster>
    add: (clubId: string, server: string) => Promise<SignedRoster>
    remove: (clubId: string, server: string) => Promise<SignedRoster>
    publish: (clubId: string) => Promise<SignedRoster>
    join: (clubIdOrInvite: string, opts?: { signal?: AbortSignal }) => Promise<SignedRoster>
  }
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
    servers: signed.roster.servers.map(s => ({ peerId: s.peerId, multiaddrs: [...s.multiaddrs], ...(s.capacity != null ? { capacity: s.capacity } : {}) }))
  })

  const roster = async (clubId: string, opts: { signal?: AbortSignal } = {}): Promise<SignedRoster> => await manager.roster(clubId, { signal: opts.signal })

  const signed: NodeClubs['signed'] = {
    create: async (input) => {
      const published = await manager.createClub({ name: input.name, description: input.description, policy: input.policy, servers: input.servers })
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
    publish: async (clubId) => (await manager.publish(clubId)).signed,
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

  return {
    signedRoster: roster,
    signed,
    servers: async (clubId, opts) => (await roster(clubId, opts)).roster.servers.map(s => ({ peerId: s.peerId, multiaddrs: dialableAddrs(s) })),
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
    publish: async (clubId) => await status(await signed.publish(clubId)),
    join: async (clubIdOrInvite, opts) => await status(await signed.join(clubIdOrInvite, opts)),
    invite: async (clubId) => ({ invite: manager.createInvite(clubId, init.multiaddrs()) }),
    requests: (clubId) => manager.pendingJoinRequests(clubId).map(r => ({ clubId: r.clubId, peerId: r.peerId, multiaddrs: [...r.multiaddrs], at: r.receivedAt })),
    accept: async (clubId, peerId) => {
      const published = await manager.acceptJoin(clubId, peerId)
      log('club %s: accepted %s', clubId, peerId)
      keepConnected()
      return await status(published.signed)
    },
    refuse: (clubId, peerId, reason) => {
      manager.refuseJoin(clubId, peerId, reason)
      log('club %s: refused %s', clubId, peerId)
    },
    get defaultClub () { return init.defaultClub() },
    setDefault: async (clubId) => {
      await init.saveDefaultClub(clubId == null ? null : normalizeClubId(clubId))
    }
  }
}
