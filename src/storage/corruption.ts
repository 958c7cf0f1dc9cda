import type { ComponentLogger, Logger } from '@libp2p/logger'
import { MAX_CORRUPTION_REASON_LENGTH } from './constants.js'
import type { Queries } from './db.js'
import { InvalidArgumentError, NoSuchShareError } from './errors.js'
import { encodeStorageIndex } from './paths.js'
import type { ShareStore } from './share-store.js'
import { checkAccount, checkShareNumber, checkStorageIndex } from './validate.js'
import type { CorruptionReport } from './types.js'

/** A reason is client text: the log shows this much of it. */
const LOGGED_REASON_LENGTH = 200

/**
 * Corruption advisories (Tahoe's advise_corrupt_share): a client that found a
 * bad block or hash tells the server. They are recorded for the operator, one
 * standing report per reporter and share, and change nothing else.
 */
export class CorruptionAdvisories {
  private readonly log: Logger

  constructor (
    private readonly q: Queries,
    private readonly now: () => number,
    private readonly shares: ShareStore,
    logger: ComponentLogger
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
    if (!this.shares.has(si, shareNumber)) {
      this.log('%s reported share %d of %s corrupt, but this server does not hold it', account, shareNumber, si)
      throw new NoSuchShareError(`this server holds no share ${shareNumber} of ${si}`)
    }
    this.q.upsertReport.run(si, shareNumber, account, reason, this.now())
    this.log('%s reports share %d of %s corrupt: %s', account, shareNumber, si, JSON.stringify(reason.slice(0, LOGGED_REASON_LENGTH)))
  }

  reports (): CorruptionReport[] {
    return this.q.reports.all().map(r => ({
      storageIndex: r.si, shareNumber: r.shnum, reason: r.reason, reportedBy: r.reported_by, at: r.at
    }))
  }
}
