/**
 * One timed locate as the locate benches take it (forced way, no fallback,
 * a fixed budget), and the retry wrapper their setup steps use.
 */
import type { LafsNode } from '../../src/node/index.js'
import type { LocateResult } from '../../src/routing/index.js'
import type { BenchWay, LocateSample } from './locate-stats.js'

export const LOCATE_BUDGET = { maxRpcs: 1000, deadlineMs: 15_000 }

export function sampleOf (way: BenchWay, reader: number, file: number, res: LocateResult | undefined, err: any, ms: number): LocateSample {
  const explain = res?.explain ?? err?.explain
  const estWay = way === 'dht' ? 'dht' : 'club'
  const est = explain?.estimates?.[estWay]
  return {
    way,
    reader,
    file,
    ok: res != null,
    ran: explain?.runs?.map((r: any) => r.way).join('+'),
    ms: explain?.actual?.ms ?? Math.round(ms),
    rpcs: explain?.actual?.rpcs ?? 0,
    roundTrips: explain?.actual?.roundTrips ?? 0,
    distinctShares: res == null ? 0 : new Set(res.servers.flatMap(s => s.shares)).size,
    ...(est != null ? { estimate: { rpcs: est.rpcs, roundTrips: est.roundTrips, networkSize: est.networkSize, rosterCached: est.rosterCached } } : {}),
    ...(err != null ? { error: String(err?.message ?? err) } : {})
  }
}

export async function timedLocate (reader: LafsNode, cap: string, way: BenchWay, r: number, f: number): Promise<LocateSample> {
  const prefer = way === 'dht' ? 'dht' : 'club'
  const start = performance.now()
  try {
    const res = await reader.locate(cap, { prefer, noFallback: true, budget: LOCATE_BUDGET })
    return sampleOf(way, r, f, res, undefined, performance.now() - start)
  } catch (err) {
    return sampleOf(way, r, f, undefined, err, performance.now() - start)
  }
}

/** A roster put that no peer took is retried (the next attempt carries a higher sequence). */
export async function withRetry<T> (log: (line: string) => void, what: string, fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn()
    } catch (err: any) {
      const inner = (err?.cause?.errors ?? []).slice(0, 2).map((e: any) => e?.message ?? String(e)).join(' | ')
      log(`  ${what} failed (attempt ${i}/${attempts}): ${err?.message ?? err}${inner !== '' ? ` [${inner}]` : ''}`)
      if (i >= attempts) throw err
      await new Promise(resolve => setTimeout(resolve, 500 * i))
    }
  }
}
