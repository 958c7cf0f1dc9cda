import type { ComponentLogger, Logger } from '@libp2p/logger'
import type { Config } from './config.js'
import { MAX_CORRUPTION_REASON_LENGTH, STORED_CORRUPTION_REASON_LENGTH } from './constants.js'
import type { Queries } from './db.js'
import { InvalidArgumentError, NoSuchShareError, RateLimitedError, TooManyReportsError } from './errors.js'
import { encodeStorageIndex } from './paths.js'
import type { ShareStore } from './share-store.js'
import { checkAccount, checkShareNumber, checkStorageIndex } from './validate.js'
import type { CorruptionReport } from './types.js'

/** A reason is client text: the log shows this much of it. */
const LOGGED_REASON_LENGTH = 200
/** Reporters whose rate is remembered; past it the longest-idle are forgotten (a new reporter starts with a full bucket anyway). */
const TRACKED_REPORTERS = 10_000
const MINUTE_MS = 60_000

type AdvisoryConfig = Pick<Config, 'now' | 'advisoriesPerReporter' | 'maxAdvisories' | 'advisoryRetentionMs' | 'advisoriesPerMinute'>

/**
 * Corruption advisories (Tahoe's advise_corrupt_share): a client that found a
 * bad block or hash tells the server. They are recorded for the operator, one
 * standing report per reporter and share, and change nothing else.
 *
 * Bounded (issue #12): reasons are cut to 500 characters, a reporter keeps at
 * most `advisoriesPerReporter` rows and sends at most `advisoriesPerMinute`,
 * rows older than `advisoryRetentionMs` or beyond `maxAdvisories` (oldest
 * first) are deleted, and reads return the newest N with a count.
 */
export class CorruptionAdvisories {
  private readonly log: Logger
  private readonly buckets = new Map<string, { tokens: number, at: number }>()

  constructor (
    private readonly q: Queries,
    private readonly config: AdvisoryConfig,
    private readonly shares: ShareStore,
    logger: ComponentLogger,
    /** Whether the server holds this mutable share: advisories cover slots too. */
    private readonly hasSlotShare: (si: string, shareNumber: number) => boolean = () => false
  ) {
    this.log = logger.forComponent('lafs-club:storage:corruption')
  }

  advise (account: string, storageIndex: Uint8Array, shareNumber: number, reason: string): void {
    checkAccount(account)
    const si = encodeStorageIndex(checkStorageIndex(storageIndex))
    checkShareNumber(shareNumber)
    if (typeof reason !== 'string' || reason.length < 1 || reason.length > MAX_CORRUPTION_REASON_LENGTH) {
      throw new InvalidArgumentError(`corruption reason must be 1..${MAX_CORRUPTION_REASON_LENGTH} characters`)
    }
    this.takeToken(account)
    if (!this.shares.has(si, shareNumber) && !this.hasSlotShare(si, shareNumber)) {
      this.log('%s reported share %d of %s corrupt, but this server does not hold it', account, shareNumber, si)
      throw new NoSuchShareError(`this server holds no share ${shareNumber} of ${si}`)
    }
    const isNew = this.q.report.get(si, shareNumber, account) === undefined
    const held = isNew ? this.q.reportsBy.get(account) ?? 0 : 0
    if (held >= this.config.advisoriesPerReporter) {
      throw new TooManyReportsError(`this server already keeps ${held} corruption reports from ${account}, the most it keeps per reporter (${this.config.advisoriesPerReporter}); the operator has been told`)
    }
    const now = this.config.now()
    const kept = reason.slice(0, STORED_CORRUPTION_REASON_LENGTH)
    this.q.upsertReport.run(si, shareNumber, account, kept, now)
    this.q.pruneOldReports.run(now - this.config.advisoryRetentionMs)
    if (isNew) this.q.pruneExcessReports.run(this.config.maxAdvisories)
    this.log('%s reports share %d of %s corrupt: %s', account, shareNumber, si, JSON.stringify(kept.slice(0, LOGGED_REASON_LENGTH)))
  }

  /** The newest `limit` reports (an indexed read of `limit` rows) and how many there are. */
  reports (limit: number): { total: number, recent: CorruptionReport[] } {
    const recent = this.q.recentReports.all(limit).map(r => ({
      storageIndex: r.si, shareNumber: r.shnum, reason: r.reason, reportedBy: r.reported_by, at: r.at
    }))
    return { total: this.q.reportCount.get() ?? 0, recent }
  }

  /** Token bucket per reporter: `advisoriesPerMinute` a minute, bursts of as many. */
  private takeToken (account: string): void {
    const rate = this.config.advisoriesPerMinute
    const now = this.config.now()
    let bucket = this.buckets.get(account)
    if (bucket === undefined) {
      if (this.buckets.size >= TRACKED_REPORTERS) this.buckets.delete(this.buckets.keys().next().value!)
      bucket = { tokens: rate, at: now }
    } else {
      this.buckets.delete(account) // re-inserted below: the map stays in order of last use
      bucket.tokens = Math.min(rate, bucket.tokens + (Math.max(0, now - bucket.at) * rate) / MINUTE_MS)
      bucket.at = now
    }
    this.buckets.set(account, bucket)
    if (bucket.tokens < 1) {
      throw new RateLimitedError(`too many corruption reports from ${account}: this server takes ${rate} a minute; try again later`)
    }
    bucket.tokens -= 1
  }
}
