import type { ComponentLogger, Logger } from '@libp2p/logger'
import type { Accounts } from './accounts.js'
import type { Config } from './config.js'
import { FreeBudgetExceededError, TooManySharesError, TooManyUploadsError } from './errors.js'
import { charge, type Reservations } from './reservations.js'

/**
 * The limits an allocation must pass, per account and overall (issue #12):
 * uploads in progress, shares and storage indexes, quota, and for free
 * (anonymous) accounts a budget shared by all of them, so that many fresh peer
 * IDs together cannot take more than the operator set aside for strangers.
 * Granted accounts have their own, larger limits and are outside that budget.
 */
export class Limits {
  private readonly log: Logger
  /**
   * Bytes of shares free accounts lease. Reading it is one pass over the
   * shares (measured: 0.55 µs a share, 110 ms for 200,000), so it is read once
   * and then kept up to date: closes by free accounts add to it; a GC pass that
   * deleted shares, a grant and a revoke make it be read again. Leases that
   * expired keep counting until GC removes their shares, which is when the disk
   * space really comes back.
   */
  private freeStored?: number

  constructor (
    private readonly config: Pick<Config, 'maxUploads' | 'freeLimits' | 'grantedLimits' | 'freeMaxReservations' | 'now'>,
    readonly freeBudget: number,
    private readonly accounts: Accounts,
    private readonly reservations: Reservations,
    logger: ComponentLogger
  ) {
    this.log = logger.forComponent('lafs-club:storage:limits')
  }

  /** Throws the error naming the first limit `count` new shares of `size` bytes in `si` would pass. */
  checkAllocation (account: string, si: string, count: number, size: number): { free: boolean } {
    const usage = this.accounts.usage(account)
    const free = !usage.granted
    const kind = free ? 'free' : 'granted'
    const limits = free ? this.config.freeLimits : this.config.grantedLimits
    if (usage.uploads + count > limits.uploads) {
      throw new TooManyUploadsError(`account ${account} has ${usage.uploads} upload(s) in progress and asked for ${count} more; this server allows ${limits.uploads} per ${kind} account. Finish or abort some first.`)
    }
    const total = this.reservations.size
    if (total + count > this.config.maxUploads) {
      throw new TooManyUploadsError(`this server has ${total} uploads in progress and allows ${this.config.maxUploads} in total; try again later or another server.`)
    }
    if (usage.shares + usage.uploads + count > limits.shares) {
      throw new TooManySharesError(`account ${account} holds ${usage.shares} share(s) and uploads ${usage.uploads}; ${count} more would pass the limit of ${limits.shares} shares per ${kind} account.`)
    }
    const reservedSis = this.reservations.storageIndexesOf(account)
    const addsSi = !reservedSis.has(si) && !this.accounts.hasLease(si, account) ? 1 : 0
    // Storage indexes being uploaded that the account also leases are counted twice: a small, safe overestimate.
    if (usage.leases + reservedSis.size + addsSi > limits.storageIndexes) {
      throw new TooManySharesError(`account ${account} leases ${usage.leases} storage index(es) and uploads to ${reservedSis.size}; a new one would pass the limit of ${limits.storageIndexes} per ${kind} account.`)
    }
    const needed = count * charge(size)
    this.accounts.checkQuota(usage, account, needed)
    if (free) this.checkFreeBudget(account, count, needed)
    return { free }
  }

  /**
   * A mutable-slot write by `account` that makes it charged for `newShares`
   * more shares and `needed` more bytes (`pending`: bytes its other slot
   * writes in progress were admitted for). Throws as checkAllocation does.
   */
  checkSlotGrowth (account: string, si: string, newShares: number, needed: number, pending: number): { free: boolean } {
    const usage = this.accounts.usage(account)
    const free = !usage.granted
    const kind = free ? 'free' : 'granted'
    const limits = free ? this.config.freeLimits : this.config.grantedLimits
    if (newShares > 0 && usage.shares + usage.uploads + newShares > limits.shares) {
      throw new TooManySharesError(`account ${account} holds ${usage.shares} share(s) and uploads ${usage.uploads}; ${newShares} more (mutable) would pass the limit of ${limits.shares} shares per ${kind} account.`)
    }
    const reservedSis = this.reservations.storageIndexesOf(account)
    if (!reservedSis.has(si) && !this.accounts.hasLease(si, account) && usage.leases + reservedSis.size + 1 > limits.storageIndexes) {
      throw new TooManySharesError(`account ${account} leases ${usage.leases} storage index(es) and uploads to ${reservedSis.size}; a new mutable slot would pass the limit of ${limits.storageIndexes} per ${kind} account.`)
    }
    if (needed > 0) {
      this.accounts.checkQuota({ ...usage, reserved: usage.reserved + pending }, account, needed)
      if (free) this.checkFreeBudget(account, 0, needed + pending)
    }
    return { free }
  }

  /** A free account's upload became a stored share: its charge moves from reserved to stored. */
  noteFreeStored (bytes: number): void {
    if (this.freeStored !== undefined) this.freeStored += bytes
  }

  /** Shares were deleted (GC) or an account changed kind: read the free accounts' stored bytes again next time. */
  forgetFreeStored (): void {
    this.freeStored = undefined
  }

  /** Bytes charged to free accounts: stored (read at most every few seconds) plus reserved. */
  freeUsed (): number {
    return this.storedByFree() + this.reservations.free().bytes
  }

  private checkFreeBudget (account: string, count: number, needed: number): void {
    const reserved = this.reservations.free()
    if (reserved.count + count > this.config.freeMaxReservations) {
      this.log('free reservations full (%d): refused %s', reserved.count, account)
      throw new FreeBudgetExceededError(`free accounts together have ${reserved.count} uploads in progress, the most this server allows them (${this.config.freeMaxReservations}); try again later, or ask the operator to grant your account.`)
    }
    const used = this.storedByFree() + reserved.bytes
    if (used + needed > this.freeBudget) {
      this.log('free budget full (%d of %d bytes): refused %d bytes for %s', used, this.freeBudget, needed, account)
      throw new FreeBudgetExceededError(`free accounts together use ${used} of the ${this.freeBudget} bytes this server sets aside for them; ${needed} more bytes do not fit. Try another server, or ask the operator to grant your account.`)
    }
  }

  private storedByFree (): number {
    this.freeStored ??= this.accounts.storedByFree()
    return this.freeStored
  }
}
