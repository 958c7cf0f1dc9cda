/**
 * A file's history and restoring one of its versions. The history is the DAG
 * of snapshot parents from the version the local file matches (and any other
 * participant's newer or diverging one we have seen), numbered oldest first:
 * version 1 is the file's first snapshot. Restoring writes the chosen
 * version's bytes into the local folder as a fresh local change (mtime now),
 * so the next scan uploads it as a new snapshot whose parent is the current
 * one — the others get it like any change, and a deleted file comes back.
 */
import { utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { commit, findLocal, stage } from './downloader.js'
import { InvalidFolderInputError, LocalChangePendingError, NoSuchFileVersionError } from './errors.js'
import type { SyncContext } from './context.js'
import type { SnapshotInfo } from './snapshot.js'

export interface FileVersion {
  /** 1 for the file's first snapshot, counting up along the parents. */
  version: number
  author: string
  /** The file's mtime in that version (ms since the epoch); a deletion's is when it was recorded. */
  mtimeMs: number
  size: number
  deleted: boolean
  /** The version the local file matches now. */
  current: boolean
}

export interface RestoreResult {
  relpath: string
  version: number
  size: number
  /** False when the local file already held that version: nothing was written. */
  written: boolean
}

/** The walk stops after this many snapshots: a history longer than that shows its newest part. */
const MAX_VERSIONS = 1000

/** Every known snapshot of `relpath`, oldest first (a snapshot after its parents; ties by mtime, then cap, so numbers are stable). */
async function ordered (ctx: SyncContext, folder: string, relpath: string): Promise<{ snapshots: SnapshotInfo[], current?: string }> {
  const current = ctx.state.file(relpath)?.snapshotCap
  const heads = [...new Set([...(current !== undefined ? [current] : []), ...ctx.state.seenCaps(relpath)])]
  if (heads.length === 0) throw new NoSuchFileVersionError(folder, relpath)
  const found = new Map<string, SnapshotInfo>()
  const queue = [...heads]
  while (queue.length > 0 && found.size < MAX_VERSIONS) {
    const cap = queue.shift() as string
    if (found.has(cap)) continue
    const s = await ctx.history.get(cap)
    found.set(cap, s)
    queue.push(...s.parents)
  }
  const depth = new Map<string, number>()
  const depthOf = (cap: string): number => {
    const known = depth.get(cap)
    if (known !== undefined) return known
    depth.set(cap, 0)
    const s = found.get(cap)
    const d = s === undefined ? 0 : 1 + Math.max(0, ...s.parents.map(depthOf))
    depth.set(cap, d)
    return d
  }
  const snapshots = [...found.values()].sort((a, b) => depthOf(a.cap) - depthOf(b.cap) || a.mtimeMs - b.mtimeMs || (a.cap < b.cap ? -1 : 1))
  return { snapshots, current }
}

/** The versions of `relpath`, newest first. */
export async function fileHistory (ctx: SyncContext, folder: string, relpath: string): Promise<FileVersion[]> {
  const { snapshots, current } = await ordered(ctx, folder, relpath)
  return snapshots.map((s, i) => ({ version: i + 1, author: s.author, mtimeMs: s.mtimeMs, size: s.size, deleted: s.deleted, current: s.cap === current })).reverse()
}

/** The snapshot of `relpath` numbered `version` (default: the newest that is not a deletion). */
async function pick (ctx: SyncContext, folder: string, relpath: string, version?: number): Promise<{ version: number, s: SnapshotInfo }> {
  const { snapshots } = await ordered(ctx, folder, relpath)
  let i = version === undefined ? snapshots.findLastIndex(x => !x.deleted) : version - 1
  if (version !== undefined && (!Number.isSafeInteger(version) || version < 1 || version > snapshots.length)) i = -1
  if (i < 0) throw new NoSuchFileVersionError(folder, relpath, version ?? 0)
  const s = snapshots[i]
  if (s.deleted) throw new InvalidFolderInputError(`version ${i + 1} of '${relpath}'`, 'is a deletion; pick a version that has contents ("magic-folder history" lists them)')
  return { version: i + 1, s }
}

/** Writes the chosen version into the local folder as a new local change; the caller scans soon after. */
export async function restoreVersion (ctx: SyncContext, folder: string, relpath: string, version?: number): Promise<RestoreResult> {
  const { version: n, s } = await pick(ctx, folder, relpath, version)
  const row = ctx.state.file(relpath)
  const local = await findLocal(ctx.root, relpath)
  const pending = local !== undefined && (row === undefined || row.deleted || local.size !== row.size || local.mtimeMs !== row.mtimeMs)
  if (pending) throw new LocalChangePendingError(relpath)
  if (local !== undefined && row?.snapshotCap === s.cap) return { relpath, version: n, size: s.size, written: false }
  const tmp = await stage(ctx, s)
  // Now, not the version's old mtime: the scan must see a change to upload (and it settles like any write).
  const now = Date.now() / 1000
  await utimes(tmp, now, now)
  await commit(tmp, local?.path ?? join(ctx.root, ...relpath.split('/')))
  ctx.log('restored an earlier version of a file')
  return { relpath, version: n, size: s.size, written: true }
}
