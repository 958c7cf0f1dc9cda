/**
 * The locate planner (DESIGN.md §5): find servers holding shares of a
 * storage index, either through DHT provider records or through a club's
 * roster (the hint in a cap), whichever is estimated cheaper within the
 * caller's budget, falling back to the other way when the first fails or
 * runs out of budget. Every answer explains itself: which way ran, what it
 * was estimated to cost, and what it really cost.
 */
import { estimateLookupCost, estimateNetworkSize, QueryCostMeter } from '../dht/index.js'
import { LocateError } from './errors.js'
import { logFor } from './locate-log.js'
import { distinct, viaClubs, viaDht } from './locate-ways.js'
import type { SignedRoster } from '../club/index.js'
import type { LocateDeps, LocateExplain, LocateOptions, LocateResult, LocateTarget, LocateWay, WayEstimate, WayRun } from './locate-types.js'

export type { LocateBudget, LocateDeps, LocatedServer, LocateExplain, LocateOptions, LocateResult, LocateTarget, LocateWay, WayEstimate, WayRun } from './locate-types.js'

const DEFAULT_MAX_RPCS = 200
const DEFAULT_DEADLINE_MS = 30_000

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
        ? await viaDht(deps, target, maxRpcs - spent, signal, run, options.club)
        : await viaClubs(deps, target, options.club as string, options.otherClubs ?? [], maxRpcs - spent, signal, run)
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

function describeEstimates (estimates: LocateExplain['estimates']): string {
  return (Object.entries(estimates) as Array<[LocateWay, WayEstimate]>).map(([way, e]) =>
    `${way} ${e.rpcs} RPCs/${e.roundTrips} round(s)` +
    (e.networkSize != null ? ` (network ≈ ${e.networkSize} nodes)` : '') +
    (e.rosterCached != null ? ` (roster ${e.rosterCached ? 'cached' : 'to resolve'})` : '') +
    (e.fitsBudget ? '' : ' over budget')).join(', ')
}

