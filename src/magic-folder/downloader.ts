/**
 * The grid → local half: one participant's snapshot of one path, compared
 * with the version the local file matches. A snapshot that descends from
 * ours (or a path we never had) replaces the local file — downloaded into the
 * staging folder, then renamed into place — unless the local file changed
 * since, which keeps both: the remote version goes next to it as
 * `name.conflict-<participant>-<time>`. Snapshots that are behind ours are
 * ignored. A deletion never wins over a change: it removes only an unchanged file.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { lstat, mkdir, readdir, rename, rm, rmdir, stat, utimes } from 'node:fs/promises'
import { dirname, join, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'
import { caseTwin } from './casefold.js'
import { localFileError, NameCollisionError } from './errors.js'
import { conflictName, TMP_DIR } from './magicpath.js'
import type { SyncContext } from './context.js'
import type { SnapshotInfo } from './snapshot.js'

export type RemoteOutcome = 'same' | 'behind' | 'created' | 'updated' | 'deleted' | 'conflict' | 'same-content' | 'kept-local' | 'name-collision'

interface OnDisk { path: string, size: number, mtimeMs: number }

/** The local file for an NFC relative path, also when the disk spells its names otherwise (NFD). */
export async function findLocal (root: string, relpath: string): Promise<OnDisk | undefined> {
  const direct = join(root, ...relpath.split('/'))
  try {
    const st = await lstat(direct)
    return st.isFile() ? { path: direct, size: st.size, mtimeMs: st.mtimeMs } : undefined
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  let dir = root
  for (const [i, part] of relpath.split('/').entries()) {
    let names: string[]
    try { names = await readdir(dir) } catch { return undefined }
    const hit = names.find(n => n.normalize('NFC') === part)
    if (hit === undefined) return undefined
    dir = join(dir, hit)
    if (i === relpath.split('/').length - 1) {
      const st = await lstat(dir)
      return st.isFile() ? { path: dir, size: st.size, mtimeMs: st.mtimeMs } : undefined
    }
  }
  return undefined
}

/** Downloads a snapshot's content into the folder's .lafs-tmp (same filesystem: the rename into place is atomic), mtime set. */
export async function stage (ctx: SyncContext, s: SnapshotInfo): Promise<string> {
  const staging = join(ctx.root, TMP_DIR)
  await mkdir(staging, { recursive: true })
  const tmp = join(staging, `${randomBytes(8).toString('hex')}.part`)
  try {
    await pipeline(Readable.from(ctx.grid.cat(s.contentCap as string, ctx.signal)), createWriteStream(tmp, { flags: 'wx' }), { signal: ctx.signal })
    const when = s.mtimeMs > 0 ? s.mtimeMs / 1000 : Date.now() / 1000
    await utimes(tmp, when, when)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  return tmp
}

export async function commit (tmp: string, target: string): Promise<{ size: number, mtimeMs: number }> {
  try {
    await mkdir(dirname(target), { recursive: true })
    await rename(tmp, target)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  const st = await stat(target)
  return { size: st.size, mtimeMs: st.mtimeMs }
}

/** Streamed, so a large file is never held in memory whole. */
async function digest (path: string): Promise<string> {
  const h = createHash('sha256')
  await pipeline(createReadStream(path), h)
  return h.digest('hex')
}

async function sameBytes (a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([digest(a), digest(b)])
  return x === y
}

/** Removes folders emptied by a deletion, up to (not including) the root. */
async function pruneEmpty (root: string, from: string): Promise<void> {
  let dir = dirname(from)
  while (dir.length > root.length && dir.startsWith(root + sep)) {
    try { await rmdir(dir) } catch { return }
    dir = dirname(dir)
  }
}

/** Puts the remote version next to the local file, unless both hold the same bytes (then there is nothing to keep apart). */
async function keepBoth (ctx: SyncContext, participant: string, relpath: string, s: SnapshotInfo, local: OnDisk): Promise<'conflict' | 'same-content'> {
  const tmp = await stage(ctx, s)
  if (local.size === s.size && await sameBytes(tmp, local.path)) {
    await rm(tmp, { force: true })
    // The same change made on both sides: take theirs as our version, so the participants converge on one snapshot.
    ctx.state.setFile({ relpath, snapshotCap: s.cap, deleted: false, size: local.size, mtimeMs: local.mtimeMs, linked: false })
    return 'same-content'
  }
  await placeCopy(ctx, participant, relpath, s, tmp)
  ctx.log('conflict: kept the other version next to the local file')
  return 'conflict'
}

/**
 * Renames a staged download to a free `name.conflict-<participant>-<time>` and records it; answers that name.
 * `base` is where the copy goes when that is not `relpath` itself (the folder of a case twin).
 */
async function placeCopy (ctx: SyncContext, participant: string, relpath: string, s: SnapshotInfo, tmp: string, base = relpath): Promise<string> {
  let at = new Date()
  let name = conflictName(base, participant, at)
  while (await findLocal(ctx.root, name) !== undefined) {
    at = new Date(at.getTime() + 1000)
    name = conflictName(base, participant, at)
  }
  await commit(tmp, join(ctx.root, ...name.split('/')))
  ctx.state.addConflict({ relpath, participant, snapshotCap: s.cap, file: name, at: Date.now() })
  return name
}

/**
 * A name we never had that is one with another (local or known) name on a case-insensitive
 * filesystem: written as a conflict-style copy, so neither file overwrites the other. No file row
 * is made for it (the copy is local only), so nothing is uploaded or deleted on its behalf.
 */
async function keepApart (ctx: SyncContext, participant: string, relpath: string, s: SnapshotInfo, twin: string): Promise<RemoteOutcome> {
  if (s.deleted) return 'kept-local'
  // Into the twin's folder as the disk spells it: `docs/b.txt` beside `Docs/a.txt` goes into `Docs/`, where a
  // case-insensitive filesystem would put it anyway (and a simulated one must not grow a second `docs/`).
  const base = twin.slice(0, twin.lastIndexOf('/') + 1) + relpath.slice(relpath.lastIndexOf('/') + 1)
  const name = await placeCopy(ctx, participant, relpath, s, await stage(ctx, s), base)
  ctx.log('name collision: a name differing only in case from a local one was kept as a conflict copy')
  ctx.onProblem?.(relpath, new NameCollisionError(relpath, twin, name))
  return 'name-collision'
}

/**
 * Applies `cap`, participant's current snapshot of `relpath`, to the local folder and the state. A full disk or
 * a file or folder that cannot be written is answered as `ERR_DISK_FULL` / `ERR_PERMISSION_DENIED`; the partial
 * download is gone by then, and nothing was recorded, so the next poll tries again.
 */
export async function applyRemote (ctx: SyncContext, participant: string, relpath: string, cap: string): Promise<RemoteOutcome> {
  try {
    return await applyRemoteUnchecked(ctx, participant, relpath, cap)
  } catch (err) {
    throw localFileError(err, relpath, ctx.root, 'write')
  }
}

async function applyRemoteUnchecked (ctx: SyncContext, participant: string, relpath: string, cap: string): Promise<RemoteOutcome> {
  const row = ctx.state.file(relpath)
  if (row?.snapshotCap === cap) return 'same'
  if (row !== undefined && await ctx.history.isAncestor(cap, row.snapshotCap)) return 'behind'
  const s = await ctx.history.get(cap)
  if (ctx.caseInsensitive === true && (row === undefined || row.deleted)) {
    const twin = await caseTwin(ctx.root, ctx.state, relpath)
    if (twin !== undefined) return await keepApart(ctx, participant, relpath, s, twin)
  }
  const descends = row === undefined || await ctx.history.isAncestor(row.snapshotCap, cap)
  const local = await findLocal(ctx.root, relpath)
  // The local file differs from the version the state knows: a change not uploaded yet (or not yet recorded).
  const localChanged = local !== undefined && (row === undefined || row.deleted || local.size !== row.size || local.mtimeMs !== row.mtimeMs)

  if (s.deleted) {
    if (!descends || localChanged) return 'kept-local'
    if (local !== undefined) {
      await rm(local.path, { force: true })
      await pruneEmpty(ctx.root, local.path)
    }
    ctx.state.setFile({ relpath, snapshotCap: cap, deleted: true, size: 0, mtimeMs: 0, linked: false })
    ctx.state.bump('deletions_applied')
    return 'deleted'
  }
  if (local !== undefined && (localChanged || !descends)) {
    return await keepBoth(ctx, participant, relpath, s, local)
  }
  // New, a descendant of ours, or the only version left where ours was deleted: it becomes the local file.
  const target = local?.path ?? join(ctx.root, ...relpath.split('/'))
  const placed = await commit(await stage(ctx, s), target)
  ctx.state.setFile({ relpath, snapshotCap: cap, deleted: false, size: placed.size, mtimeMs: placed.mtimeMs, linked: false })
  ctx.state.bump('downloads')
  return row === undefined || row.deleted ? 'created' : 'updated'
}
