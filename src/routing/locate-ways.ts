/**
 * The two ways the locate planner (locate.ts) can run: DHT provider records
 * then have-share queries, or a club's roster then one have round on its
 * permuted ring. Each adds what it spent to the run it is given.
 */
import { dialableAddrs, type SignedRoster } from '../club/index.js'
import { findProviders, QueryBudgetExceededError, QueryCostMeter } from '../dht/index.js'
import { queryHaveAcross, type StreamOpener } from '../protocols/index.js'
import { permute } from './permuted-ring.js'
import { LocateError } from './errors.js'
import { logFor } from './locate-log.js'
import { NAMED_CLUB_DELAY_MS, NamedClubs } from './named-clubs.js'
import type { LocateDeps, LocatedServer, LocateOptions, LocateTarget, WayRun } from './locate-types.js'

const HAVE_TIMEOUT_MS = 5_000

export function distinct (servers: readonly LocatedServer[]): number {
  return new Set(servers.flatMap(s => s.shares)).size
}


/** Asks servers in parallel which shares they hold; unreachable ones are skipped. */
async function askHave (deps: LocateDeps, storageIndex: Uint8Array, servers: Array<{ peerId: string, multiaddrs: string[] }>, signal: AbortSignal, run: WayRun): Promise<LocatedServer[]> {
  if (servers.length === 0) return []
  const log = logFor(deps)
  log('have %t: asking %d server(s): %s', storageIndex, servers.length, servers.map(s => s.peerId).join(', '))
  // A query costs an RPC once its stream is open (as kad-dht counts a DHT
  // message): a server that cannot be dialled received nothing.
  let opened = 0
  const opener: StreamOpener = {
    dialProtocol: async (peer, protocols, options) => {
      const stream = await deps.libp2p.dialProtocol(peer, protocols, options)
      opened++
      return stream
    }
  }
  const addressed = servers.map(s => ({ peerId: s.peerId, multiaddrs: dialableAddrs(s) }))
  const { holders, failures } = await queryHaveAcross(opener, storageIndex, addressed, { timeoutMs: HAVE_TIMEOUT_MS, signal })
  // an unreachable server is skipped: the others, or the other way, may still have enough
  for (const f of failures) log('have %t: %s did not answer - %s', storageIndex, f.peerId, f.error.message)
  run.rpcs += opened
  if (opened > 0) run.roundTrips += 1
  return holders
}

/**
 * `hintClub`: the club the locate was given (a hinted cap's, or the default club `client.club` for a plain cap). It is asked beside the lookup once
 * NAMED_CLUB_DELAY_MS passed without k shares, as if a holder had named it:
 * on a busy network a lookup can spend the whole deadline finding provider
 * records that are still being announced, leaving no time for the club way
 * to run after it.
 */
export async function viaDht (deps: LocateDeps, target: LocateTarget, maxRpcs: number, signal: AbortSignal, run: WayRun, hintClub?: string): Promise<LocatedServer[]> {
  const meter = new QueryCostMeter()
  const found: LocatedServer[] = []
  const asked = new Set<string>()
  const pending: Array<Promise<void>> = []
  const haveRun: WayRun = { ...run, rpcs: 0, roundTrips: 0 }
  const enough = (): boolean => distinct(found) >= Math.min(target.n, target.k + 1)
  const stop = new AbortController()
  const named = new NamedClubs()
  let clubsAsked: Promise<void> | undefined
  let clubsTimer: NodeJS.Timeout | undefined
  // Holders name their clubs; if k shares are still missing a second later, ask those clubs beside the lookup.
  const askNamedClubs = (): void => {
    clearTimeout(clubsTimer)
    if (clubsAsked != null || deps.clubs == null || named.size === 0 || distinct(found) >= target.k || signal.aborted) return
    const left = maxRpcs - meter.cost.rpcs - haveRun.rpcs
    clubsAsked = viaNamedClubs(deps, target, named.ranked(), left, signal, found, run, haveRun)
      .then(() => { if (distinct(found) >= target.k) stop.abort() })
  }
  if (hintClub != null) {
    named.add([hintClub])
    clubsTimer = setTimeout(askNamedClubs, NAMED_CLUB_DELAY_MS)
  }
  try {
    for await (const peer of findProviders(deps.dht, target.storageIndex, { signal: AbortSignal.any([signal, stop.signal]), maxRpcs: Math.max(1, maxRpcs - target.n), onProgress: meter.onProgress })) {
      const id = peer.id.toString()
      if (asked.has(id)) continue
      asked.add(id)
      const addrs = peer.multiaddrs.map(a => a.toString())
      pending.push(askHave(deps, target.storageIndex, [{ peerId: id, multiaddrs: addrs }], signal, haveRun).then(r => {
        found.push(...r)
        for (const holder of r) named.add(holder.clubs)
        if (enough()) stop.abort()
        else if (clubsTimer == null && named.size > 0) clubsTimer = setTimeout(askNamedClubs, NAMED_CLUB_DELAY_MS)
      }))
      if (enough()) break
    }
  } catch (err) {
    // Stopping early on purpose is success; a spent budget with shares in hand is too.
    if (!stop.signal.aborted && !(err instanceof QueryBudgetExceededError && pending.length > 0)) {
      await Promise.allSettled(pending)
      clearTimeout(clubsTimer)
      await clubsAsked
      tally(run, meter, haveRun)
      throw err
    }
  }
  await Promise.allSettled(pending)
  // The lookup ended short of k: the named clubs are the last place to look, now.
  askNamedClubs()
  await clubsAsked
  clearTimeout(clubsTimer)
  tally(run, meter, haveRun)
  return permute(target.storageIndex, mergeHolders(found))
}

/**
 * Asks the clubs holders named, most-named first, until k distinct shares are
 * known: roster (cached, or resolved and kept in the read cache) then one
 * have round. What it finds joins `found`; its cost joins `haveRun`.
 */
async function viaNamedClubs (deps: LocateDeps, target: LocateTarget, clubs: string[], maxRpcs: number, signal: AbortSignal, found: LocatedServer[], run: WayRun, haveRun: WayRun): Promise<void> {
  const log = logFor(deps)
  for (const clubId of clubs) {
    if (distinct(found) >= target.k || signal.aborted) return
    const sub: WayRun = { way: 'club', rpcs: 0, roundTrips: 0, ms: 0, servers: 0, distinctShares: 0 }
    ;(run.namedClubs ??= []).push(clubId)
    try {
      found.push(...await viaClub(deps, target, clubId, maxRpcs - haveRun.rpcs, signal, sub))
      log('locate %t: club %s, named by a holder, brought the shares known to %d', target.storageIndex, clubId, distinct(found))
    } catch (err) {
      log('locate %t: club %s, named by a holder, could not be asked - %s', target.storageIndex, clubId, (err as Error).message)
    } finally {
      haveRun.rpcs += sub.rpcs
      haveRun.roundTrips += sub.roundTrips
    }
  }
}

/** One entry per server (the DHT way and a named club may both have found it). */
/** One entry per server, with the union of the shares it was seen to hold. */
export function mergeHolders (found: readonly LocatedServer[]): LocatedServer[] {
  const byPeer = new Map<string, LocatedServer>()
  for (const s of found) {
    const seen = byPeer.get(s.peerId)
    if (seen == null) byPeer.set(s.peerId, { ...s, shares: [...s.shares] })
    else seen.shares = [...new Set([...seen.shares, ...s.shares])].sort((a, b) => a - b)
  }
  return [...byPeer.values()]
}

function tally (run: WayRun, meter: QueryCostMeter, haveRun: WayRun): void {
  const cost = meter.cost
  run.rpcs += cost.rpcs + haveRun.rpcs
  // Have queries go out as providers arrive, overlapping the lookup: count one extra round.
  run.roundTrips += cost.roundTrips + (haveRun.rpcs > 0 ? 1 : 0)
}

/**
 * The club way for `clubId`, then, while k distinct shares are still
 * missing, for each of `others` whose roster is cached and unexpired.
 */
export async function viaClubs (deps: LocateDeps, target: LocateTarget, clubId: string, others: NonNullable<LocateOptions['otherClubs']>, maxRpcs: number, signal: AbortSignal, run: WayRun): Promise<LocatedServer[]> {
  const found = await viaClub(deps, target, clubId, maxRpcs, signal, run)
  if (distinct(found) >= target.k) return found
  const log = logFor(deps)
  const list = typeof others === 'function' ? await others().catch(() => []) : others
  for (const other of list) {
    if (distinct(found) >= target.k || signal.aborted) break
    if (other === clubId) continue
    const cached = await deps.clubs?.cached(other).catch(() => undefined)
    if (cached == null || cached.expiresAt <= Date.now()) continue
    ;(run.otherClubs ??= []).push(other)
    try {
      found.push(...await viaClub(deps, target, other, maxRpcs, signal, run))
    } catch (err) {
      log('locate %t: club %s (one of this node\'s) could not be asked - %s', target.storageIndex, other, (err as Error).message)
    }
  }
  return permute(target.storageIndex, mergeHolders(found))
}

export async function viaClub (deps: LocateDeps, target: LocateTarget, clubId: string, maxRpcs: number, signal: AbortSignal, run: WayRun): Promise<LocatedServer[]> {
  if (deps.clubs == null) throw new LocateError('ERR_NO_CLUBS', 'this node has no club support', undefined)
  // a cached, unexpired roster costs nothing: the meter then stays at zero
  const meter = new QueryCostMeter()
  let roster: SignedRoster
  try {
    roster = await deps.clubs.roster(clubId, { signal, onProgress: meter.onProgress })
  } finally {
    const cost = meter.cost
    run.rpcs += cost.rpcs
    run.roundTrips += cost.roundTrips
  }
  const ordered = permute(target.storageIndex, roster.roster.servers)
  const found: LocatedServer[] = []
  // Ask the first N servers on the ring, then widen, until k distinct shares are known.
  for (let at = 0; at < ordered.length && distinct(found) < target.k; at += target.n) {
    const wave = ordered.slice(at, at + target.n)
    if (run.rpcs + wave.length > maxRpcs) throw new QueryBudgetExceededError(run.rpcs + wave.length, maxRpcs)
    found.push(...await askHave(deps, target.storageIndex, wave, signal, run))
  }
  return permute(target.storageIndex, found)
}
