/**
 * `backendFromNode`: the GatewayBackend of a running LafsNode. Operations the
 * node does not offer yet (clubs before a ClubManager is attached, repair
 * before the node exposes its lease secret) throw NotSupportedError, which the
 * gateway answers with HTTP 501.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { checkFile, serversFromMultiaddrs, type CheckReport, type ServerInfo } from '../client/index.js'
import { parseHintedCap } from '../immutable/index.js'
import { AccountClient, STORAGE_PROTOCOL } from '../protocols/index.js'
import { BadRequestError, errorBody, NotSupportedError } from './errors.js'
import type { ClubManager, RosterServer, SignedRoster } from '../club/index.js'
import type { LafsNode } from '../node/index.js'
import type {
  BackendCheckOptions, ClubStatus, ClubsBackend, GatewayBackend, NodeSnapshot, PeerStatus, ServerAnswer
} from './backend.js'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** The subset of ClubManager the gateway uses. */
export type ClubManagerLike = Pick<ClubManager,
  'createClub' | 'ownedClubs' | 'addServer' | 'removeServer' | 'publish' | 'resolve' | 'cached' | 'knownClubs' | 'joinAsUser' | 'createInvite'>

/** Optional parts a node may carry beyond LafsNode; used when present. */
export interface NodeExtensions {
  clubs?: ClubManagerLike
  locate?: (cap: string, opts?: { signal?: AbortSignal }) => Promise<unknown>
  check?: (cap: string, opts: { verify?: boolean, repair?: boolean, servers?: string[], signal?: AbortSignal }) => Promise<unknown>
}

/** How many corruption advisories the status page shows. */
const RECENT_ADVISORIES = 20

function clubStatus (signed: SignedRoster, owned: boolean): ClubStatus {
  return {
    clubId: signed.clubId,
    name: signed.roster.name,
    description: signed.roster.description,
    policy: signed.roster.policy,
    sequence: signed.sequence.toString(),
    expiresAt: signed.expiresAt,
    owned,
    servers: signed.roster.servers.map(s => ({ peerId: s.peerId, multiaddrs: [...s.multiaddrs], ...(s.capacity != null ? { capacity: s.capacity } : {}) }))
  }
}

/** `/ip4/…/tcp/…/p2p/<id>` → a roster entry (addresses without the /p2p/ part). */
function rosterServer (address: string): RosterServer {
  const [info] = parseServers([address])
  return { peerId: info.peerId, multiaddrs: info.multiaddrs.map(a => multiaddr(a).decapsulateCode(421).toString()).filter(a => a !== '') }
}

function parseServers (addresses: readonly string[]): ServerInfo[] {
  try {
    return serversFromMultiaddrs(addresses)
  } catch (err: any) {
    throw new BadRequestError(err?.message ?? String(err))
  }
}

function serverTarget (address: string): PeerId | Multiaddr {
  if (address.startsWith('/')) {
    parseServers([address])
    return multiaddr(address)
  }
  try {
    return peerIdFromString(address)
  } catch {
    throw new BadRequestError(`"${address}" is neither a multiaddr ending in /p2p/<peer id> nor a peer ID`)
  }
}

function clubsBackend (node: LafsNode, clubs: ClubManagerLike | undefined): ClubsBackend {
  const need = (what: string): ClubManagerLike => {
    if (clubs === undefined) throw new NotSupportedError(`clubs (${what})`)
    return clubs
  }
  const statusOf = async (id: string): Promise<ClubStatus> => {
    const m = need('club show')
    const owned = new Set(await m.ownedClubs())
    const signed = await m.cached(id) ?? await m.resolve(id)
    return clubStatus(signed, owned.has(signed.clubId))
  }
  return {
    list: async () => {
      const m = need('club list')
      const owned = new Set(await m.ownedClubs())
      const ids = [...new Set([...owned, ...await m.knownClubs()])]
      const out: ClubStatus[] = []
      for (const id of ids) {
        const signed = await m.cached(id)
        if (signed !== undefined) out.push(clubStatus(signed, owned.has(id)))
      }
      return out
    },
    show: async (id, opts = {}) => {
      const m = need('club show')
      if (opts.refresh === true) {
        const owned = new Set(await m.ownedClubs())
        const signed = await m.resolve(id)
        return clubStatus(signed, owned.has(signed.clubId))
      }
      return await statusOf(id)
    },
    create: async (opts) => {
      const m = need('club create')
      const published = await m.createClub({ name: opts.name, description: opts.description, policy: opts.policy, servers: (opts.servers ?? []).map(rosterServer) })
      return clubStatus(published.signed, true)
    },
    add: async (id, server) => clubStatus((await need('club add').addServer(id, rosterServer(server))).signed, true),
    remove: async (id, peer) => {
      const peerId = peer.startsWith('/') ? rosterServer(peer).peerId : peer
      return clubStatus((await need('club remove').removeServer(id, peerId)).signed, true)
    },
    publish: async (id) => clubStatus((await need('club publish').publish(id)).signed, true),
    join: async (idOrInvite) => {
      const m = need('club join')
      const signed = await m.joinAsUser(idOrInvite)
      return clubStatus(signed, (await m.ownedClubs()).includes(signed.clubId))
    },
    invite: async (id) => ({ invite: need('club invite').createInvite(id, node.multiaddrs) })
  }
}

/** Connected peers, grouped by peer, with how they are connected. */
async function peersOf (node: LafsNode): Promise<PeerStatus[]> {
  const byPeer = new Map<string, PeerStatus & { limited: boolean[] }>()
  for (const conn of node.libp2p.getConnections()) {
    const id = conn.remotePeer.toString()
    const addr = conn.remoteAddr.toString()
    const limited = conn.limits != null || addr.includes('/p2p-circuit')
    const entry = byPeer.get(id) ?? { peerId: id, addresses: [], connection: 'direct', direction: conn.direction, storageServer: false, limited: [] }
    entry.addresses.push(addr)
    entry.limited.push(limited)
    byPeer.set(id, entry)
  }
  const out: PeerStatus[] = []
  for (const entry of byPeer.values()) {
    let protocols: string[] = []
    try {
      protocols = (await node.libp2p.peerStore.get(peerIdFromString(entry.peerId))).protocols
    } catch {}
    out.push({
      peerId: entry.peerId,
      addresses: entry.addresses,
      connection: entry.limited.every(Boolean) ? 'relayed' : 'direct',
      direction: entry.direction,
      storageServer: protocols.includes(STORAGE_PROTOCOL)
    })
  }
  return out.sort((a, b) => a.peerId.localeCompare(b.peerId))
}

export function backendFromNode (node: LafsNode & NodeExtensions): GatewayBackend {
  let bootstrap: NodeSnapshot['bootstrap'] = null
  void node.bootstrapped.then(r => { bootstrap = { configured: r.configured, connected: r.connected.length, alone: r.alone } })

  const storageServers = async (): Promise<PeerId[]> =>
    (await peersOf(node)).filter(p => p.storageServer).map(p => peerIdFromString(p.peerId))

  const accountTargets = async (server: string | undefined): Promise<Array<PeerId | Multiaddr>> => {
    if (server !== undefined) return [serverTarget(server)]
    const all = await storageServers()
    if (all.length === 0) throw new BadRequestError('this node is connected to no storage server; name one with server=<multiaddr>')
    return all
  }

  const ask = async <T>(targets: Array<PeerId | Multiaddr>, fn: (c: AccountClient) => Promise<T>): Promise<Array<ServerAnswer<T>>> =>
    await Promise.all(targets.map(async target => {
      const server = 'getComponents' in target ? (target.getComponents().findLast(c => c.name === 'p2p')?.value ?? target.toString()) : target.toString()
      try {
        return { server, result: await fn(new AccountClient(node.libp2p, target)) }
      } catch (err) {
        return { server, ...errorBody(err) }
      }
    }))

  const checkServers = async (cap: string, opts: BackendCheckOptions): Promise<ServerInfo[]> => {
    if (opts.servers !== undefined && opts.servers.length > 0) return parseServers(opts.servers)
    const byPeer = new Map<string, ServerInfo>()
    for (const p of await storageServers()) byPeer.set(p.toString(), { peerId: p.toString(), multiaddrs: [] })
    const { hint } = parseHintedCap(cap)
    if (hint !== undefined && node.clubs !== undefined) {
      const signed = await node.clubs.cached(hint) ?? await node.clubs.resolve(hint).catch(() => undefined)
      for (const s of signed?.roster.servers ?? []) {
        if (s.peerId === node.peerId) continue
        byPeer.set(s.peerId, { peerId: s.peerId, multiaddrs: s.multiaddrs.map(a => `${a}/p2p/${s.peerId}`) })
      }
    }
    return [...byPeer.values()]
  }

  return {
    get peerId () { return node.peerId },
    put: async (data, opts) => await node.put(data, { club: opts.club, servers: opts.servers, signal: opts.signal, onProgress: opts.onProgress }),
    cat: (cap, opts) => node.cat(cap, { servers: opts.servers, signal: opts.signal, offset: opts.offset, length: opts.length, onProgress: opts.onProgress }),
    check: async (cap, opts) => {
      parseHintedCap(cap)
      if (node.check !== undefined) return await node.check(cap, opts)
      if (opts.repair === true) throw new NotSupportedError('repair (the node does not expose its lease secret to the gateway)')
      const servers = await checkServers(cap, opts)
      const report: CheckReport = await checkFile(node.libp2p, cap, { servers, verify: opts.verify, happy: node.config.client.happy, signal: opts.signal })
      return report
    },
    locate: async (cap, opts) => {
      const { cap: parsed } = parseHintedCap(cap)
      if (parsed.kind === 'lit') return { servers: [], explain: { literal: true, note: 'a literal cap holds the file itself; nothing to locate' } }
      if (node.locate === undefined) throw new NotSupportedError('locate (--explain)')
      return await node.locate(cap, opts)
    },
    clubs: clubsBackend(node, node.clubs),
    createInvitation: async ({ quota, note }) => {
      if (node.storage === undefined) throw new NotSupportedError('invitations (this node runs no storage server; set storage.enabled)')
      return { code: node.storage.createInvitation({ quota, note }), quota }
    },
    redeemInvitation: async (code, server) => await ask(await accountTargets(server), async c => await c.redeem(code)),
    accountUsage: async (server) => await ask(await accountTargets(server), async c => {
      const u = await c.usage()
      return { bytes: u.bytes, shares: u.shares, leases: u.leases, quota: u.quota, reserved: u.reserved }
    }),
    accountTerms: async (server) => {
      if (server === undefined && node.storage !== undefined) {
        const targets = await storageServers()
        const local: ServerAnswer<ReturnType<typeof node.storage.terms>> = { server: node.peerId, result: node.storage.terms() }
        return [local, ...(targets.length > 0 ? await ask(targets, async c => await c.terms()) : [])]
      }
      return await ask(await accountTargets(server), async c => await c.terms())
    },
    gc: async () => {
      if (node.storage === undefined) throw new NotSupportedError('gc (this node runs no storage server)')
      return await node.storage.gc()
    },
    snapshot: async () => {
      const peers = await peersOf(node)
      const storageServersConnected = peers.filter(p => p.storageServer).length
      const s = node.storage
      const stats = s?.stats()
      let clubs: ClubStatus[] | null = null
      if (node.clubs !== undefined) clubs = await clubsBackend(node, node.clubs).list().catch(() => [])
      const announcer = node.announcer
      return {
        peerId: node.peerId,
        multiaddrs: node.multiaddrs,
        peers,
        happy: node.config.client.happy,
        storageServersConnected,
        uploadReady: storageServersConnected >= node.config.client.happy,
        storage: stats === undefined ? null : { shares: stats.shares, bytes: stats.bytes, capacity: Number.isFinite(stats.capacity) ? stats.capacity : null, accounts: stats.accounts, incoming: stats.incoming },
        accounts: s?.accounts() ?? [],
        reprovide: announcer === undefined ? null : (({ backlog, announced, failed, rounds }) => ({ backlog, announced, failed, rounds }))(announcer.stats),
        corruption: (s?.corruptionReports() ?? []).sort((a, b) => b.at - a.at).slice(0, RECENT_ADVISORIES),
        leasesExpiringSoon: node.leases.expiringSoon().map(l => ({ cap: l.cap, storageIndex: l.storageIndex, expiresAt: l.expiresAt, club: l.club, lastError: l.lastError })),
        leasesHeld: node.leases.list().length,
        clubs,
        bootstrap
      }
    }
  }
}
