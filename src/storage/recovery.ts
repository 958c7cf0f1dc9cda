import { readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { ComponentLogger } from '@libp2p/logger'
import type Database from 'better-sqlite3'
import { decodeStorageIndex } from './paths.js'
import { MAX_SHARE_NUMBER } from './constants.js'
import type { Queries } from './db.js'
import type { SharePaths } from './paths.js'

/** Pseudo-account holding the lease of adopted shares until a real client renews them. */
export const ADOPTION_ACCOUNT = 'server:adopted'

export interface RecoveryReport {
  /** Rows dropped because their file was gone. */
  droppedRows: number
  /** Share files found without a row and adopted. */
  adopted: number
}

/**
 * Bring the database and the share tree back into agreement after a crash.
 *
 * - `shares/incoming/` is emptied: uploads do not survive a restart, their
 *   reservations were in memory, and the client re-allocates.
 * - A row whose file is missing is dropped (GC unlinks before it deletes rows,
 *   so a crash in between leaves exactly this).
 * - A well-named file without a row is adopted. Only complete shares are ever
 *   renamed into place (fsynced first), so such a file is a finished upload
 *   whose commit was lost, or a share an operator copied in. It gets a lease for
 *   the pseudo-account `server:adopted` (one lease period) unless its storage
 *   index already has a live lease; a client re-uploading sees it in
 *   alreadyHave and its own lease takes over. Unknown names are left alone.
 */
export async function recover (db: Database.Database, q: Queries, paths: SharePaths, now: number, leaseDurationMs: number, logger: ComponentLogger): Promise<RecoveryReport> {
  const log = logger.forComponent('lafs-club:storage:recovery')
  const leftovers = await listDirs(paths.incomingRoot).catch(() => [])
  await rm(paths.incomingRoot, { recursive: true, force: true })
  const onDisk = await scanShares(paths.root)

  const rows = q.allShares.all()
  const report: RecoveryReport = { droppedRows: 0, adopted: 0 }
  db.transaction(() => {
    const touched = new Set<string>()
    for (const row of rows) {
      const key = `${row.si}/${row.shnum}`
      const size = onDisk.get(key)
      if (size === undefined) {
        log('share %d of %s has a row but no file: row dropped', row.shnum, row.si)
        q.deleteShare.run(row.si, row.shnum)
        touched.add(row.si)
        report.droppedRows++
      } else {
        if (size !== row.size) {
          log('share %d of %s is %d bytes on disk, not %d: size corrected', row.shnum, row.si, size, row.size)
          q.updateShareSize.run(size, row.si, row.shnum)
        }
        onDisk.delete(key)
      }
    }
    for (const si of touched) q.deleteOrphanLeases.run(si, si, si)
    const noSecret = new Uint8Array(0)
    for (const [key, size] of onDisk) {
      const [si, n] = key.split('/')
      log('share %s of %s (%d bytes) has a file but no row: adopted', n, si, size)
      q.insertShare.run(si, Number(n), size, now)
      if (q.hasLiveLease.get(si, now) === undefined) {
        q.upsertLease.run(si, ADOPTION_ACCOUNT, noSecret, noSecret, now + leaseDurationMs)
      }
      report.adopted++
    }
  }).immediate()
  log('recovered %s: %d share(s) on disk, %d row(s) without a file dropped, %d file(s) adopted, %s',
    paths.root, rows.length - report.droppedRows + report.adopted, report.droppedRows, report.adopted,
    leftovers.length > 0 ? 'unfinished uploads in incoming/ discarded' : 'incoming/ was empty')
  return report
}

/** `si/shnum` → file size for every well-formed share file. */
async function scanShares (root: string): Promise<Map<string, number>> {
  const found = new Map<string, number>()
  for (const prefix of await listDirs(root)) {
    if (prefix.length !== 2) continue
    for (const si of await listDirs(join(root, prefix))) {
      if (!si.startsWith(prefix) || decodeStorageIndex(si) === undefined) continue
      const entries = await readdir(join(root, prefix, si), { withFileTypes: true })
      for (const entry of entries) {
        if (!entry.isFile() || !/^(0|[1-9][0-9]{0,2})$/.test(entry.name)) continue
        if (Number(entry.name) > MAX_SHARE_NUMBER) continue
        const { size } = await stat(join(root, prefix, si, entry.name))
        found.set(`${si}/${entry.name}`, size)
      }
    }
  }
  return found
}

async function listDirs (dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  return entries.filter(e => e.isDirectory()).map(e => e.name)
}
