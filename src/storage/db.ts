import Database from 'better-sqlite3'
import { DatabaseTooNewError } from './errors.js'

type DB = Database.Database

/**
 * Schema migrations, applied in order. `PRAGMA user_version` records how many
 * have run, so reopening a database runs only the missing ones. Never edit a
 * released step: append a new one.
 *
 * Lease secrets are stored as SHA-256 digests (as Tahoe's container v2 stores
 * BLAKE2b digests): a stolen database cannot be used to renew leases elsewhere.
 * Times are Unix milliseconds. Storage indexes are their 26-char base32 names,
 * the same text as the share folders.
 */
export const MIGRATIONS: ReadonlyArray<(db: DB) => void> = [
  (db) => {
    db.exec(`
      CREATE TABLE accounts (
        account    TEXT PRIMARY KEY,
        quota      INTEGER,            -- NULL: the server's free quota
        invitation TEXT,               -- code of the last invitation redeemed
        created    INTEGER NOT NULL
      );
      CREATE TABLE shares (
        si        TEXT NOT NULL,
        shnum     INTEGER NOT NULL,
        size      INTEGER NOT NULL,
        stored_at INTEGER NOT NULL,
        PRIMARY KEY (si, shnum)
      ) WITHOUT ROWID;
      CREATE TABLE leases (
        si            TEXT NOT NULL,
        account       TEXT NOT NULL,
        renew_secret  BLOB NOT NULL,   -- SHA-256 of the renew secret
        cancel_secret BLOB NOT NULL,   -- SHA-256 of the cancel secret (cancel is disabled, as in Tahoe)
        expires       INTEGER NOT NULL,
        PRIMARY KEY (si, account)
      ) WITHOUT ROWID;
      CREATE INDEX leases_by_account ON leases (account, expires);
      CREATE INDEX leases_by_expiry ON leases (expires);
      CREATE TABLE invitations (
        code        TEXT PRIMARY KEY,
        quota       INTEGER NOT NULL,
        note        TEXT,
        created     INTEGER NOT NULL,
        redeemed_by TEXT,
        redeemed_at INTEGER
      );
      CREATE TABLE corruption_reports (
        si          TEXT NOT NULL,
        shnum       INTEGER NOT NULL,
        reported_by TEXT NOT NULL,
        reason      TEXT NOT NULL,
        at          INTEGER NOT NULL,
        PRIMARY KEY (si, shnum, reported_by)  -- one standing report per reporter keeps the table bounded
      );
    `)
  },
  (db) => {
    // Issue #12: operator grants (an account outside the free budget), and indexes that keep
    // the bounded advisory reads (newest first, per reporter) from scanning the table.
    db.exec(`
      ALTER TABLE accounts ADD COLUMN note TEXT;
      ALTER TABLE accounts ADD COLUMN granted_at INTEGER;
      CREATE INDEX corruption_by_at ON corruption_reports (at);
      CREATE INDEX corruption_by_reporter ON corruption_reports (reported_by);
    `)
  },
  (db) => {
    // Issue #14: mutable shares (slots), one row per share with its container's size on disk.
    // Their leases are rows of `leases` like any storage index's.
    db.exec(`
      CREATE TABLE mutable_shares (
        si        TEXT NOT NULL,
        shnum     INTEGER NOT NULL,
        size      INTEGER NOT NULL,   -- container bytes on disk (header, lease slots, data, extra-lease block)
        stored_at INTEGER NOT NULL,   -- first written
        PRIMARY KEY (si, shnum)
      ) WITHOUT ROWID;
    `)
  }
]

export function openDatabase (path: string): DB {
  const db = new Database(path)
  try {
    db.pragma('journal_mode = WAL')
    // A share is acknowledged to the client once its row commits: make that durable.
    db.pragma('synchronous = FULL')
    db.pragma('busy_timeout = 5000')
    migrate(db, path)
    return db
  } catch (err) {
    db.close()
    throw err
  }
}

function migrate (db: DB, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > MIGRATIONS.length) {
    throw new DatabaseTooNewError(`${path} has schema version ${current} but this lafs-club knows only up to ${MIGRATIONS.length}; upgrade lafs-club`)
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      MIGRATIONS[version](db)
      db.pragma(`user_version = ${version + 1}`)
    }).immediate()
  }
}

export interface ShareRow { si: string, shnum: number, size: number }
export interface AccountRow { account: string, quota: number | null, invitation: string | null, created: number }
export interface GrantRow { account: string, quota: number, note: string | null, granted_at: number | null }
export interface InvitationRow { code: string, quota: number, note: string | null, created: number, redeemed_by: string | null, redeemed_at: number | null }
export interface ReportRow { si: string, shnum: number, reported_by: string, reason: string, at: number }

/** The slice of a prepared statement the server uses, typed by parameters and row. */
export interface Stmt<P extends unknown[], R> {
  get(...params: P): R | undefined
  all(...params: P): R[]
  run(...params: P): Database.RunResult
}

function stmt<P extends unknown[], R = unknown> (db: DB, sql: string): Stmt<P, R> {
  return db.prepare<P, R>(sql)
}

/** A statement answering its first column only. */
function value<P extends unknown[], V> (db: DB, sql: string): Stmt<P, V> {
  return db.prepare<P, V>(sql).pluck()
}

/** Every statement the server runs, prepared once. */
export function prepareQueries (db: DB) {
  return {
    sharesOf: stmt<[string], { shnum: number, size: number }>(db, 'SELECT shnum, size FROM shares WHERE si = ? ORDER BY shnum'),
    share: stmt<[string, number], { size: number }>(db, 'SELECT size FROM shares WHERE si = ? AND shnum = ?'),
    allShares: stmt<[], ShareRow>(db, 'SELECT si, shnum, size FROM shares'),
    storageIndexes: value<[], string>(db, 'SELECT DISTINCT si FROM shares'),
    insertShare: stmt<[string, number, number, number]>(db, 'INSERT OR REPLACE INTO shares (si, shnum, size, stored_at) VALUES (?, ?, ?, ?)'),
    updateShareSize: stmt<[number, string, number]>(db, 'UPDATE shares SET size = ? WHERE si = ? AND shnum = ?'),
    deleteShare: stmt<[string, number]>(db, 'DELETE FROM shares WHERE si = ? AND shnum = ?'),
    totals: stmt<[], { shares: number, bytes: number, charged: number }>(db,
      'SELECT COUNT(*) AS shares, COALESCE(SUM(size), 0) AS bytes, COALESCE(SUM(MAX(size, 4096)), 0) AS charged FROM shares'),
    // json_each turns one parameter into a table, so a whole batch is one indexed join.
    have: stmt<[string], { idx: number, shnum: number }>(db, 
      'SELECT j.key AS idx, s.shnum AS shnum FROM json_each(?) AS j JOIN shares AS s ON s.si = j.value ORDER BY j.key, s.shnum'),

    ensureAccount: stmt<[string, number]>(db, 'INSERT OR IGNORE INTO accounts (account, quota, invitation, created) VALUES (?, NULL, NULL, ?)'),
    account: stmt<[string], AccountRow>(db, 'SELECT account, quota, invitation, created FROM accounts WHERE account = ?'),
    raiseQuota: stmt<[number, string, string]>(db, 'UPDATE accounts SET quota = MAX(COALESCE(quota, 0), ?), invitation = ? WHERE account = ?'),
    accountCount: value<[], number>(db, 'SELECT COUNT(*) FROM accounts'),
    // Each share is charged at least one disk block (MIN_SHARE_CHARGE = 4096).
    // Immutable and mutable shares in two indexed joins (a UNION inside one join would scan).
    usage: stmt<[string, number, string, number], { bytes: number, shares: number }>(db,
      `SELECT i.bytes + m.bytes AS bytes, i.shares + m.shares AS shares FROM
         (SELECT COALESCE(SUM(MAX(s.size, 4096)), 0) AS bytes, COUNT(s.shnum) AS shares
          FROM leases AS l JOIN shares AS s ON s.si = l.si
          WHERE l.account = ? AND l.expires > ?) AS i,
         (SELECT COALESCE(SUM(MAX(s.size, 4096)), 0) AS bytes, COUNT(s.shnum) AS shares
          FROM leases AS l JOIN mutable_shares AS s ON s.si = l.si
          WHERE l.account = ? AND l.expires > ?) AS m`),
    leaseCount: value<[string, number], number>(db, 'SELECT COUNT(*) FROM leases WHERE account = ? AND expires > ?'),
    hasLease: value<[string, string, number], number>(db, 'SELECT 1 FROM leases WHERE si = ? AND account = ? AND expires > ?'),
    hasFreeLease: value<[string, number], number>(db,
      'SELECT 1 FROM leases AS l JOIN accounts AS a ON a.account = l.account WHERE l.si = ? AND l.expires > ? AND a.quota IS NULL LIMIT 1'),
    accountSummaries: stmt<[number, number], { account: string, quota: number | null, bytes: number, shares: number }>(db, 
      `SELECT a.account AS account, a.quota AS quota, COALESCE(u.bytes, 0) AS bytes, COALESCE(u.shares, 0) AS shares
       FROM accounts AS a LEFT JOIN (
         SELECT l.account AS account, SUM(MAX(s.size, 4096)) AS bytes, COUNT(*) AS shares
         FROM leases AS l JOIN (SELECT si, size FROM shares UNION ALL SELECT si, size FROM mutable_shares) AS s ON s.si = l.si
         WHERE l.expires > ? GROUP BY l.account
       ) AS u ON u.account = a.account
       ORDER BY bytes DESC, a.account LIMIT ?`),
    // Shares with a live lease by a free account (one with no quota of its own), each counted once.
    storedByFree: value<[number, number], number>(db,
      `SELECT (SELECT COALESCE(SUM(MAX(s.size, 4096)), 0) FROM shares AS s
               WHERE EXISTS (SELECT 1 FROM leases AS l JOIN accounts AS a ON a.account = l.account
                             WHERE l.si = s.si AND l.expires > ? AND a.quota IS NULL))
            + (SELECT COALESCE(SUM(MAX(s.size, 4096)), 0) FROM mutable_shares AS s
               WHERE EXISTS (SELECT 1 FROM leases AS l JOIN accounts AS a ON a.account = l.account
                             WHERE l.si = s.si AND l.expires > ? AND a.quota IS NULL))`),
    grant: stmt<[number, string | null, number, string]>(db, 'UPDATE accounts SET quota = ?, note = ?, granted_at = ? WHERE account = ?'),
    revoke: stmt<[string]>(db, 'UPDATE accounts SET quota = NULL, note = NULL, granted_at = NULL WHERE account = ? AND quota IS NOT NULL'),
    granted: stmt<[number, number], GrantRow>(db,
      'SELECT account, quota, note, granted_at FROM accounts WHERE quota IS NOT NULL ORDER BY granted_at, account LIMIT ? OFFSET ?'),
    grantedCount: value<[], number>(db, 'SELECT COUNT(*) FROM accounts WHERE quota IS NOT NULL'),

    renewMatchingLeases: stmt<[number, string, Uint8Array]>(db, 'UPDATE leases SET expires = MAX(expires, ?) WHERE si = ? AND renew_secret = ?'),
    upsertLease: stmt<[string, string, Uint8Array, Uint8Array, number]>(db, 
      `INSERT INTO leases (si, account, renew_secret, cancel_secret, expires) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (si, account) DO UPDATE SET
         renew_secret = excluded.renew_secret,
         cancel_secret = excluded.cancel_secret,
         expires = MAX(leases.expires, excluded.expires)`),
    hasLiveLease: value<[string, number], number>(db, 'SELECT 1 FROM leases WHERE si = ? AND expires > ? LIMIT 1'),
    // One table scan per GC pass; each candidate is re-checked right before deletion.
    expiredShares: stmt<[number], ShareRow>(db, 
      `SELECT si, shnum, size FROM shares AS s
       WHERE NOT EXISTS (SELECT 1 FROM leases AS l WHERE l.si = s.si AND l.expires > ?)`),
    deleteOrphanLeases: stmt<[string, string, string]>(db,
      `DELETE FROM leases WHERE si = ? AND NOT EXISTS (SELECT 1 FROM shares WHERE shares.si = ?)
       AND NOT EXISTS (SELECT 1 FROM mutable_shares AS m WHERE m.si = ?)`),
    deleteExpiredLeases: stmt<[number]>(db, 'DELETE FROM leases WHERE expires <= ?'),

    slotSharesOf: stmt<[string], { shnum: number, size: number }>(db, 'SELECT shnum, size FROM mutable_shares WHERE si = ? ORDER BY shnum'),
    slotStorageIndexes: value<[], string>(db, 'SELECT DISTINCT si FROM mutable_shares'),
    slotShare: stmt<[string, number], { size: number }>(db, 'SELECT size FROM mutable_shares WHERE si = ? AND shnum = ?'),
    allSlotShares: stmt<[], ShareRow>(db, 'SELECT si, shnum, size FROM mutable_shares'),
    // A rewrite keeps the first write's time: stored_at says how old the slot is.
    upsertSlotShare: stmt<[string, number, number, number]>(db,
      `INSERT INTO mutable_shares (si, shnum, size, stored_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (si, shnum) DO UPDATE SET size = excluded.size`),
    deleteSlotShare: stmt<[string, number]>(db, 'DELETE FROM mutable_shares WHERE si = ? AND shnum = ?'),
    slotTotals: stmt<[], { shares: number, bytes: number, charged: number }>(db,
      'SELECT COUNT(*) AS shares, COALESCE(SUM(size), 0) AS bytes, COALESCE(SUM(MAX(size, 4096)), 0) AS charged FROM mutable_shares'),
    expiredSlotShares: stmt<[number], ShareRow>(db,
      `SELECT si, shnum, size FROM mutable_shares AS s
       WHERE NOT EXISTS (SELECT 1 FROM leases AS l WHERE l.si = s.si AND l.expires > ?)`),

    insertInvitation: stmt<[string, number, string | null, number]>(db, 'INSERT INTO invitations (code, quota, note, created) VALUES (?, ?, ?, ?)'),
    invitation: stmt<[string], InvitationRow>(db, 'SELECT * FROM invitations WHERE code = ?'),
    redeemInvitation: stmt<[string, number, string]>(db, 'UPDATE invitations SET redeemed_by = ?, redeemed_at = ? WHERE code = ? AND redeemed_by IS NULL'),

    upsertReport: stmt<[string, number, string, string, number]>(db, 
      `INSERT INTO corruption_reports (si, shnum, reported_by, reason, at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (si, shnum, reported_by) DO UPDATE SET reason = excluded.reason, at = excluded.at`),
    report: value<[string, number, string], number>(db, 'SELECT 1 FROM corruption_reports WHERE si = ? AND shnum = ? AND reported_by = ?'),
    reportsBy: value<[string], number>(db, 'SELECT COUNT(*) FROM corruption_reports WHERE reported_by = ?'),
    reportCount: value<[], number>(db, 'SELECT COUNT(*) FROM corruption_reports'),
    recentReports: stmt<[number], ReportRow>(db, 'SELECT si, shnum, reported_by, reason, at FROM corruption_reports ORDER BY at DESC, si, shnum, reported_by LIMIT ?'),
    pruneOldReports: stmt<[number]>(db, 'DELETE FROM corruption_reports WHERE at < ?'),
    // Keep the newest `?` rows: delete what is older than the row at that rank.
    pruneExcessReports: stmt<[number]>(db,
      `DELETE FROM corruption_reports WHERE rowid IN (
         SELECT rowid FROM corruption_reports ORDER BY at DESC LIMIT -1 OFFSET ?)`)
  }
}

export type Queries = ReturnType<typeof prepareQueries>
