/**
 * Keeps a node connected to the storage servers of the clubs it belongs to
 * (`ClubManager.knownClubs()`: owned, joined as a user, accepted as a
 * server). A club whose roster was only read (a hinted cap, `clubs.show`)
 * is not among them, so a web page or a link cannot make the node keep
 * connections to addresses of its choosing.
 *
 * Without it, a server that restarts (a reboot, kill -9, an upgrade) stays
 * unconnected until someone happens to dial it: the interop grid saw the
 * owner connected to 3 of 7 restarted servers after 45 s. Every pass tags
 * the servers of every such club's roster with a KEEP_ALIVE tag (libp2p then
 * redials them itself when they drop, with backoff, and after its own
 * restart), gives the peer store their roster addresses, and dials those
 * not connected. libp2p drops the tag after its retries run out, so the
 * next pass sets it again; servers no longer on any roster lose it.
 */
import { KEEP_ALIVE, type Libp2p, type PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { withoutPeerId, type ClubManager } from '../club/index.js'

export const ROSTER_KEEP_ALIVE_TAG = `${KEEP_ALIVE}-lafs-club-roster`

export interface RosterKeeperOptions {
  /** Time between passes (default 30 s). */
  intervalMs?: number
  /** Per-dial deadline (default 10 s). */
  dialTimeoutMs?: number
  onError?: (message: string) => void
}

export interface RosterPass {
  /** Roster servers (other than this node) across all clubs this node belongs to. */
  servers: number
  alreadyConnected: number
  dialed: number
  failed: number
}

export interface RosterKeeper {
  /** One pass now (also what the timer runs). */
  runNow: () => Promise<RosterPass>
  /** Whether `peerId` is a server on a roster of this node's clubs, as of the last pass (the relay policy asks). */
  isRosterServer: (peerId: string) => boolean
  /** Clubs whose roster lists this node as a server, as of the last pass (have answers name them). */
  servedClubs: () => readonly string[]
  stop: () => void
}

type Clubs = Pick<ClubManager, 'knownClubs' | 'cached'> & Partial<Pick<ClubManager, 'listedClubs'>>

export function keepRosterServersConnected (libp2p: Libp2p, clubs: Clubs, options: RosterKeeperOptions = {}): RosterKeeper {
  const dialTimeoutMs = options.dialTimeoutMs ?? 10_000
  let stopped = false
  let running: Promise<RosterPass> | undefined
  let rosterServers = new Set<string>()
  let served: readonly string[] = []
  /** Addresses last given to the peer store, per roster server. */
  const merged = new Map<string, string>()
  let scanned = false
  // libp2p may drop the keep-alive tag of a disconnected peer (its redials gave up); a server that
  // comes back by itself is then connected but untagged, so the next pass must write the tag again
  const forget = (e: CustomEvent<PeerId>): void => { merged.delete(e.detail.toString()) }
  libp2p.addEventListener('peer:disconnect', forget)

  const pass = async (): Promise<RosterPass> => {
    const wanted = new Map<string, { id: PeerId, addrs: Multiaddr[] }>()
    const listingMe: string[] = []
    for (const clubId of await clubs.knownClubs()) {
      const signed = await clubs.cached(clubId).catch(() => undefined)
      for (const s of signed?.roster.servers ?? []) {
        if (s.peerId === libp2p.peerId.toString()) { listingMe.push(clubId); continue }
        if (wanted.has(s.peerId)) continue
        try {
          wanted.set(s.peerId, { id: peerIdFromString(s.peerId), addrs: s.multiaddrs.map(a => multiaddr(withoutPeerId(a, s.peerId))) })
        } catch {
          // a roster entry this node cannot parse is skipped, not fatal
        }
      }
    }
    const previous = rosterServers
    rosterServers = new Set(wanted.keys())
    // clubs whose owner listed this node without it joining: named in have answers, nothing else
    for (const clubId of await clubs.listedClubs?.() ?? []) {
      if (listingMe.includes(clubId)) continue
      const signed = await clubs.cached(clubId).catch(() => undefined)
      // an expired roster names nobody: its owner stopped republishing it
      if (signed != null && signed.expiresAt > Date.now() && signed.roster.servers.some(s => s.peerId === libp2p.peerId.toString())) listingMe.push(clubId)
    }
    served = listingMe
    const result: RosterPass = { servers: wanted.size, alreadyConnected: 0, dialed: 0, failed: 0 }
    await Promise.all([...wanted.values()].map(async ({ id, addrs }) => {
      if (stopped) return
      const key = id.toString()
      const addrKey = addrs.map(a => a.toString()).join(' ')
      const connected = libp2p.getConnections(id).length > 0
      // libp2p drops the tag only after its redials of a disconnected peer gave up, so a peer still
      // connected and given the same addresses last time needs no write (each is a datastore read and write)
      if (!connected || merged.get(key) !== addrKey) {
        await libp2p.peerStore.merge(id, { multiaddrs: addrs, tags: { [ROSTER_KEEP_ALIVE_TAG]: { value: 50 } } })
        merged.set(key, addrKey)
      }
      if (connected) { result.alreadyConnected++; return }
      try {
        await libp2p.dial(id, { signal: AbortSignal.timeout(dialTimeoutMs) })
        result.dialed++
      } catch {
        result.failed++
        merged.delete(key)
      }
    }))
    // Servers taken off every roster are no longer kept alive. The first pass reads the whole peer store
    // (tags set before a restart); later ones know whom they tagged.
    const untag = scanned
      ? [...previous].filter(p => !wanted.has(p)).map(p => peerIdFromString(p))
      : (await libp2p.peerStore.all({ filters: [peer => peer.tags.has(ROSTER_KEEP_ALIVE_TAG)] })).map(peer => peer.id).filter(id => !wanted.has(id.toString()))
    scanned = true
    for (const id of untag) {
      merged.delete(id.toString())
      await libp2p.peerStore.merge(id, { tags: { [ROSTER_KEEP_ALIVE_TAG]: undefined } })
    }
    return result
  }

  const runNow = async (): Promise<RosterPass> => {
    running ??= pass().finally(() => { running = undefined })
    return await running
  }

  const timer = setInterval(() => {
    if (stopped) return
    runNow().catch((err: unknown) => { if (!stopped) options.onError?.(`keeping club servers connected: ${err instanceof Error ? err.message : String(err)}`) })
  }, options.intervalMs ?? 30_000)
  timer.unref()

  return {
    runNow,
    isRosterServer: peerId => rosterServers.has(peerId),
    servedClubs: () => served,
    stop: () => {
      stopped = true
      clearInterval(timer)
      libp2p.removeEventListener('peer:disconnect', forget)
    }
  }
}
