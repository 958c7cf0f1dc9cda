/**
 * The owner's queue of join requests for its invitation-only clubs, in SQLite
 * (`<dataDir>/clubs/requests.db`), so a restarted owner still shows them and a
 * refusal still stands. Bounded: at most `maxPending` requests over all clubs;
 * a new one pushes out the oldest. Refusals are kept (bounded the same way) so
 * a refused server asking again gets the same answer instead of re-queueing.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { JoinRequestBody } from './join-protocol.js'

export interface JoinRequest extends JoinRequestBody {
  peerId: string
  receivedAt: number
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS pending (
    club        TEXT NOT NULL,
    peer        TEXT NOT NULL,
    multiaddrs  TEXT NOT NULL,   -- JSON list
    capacity    INTEGER,
    note        TEXT,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (club, peer)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS pending_by_age ON pending (received_at);
  CREATE TABLE IF NOT EXISTS refused (
    club       TEXT NOT NULL,
    peer       TEXT NOT NULL,
    reason     TEXT NOT NULL,
    refused_at INTEGER NOT NULL,
    PRIMARY KEY (club, peer)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS refused_by_age ON refused (refused_at);
`

interface PendingRow { club: string, peer: string, multiaddrs: string, capacity: number | null, note: string | null, received_at: number }

export class JoinQueue {
  readonly path: string
  private db?: Database.Database
  private readonly maxPending: number

  constructor (dataDir: string, maxPending: number) {
    this.path = join(dataDir, 'clubs', 'requests.db')
    this.maxPending = maxPending
  }

  /** Opened on first use: a node that owns no invitation club never creates the file. */
  private open (): Database.Database {
    if (this.db == null) {
      mkdirSync(join(this.path, '..'), { recursive: true, mode: 0o700 })
      const db = new Database(this.path)
      db.pragma('journal_mode = WAL')
      db.exec(SCHEMA)
      this.db = db
    }
    return this.db
  }

  /** Reads need no file: a node that never queued a request (status pages ask every few seconds) creates none. */
  private get empty (): boolean {
    return this.db == null && !existsSync(this.path)
  }

  list (clubId?: string): JoinRequest[] {
    if (this.empty) return []
    const rows = (clubId == null
      ? this.open().prepare('SELECT * FROM pending ORDER BY received_at, peer').all()
      : this.open().prepare('SELECT * FROM pending WHERE club = ? ORDER BY received_at, peer').all(clubId)) as PendingRow[]
    return rows.map(r => ({
      clubId: r.club,
      peerId: r.peer,
      multiaddrs: JSON.parse(r.multiaddrs) as string[],
      ...(r.capacity != null ? { capacity: r.capacity } : {}),
      ...(r.note != null ? { note: r.note } : {}),
      receivedAt: r.received_at
    }))
  }

  get (clubId: string, peerId: string): JoinRequest | undefined {
    return this.list(clubId).find(r => r.peerId === peerId)
  }

  /** Queues (or refreshes) a request; drops the oldest ones beyond the bound. Returns how many were dropped. */
  add (request: JoinRequest): number {
    const db = this.open()
    return db.transaction(() => {
      db.prepare(`INSERT INTO pending (club, peer, multiaddrs, capacity, note, received_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (club, peer) DO UPDATE SET multiaddrs = excluded.multiaddrs, capacity = excluded.capacity, note = excluded.note, received_at = excluded.received_at`)
        .run(request.clubId, request.peerId, JSON.stringify(request.multiaddrs), request.capacity ?? null, request.note ?? null, request.receivedAt)
      return this.trim('pending', 'received_at')
    })()
  }

  /** Removes a pending request; false when there was none. */
  remove (clubId: string, peerId: string): boolean {
    if (this.empty) return false
    return this.open().prepare('DELETE FROM pending WHERE club = ? AND peer = ?').run(clubId, peerId).changes > 0
  }

  refuse (clubId: string, peerId: string, reason: string, at: number): void {
    const db = this.open()
    db.transaction(() => {
      db.prepare('DELETE FROM pending WHERE club = ? AND peer = ?').run(clubId, peerId)
      db.prepare(`INSERT INTO refused (club, peer, reason, refused_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (club, peer) DO UPDATE SET reason = excluded.reason, refused_at = excluded.refused_at`).run(clubId, peerId, reason, at)
      this.trim('refused', 'refused_at')
    })()
  }

  refusal (clubId: string, peerId: string): string | undefined {
    if (this.empty) return undefined
    const row = this.open().prepare('SELECT reason FROM refused WHERE club = ? AND peer = ?').get(clubId, peerId) as { reason: string } | undefined
    return row?.reason
  }

  /** Forgets a refusal (the owner accepted the server after all, e.g. added it by hand). */
  forgetRefusal (clubId: string, peerId: string): void {
    if (this.empty) return
    this.open().prepare('DELETE FROM refused WHERE club = ? AND peer = ?').run(clubId, peerId)
  }

  close (): void {
    this.db?.close()
    this.db = undefined
  }

  private trim (table: 'pending' | 'refused', column: string): number {
    const db = this.open()
    const count = (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n
    const excess = count - this.maxPending
    if (excess <= 0) return 0
    db.prepare(`DELETE FROM ${table} WHERE (club, peer) IN (SELECT club, peer FROM ${table} ORDER BY ${column}, peer LIMIT ?)`).run(excess)
    return excess
  }
}
