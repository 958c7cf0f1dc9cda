/**
 * Lease keeping: the caps this node uploaded, which servers hold their
 * shares, and when the leases on those shares run out. Servers collect shares
 * whose leases have all expired (31 days by default), so a node that wants
 * its files to live must renew before then. The renew RPC itself belongs to
 * the client layer and is passed in; this module only decides *what* is due
 * and remembers the outcome.
 *
 * Stored in SQLite (`<dataDir>/leases.sqlite`) so a crash mid-renewal loses
 * nothing and the status page can query it cheaply.
 */
import Database from 'better-sqlite3'

const DAY_MS = 24 * 60 * 60 * 1000

/** Renew leases this long before they expire (and warn from then on). */
/** How long a server's lease is taken to last: Tahoe's default; the protocol does not report the server's own period. */
export const ASSUMED_LEASE_MS = 31 * DAY_MS

export const DEFAULT_RENEW_MARGIN_MS = 7 * DAY_MS

export interface LeaseRecord {
  /** The read-cap (or verify-cap) as uploaded, without a club hint. */
  cap: string
  /** Base32 storage index of the file. */
  storageIndex: string
  /** Peer IDs (or multiaddrs with /p2p/) of the servers holding shares. */
  servers: string[]
  /** Club the file was uploaded through, if any. */
  club?: string
  /** ms since the epoch when the earliest lease on the file's shares runs out. */
  expiresAt: number
  uploadedAt: number
  /** Last successful renewal, if any. */
  renewedAt?: number
  /** Why the last renewal attempt failed; cleared by a success. */
  lastError?: string
  /** This node uploaded the file (its leases came with the upload). */
  uploaded: boolean
  /** Adopted with `keep`: renewed and repaired for others, whoever uploaded it. */
  kept: boolean
  /** Last health check (have-share counts) by the self-repair pass. */
  checkedAt?: number
  /** Last verify (every block of every share downloaded and hashed). */
  verifiedAt?: number
  /** What the last check found. */
  health?: FileHealth
}

/** A file's health as the last check saw it. */
export interface FileHealth {
  k: number
  n: number
  sharesFound: number
  happiness: number
  healthy: boolean
  recoverable: boolean
}

export interface RecordUploadInput {
  cap: string
  storageIndex: string
  servers: string[]
  club?: string
  /** Default: now + leaseDurationMs. */
  expiresAt?: number
}

/** What a renew RPC reports: the new expiry and, when it changed, who holds the shares now. */
export interface RenewOutcome {
  expiresAt: number
  servers?: string[]
}

/** The client layer's renew operation for one upload. Throws when the lease could not be renewed. */
export type RenewFn = (lease: LeaseRecord, options: { signal?: AbortSignal }) => Promise<RenewOutcome>

export interface RenewReport {
  renewed: LeaseRecord[]
  failed: Array<{ lease: LeaseRecord, error: Error }>
}

export interface LeaseBookOptions {
  /** Lease period assumed for new uploads (default 31 days, as Tahoe). */
  leaseDurationMs?: number
  /** Clock in ms (default Date.now); tests move it forward. */
  now?: () => number
}

interface Row {
  cap: string
  storage_index: string
  servers: string
  club: string | null
  expires_at: number
  uploaded_at: number
  renewed_at: number | null
  last_error: string | null
  uploaded: number
  kept: number
  checked_at: number | null
  verified_at: number | null
  health: string | null
}

const SCHEMA_VERSION = 2

function toRecord (r: Row): LeaseRecord {
  const rec: LeaseRecord = {
    cap: r.cap,
    storageIndex: r.storage_index,
    servers: JSON.parse(r.servers),
    expiresAt: r.expires_at,
    uploadedAt: r.uploaded_at,
    uploaded: r.uploaded === 1,
    kept: r.kept === 1
  }
  if (r.club !== null) rec.club = r.club
  if (r.renewed_at !== null) rec.renewedAt = r.renewed_at
  if (r.last_error !== null) rec.lastError = r.last_error
  if (r.checked_at !== null) rec.checkedAt = r.checked_at
  if (r.verified_at !== null) rec.verifiedAt = r.verified_at
  if (r.health !== null) rec.health = JSON.parse(r.health)
  return rec
}

export class LeaseBook {
  private readonly db: Database.Database
  private readonly now: () => number
  private readonly leaseDurationMs: number
  private renewing?: Promise<RenewReport>

  private constructor (db: Database.Database, opts: LeaseBookOptions) {
    this.db = db
    this.now = opts.now ?? Date.now
    this.leaseDurationMs = opts.leaseDurationMs ?? ASSUMED_LEASE_MS
  }

  /** Opens (creating if needed) the lease book at `path`. */
  static open (path: string, opts: LeaseBookOptions = {}): LeaseBook {
    const db = new Database(path)
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    const version = db.pragma('user_version', { simple: true }) as number
    if (version > SCHEMA_VERSION) {
      db.close()
      throw new Error(`${path} was written by a newer lafs-club (schema ${version}); upgrade lafs-club`)
    }
    if (version < 1) {
      db.exec(`
        CREATE TABLE uploads (
          cap TEXT PRIMARY KEY,
          storage_index TEXT NOT NULL,
          servers TEXT NOT NULL,
          club TEXT,
          expires_at INTEGER NOT NULL,
          uploaded_at INTEGER NOT NULL,
          renewed_at INTEGER,
          last_error TEXT
        );
        CREATE INDEX uploads_expiry ON uploads (expires_at);
        PRAGMA user_version = 1;
      `)
    }
    if (version < 2) {
      // Version 2: caps adopted with `keep` (not uploaded here) and the self-repair pass's findings.
      db.exec(`
        ALTER TABLE uploads ADD COLUMN uploaded INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE uploads ADD COLUMN kept INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE uploads ADD COLUMN checked_at INTEGER;
        ALTER TABLE uploads ADD COLUMN verified_at INTEGER;
        ALTER TABLE uploads ADD COLUMN health TEXT;
        PRAGMA user_version = 2;
      `)
    }
    return new LeaseBook(db, opts)
  }

  /** Remembers an upload (or refreshes it when the same cap is uploaded again). */
  record (input: RecordUploadInput): LeaseRecord {
    const now = this.now()
    this.db.prepare(`
      INSERT INTO uploads (cap, storage_index, servers, club, expires_at, uploaded_at)
      VALUES (@cap, @si, @servers, @club, @expires, @now)
      ON CONFLICT (cap) DO UPDATE SET
        servers = excluded.servers, club = excluded.club,
        expires_at = excluded.expires_at, last_error = NULL, uploaded = 1
    `).run({
      cap: input.cap,
      si: input.storageIndex,
      servers: JSON.stringify(input.servers),
      club: input.club ?? null,
      expires: input.expiresAt ?? now + this.leaseDurationMs,
      now
    })
    return this.get(input.cap)!
  }

  /**
   * Adopts a cap this node did not necessarily upload: from now on the
   * self-repair pass renews and repairs it. A new entry knows no servers yet and
   * is due at once (its first pass finds the holders). Returns whether it is new.
   */
  keep (input: { cap: string, storageIndex: string, club?: string, canRepair?: boolean }): boolean {
    // The same file may be in the book under another cap (a mutable file's uploader records its read cap):
    // a cap that can repair (a read cap of an immutable file, a write cap of a mutable one) takes its place.
    const existing = (this.db.prepare('SELECT * FROM uploads WHERE cap = ? OR storage_index = ? ORDER BY cap = ? DESC')
      .get(input.cap, input.storageIndex, input.cap) as Row | undefined)
    if (existing !== undefined) {
      const cap = input.canRepair === true ? input.cap : existing.cap
      this.db.prepare('UPDATE uploads SET kept = 1, club = COALESCE(club, ?), cap = ? WHERE cap = ?').run(input.club ?? null, cap, existing.cap)
      return false
    }
    this.db.prepare(`
      INSERT INTO uploads (cap, storage_index, servers, club, expires_at, uploaded_at, uploaded, kept)
      VALUES (?, ?, '[]', ?, 0, ?, 0, 1)
    `).run(input.cap, input.storageIndex, input.club ?? null, this.now())
    return true
  }

  /**
   * Stops keeping a cap adopted with `keep` (by cap or storage index). A file
   * this node uploaded stays in the book (its own leases are still renewed).
   * Returns the entries that were kept.
   */
  unkeep (capOrStorageIndex: string): LeaseRecord[] {
    const rows = (this.db.prepare('SELECT * FROM uploads WHERE kept = 1 AND (cap = ? OR storage_index = ?)')
      .all(capOrStorageIndex, capOrStorageIndex) as Row[]).map(toRecord)
    for (const r of rows) {
      if (r.uploaded) this.db.prepare('UPDATE uploads SET kept = 0 WHERE cap = ?').run(r.cap)
      else this.db.prepare('DELETE FROM uploads WHERE cap = ?').run(r.cap)
    }
    return rows
  }

  /** Files an entry under another cap of the same file (one with less authority, when a kept cap is given up). */
  replaceCap (cap: string, by: string): void {
    this.db.prepare('UPDATE uploads SET cap = ? WHERE cap = ?').run(by, cap)
  }

  /** Entries adopted with `keep`, soonest expiry first. */
  keptList (): LeaseRecord[] {
    return (this.db.prepare('SELECT * FROM uploads WHERE kept = 1 ORDER BY expires_at, cap').all() as Row[]).map(toRecord)
  }

  /** Every entry, least recently checked first (never checked first of all): the self-repair pass's order. */
  byLastCheck (): LeaseRecord[] {
    return (this.db.prepare('SELECT * FROM uploads ORDER BY COALESCE(checked_at, 0), expires_at, cap').all() as Row[]).map(toRecord)
  }

  /** Stores what a health check found and, when it found the holders, who they are now. */
  recordCheck (cap: string, health: FileHealth, opts: { servers?: string[], verified?: boolean } = {}): void {
    const now = this.now()
    this.db.prepare(`UPDATE uploads SET checked_at = ?, health = ?, servers = COALESCE(?, servers),
      verified_at = CASE WHEN ? THEN ? ELSE verified_at END WHERE cap = ?`)
      .run(now, JSON.stringify(health), opts.servers === undefined ? null : JSON.stringify(opts.servers), opts.verified === true ? 1 : 0, now, cap)
  }

  /** Records a successful renewal (new expiry, and the holders when known). */
  markRenewed (cap: string, out: RenewOutcome): void {
    this.db.prepare('UPDATE uploads SET expires_at = ?, servers = COALESCE(?, servers), renewed_at = ?, last_error = NULL WHERE cap = ?')
      .run(out.expiresAt, out.servers === undefined ? null : JSON.stringify(out.servers), this.now(), cap)
  }

  /** Records why a renewal (or the check before it) failed; the next success clears it. */
  markFailed (cap: string, message: string): void {
    this.db.prepare('UPDATE uploads SET last_error = ? WHERE cap = ?').run(message, cap)
  }

  get (cap: string): LeaseRecord | undefined {
    const row = this.db.prepare('SELECT * FROM uploads WHERE cap = ?').get(cap) as Row | undefined
    return row === undefined ? undefined : toRecord(row)
  }

  /** Every upload, soonest expiry first. */
  list (): LeaseRecord[] {
    return (this.db.prepare('SELECT * FROM uploads ORDER BY expires_at, cap').all() as Row[]).map(toRecord)
  }

  /** Stops keeping a cap's leases alive (they lapse on the servers in due course). */
  forget (cap: string): boolean {
    return this.db.prepare('DELETE FROM uploads WHERE cap = ?').run(cap).changes > 0
  }

  /** Uploads whose leases expire within `withinMs` (already expired ones included), soonest first. */
  expiringSoon (withinMs = DEFAULT_RENEW_MARGIN_MS): LeaseRecord[] {
    return (this.db.prepare('SELECT * FROM uploads WHERE expires_at <= ? ORDER BY expires_at, cap')
      .all(this.now() + withinMs) as Row[]).map(toRecord)
  }

  /**
   * Renews every lease that expires within `marginMs`, one upload at a time
   * (`concurrency` at once), recording successes and failures. One failing
   * upload never stops the others. Concurrent calls share one pass.
   */
  async renewDue (renew: RenewFn, opts: { marginMs?: number, concurrency?: number, signal?: AbortSignal } = {}): Promise<RenewReport> {
    if (this.renewing !== undefined) return await this.renewing
    this.renewing = this.renewPass(renew, opts).finally(() => { this.renewing = undefined })
    return await this.renewing
  }

  private async renewPass (renew: RenewFn, opts: { marginMs?: number, concurrency?: number, signal?: AbortSignal }): Promise<RenewReport> {
    const due = this.expiringSoon(opts.marginMs ?? DEFAULT_RENEW_MARGIN_MS)
    const report: RenewReport = { renewed: [], failed: [] }
    const markOk = this.db.prepare('UPDATE uploads SET expires_at = ?, servers = COALESCE(?, servers), renewed_at = ?, last_error = NULL WHERE cap = ?')
    const markFailed = this.db.prepare('UPDATE uploads SET last_error = ? WHERE cap = ?')
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < due.length) {
        if (opts.signal?.aborted === true) return
        const lease = due[next++]
        try {
          const out = await renew(lease, { signal: opts.signal })
          if (!Number.isFinite(out.expiresAt)) throw new Error('renew returned no expiry')
          markOk.run(out.expiresAt, out.servers === undefined ? null : JSON.stringify(out.servers), this.now(), lease.cap)
          const updated = this.get(lease.cap)
          // forget() may have run while the renewal was in flight
          if (updated !== undefined) report.renewed.push(updated)
        } catch (err: any) {
          const error = err instanceof Error ? err : new Error(String(err))
          markFailed.run(error.message, lease.cap)
          report.failed.push({ lease: this.get(lease.cap) ?? lease, error })
        }
      }
    }
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker))
    return report
  }

  /**
   * Runs renewDue every `intervalMs` (default 6 h) until the returned function
   * is called. Errors go to `onReport`, never to an unhandled rejection.
   */
  scheduleRenewals (renew: RenewFn, opts: { intervalMs?: number, marginMs?: number, onReport?: (r: RenewReport) => void } = {}): () => void {
    const ac = new AbortController()
    const run = (): void => {
      this.renewDue(renew, { marginMs: opts.marginMs, signal: ac.signal })
        .then(r => { opts.onReport?.(r) }, () => {})
    }
    const timer = setInterval(run, opts.intervalMs ?? 6 * 60 * 60 * 1000)
    timer.unref()
    return () => { clearInterval(timer); ac.abort() }
  }

  close (): void {
    if (this.db.open) this.db.close()
  }
}
