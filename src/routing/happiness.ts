/**
 * Servers of happiness (Tahoe-LAFS, spec tahoe-chk.md §13): the happiness of
 * a placement is the size of a maximum matching between servers and share
 * numbers. An upload succeeds only if happiness ≥ `happy`.
 */

/** Maximum bipartite matching (Kuhn's augmenting paths), earlier servers first. */
export function maximumMatching (servers: readonly string[], edges: ReadonlyMap<string, ReadonlySet<number>>): Map<string, number> {
  const shareOwner = new Map<number, string>()
  const tryAssign = (server: string, seen: Set<number>): boolean => {
    for (const sh of [...(edges.get(server) ?? [])].sort((a, b) => a - b)) {
      if (seen.has(sh)) continue
      seen.add(sh)
      const owner = shareOwner.get(sh)
      if (owner === undefined || tryAssign(owner, seen)) {
        shareOwner.set(sh, server)
        return true
      }
    }
    return false
  }
  for (const server of servers) tryAssign(server, new Set())
  const out = new Map<string, number>()
  for (const [sh, server] of shareOwner) out.set(server, sh)
  return out
}

export function happinessOf (placement: ReadonlyMap<string, ReadonlySet<number>>): number {
  return maximumMatching([...placement.keys()], placement).size
}

export interface PlacementInput {
  /** Candidate servers in permuted-ring order (Tahoe considers the first 2·N). */
  servers: readonly string[]
  /** Shares each server already holds for this storage index. */
  existing: ReadonlyMap<string, ReadonlySet<number>>
  /** Servers that cannot take new shares (full, refused, or failed). */
  readOnly: ReadonlySet<string>
  totalShares: number
}

export interface Placement {
  /** New shares to upload, per server. */
  uploads: Map<string, number[]>
  /** Shares already in place that count toward happiness (renew their leases). */
  kept: Map<string, number[]>
  /** Happiness the placement reaches if every upload succeeds. */
  happiness: number
}

/**
 * Tahoe's "upload strategy of happiness": first match servers to shares they
 * already hold (read-only servers before writable ones), then match the
 * remaining writable servers to the remaining shares, then spread leftover
 * shares over writable servers, fewest shares first.
 */
export function planPlacement (input: PlacementInput): Placement {
  const { servers, existing, readOnly, totalShares } = input
  const allShares = Array.from({ length: totalShares }, (_, i) => i)
  const readOnlyServers = servers.filter(s => readOnly.has(s))
  const writable = servers.filter(s => !readOnly.has(s))

  const m1 = maximumMatching(readOnlyServers, existing)
  const usedShares = new Set(m1.values())
  const usedServers = new Set(m1.keys())
  const existingLeft = new Map<string, Set<number>>()
  for (const s of writable) {
    existingLeft.set(s, new Set([...(existing.get(s) ?? [])].filter(sh => !usedShares.has(sh))))
  }
  const m2 = maximumMatching(writable, existingLeft)
  for (const [s, sh] of m2) { usedShares.add(sh); usedServers.add(s) }

  const remainingShares = allShares.filter(sh => !usedShares.has(sh))
  const freeServers = writable.filter(s => !usedServers.has(s))
  const uploads = new Map<string, number[]>()
  const add = (s: string, sh: number): void => { uploads.set(s, [...(uploads.get(s) ?? []), sh]) }
  // M3: one new share per still-unused writable server, in ring order.
  let i = 0
  for (; i < remainingShares.length && i < freeServers.length; i++) add(freeServers[i], remainingShares[i])
  // Leftover shares go to writable servers holding the fewest shares.
  const leftovers = remainingShares.slice(i)
  if (leftovers.length > 0 && writable.length > 0) {
    const load = new Map<string, number>(writable.map(s => [s, (existing.get(s)?.size ?? 0) + (uploads.get(s)?.length ?? 0)]))
    for (const sh of leftovers) {
      let best = writable[0]
      for (const s of writable) if ((load.get(s) ?? 0) < (load.get(best) ?? 0)) best = s
      add(best, sh)
      load.set(best, (load.get(best) ?? 0) + 1)
    }
  }
  const kept = new Map<string, number[]>()
  for (const [s, sh] of [...m1, ...m2]) kept.set(s, [sh])
  const combined = new Map<string, Set<number>>()
  for (const s of servers) {
    const set = new Set<number>([...(existing.get(s) ?? []), ...(uploads.get(s) ?? [])])
    if (set.size > 0) combined.set(s, set)
  }
  return { uploads, kept, happiness: happinessOf(combined) }
}
