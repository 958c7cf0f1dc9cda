/**
 * What this node remembers about each storage server it used: have-share
 * answers that turned out wrong, corrupt blocks, failures and timeouts, the
 * throughput it saw, when it saw the server up or down, and how long the
 * server kept the shares placed on it (found by later checks). Kept in
 * SQLite (`<dataDir>/reputation.sqlite`) so a restart forgets nothing;
 * `new ReputationTable()` keeps the same tables in memory.
 *
 * How it is used (docs/architecture.md, "Server reputation"):
 * - downloads read from preferred holders first (a tier per holder, see
 *   `rank`); a holder is never excluded, so a file whose only shares sit on
 *   a bad server is still read;
 * - uploads skip a server on probation as if it were unreachable, unless
 *   the upload cannot be happy without it. The permuted ring is never
 *   reordered: club-hinted locates ask servers in ring order.
 *
 * A server that said it held a share and then could not serve it, served a
 * corrupt one, or lost one goes on probation in that club (club '' = no club:
 * servers named by address or found through the DHT). It leaves probation
 * after VERIFY_PASSES_TO_CLEAR verify checks of files in that club found all
 * its shares good; probation for a lost share alone also ends
 * LOST_SHARE_PROBATION_MS after the loss, since a server skipped for uploads
 * may hold nothing left to verify.
 */
import Database from 'better-sqlite3'
import { prepareReputationDb, pruneReputation, serverRecord, type ProbationRow, type PruneLimits, type ServerRow } from './reputation-store.js'
import { agoText, isTimeout, offenceText, rateText } from './reputation-text.js'
import {
  LOST_SHARE_PROBATION_MS, MAX_PLACEMENTS, MAX_SERVERS, MAX_SHARE_LOSSES, MIN_THROUGHPUT_SAMPLE_BYTES, PRUNE_EVERY_WRITES, RECENT_FAILURE_MS, SLOW_FRACTION, THROUGHPUT_ALPHA, VERIFY_PASSES_TO_CLEAR,
  type CheckObservation, type CheckOutcome, type Offence, type Probation, type RankedHolder, type ReputationOptions, type ServerRecord
} from './reputation-types.js'

export class ReputationTable {
  private readonly db: Database.Database
  private readonly now: () => number
  private readonly onError?: (err: Error) => void
  private readonly limits: PruneLimits
  private readonly pruneEvery: number
  private writes = 0

  private constructor (db: Database.Database, options: ReputationOptions) {
    this.db = db
    this.now = options.now ?? Date.now
    this.onError = options.onError
    const l = options.limits ?? {}
    this.limits = { placements: l.placements ?? MAX_PLACEMENTS, shareLosses: l.shareLosses ?? MAX_SHARE_LOSSES, servers: l.servers ?? MAX_SERVERS }
    this.pruneEvery = l.pruneEvery ?? PRUNE_EVERY_WRITES
  }

  /** Opens (creating if needed) the table at `path`. */
  static open (path: string, options: ReputationOptions = {}): ReputationTable {
    const db = new Database(path)
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    return new ReputationTable(prepareReputationDb(db, path), options)
  }

  /** The same tables in memory, forgotten when the process ends. */
  static inMemory (options: ReputationOptions = {}): ReputationTable {
    return new ReputationTable(prepareReputationDb(new Database(':memory:'), ':memory:'), options)
  }

  /**
   * Reputation is advice: recording or reading it never fails a transfer.
   * After close (the node is stopping while a transfer ends) or on a
   * database error, the call does nothing and answers `fallback`.
   */
  private safe<T> (fallback: T, fn: () => T): T {
    if (!this.db.open) return fallback
    try {
      return fn()
    } catch (err) {
      this.onError?.(err as Error)
      return fallback
    }
  }

  close (): void {
    if (this.db.open) this.db.close()
  }

  /** Creates the server's row on first contact. */
  private touch (peerId: string): void {
    if (this.db.prepare('INSERT OR IGNORE INTO servers (peer_id, first_seen) VALUES (?, ?)').run(peerId, this.now()).changes > 0) this.wrote()
  }

  /**
   * Counts rows added; every `pruneEvery` the oldest rows past the limits go.
   * Callers write inside transactions: the prune runs after theirs commits
   * (better-sqlite3 is synchronous, so a microtask comes after it), and a
   * prune that fails never rolls back what they recorded.
   */
  private wrote (n = 1): void {
    this.writes += n
    if (this.writes < this.pruneEvery) return
    this.writes = 0
    queueMicrotask(() => { this.safe(undefined, () => { pruneReputation(this.db, this.limits) }) })
  }

  private problem (peerId: string, kind: string, detail: string, column?: 'corrupt_blocks' | 'wrong_haves' | 'failures'): void {
    this.touch(peerId)
    const count = column == null ? '' : `${column} = ${column} + 1,`
    this.db.prepare(`UPDATE servers SET ${count} last_problem_kind = ?, last_problem_at = ?, last_problem_detail = ? WHERE peer_id = ?`)
      .run(kind, this.now(), detail.slice(0, 300), peerId)
  }

  // ---- what happened ----

  /** A contact with the server succeeded (`ok`) or not: one uptime sample. */
  contact (peerId: string, ok: boolean): void {
    this.safe(undefined, () => {
      this.touch(peerId)
      if (ok) this.db.prepare('UPDATE servers SET up_samples = up_samples + 1, last_seen = ? WHERE peer_id = ?').run(this.now(), peerId)
      else this.db.prepare('UPDATE servers SET down_samples = down_samples + 1 WHERE peer_id = ?').run(peerId)
    })
  }

  /** Shares read from the server passed every hash check. */
  good (peerId: string, count = 1): void {
    this.safe(undefined, () => {
      this.contact(peerId, true)
      this.db.prepare('UPDATE servers SET good_reads = good_reads + ? WHERE peer_id = ?').run(count, peerId)
    })
  }

  /** A request failed (a timeout counts too); the server is read after others for RECENT_FAILURE_MS. */
  failed (peerId: string, err?: unknown): void {
    this.safe(undefined, () => {
      this.contact(peerId, false)
      const timeout = isTimeout(err)
      this.problem(peerId, timeout ? 'timeout' : 'failure', (err as Error | undefined)?.message ?? 'request failed', 'failures')
      this.db.prepare(`UPDATE servers SET last_failure_at = ?${timeout ? ', timeouts = timeouts + 1' : ''} WHERE peer_id = ?`).run(this.now(), peerId)
    })
  }

  /** The server served a block that failed a hash check: it lied about holding that share. */
  corrupt (peerId: string, at: { club?: string, detail?: string } = {}): void {
    this.safe(undefined, () => {
      this.problem(peerId, 'corrupt', at.detail ?? 'a block failed its hash check', 'corrupt_blocks')
      this.db.prepare('UPDATE servers SET wrong_haves = wrong_haves + 1 WHERE peer_id = ?').run(peerId)
      this.probate(peerId, at.club ?? '', 'corrupt', at.detail ?? 'a block failed its hash check')
    })
  }

  /** The server listed a share in a have-share answer and then said it had no such share. */
  wrongHave (peerId: string, at: { club?: string, detail?: string } = {}): void {
    this.safe(undefined, () => {
      this.problem(peerId, 'wrong-have', at.detail ?? 'no such share', 'wrong_haves')
      this.probate(peerId, at.club ?? '', 'wrong-have', at.detail ?? 'no such share')
    })
  }

  /** `bytes` read from (or written to) the server in `ms`: one throughput sample (ignored when too small to measure). */
  throughput (peerId: string, bytes: number, ms: number, direction: 'read' | 'write' = 'read'): void {
    this.safe(undefined, () => {
      if (bytes < MIN_THROUGHPUT_SAMPLE_BYTES || ms <= 0) return
      this.touch(peerId)
      const bps = bytes / (ms / 1000)
      const col = direction === 'read' ? 'read_bps' : 'write_bps'
      this.db.prepare(`UPDATE servers SET ${col} = CASE WHEN ${col} IS NULL THEN @bps ELSE @a * @bps + (1 - @a) * ${col} END WHERE peer_id = @peer`)
        .run({ bps, a: THROUGHPUT_ALPHA, peer: peerId })
    })
  }

  /** An upload placed these shares (peer → share numbers): later checks tell how long each server kept them. */
  placed (storageIndex: string, placement: ReadonlyMap<string, readonly number[]>, club?: string): void {
    this.safe(undefined, () => {
      const now = this.now()
      const put = this.db.prepare(`INSERT INTO placements (peer_id, storage_index, shnum, club, placed_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT DO NOTHING`)
      this.db.transaction(() => {
        for (const [peer, shares] of placement) {
          this.touch(peer)
          for (const sh of shares) put.run(peer, storageIndex, sh, club ?? '', now)
          this.wrote(shares.length)
        }
      })()
    })
  }

  /** One verify check in `club` found every share the server holds good. */
  verifyPassed (peerId: string, club = ''): boolean {
    return this.safe(false, () => {
      const row = this.probationRow(peerId, club)
      if (row == null) return false
      if (row.passes + 1 >= VERIFY_PASSES_TO_CLEAR) {
        this.db.prepare('DELETE FROM probation WHERE peer_id = ? AND club = ?').run(peerId, club)
        return true
      }
      this.db.prepare('UPDATE probation SET passes = passes + 1 WHERE peer_id = ? AND club = ?').run(peerId, club)
      return false
    })
  }

  /**
   * What a check (or verify) found: placed shares still there or gone (a lost
   * share puts its server on probation), corrupt shares, unreachable servers,
   * and — for a verify — a pass for each server whose every share was good.
   */
  checked (obs: CheckObservation): CheckOutcome {
    return this.safe({ lost: [], passed: [], cleared: [] }, () => {
      const now = this.now()
      const club = obs.club ?? ''
      const outcome: CheckOutcome = { lost: [], passed: [], cleared: [] }
      const unreachable = new Set(obs.report.unreachable)
      const asked = new Set(obs.asked)
      const held = new Map<string, Set<number>>()
      for (const [sh, peers] of Object.entries(obs.report.sharemap)) {
        for (const p of peers) {
          let s = held.get(p)
          if (s == null) held.set(p, s = new Set())
          s.add(Number(sh))
        }
      }
      const corruptAt = new Set(obs.report.corrupt.map(c => `${c.peerId}/${c.shnum}`))
      for (const peer of asked) this.contact(peer, !unreachable.has(peer))
      for (const c of obs.report.corrupt) this.corrupt(c.peerId, { club, detail: `verify: share ${c.shnum} failed the ${c.check} check` })
      const rows = this.db.prepare('SELECT peer_id, shnum, placed_at FROM placements WHERE storage_index = ?')
        .all(obs.storageIndex) as Array<{ peer_id: string, shnum: number, placed_at: number }>
      const confirm = this.db.prepare('UPDATE placements SET confirmed_at = ? WHERE storage_index = ? AND peer_id = ? AND shnum = ?')
      const drop = this.db.prepare('DELETE FROM placements WHERE storage_index = ? AND peer_id = ? AND shnum = ?')
      const lose = this.db.prepare('INSERT INTO share_losses (peer_id, storage_index, shnum, placed_at, missing_at) VALUES (?, ?, ?, ?, ?)')
      this.db.transaction(() => {
        for (const r of rows) {
          if (!asked.has(r.peer_id) || unreachable.has(r.peer_id) || corruptAt.has(`${r.peer_id}/${r.shnum}`)) continue
          if (held.get(r.peer_id)?.has(r.shnum) === true) {
            confirm.run(now, obs.storageIndex, r.peer_id, r.shnum)
          } else if (obs.leaseExpiredAt != null && obs.leaseExpiredAt <= now) {
            drop.run(obs.storageIndex, r.peer_id, r.shnum)
          } else {
            drop.run(obs.storageIndex, r.peer_id, r.shnum)
            lose.run(r.peer_id, obs.storageIndex, r.shnum, r.placed_at, now)
            this.wrote()
            outcome.lost.push({ peerId: r.peer_id, shnum: r.shnum, keptMs: now - r.placed_at })
          }
        }
      })()
      for (const l of outcome.lost) {
        const detail = `share ${l.shnum} placed ${agoText(l.keptMs)} was gone`
        this.problem(l.peerId, 'lost-share', detail)
        this.probate(l.peerId, club, 'lost-share', detail)
      }
      if (obs.verified) {
        const offenders = new Set([...obs.report.corrupt.map(c => c.peerId), ...outcome.lost.map(l => l.peerId)])
        for (const peer of held.keys()) {
          if (offenders.has(peer)) continue
          outcome.passed.push(peer)
          if (this.verifyPassed(peer, club)) outcome.cleared.push(peer)
        }
      }
      return outcome
    })
  }

  private probate (peerId: string, club: string, kind: Offence, detail: string): void {
    // A lost share does not soften a standing lie: keep the worse kind.
    const existing = this.probationRow(peerId, club)
    const keep = existing != null && existing.kind !== 'lost-share' && kind === 'lost-share' ? existing.kind : kind
    this.db.prepare(`INSERT INTO probation (peer_id, club, kind, detail, since, passes) VALUES (?, ?, ?, ?, ?, 0)
      ON CONFLICT (peer_id, club) DO UPDATE SET kind = excluded.kind, detail = excluded.detail, since = excluded.since, passes = 0`)
      .run(peerId, club, keep, detail.slice(0, 300), this.now())
  }

  private probationRow (peerId: string, club: string): ProbationRow | undefined {
    const row = this.db.prepare('SELECT * FROM probation WHERE peer_id = ? AND club = ?').get(peerId, club) as ProbationRow | undefined
    if (row == null) return undefined
    if (row.kind === 'lost-share' && this.now() - row.since >= LOST_SHARE_PROBATION_MS) {
      this.db.prepare('DELETE FROM probation WHERE peer_id = ? AND club = ?').run(peerId, club)
      return undefined
    }
    return row
  }

  // ---- what it means ----

  /** The server's probation in `club` (undefined when it is in good standing there). */
  probation (peerId: string, club = ''): Probation | undefined {
    const r = this.probationRow(peerId, club)
    return r == null ? undefined : { peerId, club, kind: r.kind, detail: r.detail, since: r.since, passes: r.passes, needed: VERIFY_PASSES_TO_CLEAR }
  }

  /** Why an upload in `club` should skip the server, or undefined to use it. */
  avoidForUpload (peerId: string, club = ''): string | undefined {
    return this.safe(undefined, () => {
      const p = this.probation(peerId, club)
      return p == null ? undefined : this.probationText(p)
    })
  }

  probationText (p: Probation): string {
    return `${offenceText(p.kind)} ${agoText(this.now() - p.since)}, ${p.passes} of ${p.needed} verify checks passed`
  }

  /**
   * Where each holder goes in a download in `club`, lower tiers first:
   * 0 good or unknown, 1 slow (under an eighth of the fastest known holder's
   * read throughput), 2 failed or timed out within RECENT_FAILURE_MS, 3 on
   * probation. Within a tier the given (permuted-ring) order stays.
   */
  rank (holders: ReadonlyArray<{ peerId: string }>, club = ''): RankedHolder[] {
    return this.safe(holders.map(h => ({ peerId: h.peerId, tier: 0, note: 'no reputation kept' })), () => {
      const now = this.now()
      const rows = new Map(holders.map(h => [h.peerId, this.row(h.peerId)]))
      const fastest = Math.max(0, ...[...rows.values()].map(r => r?.read_bps ?? 0))
      return holders.map(h => {
        const r = rows.get(h.peerId)
        const p = this.probation(h.peerId, club)
        if (p != null) return { peerId: h.peerId, tier: 3, note: `not preferred: ${this.probationText(p)}` }
        if (r?.last_failure_at != null && now - r.last_failure_at < RECENT_FAILURE_MS) {
          return { peerId: h.peerId, tier: 2, note: `read after others: ${r.last_problem_kind === 'timeout' ? 'timed out' : 'failed'} ${agoText(now - r.last_failure_at)}` }
        }
        const bps = r?.read_bps ?? null
        if (bps != null && bps < SLOW_FRACTION * fastest) return { peerId: h.peerId, tier: 1, note: `read after faster holders: ${rateText(bps)} (fastest ${rateText(fastest)})` }
        return { peerId: h.peerId, tier: 0, note: bps == null ? 'preferred: no problems seen' : `preferred: ${rateText(bps)}, no problems seen` }
      })
    })
  }

  /** Holders in download order: stable by tier, ties keep the given (ring) order. */
  order<T extends { peerId: string }> (holders: readonly T[], club = ''): T[] {
    const ranks = this.rank(holders, club)
    return holders.map((s, i) => ({ s, i, tier: ranks[i].tier }))
      .sort((a, b) => a.tier - b.tier || a.i - b.i)
      .map(x => x.s)
  }

  private row (peerId: string): ServerRow | undefined {
    return this.db.prepare('SELECT * FROM servers WHERE peer_id = ?').get(peerId) as ServerRow | undefined
  }

  /** Everything known about one server. */
  get (peerId: string): ServerRecord | undefined {
    const r = this.row(peerId)
    return r == null ? undefined : this.toRecord(r)
  }

  /** Servers known, those with problems first, then the most recently seen; `limit` bounds the list. */
  list (options: { limit?: number } = {}): ServerRecord[] {
    const rows = this.db.prepare(`SELECT * FROM servers ORDER BY
        (EXISTS (SELECT 1 FROM probation p WHERE p.peer_id = servers.peer_id)) DESC,
        COALESCE(last_problem_at, 0) DESC, COALESCE(last_seen, first_seen) DESC
      LIMIT ?`).all(options.limit ?? -1) as ServerRow[]
    return rows.map(r => this.toRecord(r))
  }

  /** How many servers are known. */
  count (): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM servers').get() as { n: number }).n
  }

  /** How many servers are on probation in at least one club (a lost-share probation past its time still counts until next read). */
  onProbation (): number {
    return (this.db.prepare('SELECT COUNT(DISTINCT peer_id) AS n FROM probation').get() as { n: number }).n
  }

  private toRecord (r: ServerRow): ServerRecord {
    return serverRecord(this.db, r, (peerId, club) => this.probation(peerId, club))
  }
}
