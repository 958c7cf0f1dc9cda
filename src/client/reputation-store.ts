/**
 * Where reputation is kept: the SQLite schema (`<dataDir>/reputation.sqlite`,
 * or the same tables in memory), its row shapes, and turning a row into the
 * record callers see.
 */
import type Database from 'better-sqlite3'
import type { Offence, Probation, ServerRecord } from './reputation-types.js'

const SCHEMA_VERSION = 1

export interface ServerRow {
  peer_id: string
  first_seen: number
  last_seen: number | null
  up_samples: number
  down_samples: number
  good_reads: number
  corrupt_blocks: number
  wrong_haves: number
  failures: number
  timeouts: number
  read_bps: number | null
  write_bps: number | null
  last_failure_at: number | null
  last_problem_kind: string | null
  last_problem_at: number | null
  last_problem_detail: string | null
}

export interface ProbationRow { peer_id: string, club: string, kind: Offence, detail: string, since: number, passes: number }

/** Checks the schema version and creates the tables in a new database. */
export function prepareReputationDb (db: Database.Database, path: string): Database.Database {
  const version = db.pragma('user_version', { simple: true }) as number
  if (version > SCHEMA_VERSION) {
    db.close()
    throw new Error(`${path} was written by a newer lafs-club (schema ${version}); upgrade lafs-club`)
  }
  if (version < 1) {
    db.exec(`
      CREATE TABLE servers (
        peer_id TEXT PRIMARY KEY,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER,
        up_samples INTEGER NOT NULL DEFAULT 0,
        down_samples INTEGER NOT NULL DEFAULT 0,
        good_reads INTEGER NOT NULL DEFAULT 0,
        corrupt_blocks INTEGER NOT NULL DEFAULT 0,
        wrong_haves INTEGER NOT NULL DEFAULT 0,
        failures INTEGER NOT NULL DEFAULT 0,
        timeouts INTEGER NOT NULL DEFAULT 0,
        read_bps REAL,
        write_bps REAL,
        last_failure_at INTEGER,
        last_problem_kind TEXT,
        last_problem_at INTEGER,
        last_problem_detail TEXT
      );
      CREATE TABLE probation (
        peer_id TEXT NOT NULL,
        club TEXT NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL,
        since INTEGER NOT NULL,
        passes INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (peer_id, club)
      );
      CREATE TABLE placements (
        peer_id TEXT NOT NULL,
        storage_index TEXT NOT NULL,
        shnum INTEGER NOT NULL,
        club TEXT NOT NULL,
        placed_at INTEGER NOT NULL,
        confirmed_at INTEGER,
        PRIMARY KEY (storage_index, peer_id, shnum)
      );
      CREATE TABLE share_losses (
        peer_id TEXT NOT NULL,
        storage_index TEXT NOT NULL,
        shnum INTEGER NOT NULL,
        placed_at INTEGER NOT NULL,
        missing_at INTEGER NOT NULL
      );
      CREATE INDEX share_losses_peer ON share_losses (peer_id);
      CREATE INDEX placements_peer ON placements (peer_id);
      PRAGMA user_version = 1;
    `)
  }
  return db
}

/** A server's row with what its placements, losses and probations add; `probation` reads one (expiring it when due). */
export function serverRecord (db: Database.Database, r: ServerRow, probation: (peerId: string, club: string) => Probation | undefined): ServerRecord {
  const kept = db.prepare(`SELECT COUNT(*) AS n, MAX(confirmed_at - placed_at) AS longest FROM placements
    WHERE peer_id = ? AND confirmed_at IS NOT NULL`).get(r.peer_id) as { n: number, longest: number | null }
  const lost = db.prepare('SELECT COUNT(*) AS n, AVG(missing_at - placed_at) AS mean FROM share_losses WHERE peer_id = ?')
    .get(r.peer_id) as { n: number, mean: number | null }
  const clubs = (db.prepare('SELECT club FROM probation WHERE peer_id = ?').all(r.peer_id) as Array<{ club: string }>)
    .map(c => probation(r.peer_id, c.club)).filter((p): p is Probation => p != null)
  return {
    peerId: r.peer_id,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    upSamples: r.up_samples,
    downSamples: r.down_samples,
    goodReads: r.good_reads,
    corruptBlocks: r.corrupt_blocks,
    wrongHaves: r.wrong_haves,
    failures: r.failures,
    timeouts: r.timeouts,
    readBytesPerSec: r.read_bps,
    writeBytesPerSec: r.write_bps,
    sharesConfirmed: kept.n,
    sharesLost: lost.n,
    longestKeptMs: kept.longest,
    meanLostAfterMs: lost.mean == null ? null : Math.round(lost.mean),
    lastProblem: r.last_problem_kind == null ? null : { kind: r.last_problem_kind, at: r.last_problem_at ?? 0, detail: r.last_problem_detail ?? '' },
    probation: clubs
  }
}

export interface PruneLimits { placements: number, shareLosses: number, servers: number }

/**
 * Deletes the oldest rows past each limit (rowid order is insertion order
 * for placements and losses); servers go least recently seen first, and
 * never one on probation or with a placement left. Answers the rows deleted.
 */
export function pruneReputation (db: Database.Database, limits: PruneLimits): number {
  let deleted = 0
  for (const [table, limit] of [['placements', limits.placements], ['share_losses', limits.shareLosses]] as const) {
    const cut = db.prepare(`SELECT rowid AS r FROM ${table} ORDER BY rowid DESC LIMIT 1 OFFSET ?`).get(limit - 1) as { r: number } | undefined
    if (cut != null) deleted += db.prepare(`DELETE FROM ${table} WHERE rowid < ?`).run(cut.r).changes
  }
  const servers = (db.prepare('SELECT COUNT(*) AS n FROM servers').get() as { n: number }).n
  if (servers > limits.servers) {
    deleted += db.prepare(`DELETE FROM servers WHERE peer_id IN (
      SELECT peer_id FROM servers
      WHERE peer_id NOT IN (SELECT peer_id FROM probation) AND peer_id NOT IN (SELECT peer_id FROM placements)
      ORDER BY COALESCE(last_seen, first_seen) ASC LIMIT ?)`).run(servers - limits.servers).changes
  }
  return deleted
}
