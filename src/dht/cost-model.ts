/**
 * What a DHT lookup is expected to cost before it runs, for planners that
 * choose between a DHT query and a club query.
 *
 * kad-dht starts a lookup by querying the k closest peers from its routing
 * table at once (split over `disjointPaths` paths, `alpha` in flight each), so the
 * first round trip already costs min(k, N-1) RPCs. Each further hop halves the
 * distance in bits only when the network is larger than k, so
 *   round trips ≈ 1 + ceil(log2(N / k))   (N-1 ≤ k: one round, every other node is in the first wave)
 *   RPCs        ≈ min(N-1, min(k, N-1) + (round trips - 1) · ceil(alpha / 2))
 * A lookup asks each node at most once (kad-dht keeps a seen-set shared by all
 * paths), so no figure here exceeds N-1. This matches the field guide's
 * measurements (N=20: 18-20 RPCs; N=50, α=10: 29 RPCs on average). `upperRpcs`
 * is the textbook bound log2(N) · alpha (at least the first wave, at most N-1),
 * for budgets that must not be exceeded.
 */
export interface LookupCostEstimate {
  networkSize: number
  roundTrips: number
  rpcs: number
  upperRpcs: number
}

export function estimateLookupCost (networkSize: number, options: { k?: number, alpha?: number } = {}): LookupCostEstimate {
  const k = options.k ?? 20
  const alpha = options.alpha ?? 10
  const n = Math.max(1, Math.round(networkSize))
  if (n <= 1) return { networkSize: n, roundTrips: 0, rpcs: 0, upperRpcs: 0 }
  const others = n - 1
  const firstWave = Math.min(k, others)
  const roundTrips = others <= k ? 1 : 1 + Math.ceil(Math.log2(n / k))
  const rpcs = Math.min(others, firstWave + (roundTrips - 1) * Math.ceil(alpha / 2))
  const upperRpcs = Math.min(others, Math.max(firstWave, Math.ceil(Math.log2(n) * alpha)))
  return { networkSize: n, roundTrips, rpcs, upperRpcs }
}
