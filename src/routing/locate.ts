/**
 * The locate planner (DESIGN.md §5): find servers holding shares of a
 * storage index, either through DHT provider records or through a club's
 * roster (the hint in a cap), whichever is estimated cheaper within the
 * caller's budget, falling back to the other way when the first fails or
 * runs out of budget. Every answer explains itself: which way ran, what it
 * was estimated to cost, and what it really cost.
 */
import { estimateLookupCost, estimateNetworkSize, QueryBudgetExceededError, QueryCostMeter } from '../dht/index.js'
import { LocateError } from './errors.js'
import { logFor } from './locate-log.js'
import { permute } from './permuted-ring.js'
import { distinct, mergeHolders, viaClubs, viaDht } from './locate-ways.js'
import type { SignedRoster } from '../club/index.js'
import type { LocatedServer, LocateDeps, LocateExplain, LocateOptions, LocateResult, LocateTarget, LocateWay, WayEstimate, WayRun } from './locate-types.js'

export type { LocateBudget, LocateDeps, LocatedServer, LocateExplain, LocateOptions, LocateResult, LocateTarget, LocateWay, WayEstimate, WayRun } from './locate-types.js'

const DEFAULT_MAX_RPCS = 200
const DEFAULT_DEADLINE_MS = 30_000
/**
 * A DHT walk that ended short of k shares is walked again after this pause
 * (doubling each time), while the deadline and the budget allow: a young
 * file's holders announce their provider records one by one, and a walk
 * started seconds after the upload can pass the closest peers before they
 * have them all. A walk that found no share at all is repeated once only, so
 * a file that does not exist is reported missing in a few seconds, not at the
 * deadline.
 */
const REWALK_PAUSE_MS = 2_000

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
  // What every DHT walk so far found: a walk again adds to it.
  let walked: LocatedServer[] = []
  const ways = options.noFallback === true ? order.slice(0, 1) : [...order]
  let pause = REWALK_PAUSE_MS
  let budgetSpent = false
  for (let i = 0; i < ways.length; i++) {
    const way = ways[i]
    if (signal.aborted) break
    const again = runs.some(r => r.way === way)
    if (again) {
      log('locate %t: walking the DHT again in %d ms (%d distinct share(s) found so far)', target.storageIndex, pause, distinct(walked))
      if (!await pauseFor(pause, signal)) break
      pause *= 2
    }
    const t0 = performance.now()
    const run: WayRun = { way, rpcs: 0, roundTrips: 0, ms: 0, servers: 0, distinctShares: 0, ...(again ? { again } : {}) }
    runs.push(run)
    try {
      let found = way === 'dht'
        ? await viaDht(deps, target, maxRpcs - spent, signal, run, options.club)
        : await viaClubs(deps, target, options.club as string, options.otherClubs ?? [], maxRpcs - spent, signal, run)
      if (way === 'dht') found = walked = permute(target.storageIndex, mergeHolders([...walked, ...found]))
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
      if (err instanceof QueryBudgetExceededError) budgetSpent = true
    }
    log('locate %t: %s failed after %d RPCs, %d ms (%s)', target.storageIndex, way, run.rpcs, run.ms, run.error)
    if (i === ways.length - 1 && !budgetSpent && walkAgain(runs, distinct(walked), target, maxRpcs - spent)) ways.push('dht')
  }
  const explain = explainOf(order[0], estimates, runs, started)
  const why = runs.map(r => `${r.way}: ${r.error ?? 'no result'}`).join('; ')
  log.error('locate %t: not found after %d RPCs, %d ms: %s', target.storageIndex, explain.actual.rpcs, explain.actual.ms, why)
  if (options.signal?.aborted === true) throw new LocateError('ERR_ABORTED', 'locate was aborted', explain)
  throw new LocateError('ERR_NOT_FOUND', `could not find ${target.k} shares of this file within ${deadlineMs} ms and ${maxRpcs} RPCs (${why})`, explain)
}

/**
 * Whether the DHT is walked once more after every way fell short: it ran,
 * found some shares or has not been repeated yet, and the budget still pays
 * for a walk's have round.
 */
function walkAgain (runs: readonly WayRun[], found: number, target: LocateTarget, rpcsLeft: number): boolean {
  const walks = runs.filter(r => r.way === 'dht')
  if (walks.length === 0) return false
  if (found === 0 && walks.length > 1) return false
  return rpcsLeft > target.n
}

/** Waits `ms`; false when the signal fired first. */
async function pauseFor (ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false
  return await new Promise<boolean>(resolve => {
    const done = (ok: boolean): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      resolve(ok)
    }
    const onAbort = (): void => { done(false) }
    const timer = setTimeout(() => { done(true) }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
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
    fellBack: new Set(runs.map(r => r.way)).size > 1
  }
}

function describeEstimates (estimates: LocateExplain['estimates']): string {
  return (Object.entries(estimates) as Array<[LocateWay, WayEstimate]>).map(([way, e]) =>
    `${way} ${e.rpcs} RPCs/${e.roundTrips} round(s)` +
    (e.networkSize != null ? ` (network ≈ ${e.networkSize} nodes)` : '') +
    (e.rosterCached != null ? ` (roster ${e.rosterCached ? 'cached' : 'to resolve'})` : '') +
    (e.fitsBudget ? '' : ' over budget')).join(', ')
}

