/**
 * A folder's local state (one SQLite file per folder, in the node's data
 * folder): per path the snapshot the local file corresponds to and the size
 * and mtime it had then; the snapshots read or written so far (so ancestry
 * walks rarely touch the network); per participant the last snapshot already
 * dealt with; conflicts and counters. A restart reads it to know what is done.
 */
import Database from 'better-sqlite3'
import type { SnapshotInfo } from './snapshot.js'

export interface FileRow {
  relpath: string
  /** The snapshot the local file matches (ours or downloaded). */
  snapshotCap: string
  deleted: boolean
  size: number
  mtimeMs: number
  /** False while the snapshot is made but not yet linked into our personal directory. */
  linked: boolean
}

export interface ConflictRow {
  relpath: string
  participant: string
  snapshotCap: string
  /** The conflict copy's relative path. */
  file: string
  at: number
}

export type Counter = 'uploads' | 'downloads' | 'deletions_sent' | 'deletions_applied'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS files (relpath TEXT PRIMARY KEY, snapshot_cap TEXT NOT NULL, deleted INTEGER NOT NULL, size INTEGER NOT NULL, mtime_ms REAL NOT NULL, linked INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (cap TEXT PRIMARY KEY, relpath TEXT NOT NULL, author TEXT NOT NULL, parents TEXT NOT NULL, deleted INTEGER NOT NULL, content_cap TEXT, size INTEGER NOT NULL, mtime_ms REAL NOT NULL);
CREATE TABLE IF NOT EXISTS seen (participant TEXT NOT NULL, relpath TEXT NOT NULL, cap TEXT NOT NULL, PRIMARY KEY (participant, relpath));
CREATE TABLE IF NOT EXISTS participants (name TEXT PRIMARY KEY, last_change INTEGER);
CREATE TABLE IF NOT EXISTS conflicts (id INTEGER PRIMARY KEY AUTOINCREMENT, relpath TEXT NOT NULL, participant TEXT NOT NULL, snapshot_cap TEXT NOT NULL, file TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`

export class FolderState {
  private readonly db: Database.Database

  constructor (file: string) {
    this.db = new Database(file)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = NORMAL')
    this.db.exec(SCHEMA)
    // A state written before rebuilds existed is complete as it is.
    if (this.meta('rebuilt') === undefined && this.db.prepare('SELECT 1 FROM files LIMIT 1').get() !== undefined) this.setMeta('rebuilt', 'not needed')
  }

  /** True until the state was rebuilt from our personal directory (or found complete). */
  get needsRebuild (): boolean { return this.meta('rebuilt') === undefined }

  meta (key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value
  }

  setMeta (key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value)
  }

  close (): void { this.db.close() }

  file (relpath: string): FileRow | undefined {
    const r = this.db.prepare('SELECT * FROM files WHERE relpath = ?').get(relpath) as any
    return r === undefined ? undefined : rowOf(r)
  }

  files (): FileRow[] {
    return (this.db.prepare('SELECT * FROM files').all() as any[]).map(rowOf)
  }

  unlinked (): FileRow[] {
    return (this.db.prepare('SELECT * FROM files WHERE linked = 0').all() as any[]).map(rowOf)
  }

  setFile (f: FileRow): void {
    this.db.prepare('INSERT OR REPLACE INTO files (relpath, snapshot_cap, deleted, size, mtime_ms, linked) VALUES (?, ?, ?, ?, ?, ?)')
      .run(f.relpath, f.snapshotCap, f.deleted ? 1 : 0, f.size, f.mtimeMs, f.linked ? 1 : 0)
  }

  markLinked (relpaths: string[]): void {
    const st = this.db.prepare('UPDATE files SET linked = 1 WHERE relpath = ?')
    this.db.transaction(() => { for (const p of relpaths) st.run(p) })()
  }

  snapshot (cap: string): SnapshotInfo | undefined {
    const r = this.db.prepare('SELECT * FROM snapshots WHERE cap = ?').get(cap) as any
    if (r === undefined) return undefined
    return {
      cap: r.cap, relpath: r.relpath, author: r.author, parents: JSON.parse(r.parents), deleted: r.deleted === 1,
      contentCap: r.content_cap ?? undefined, size: r.size, mtimeMs: r.mtime_ms
    }
  }

  addSnapshot (s: SnapshotInfo): void {
    this.db.prepare('INSERT OR IGNORE INTO snapshots (cap, relpath, author, parents, deleted, content_cap, size, mtime_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(s.cap, s.relpath, s.author, JSON.stringify(s.parents), s.deleted ? 1 : 0, s.contentCap ?? null, s.size, s.mtimeMs)
  }

  /** A new snapshot of ours and the file row pointing at it, together: a crash leaves neither or both. */
  recordUpload (s: SnapshotInfo, row: FileRow): void {
    this.db.transaction(() => {
      this.addSnapshot(s)
      this.setFile(row)
      this.bump(s.deleted ? 'deletions_sent' : 'uploads')
    })()
  }

  seen (participant: string, relpath: string): string | undefined {
    const r = this.db.prepare('SELECT cap FROM seen WHERE participant = ? AND relpath = ?').get(participant, relpath) as { cap: string } | undefined
    return r?.cap
  }

  setSeen (participant: string, relpath: string, cap: string): void {
    this.db.prepare('INSERT OR REPLACE INTO seen (participant, relpath, cap) VALUES (?, ?, ?)').run(participant, relpath, cap)
  }

  /** Every participant's last seen snapshot of `relpath`. */
  seenCaps (relpath: string): string[] {
    return (this.db.prepare('SELECT DISTINCT cap FROM seen WHERE relpath = ?').all(relpath) as Array<{ cap: string }>).map(r => r.cap)
  }

  participantChanged (name: string, at: number): void {
    this.db.prepare('INSERT INTO participants (name, last_change) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET last_change = excluded.last_change').run(name, at)
  }

  participants (): Map<string, number | undefined> {
    const rows = this.db.prepare('SELECT name, last_change FROM participants').all() as Array<{ name: string, last_change: number | null }>
    return new Map(rows.map(r => [r.name, r.last_change ?? undefined]))
  }

  addConflict (c: ConflictRow): void {
    this.db.prepare('INSERT INTO conflicts (relpath, participant, snapshot_cap, file, at) VALUES (?, ?, ?, ?, ?)').run(c.relpath, c.participant, c.snapshotCap, c.file, c.at)
  }

  conflicts (): ConflictRow[] {
    return (this.db.prepare('SELECT * FROM conflicts ORDER BY id').all() as any[]).map(r => ({ relpath: r.relpath, participant: r.participant, snapshotCap: r.snapshot_cap, file: r.file, at: r.at }))
  }

  bump (name: Counter, by = 1): void {
    this.db.prepare('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value').run(name, by)
  }

  counter (name: Counter): number {
    return (this.db.prepare('SELECT value FROM counters WHERE name = ?').get(name) as { value: number } | undefined)?.value ?? 0
  }
}

function rowOf (r: any): FileRow {
  return { relpath: r.relpath, snapshotCap: r.snapshot_cap, deleted: r.deleted === 1, size: r.size, mtimeMs: r.mtime_ms, linked: r.linked === 1 }
}
