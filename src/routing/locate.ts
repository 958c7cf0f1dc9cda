/**
 * The locate planner (DESIGN.md §5): find servers holding shares of a
 * storage index, either through DHT provider records or through a club's
 * roster (the hint in a cap), whichever is estimated cheaper within the
 * caller's budget, falling back to the other way when the first fails or
 * runs out of budget. Every answer explains itself: which way ran, what it
 * was estimated to cost, and what it really cost.
 */
import { defaultLogger } from '@libp2p/logger'
import { dialableAddrs, type ClubManager, type SignedRoster } from '../club/index.js'
import { estimateLookupCost, estimateNetworkSize, findProviders, QueryBudgetExceededError, QueryCostMeter, type KadDHT } from '../dht/index.js'
import { queryHaveAcross, type StreamOpener } from '../protocols/index.js'
import { permute } from './permuted-ring.js'
import { LocateError } from './errors.js'
import type { ComponentLogger, Logger, PeerId } from '@libp2p/interface'

/** A server and the share numbers it said it holds. */
export interface LocatedServer {
  peerId: string
  multiaddrs: string[]
  shares: number[]
}

export type LocateWay = 'dht' | 'club'

export interface LocateBudget {
  /** Most RPCs (DHT messages plus have-share queries) the caller will pay for. Default 200. */
  maxRpcs?: number
  /** Deadline for the whole locate, in ms. Default 30 000. */
  deadlineMs?: number
}

export interface WayEstimate {
  rpcs: number
  roundTrips: number
  /** DHT: the network-size estimate it is based on. */
  networkSize?: number
  /** Club: whether the roster was already cached (no DHT get needed). */
  rosterCached?: boolean
  fitsBudget: boolean
}

export interface WayRun {
  way: LocateWay
  /**
   * Requests that reached a server: DHT messages sent on an open stream and
   * have-share queries whose stream opened. A dial that failed costs time, not an RPC.
   */
  rpcs: number
  roundTrips: number
  ms: number
  servers: number
  distinctShares: number
  error?: string
}

export interface LocateExplain {
  chosen: LocateWay
  estimates: Partial<Record<LocateWay, WayEstimate>>
  runs: WayRun[]
  /** Totals over every way that ran. */
  actual: { rpcs: number, roundTrips: number, ms: number }
  fellBack: boolean
  /**
   * The cap named a club whose roster was not cached and the DHT way found
   * the shares: the roster is being fetched in the background (into the
   * short-lived read cache for a club this node has not joined), so the next
   * locate in that club costs one have-share round. Its RPCs are not in `actual`.
   */
  rosterFetch?: 'background'
}

export interface LocateResult {
  servers: LocatedServer[]
  explain: LocateExplain
}

export interface LocateOptions {
  club?: string
  budget?: LocateBudget
  signal?: AbortSignal
  /** Force one way (tests, `--explain` experiments); the other is still the fallback unless `noFallback`. */
  prefer?: LocateWay
  noFallback?: boolean
  /**
   * When background work this locate leaves (the hinted club's roster fetch)
   * may start: a download passes its first byte, so the fetch does not
   * compete with it. Default: as soon as the locate returns.
   */
  backgroundAfter?: Promise<unknown>
}

export interface LocateDeps {
  /** `logger` (libp2p's) names the node in `DEBUG=lafs-club:routing:locate` output; default `defaultLogger()`. */
  libp2p: StreamOpener & { peerId: PeerId, getPeers?: () => unknown[], logger?: ComponentLogger }
  dht: KadDHT
  clubs?: Pick<ClubManager, 'roster' | 'cached'>
}

/** What a file's shares look like to the planner: its storage index, k and N. */
export interface LocateTarget {
  storageIndex: Uint8Array
  k: number
  n: number
}

const DEFAULT_MAX_RPCS = 200
const DEFAULT_DEADLINE_MS = 30_000
const HAVE_TIMEOUT_MS = 5_000

const loggers = new WeakMap<ComponentLogger, Logger>()
const fallbackLogger = defaultLogger()

/** One `lafs-club:routing:locate` logger per node logger, made once. */
function logFor (deps: LocateDeps): Logger {
  const source = deps.libp2p.logger ?? fallbackLogger
  let log = loggers.get(source)
  if (log == null) {
    log = source.forComponent('lafs-club:routing:locate')
    loggers.set(source, log)
  }
  return log
}

/**
 * The network size the DHT estimate is based on. A fresh node's routing
 * table holds a peer or two, from which the fit says "a node or two" and a
 * DHT lookup looks free. What the node can see is a floor: itself, the
 * servers of a roster it holds and the peers it is connected to are all in
 * the network.
 */
export function plannedNetworkSize (fitted: number, seen: { rosterServers: number, connectedPeers: number }): number {
  return Math.max(fitted, seen.rosterServers + 1, seen.connectedPeers + 1)
}

export async function locate (deps: LocateDeps, target: LocateTarget, options: LocateOptions = {}): Promise<LocateResult> {
  const started = performance.now()
  const maxRpcs = options.budget?.maxRpcs ?? DEFAULT_MAX_RPCS
  const deadlineMs = options.budget?.deadlineMs ?? DEFAULT_DEADLINE_MS
  const deadline = AbortSignal.timeout(deadlineMs)
  const signal = options.signal == null ? deadline : AbortSignal.any([options.signal, deadline])

  const estimates: Partial<Record<LocateWay, WayEstimate>> = {}
  let cachedRoster: SignedRoster | undefined
  if (options.club != null && deps.clubs != null) cachedRoster = await deps.clubs.cached(options.club).catch(() => undefined)
  const networkSize = plannedNetworkSize(estimateNetworkSize(deps.dht, deps.libp2p.peerId).size, {
    rosterServers: cachedRoster?.roster.servers.length ?? 0,
    connectedPeers: deps.libp2p.getPeers?.().length ?? 0
  })
  const lookup = estimateLookupCost(networkSize)
  // After the lookup, each provider found is asked which shares it holds: one more round.
  const dhtRpcs = lookup.rpcs + target.n
  estimates.dht = { rpcs: dhtRpcs, roundTrips: lookup.roundTrips + 1, networkSize, fitsBudget: dhtRpcs <= maxRpcs }
  if (options.club != null && deps.clubs != null) {
    const usable = cachedRoster != null && cachedRoster.expiresAt > Date.now()
    const rosterSize = cachedRoster?.roster.servers.length ?? target.n
    const haves = Math.min(target.n, Math.max(rosterSize, 1))
    const rpcs = haves + (usable ? 0 : lookup.rpcs)
    estimates.club = { rpcs, roundTrips: 1 + (usable ? 0 : lookup.roundTrips), rosterCached: usable, fitsBudget: rpcs <= maxRpcs }
  }

  const order = chooseOrder(estimates, options.prefer)
  const log = logFor(deps)
  log('locate %t (k=%d, N=%d)%s: estimates %s; budget %d RPCs, %d ms; order %s%s', target.storageIndex, target.k, target.n,
    options.club != null ? ` club ${options.club}` : '', describeEstimates(estimates), maxRpcs, deadlineMs, order.join(' then '),
    options.prefer != null ? ` (${options.prefer} preferred by the caller)` : '')
  const runs: WayRun[] = []
  let spent = 0
  for (const way of order) {
    if (runs.length > 0 && options.noFallback === true) break
    if (signal.aborted) break
    const t0 = performance.now()
    const run: WayRun = { way, rpcs: 0, roundTrips: 0, ms: 0, servers: 0, distinctShares: 0 }
    runs.push(run)
    try {
      const found = way === 'dht'
        ? await viaDht(deps, target, maxRpcs - spent, signal, run)
        : await viaClub(deps, target, options.club as string, maxRpcs - spent, signal, run)
      run.servers = found.length
      run.distinctShares = distinct(found)
      run.ms = Math.round(performance.now() - t0)
      spent += run.rpcs
      if (run.distinctShares >= target.k) {
        const explain = explainOf(way, estimates, runs, started)
        if (way === 'dht' && options.club != null && estimates.club?.rosterCached === false && fetchRosterLater(deps, options.club, deadlineMs, options.backgroundAfter)) explain.rosterFetch = 'background'
        log('locate %t: %s found %d server(s) holding %d distinct share(s) in %d RPCs, %d round trip(s), %d ms; total %d RPCs%s',
          target.storageIndex, way, run.servers, run.distinctShares, run.rpcs, run.roundTrips, run.ms, explain.actual.rpcs, explain.fellBack ? ' after falling back' : '')
        return { servers: found, explain }
      }
      run.error = `found ${run.distinctShares} distinct share(s), ${target.k} needed`
    } catch (err) {
      run.ms = Math.round(performance.now() - t0)
      spent += run.rpcs
      run.error = (err as Error).message
    }
    log('locate %t: %s failed after %d RPCs, %d ms (%s)%s', target.storageIndex, way, run.rpcs, run.ms, run.error,
      options.noFallback === true || runs.length === order.length ? '' : '; falling back')
  }
  const explain = explainOf(order[0], estimates, runs, started)
  const why = runs.map(r => `${r.way}: ${r.error ?? 'no result'}`).join('; ')
  log.error('locate %t: not found after %d RPCs, %d ms: %s', target.storageIndex, explain.actual.rpcs, explain.actual.ms, why)
  if (options.signal?.aborted === true) throw new LocateError('ERR_ABORTED', 'locate was aborted', explain)
  throw new LocateError('ERR_NOT_FOUND', `could not find ${target.k} shares of this file within ${deadlineMs} ms and ${maxRpcs} RPCs (${why})`, explain)
}

/** Clubs whose roster is being fetched in the background, per club manager: one fetch at a time per club. */
const rosterFetches = new WeakMap<object, Set<string>>()

/**
 * Fetches a hinted club's roster after the DHT way found the shares, so the
 * next locate in that club is one have-share round (DESIGN.md §5). The club
 * layer verifies it and keeps it in its cache (the read cache for a club this
 * node has not joined: no membership, no keep-alive). Started after the
 * locate (and after `after`, the download's first byte), not beside it: the
 * first byte does not wait on it. False when a fetch for this club is
 * already running.
 */
function fetchRosterLater (deps: LocateDeps, clubId: string, deadlineMs: number, after?: Promise<unknown>): boolean {
  const clubs = deps.clubs
  if (clubs == null) return false
  let running = rosterFetches.get(clubs)
  if (running == null) {
    running = new Set()
    rosterFetches.set(clubs, running)
  }
  if (running.has(clubId)) return false
  running.add(clubId)
  const log = logFor(deps)
  const meter = new QueryCostMeter()
  let t0 = 0
  ;(after ?? Promise.resolve()).catch(() => {})
    .then(async () => {
      t0 = performance.now()
      return await clubs.roster(clubId, { signal: AbortSignal.timeout(deadlineMs), onProgress: meter.onProgress })
    })
    .then(signed => { log('club %s: roster sequence %s fetched in the background in %d ms, %d RPCs', clubId, String(signed.sequence), Math.round(performance.now() - t0), meter.cost.rpcs) })
    .catch((err: unknown) => { log('club %s: background roster fetch failed - %s', clubId, (err as Error)?.message ?? String(err)) })
    .finally(() => { running.delete(clubId) })
  return true
}

/** Cheaper way first among those that fit the budget; then the rest, cheapest first. */
function chooseOrder (estimates: Partial<Record<LocateWay, WayEstimate>>, prefer?: LocateWay): LocateWay[] {
  const ways = (Object.keys(estimates) as LocateWay[])
  ways.sort((a, b) => {
    const ea = estimates[a] as WayEstimate
    const eb = estimates[b] as WayEstimate
    if (ea.fitsBudget !== eb.fitsBudget) return ea.fitsBudget ? -1 : 1
    return ea.rpcs - eb.rpcs || ea.roundTrips - eb.roundTrips
  })
  if (prefer != null && ways.includes(prefer)) return [prefer, ...ways.filter(w => w !== prefer)]
  return ways
}

function explainOf (chosen: LocateWay, estimates: LocateExplain['estimates'], runs: WayRun[], started: number): LocateExplain {
  return {
    chosen: runs.length > 0 ? runs[runs.length - 1].way : chosen,
    estimates,
    runs,
    actual: {
      rpcs: runs.reduce((a, r) => a + r.rpcs, 0),
      roundTrips: runs.reduce((a, r) => a + r.roundTrips, 0),
      ms: Math.round(performance.now() - started)
    },
    fellBack: runs.length > 1
  }
}

function distinct (servers: readonly LocatedServer[]): number {
  return new Set(servers.flatMap(s => s.shares)).size
}

function describeEstimates (estimates: LocateExplain['estimates']): string {
  return (Object.entries(estimates) as Array<[LocateWay, WayEstimate]>).map(([way, e]) =>
    `${way} ${e.rpcs} RPCs/${e.roundTrips} round(s)` +
    (e.networkSize != null ? ` (network ≈ ${e.networkSize} nodes)` : '') +
    (e.rosterCached != null ? ` (roster ${e.rosterCached ? 'cached' : 'to resolve'})` : '') +
    (e.fitsBudget ? '' : ' over budget')).join(', ')
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

async function viaDht (deps: LocateDeps, target: LocateTarget, maxRpcs: number, signal: AbortSignal, run: WayRun): Promise<LocatedServer[]> {
  const meter = new QueryCostMeter()
  const found: LocatedServer[] = []
  const asked = new Set<string>()
  const pending: Array<Promise<void>> = []
  const haveRun: WayRun = { ...run, rpcs: 0, roundTrips: 0 }
  const enough = (): boolean => distinct(found) >= Math.min(target.n, target.k + 1)
  const stop = new AbortController()
  try {
    for await (const peer of findProviders(deps.dht, target.storageIndex, { signal: AbortSignal.any([signal, stop.signal]), maxRpcs: Math.max(1, maxRpcs - target.n), onProgress: meter.onProgress })) {
      const id = peer.id.toString()
      if (asked.has(id)) continue
      asked.add(id)
      const addrs = peer.multiaddrs.map(a => a.toString())
      pending.push(askHave(deps, target.storageIndex, [{ peerId: id, multiaddrs: addrs }], signal, haveRun).then(r => {
        found.push(...r)
        if (enough()) stop.abort()
      }))
      if (enough()) break
    }
  } catch (err) {
    // Stopping early on purpose is success; a spent budget with shares in hand is too.
    if (!stop.signal.aborted && !(err instanceof QueryBudgetExceededError && pending.length > 0)) {
      await Promise.allSettled(pending)
      tally(run, meter, haveRun)
      throw err
    }
  }
  await Promise.allSettled(pending)
  tally(run, meter, haveRun)
  return permute(target.storageIndex, found)
}

function tally (run: WayRun, meter: QueryCostMeter, haveRun: WayRun): void {
  const cost = meter.cost
  run.rpcs += cost.rpcs + haveRun.rpcs
  // Have queries go out as providers arrive, overlapping the lookup: count one extra round.
  run.roundTrips += cost.roundTrips + (haveRun.rpcs > 0 ? 1 : 0)
}

async function viaClub (deps: LocateDeps, target: LocateTarget, clubId: string, maxRpcs: number, signal: AbortSignal, run: WayRun): Promise<LocatedServer[]> {
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
