/**
 * The local → grid half: which scanned files changed since the state last
 * recorded them (and have settled), and uploading each as a snapshot whose
 * parent is the version the local file was before. A snapshot and its state
 * row are written together; linking into the personal directory comes after,
 * in batches, so a restart links what was made and uploads nothing twice.
 */
import { open, stat, type FileHandle } from 'node:fs/promises'
import { localFileError, MagicFolderError } from './errors.js'
import { mangle } from './magicpath.js'
import { SMALL_FILE_BYTES } from './limit.js'
import { snapshotMetadata, writeSnapshot } from './snapshot.js'
import type { SyncContext } from './context.js'
import type { LocalFile, ScanResult } from './scanner.js'
import type { FileRow } from './state.js'

export interface Change {
  relpath: string
  /** Absent: the file was deleted. */
  local?: LocalFile
  row?: FileRow
}

export interface ChangePlan {
  due: Change[]
  /** Soonest time (ms since the epoch) a changed but unsettled file settles; undefined when none waits. */
  settlesAt?: number
}

/** Changes a scan shows against the state. A path under a folder the scan could not read is not taken for deleted. */
export function planChanges (ctx: Pick<SyncContext, 'state'>, scan: ScanResult, now: number, settleMs: number): ChangePlan {
  const due: Change[] = []
  let settlesAt: number | undefined
  // One read of the state for the whole scan, not a statement per file.
  const rows = new Map(ctx.state.files().map(r => [r.relpath, r]))
  for (const [relpath, local] of scan.files) {
    const row = rows.get(relpath)
    if (row !== undefined && !row.deleted && row.size === local.size && row.mtimeMs === local.mtimeMs) continue
    const age = now - local.mtimeMs
    if (age >= 0 && age < settleMs) {
      settlesAt = Math.min(settlesAt ?? Infinity, local.mtimeMs + settleMs)
      continue
    }
    due.push({ relpath, local, row })
  }
  const blocked = scan.problems.filter(p => p.code !== 'ERR_NFC_COLLISION').map(p => p.relpath)
  const hidden = (relpath: string): boolean => blocked.some(b => b === '.' || relpath === b || relpath.startsWith(b + '/'))
  for (const row of rows.values()) {
    if (!row.deleted && !scan.files.has(row.relpath) && !hidden(row.relpath)) due.push({ relpath: row.relpath, row })
  }
  return { due, settlesAt }
}

/** The file changed while it was read: it is still being written; the next scan tries again. */
export class FileBusyError extends MagicFolderError {
  constructor (relpath: string) {
    super('ERR_FILE_BUSY', `'${relpath}' changed while it was being uploaded; it is uploaded once it stops changing`)
    this.name = 'FileBusyError'
  }
}

/** The whole of a small file, never more than the size the scan saw (a file that grew since is still being written). */
async function readSmall (fh: FileHandle, relpath: string, size: number): Promise<Uint8Array> {
  const buf = Buffer.alloc(size + 1)
  let got = 0
  for (;;) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, got)
    if (bytesRead === 0) break
    got += bytesRead
    if (got > size) throw new FileBusyError(relpath)
  }
  if (got !== size) throw new FileBusyError(relpath)
  return buf.subarray(0, size)
}

/** Uploads one change as a snapshot and records it (not yet linked). */
export async function uploadChange (ctx: SyncContext, change: Change): Promise<void> {
  const { relpath, local, row } = change
  const parents = row !== undefined ? [row.snapshotCap] : []
  if (local === undefined) {
    const s = await writeSnapshot(ctx.grid, { relpath, author: ctx.participant, parents }, ctx.signal)
    ctx.state.recordUpload(s, { relpath, snapshotCap: s.cap, deleted: true, size: 0, mtimeMs: 0, linked: false })
    ctx.log('deletion of a file recorded as a snapshot')
    return
  }
  // Opening first turns a permission problem into a clear error before anything is sent.
  const fh = await open(local.path, 'r').catch((err: unknown) => { throw localFileError(err, relpath, ctx.root, 'read') })
  const content = { size: local.size, mtimeMs: local.mtimeMs }
  const snapshot = { relpath, author: ctx.participant, parents }
  let contentCap: string
  let metadataCap: string
  try {
    // The metadata does not name the content, so both go up at once: one wait on the servers instead of two.
    // A small file is read whole (no spool file); a large one streams.
    const sending = local.size <= SMALL_FILE_BYTES
      ? readSmall(fh, relpath, local.size).then(async bytes => await ctx.grid.upload(bytes, ctx.signal))
      : ctx.grid.upload(fh.createReadStream({ autoClose: false }), ctx.signal)
    const both = await Promise.allSettled([sending, ctx.grid.upload(snapshotMetadata({ ...snapshot, content: { cap: '', ...content } }), ctx.signal)])
    // Both settled before the file closes or an error is thrown: nothing is left in flight behind this change.
    for (const r of both) if (r.status === 'rejected') throw r.reason
    ;[contentCap, metadataCap] = both.map(r => (r as PromiseFulfilledResult<string>).value)
  } finally {
    await fh.close()
  }
  const after = await stat(local.path).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new FileBusyError(relpath)
    throw err
  })
  // Read while it changed: the metadata and content sent are dropped (the next scan sends the settled file).
  if (after.size !== local.size || after.mtimeMs !== local.mtimeMs) throw new FileBusyError(relpath)
  const s = await writeSnapshot(ctx.grid, { ...snapshot, content: { cap: contentCap, ...content } }, ctx.signal, metadataCap)
  ctx.state.recordUpload(s, { relpath, snapshotCap: s.cap, deleted: false, size: local.size, mtimeMs: local.mtimeMs, linked: false })
}

/** Links every recorded but unlinked snapshot (ours or acknowledged downloads) into our personal directory in one publish. */
export async function linkPending (ctx: SyncContext): Promise<number> {
  const rows = ctx.state.unlinked()
  if (rows.length === 0) return 0
  const children: Record<string, string> = {}
  for (const r of rows) children[mangle(r.relpath)] = r.snapshotCap
  await ctx.grid.linkMany(ctx.personalCap, children, ctx.signal)
  // A row changed again meanwhile keeps linked = 0 only if its cap differs: compare before marking.
  const now = new Map(ctx.state.unlinked().map(r => [r.relpath, r.snapshotCap]))
  ctx.state.markLinked(rows.filter(r => now.get(r.relpath) === r.snapshotCap).map(r => r.relpath))
  return rows.length
}
