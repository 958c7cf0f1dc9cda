/** One locate as the benchmark saw it, and the summaries built from many. */

export type BenchWay = 'dht' | 'club cached' | 'club uncached'

export interface LocateSample {
  way: BenchWay
  reader: number
  file: number
  ok: boolean
  /** The way the planner really ran (a sample where it differs from `way` is a bench bug). */
  ran?: string
  ms: number
  rpcs: number
  roundTrips: number
  distinctShares: number
  /** The planner's estimate for this way before it ran. */
  estimate?: { rpcs: number, roundTrips: number, networkSize?: number, rosterCached?: boolean }
  error?: string
}

export interface WaySummary {
  way: BenchWay
  count: number
  ok: number
  p50Ms: number
  p90Ms: number
  meanMs: number
  meanRpcs: number
  meanRoundTrips: number
  maxRoundTrips: number
  /** Means of the planner's own estimates, to set beside the measured values. */
  estimate: { rpcs: number, roundTrips: number, networkSize?: number }
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN when empty. */
export function percentile (values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1]
}

export function mean (values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length
}

/** Failed locates count in `count`, not in the timings or costs. */
export function summarize (way: BenchWay, samples: LocateSample[]): WaySummary {
  const all = samples.filter(s => s.way === way)
  const ok = all.filter(s => s.ok)
  const est = ok.filter(s => s.estimate != null).map(s => s.estimate as NonNullable<LocateSample['estimate']>)
  const sizes = est.map(e => e.networkSize).filter((n): n is number => n != null)
  return {
    way,
    count: all.length,
    ok: ok.length,
    p50Ms: percentile(ok.map(s => s.ms), 50),
    p90Ms: percentile(ok.map(s => s.ms), 90),
    meanMs: mean(ok.map(s => s.ms)),
    meanRpcs: mean(ok.map(s => s.rpcs)),
    meanRoundTrips: mean(ok.map(s => s.roundTrips)),
    maxRoundTrips: ok.length === 0 ? Number.NaN : Math.max(...ok.map(s => s.roundTrips)),
    estimate: {
      rpcs: mean(est.map(e => e.rpcs)),
      roundTrips: mean(est.map(e => e.roundTrips)),
      ...(sizes.length > 0 ? { networkSize: mean(sizes) } : {})
    }
  }
}

export function fmt (value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-'
}
