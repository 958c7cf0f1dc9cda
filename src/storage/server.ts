import { statfsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import type { Logger } from '@libp2p/logger'
import type Database from 'better-sqlite3'
import { Accounts, MAX_LISTING } from './accounts.js'
import { Capacity } from './capacity.js'
import { resolveOptions, type Config } from './config.js'
import { CorruptionAdvisories } from './corruption.js'
import { openDatabase, prepareQueries, type Queries } from './db.js'
import { InvalidArgumentError, ServerClosedError } from './errors.js'
import { Expirer, type GcResult } from './expirer.js'
import { Leases } from './leases.js'
import { Limits } from './limits.js'
import { MutableSlots } from './mutable-slots.js'
import type { ReadVector } from './mutable-container.js'
import type { ReadTestWriteResult } from './mutable-slots.js'
import { decodeStorageIndex, sharePaths, type SharePaths } from './paths.js'
import { recover } from './recovery.js'
import { Reservations } from './reservations.js'
import { ShareStore } from './share-store.js'
import { recoverSlots, SlotStore, type SlotWriteRequest } from './slot-store.js'
import { Uploads } from './uploads.js'
import type {
  AccountSummary, AccountUsage, AllocateResult, CorruptionReport, GrantedAccount, LeaseSecrets, ShareEventDetail, StorageServer,
  StorageServerOptions, StorageStats, StorageVersion, StoredShare, Terms
} from './types.js'

/** Rows a status read returns when the caller names no limit. */
const DEFAULT_LISTING = 20

export async function createStorageServer (opts: StorageServerOptions): Promise<StorageServer> {
  const config = resolveOptions(opts)
  const paths = sharePaths(config.dir)
  await mkdir(paths.root, { recursive: true })
  const db = openDatabase(paths.database)
  try {
    const q = prepareQueries(db)
    await recover(db, q, paths, config.now(), config.leaseDurationMs, config.logger)
    const slots = new MutableSlots({ dir: config.dir, serverId: config.serverId, maxShareSize: config.maxShareSize })
    await recoverSlots(db, q, slots, config.now(), config.leaseDurationMs, config.logger)
    return new LocalStorageServer(config, paths, db, q, slots)
  } catch (err) {
    db.close()
    throw err
  }
}

/**
 * The public face: checks the server is running, then hands each call to the
 * module whose job it is. The modules share one database and one set of
 * reservations; this class owns their lifecycle and the events.
 */
class LocalStorageServer extends EventTarget implements StorageServer {
  readonly dir: string
  private readonly log: Logger
  private readonly shares: ShareStore
  private readonly accounting: Accounts
  private readonly capacity: Capacity
  private readonly leases: Leases
  private readonly uploads: Uploads
  private readonly reservations = new Reservations()
  private readonly advisories: CorruptionAdvisories
  private readonly limits: Limits
  private readonly expirer: Expirer
  private readonly slots: SlotStore
  private readonly served = { reads: 0, bytes: 0 }
  private stopping?: Promise<void>

  constructor (private readonly config: Config, paths: SharePaths, private readonly db: Database.Database, q: Queries, slots: MutableSlots) {
    super()
    this.dir = config.dir
    const logger = config.logger
    this.log = logger.forComponent('lafs-club:storage:server')
    this.shares = new ShareStore(db, q, paths, logger)
    this.accounting = new Accounts(db, q, config, this.reservations, logger)
    // Slot rows are read through late-bound closures: the slot store needs the modules built here.
    const shares = this.shares
    const slotStore = (): SlotStore => this.slots
    const stored = { get charged () { return shares.charged + slotStore().charged } }
    this.capacity = new Capacity(config.capacity, paths, stored, this.reservations)
    this.leases = new Leases(db, q, config, this.shares, this.accounting, logger, si => slotStore().holds(si))
    this.advisories = new CorruptionAdvisories(q, config, this.shares, logger, (si, n) => slotStore().has(si, n))
    this.limits = new Limits(config, config.freeBudget ?? defaultFreeBudget(config.capacity, paths.root, this.shares.bytes),
      this.accounting, this.reservations, logger)
    this.slots = new SlotStore(db, q, config.now, slots, this.leases, this.accounting, this.limits, this.capacity, logger)
    // A new slot share is announced like an immutable one.
    this.slots.onShareCreated = (si, n) => { this.emit('share-stored', si, n) }
    this.uploads = new Uploads({
      config,
      paths,
      db,
      reservations: this.reservations,
      shares: this.shares,
      leases: this.leases,
      accounts: this.accounting,
      capacity: this.capacity,
      limits: this.limits,
      onStored: (si, n) => { this.emit('share-stored', si, n) }
    }, logger)
    this.expirer = new Expirer(this.leases, this.shares, {
      intervalMs: config.gcIntervalMs,
      now: config.now,
      onDeleted: (si, n) => {
        this.limits.forgetFreeStored()
        this.emit('share-deleted', si, n)
      },
      onError: (err) => { this.dispatchEvent(new CustomEvent('gc-error', { detail: err })) },
      collectSlots: async (now, stopped) => await this.slots.collect(now, stopped)
    }, logger)
    this.log('serving %s: %d mutable share(s), %d bytes', config.dir, this.slots.shares, this.slots.bytes)
    this.log('serving %s: %d share(s), %d bytes, capacity %d, free quota %d, free budget %d', config.dir, this.shares.shares,
      this.shares.bytes, config.capacity, config.freeQuota, this.limits.freeBudget)
  }

  // ---- version, terms, accounting ---------------------------------------

  version (): StorageVersion {
    this.assertOpen()
    return {
      maximumImmutableShareSize: this.config.maxShareSize,
      availableSpace: this.capacity.available(),
      applicationVersion: this.config.applicationVersion
    }
  }

  terms (): Terms {
    return this.accounting.terms()
  }

  usage (account: string): AccountUsage {
    this.assertOpen()
    return this.accounting.usage(account)
  }

  accounts (opts: { limit?: number } = {}): { total: number, top: AccountSummary[] } {
    this.assertOpen()
    return this.accounting.summaries(opts?.limit ?? DEFAULT_LISTING)
  }

  grantAccount (account: string, opts: { quota: number, note?: string }): GrantedAccount {
    this.assertOpen()
    const granted = this.accounting.grant(account, opts)
    this.limits.forgetFreeStored()
    return granted
  }

  revokeAccount (account: string): boolean {
    this.assertOpen()
    const revoked = this.accounting.revoke(account)
    this.limits.forgetFreeStored()
    return revoked
  }

  listAccounts (opts: { limit?: number, offset?: number } = {}): { total: number, accounts: GrantedAccount[] } {
    this.assertOpen()
    return this.accounting.listGranted(opts?.limit ?? 100, opts?.offset ?? 0)
  }

  accountDisconnected (account: string): void {
    this.assertOpen()
    this.uploads.accountDisconnected(account)
  }

  accountConnected (account: string): void {
    this.assertOpen()
    this.uploads.accountConnected(account)
  }

  stats (): StorageStats {
    this.assertOpen()
    return {
      shares: this.shares.shares + this.slots.shares,
      bytes: this.shares.bytes + this.slots.bytes,
      mutableShares: this.slots.shares,
      mutableBytes: this.slots.bytes,
      capacity: this.config.capacity,
      accounts: this.accounting.count(),
      incoming: this.reservations.size,
      freeUsed: this.limits.freeUsed(),
      freeBudget: this.limits.freeBudget
    }
  }

  createInvitation (opts: { quota: number, note?: string }): string {
    this.assertOpen()
    return this.accounting.createInvitation(opts)
  }

  redeemInvitation (account: string, code: string): { quota: number } {
    this.assertOpen()
    const result = this.accounting.redeemInvitation(account, code)
    this.limits.forgetFreeStored()
    return result
  }

  // ---- uploads ------------------------------------------------------------

  async allocate (account: string, storageIndex: Uint8Array, shareNumbers: number[], shareSize: number, lease: LeaseSecrets): Promise<AllocateResult> {
    this.assertOpen()
    return await this.uploads.allocate(account, storageIndex, shareNumbers, shareSize, lease)
  }

  async write (account: string, storageIndex: Uint8Array, shareNumber: number, offset: number, data: Uint8Array | readonly Uint8Array[]): Promise<{ complete: boolean }> {
    this.assertOpen()
    return await this.uploads.write(account, storageIndex, shareNumber, offset, data)
  }

  async closeShare (account: string, storageIndex: Uint8Array, shareNumber: number): Promise<void> {
    this.assertOpen()
    await this.uploads.closeShare(account, storageIndex, shareNumber)
  }

  async abort (account: string, storageIndex: Uint8Array, shareNumber: number): Promise<void> {
    this.assertOpen()
    await this.uploads.abort(account, storageIndex, shareNumber)
  }

  // ---- stored shares, leases, advisories ----------------------------------

  async listShares (storageIndex: Uint8Array): Promise<StoredShare[]> {
    this.assertOpen()
    return this.shares.list(storageIndex)
  }

  async read (storageIndex: Uint8Array, shareNumber: number, offset: number, length: number): Promise<Uint8Array> {
    this.assertOpen()
    const got = await this.shares.read(storageIndex, shareNumber, offset, length)
    this.served.reads++
    this.served.bytes += got.byteLength
    return got
  }

  /** Immutable-share reads answered since the server started, and their bytes (how much of a download this server carried). */
  readCounters (): { reads: number, bytes: number } {
    return { ...this.served }
  }

  /** Share numbers held per storage index: immutable shares and mutable slot shares alike (a storage index is one or the other). */
  async have (storageIndexes: Uint8Array[]): Promise<number[][]> {
    this.assertOpen()
    const held = this.shares.have(storageIndexes)
    return held.map((shnums, i) => {
      const slot = this.slots.list(storageIndexes[i]).map(s => s.shareNumber)
      return slot.length === 0 ? shnums : [...new Set([...shnums, ...slot])].sort((a, b) => a - b)
    })
  }

  /** Every storage index held, immutable or mutable (what the node keeps provider records for). */
  storageIndexes (): Uint8Array[] {
    this.assertOpen()
    const out = this.shares.storageIndexes()
    for (const name of this.slots.storageIndexNames()) {
      const si = decodeStorageIndex(name)
      if (si !== undefined) out.push(si)
    }
    return out
  }

  async addLease (account: string, storageIndex: Uint8Array, lease: LeaseSecrets): Promise<void> {
    this.assertOpen()
    this.leases.add(account, storageIndex, lease)
  }

  async adviseCorrupt (account: string, storageIndex: Uint8Array, shareNumber: number, reason: string): Promise<void> {
    this.assertOpen()
    this.advisories.advise(account, storageIndex, shareNumber, reason)
  }

  corruptionReports (opts: { limit?: number } = {}): { total: number, recent: CorruptionReport[] } {
    this.assertOpen()
    const limit = opts?.limit ?? DEFAULT_LISTING
    if (!Number.isSafeInteger(limit) || limit < 0) throw new InvalidArgumentError(`limit must be a non-negative integer, got ${String(limit)}`)
    return this.advisories.reports(Math.min(limit, MAX_LISTING))
  }

  // ---- mutable slots ------------------------------------------------------

  async slotReadTestWrite (account: string, request: SlotWriteRequest): Promise<ReadTestWriteResult> {
    this.assertOpen()
    return await this.slots.readTestWrite(account, request)
  }

  async slotRead (storageIndex: Uint8Array, shareNumbers: readonly number[], readVector: readonly ReadVector[]): Promise<Map<number, Uint8Array[]>> {
    this.assertOpen()
    return await this.slots.readv(storageIndex, shareNumbers, readVector)
  }

  async listSlotShares (storageIndex: Uint8Array): Promise<StoredShare[]> {
    this.assertOpen()
    return this.slots.list(storageIndex)
  }

  async gc (): Promise<GcResult> {
    this.assertOpen()
    return await this.expirer.run()
  }

  // ---- lifecycle ----------------------------------------------------------

  async stop (): Promise<void> {
    this.stopping ??= this.shutdown()
    await this.stopping
  }

  private async shutdown (): Promise<void> {
    this.log('stopping %s', this.dir)
    await this.expirer.stop()
    await this.uploads.dropAll()
    await this.slots.close()
    await this.shares.close()
    this.db.close()
    this.log('stopped %s', this.dir)
  }

  private assertOpen (): void {
    if (this.stopping !== undefined) throw new ServerClosedError()
  }

  private emit (type: 'share-stored' | 'share-deleted', storageIndex: Uint8Array, shareNumber: number): void {
    this.dispatchEvent(new CustomEvent<ShareEventDetail>(type, { detail: { storageIndex, shareNumber } }))
  }
}

/**
 * Half of what the server could hold: of `capacity` if set, else of the disk
 * space free for shares at start plus what they already take. Strangers
 * together can then never take the room granted accounts need.
 */
function defaultFreeBudget (capacity: number, root: string, stored: number): number {
  if (Number.isFinite(capacity)) return Math.floor(capacity / 2)
  try {
    const fs = statfsSync(root)
    return Math.floor((fs.bavail * fs.bsize + stored) / 2)
  } catch {
    return Number.MAX_SAFE_INTEGER
  }
}
