/**
 * Snapshot history: snapshots by cap (the state's copy first, the grid
 * otherwise) and whether one snapshot is an ancestor of another, which is
 * how a remote change is told apart from a conflict.
 */
import { readSnapshot, type SnapshotInfo } from './snapshot.js'
import type { MagicGrid } from './grid.js'
import type { FolderState } from './state.js'

/** A walk that has not found the ancestor after this many snapshots calls it a conflict: keeping both is always safe. */
const MAX_WALK = 1000

export class History {
  constructor (private readonly grid: MagicGrid, private readonly state: FolderState, private readonly signal?: AbortSignal) {}

  async get (cap: string): Promise<SnapshotInfo> {
    const known = this.state.snapshot(cap)
    if (known !== undefined) return known
    const s = await readSnapshot(this.grid, cap, this.signal)
    this.state.addSnapshot(s)
    return s
  }

  /** True when `ancestor` is `of` or lies on one of its parent chains. */
  async isAncestor (ancestor: string, of: string): Promise<boolean> {
    const queue = [of]
    const visited = new Set<string>()
    while (queue.length > 0 && visited.size < MAX_WALK) {
      const cap = queue.shift() as string
      if (cap === ancestor) return true
      if (visited.has(cap)) continue
      visited.add(cap)
      queue.push(...(await this.get(cap)).parents)
    }
    return false
  }
}
