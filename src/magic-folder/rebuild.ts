/**
 * Rebuilding a folder's state when its state file was lost (a new data
 * folder, a deleted file): our own personal directory says which snapshot
 * each path had. A local file whose size and mtime match its snapshot is
 * taken as that snapshot, uploaded and linked — nothing is uploaded again. A
 * local file that differs becomes a change of that snapshot (uploaded with it
 * as parent, so the others see a change, not a conflict). A path with no local
 * file gets no row: the other participants' copies bring it back, it is not
 * taken for deleted.
 */
import { findLocal } from './downloader.js'
import { checkRelpath, METADATA_NAME, unmangle } from './magicpath.js'
import type { SyncContext } from './context.js'

export interface RebuildResult {
  /** Paths whose local file matched our snapshot. */
  matched: number
  /** Paths whose local file differs: uploaded as a change on the next scan. */
  changed: number
  /** Paths of ours with no local file (or a deletion): left to the poll. */
  missing: number
}

export async function rebuildState (ctx: SyncContext): Promise<RebuildResult> {
  const result: RebuildResult = { matched: 0, changed: 0, missing: 0 }
  const entries = await ctx.grid.list(ctx.personalCap, ctx.signal)
  for (const e of entries) {
    if (e.name === METADATA_NAME) continue
    let relpath: string
    try { relpath = checkRelpath(unmangle(e.name)) } catch { continue }
    const s = await ctx.history.get(e.readCap)
    const local = await findLocal(ctx.root, relpath)
    if (s.deleted) {
      // Our last word was a deletion: a local file is a new file again (its parent is that deletion).
      ctx.state.setFile({ relpath, snapshotCap: s.cap, deleted: true, size: 0, mtimeMs: 0, linked: true })
      if (local !== undefined) result.changed++
      else result.missing++
      continue
    }
    if (local === undefined) { result.missing++; continue }
    ctx.state.setFile({ relpath, snapshotCap: s.cap, deleted: false, size: s.size, mtimeMs: s.mtimeMs, linked: true })
    if (local.size === s.size && local.mtimeMs === s.mtimeMs) result.matched++
    else result.changed++
  }
  ctx.state.setMeta('rebuilt', String(Date.now()))
  return result
}
