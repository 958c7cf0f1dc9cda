import { createHash } from 'node:crypto'
import type { ComponentLogger, Logger } from '@libp2p/logger'
import type Database from 'better-sqlite3'
import type { Accounts } from './accounts.js'
import type { Config } from './config.js'
import type { Queries, ShareRow } from './db.js'
import { NoSuchShareError } from './errors.js'
import { encodeStorageIndex } from './paths.js'
import type { ShareStore } from './share-store.js'
import { checkAccount, checkLease, checkStorageIndex } from './validate.js'
import type { LeaseSecrets } from './types.js'

/**
 * Leases, one per (storage index, account), as in Tahoe's HTTP API where
 * add-lease covers every share of the storage index. Secrets are kept as
 * SHA-256 digests (Tahoe's container v2 keeps BLAKE2b ones), so a stolen
 * database renews nothing elsewhere; they never reach a log.
 */
export class Leases {
  private readonly log: Logger

  constructor (
    private readonly db: Database.Database,
    private readonly q: Queries,
    private readonly config: Pick<Config, 'leaseDurationMs' | 'now'>,
    private readonly shares: ShareStore,
    private readonly accounts: Accounts,
    logger: ComponentLogger,
    /** Whether the server holds mutable shares of `si` (leases cover slots too). */
    private readonly holdsSlot: (si: string) => boolean = () => false
  ) {
    this.log = logger.forComponent('lafs-club:storage:leases')
  }

  /** The add-lease call: create or renew the caller's lease on a storage index the server holds. */
  add (account: string, storageIndex: Uint8Array, lease: LeaseSecrets): void {
    checkAccount(account)
    const si = encodeStorageIndex(checkStorageIndex(storageIndex))
    checkLease(lease)
    const now = this.config.now()
    this.db.transaction(() => {
      if (this.shares.numbersOf(si).length === 0 && !this.holdsSlot(si)) {
        throw new NoSuchShareError(`this server holds no shares of ${si}, so there is nothing to lease`)
      }
      this.accounts.ensure(account, now)
      this.record(si, account, lease, now)
    }).immediate()
  }

  /**
   * Create or renew, inside the caller's transaction. A lease whose renew
   * secret matches is renewed whoever holds it (knowing the secret is Tahoe's
   * authority to renew); the caller's own lease is created or renewed and takes
   * the new secrets. Renewal never shortens an expiry.
   */
  record (si: string, account: string, lease: LeaseSecrets, now: number): void {
    const expires = now + this.config.leaseDurationMs
    const renew = hashSecret(lease.renewSecret)
    const matched = this.q.renewMatchingLeases.run(expires, si, renew).changes
    this.q.upsertLease.run(si, account, renew, hashSecret(lease.cancelSecret), expires)
    this.log('lease on %s for %s runs to at least %s (%d lease(s) renewed by a matching renew secret)',
      si, account, new Date(expires).toISOString(), matched)
  }

  hasLive (si: string, now: number): boolean {
    return this.q.hasLiveLease.get(si, now) !== undefined
  }

  /** Shares whose storage index has no live lease: GC candidates, each re-checked before deletion. */
  unleasedShares (now: number): ShareRow[] {
    return this.q.expiredShares.all(now)
  }

  /** Drop the leases of a storage index once its last share is gone. */
  dropOrphans (si: string): void {
    this.q.deleteOrphanLeases.run(si, si, si)
  }

  dropExpired (now: number): number {
    return this.q.deleteExpiredLeases.run(now).changes
  }
}

function hashSecret (secret: Uint8Array): Uint8Array {
  return createHash('sha256').update(secret).digest()
}
