import { createHash } from 'node:crypto'
import { mkdirSync, renameSync, rmdirSync, rmSync, statfsSync } from 'node:fs'
import { mkdir, open } from 'node:fs/promises'
import { dirname } from 'node:path'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type Database from 'better-sqlite3'
import { decodeStorageIndex, encodeStorageIndex } from './base32.js'
import {
  DEFAULT_APPLICATION_VERSION, DEFAULT_FREE_QUOTA, DEFAULT_GC_INTERVAL_MS, DEFAULT_LEASE_DURATION_MS,
  DEFAULT_MAX_SHARE_SIZE, DEFAULT_UPLOAD_TIMEOUT_MS, HAVE_BATCH_SIZE, MAX_CORRUPTION_REASON_LENGTH
} from './constants.js'
import { openDatabase, prepareQueries, type Queries } from './db.js'
import {
  AlreadyCompleteError, CapacityExceededError, ConflictError, IncompleteShareError, InvalidArgumentError,
  InvitationUnknownError, InvitationUsedError, NoSuchShareError, NoSuchUploadError, NotAllocatedError,
  OutOfRangeError, QuotaExceededError, ServerClosedError, ShareTooLargeError
} from './errors.js'
import { canonicalInvitationCode, newInvitationCode } from './invitation-code.js'
import { sharePaths, shareDir, shareFile, type SharePaths } from './paths.js'
import { describeRanges } from './ranges.js'
import { recover } from './recovery.js'
import { ReadHandles } from './read-handles.js'
import { readFully, Upload } from './upload.js'
import {
  checkAccount, checkLease, checkNonNegativeInteger, checkPieces, checkShareNumber, checkStorageIndex
} from './validate.js'
import type {
  AccountSummary, AccountUsage, AllocateResult, CorruptionReport, LeaseSecrets, PaymentMethod,
  ShareEventDetail, StorageServer, StorageServerOptions, StorageStats, StorageVersion, StoredShare, Terms
} from './types.js'

export async function createStorageServer (opts: StorageServerOptions): Promise<StorageServer> {
  const config = resolveOptions(opts)
  const paths = sharePaths(config.dir)
  await mkdir(paths.root, { recursive: true })
  const db = openDatabase(paths.database)
  try {
    const q = prepareQueries(db)
    await recover(db, q, paths, config.now(), config.leaseDurationMs)
    return new LocalStorageServer(config, paths, db, q)
  } catch (err) {
    db.close()
    throw err
  }
}

type Config = Required<Omit<StorageServerOptions, 'invitationExplanation'>> & { invitationExplanation?: string }

function resolveOptions (opts: StorageServerOptions): Config {
  if (typeof opts?.dir !== 'string' || opts.dir === '') throw new InvalidArgumentError('storage server needs a data folder (dir)')
  const config: Config = {
    dir: opts.dir,
    capacity: opts.capacity ?? Infinity,
    freeQuota: opts.freeQuota ?? DEFAULT_FREE_QUOTA,
    leaseDurationMs: opts.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS,
    maxShareSize: opts.maxShareSize ?? DEFAULT_MAX_SHARE_SIZE,
    uploadTimeoutMs: opts.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS,
    paymentMethods: opts.paymentMethods ?? [],
    invitationExplanation: opts.invitationExplanation,
    gcIntervalMs: opts.gcIntervalMs ?? DEFAULT_GC_INTERVAL_MS,
    now: opts.now ?? Date.now,
    applicationVersion: opts.applicationVersion ?? DEFAULT_APPLICATION_VERSION
  }
  for (const name of ['freeQuota', 'leaseDurationMs', 'maxShareSize', 'uploadTimeoutMs', 'gcIntervalMs'] as const) {
    checkNonNegativeInteger(name, config[name])
  }
  if (!(config.capacity >= 0)) throw new InvalidArgumentError(`capacity must be a non-negative number, got ${config.capacity}`)
  return config
}

function hashSecret (secret: Uint8Array): Uint8Array {
  return createHash('sha256').update(secret).digest()
}

function sorted (numbers: Iterable<number>): number[] {
  return [...numbers].sort((a, b) => a - b)
}

function uploadKey (si: string, shareNumber: number): string {
  return `${si}/${shareNumber}`
}

/** rmdir each folder up to (not including) `stop` while they are empty. */
function removeEmptyDirs (from: string, stop: string): void {
  let dir = from
  while (dir.startsWith(stop) && dir !== stop) {
    try {
      rmdirSync(dir)
    } catch {
      return
    }
    dir = dirname(dir)
  }
}

async function fsyncDir (dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

class LocalStorageServer extends EventTarget implements StorageServer {
  readonly dir: string
  private readonly uploads = new Map<string, Upload>()
  private readonly readHandles = new ReadHandles()
  private readonly gcTimer?: NodeJS.Timeout
  private gcRunning?: Promise<{ deletedShares: number, freedBytes: number }>
  private closed = false
  // Running totals: a SUM over every share row on each allocation would not scale.
  private storedShares: number
  private storedBytes: number

  constructor (
    private readonly config: Config,
    private readonly paths: SharePaths,
    private readonly db: Database.Database,
    private readonly q: Queries
  ) {
    super()
    this.dir = config.dir
    const totals = q.totals.get()!
    this.storedShares = totals.shares
    this.storedBytes = totals.bytes
    if (config.gcIntervalMs > 0) {
      this.gcTimer = setInterval(() => {
        this.gc().catch((err: unknown) => {
          if (!this.closed) this.dispatchEvent(new CustomEvent('gc-error', { detail: err }))
        })
      }, config.gcIntervalMs)
      this.gcTimer.unref()
    }
  }

  // ---- version, terms, accounting ---------------------------------------

  version (): StorageVersion {
    this.assertOpen()
    return {
      maximumImmutableShareSize: this.config.maxShareSize,
      availableSpace: Math.max(0, Math.min(this.capacityLeft(), this.diskLeft())),
      applicationVersion: this.config.applicationVersion
    }
  }

  terms (): Terms {
    const methods: Terms['methods'] = []
    if (this.config.freeQuota > 0) {
      methods.push({ name: 'free', explanation: `Every account may store up to ${this.config.freeQuota} bytes without asking.` })
    }
    methods.push({
      name: 'invitation',
      explanation: this.config.invitationExplanation ??
        'Ask the operator of this server for an invitation code; redeeming it raises your quota.'
    })
    for (const m of this.config.paymentMethods as PaymentMethod[]) {
      methods.push({ name: m.name, url: m.url, explanation: m.explanation })
    }
    return { freeQuota: this.config.freeQuota, methods }
  }

  usage (account: string): AccountUsage {
    this.assertOpen()
    checkAccount(account)
    const now = this.config.now()
    const { bytes, shares } = this.q.usage.get(account, now)!
    return {
      bytes,
      shares,
      leases: this.q.leaseCount.get(account, now) ?? 0,
      quota: this.quotaOf(account),
      reserved: this.reservedBy(account)
    }
  }

  accounts (): AccountSummary[] {
    this.assertOpen()
    return this.q.accountSummaries.all(this.config.now()).map(row => ({
      account: row.account,
      bytes: row.bytes,
      shares: row.shares,
      quota: Math.max(this.config.freeQuota, row.quota ?? 0)
    }))
  }

  stats (): StorageStats {
    this.assertOpen()
    return {
      shares: this.storedShares,
      bytes: this.storedBytes,
      capacity: this.config.capacity,
      accounts: this.q.accountCount.get() ?? 0,
      incoming: this.uploads.size
    }
  }

  createInvitation (opts: { quota: number, note?: string }): string {
    this.assertOpen()
    const quota = checkNonNegativeInteger('invitation quota', opts?.quota)
    if (opts.note !== undefined && typeof opts.note !== 'string') throw new InvalidArgumentError('invitation note must be a string')
    for (;;) {
      const code = newInvitationCode()
      if (this.q.invitation.get(canonicalInvitationCode(code)) !== undefined) continue
      this.q.insertInvitation.run(canonicalInvitationCode(code), quota, opts.note ?? null, this.config.now())
      return code
    }
  }

  redeemInvitation (account: string, code: string): { quota: number } {
    this.assertOpen()
    checkAccount(account)
    if (typeof code !== 'string') throw new InvalidArgumentError('invitation code must be a string')
    const canonical = canonicalInvitationCode(code)
    const now = this.config.now()
    this.db.transaction(() => {
      const invitation = this.q.invitation.get(canonical)
      if (invitation === undefined) {
        throw new InvitationUnknownError(`invitation code ${code} is not known to this server; check it for typos`)
      }
      if (invitation.redeemed_by !== null) {
        throw new InvitationUsedError(`invitation code ${code} was already redeemed; ask the operator for a new one`)
      }
      this.q.redeemInvitation.run(account, now, canonical)
      this.q.ensureAccount.run(account, now)
      this.q.raiseQuota.run(invitation.quota, canonical, account)
    }).immediate()
    return { quota: this.quotaOf(account) }
  }

  corruptionReports (): CorruptionReport[] {
    this.assertOpen()
    return this.q.reports.all().map(r => ({
      storageIndex: r.si, shareNumber: r.shnum, reason: r.reason, reportedBy: r.reported_by, at: r.at
    }))
  }

  // ---- uploads ------------------------------------------------------------

  async allocate (account: string, storageIndex: Uint8Array, shareNumbers: number[], shareSize: number, lease: LeaseSecrets): Promise<AllocateResult> {
    this.assertOpen()
    checkAccount(account)
    checkStorageIndex(storageIndex)
    if (!Array.isArray(shareNumbers)) throw new InvalidArgumentError('share numbers must be an array')
    const wanted = sorted(new Set(shareNumbers.map(checkShareNumber)))
    checkNonNegativeInteger('share size', shareSize)
    if (shareSize > this.config.maxShareSize) {
      throw new ShareTooLargeError(`share size ${shareSize} exceeds this server's maximum of ${this.config.maxShareSize} bytes; use more shares or another server`)
    }
    checkLease(lease)

    const si = encodeStorageIndex(storageIndex)
    const held = this.q.sharesOf.all(si).map(r => r.shnum)
    const heldSet = new Set(held)
    const fresh: number[] = []
    const resumed: number[] = []
    for (const n of wanted) {
      if (heldSet.has(n)) continue
      const upload = this.uploads.get(uploadKey(si, n))
      if (upload === undefined) {
        fresh.push(n)
      } else if (upload.account === account) {
        if (upload.size !== shareSize) {
          throw new ConflictError(`share ${n} of ${si} is already being uploaded with size ${upload.size}, not ${shareSize}; abort it first`)
        }
        resumed.push(n)
      }
      // Another account's upload in progress: neither allocated nor held, as in Tahoe.
    }

    const needed = fresh.length * shareSize
    if (needed > 0) {
      this.checkQuota(account, needed)
      this.checkCapacity(needed)
    }

    const now = this.config.now()
    this.db.transaction(() => {
      this.q.ensureAccount.run(account, now)
      if (held.length > 0) this.upsertLease(si, account, lease, now)
    }).immediate()

    // Reserve synchronously (the map is the reservation) before any await, so
    // concurrent allocations see each other.
    const created = fresh.map(n => {
      const upload = new Upload(account, si, storageIndex.slice(), n, shareSize, lease, shareFile(this.paths.incomingRoot, si, n))
      this.uploads.set(uploadKey(si, n), upload)
      return upload
    })
    const results = await Promise.allSettled(created.map(u => u.run(async () => await u.create())))
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed !== undefined) {
      await Promise.all(created.map(async u => { await this.dropUpload(u) }))
      throw failed.reason
    }
    for (const u of created) this.armIdleTimer(u)
    for (const n of resumed) {
      const u = this.uploads.get(uploadKey(si, n))
      if (u !== undefined) this.armIdleTimer(u)
    }
    return { allocated: sorted([...fresh, ...resumed]), alreadyHave: held }
  }

  /** Writes share bytes at `offset`; `data` may be several buffers, written back to back. */
  async write (account: string, storageIndex: Uint8Array, shareNumber: number, offset: number, data: Uint8Array | readonly Uint8Array[]): Promise<{ complete: boolean }> {
    this.assertOpen()
    const pieces = checkPieces(data)
    const length = pieces.reduce((n, p) => n + p.byteLength, 0)
    checkNonNegativeInteger('offset', offset)
    const upload = this.uploadFor(account, storageIndex, shareNumber)
    if (offset + length > upload.size) {
      throw new OutOfRangeError(`write of ${length} bytes at offset ${offset} goes past the end of share ${shareNumber} of ${upload.si}, which was allocated with ${upload.size} bytes`)
    }
    upload.touch()
    return await upload.run(async () => {
      this.assertStillOpen(upload)
      const complete = await upload.write(offset, pieces)
      this.armIdleTimer(upload)
      return { complete }
    })
  }

  close (): Promise<void>
  close (account: string, storageIndex: Uint8Array, shareNumber: number): Promise<void>
  async close (account?: string, storageIndex?: Uint8Array, shareNumber?: number): Promise<void> {
    if (account === undefined && storageIndex === undefined && shareNumber === undefined) {
      await this.shutdown()
      return
    }
    await this.closeShare(account as string, storageIndex as Uint8Array, shareNumber as number)
  }

  async closeShare (account: string, storageIndex: Uint8Array, shareNumber: number): Promise<void> {
    this.assertOpen()
    checkAccount(account)
    const si = encodeStorageIndex(checkStorageIndex(storageIndex))
    checkShareNumber(shareNumber)
    const upload = this.uploads.get(uploadKey(si, shareNumber))
    // Closing a share that is already stored is a no-op, so a client may retry a close whose answer it lost.
    if (upload === undefined && this.q.share.get(si, shareNumber) !== undefined) return
    const own = this.uploadFor(account, storageIndex, shareNumber)
    await own.run(async () => {
      if (own.state !== 'open' && this.q.share.get(si, shareNumber) !== undefined) return
      this.assertStillOpen(own)
      if (!own.ranges.isComplete(own.size)) {
        throw new IncompleteShareError(`share ${shareNumber} of ${si} is not complete: bytes ${describeRanges(own.ranges.missing(own.size))} are still missing`)
      }
      own.state = 'closing'
      try {
        await own.seal()
      } catch (err) {
        await this.dropUpload(own)
        throw err
      }
      this.publish(own)
    })
    await fsyncDir(shareDir(this.paths.root, si)).catch(() => {})
  }

  /**
   * Rename into place and record share + lease, synchronously so nothing
   * (GC, a reader, an allocation) runs between the two steps.
   */
  private publish (upload: Upload): void {
    const finalDir = shareDir(this.paths.root, upload.si)
    const finalPath = shareFile(this.paths.root, upload.si, upload.shareNumber)
    try {
      mkdirSync(finalDir, { recursive: true })
      renameSync(upload.path, finalPath)
    } catch (err) {
      void this.dropUpload(upload)
      throw err
    }
    try {
      const now = this.config.now()
      this.db.transaction(() => {
        this.q.insertShare.run(upload.si, upload.shareNumber, upload.size, now)
        this.q.ensureAccount.run(upload.account, now)
        this.upsertLease(upload.si, upload.account, upload.lease, now)
      }).immediate()
      this.storedShares++
      this.storedBytes += upload.size
    } catch (err) {
      // Without its row the share must not stay visible to readers.
      rmSync(finalPath, { force: true })
      this.readHandles.forget(finalPath)
      this.forgetUpload(upload)
      throw err
    }
    this.forgetUpload(upload)
    removeEmptyDirs(dirname(upload.path), this.paths.incomingRoot)
    this.emit('share-stored', upload.storageIndex, upload.shareNumber)
  }

  async abort (account: string, storageIndex: Uint8Array, shareNumber: number): Promise<void> {
    this.assertOpen()
    const upload = this.uploadFor(account, storageIndex, shareNumber)
    await upload.run(async () => {
      if (upload.state !== 'open') {
        if (this.q.share.get(upload.si, shareNumber) !== undefined) {
          throw new AlreadyCompleteError(`share ${shareNumber} of ${upload.si} is already stored; it cannot be aborted`)
        }
        return
      }
      await this.dropUpload(upload)
    })
  }

  /** The caller's upload in progress, or the error explaining why there is none. */
  private uploadFor (account: string, storageIndex: Uint8Array, shareNumber: number): Upload {
    checkAccount(account)
    const si = encodeStorageIndex(checkStorageIndex(storageIndex))
    checkShareNumber(shareNumber)
    const upload = this.uploads.get(uploadKey(si, shareNumber))
    if (upload === undefined) {
      if (this.q.share.get(si, shareNumber) !== undefined) {
        throw new AlreadyCompleteError(`share ${shareNumber} of ${si} is already stored and can no longer be changed`)
      }
      throw new NoSuchUploadError(`no upload of share ${shareNumber} of ${si} is in progress; allocate it first (idle uploads are aborted after ${this.config.uploadTimeoutMs} ms)`)
    }
    if (upload.account !== account) {
      throw new NotAllocatedError(`share ${shareNumber} of ${si} is being uploaded by another account; only the account that allocated it may write, close or abort it`)
    }
    return upload
  }

  private assertStillOpen (upload: Upload): void {
    if (upload.state !== 'open') {
      throw new NoSuchUploadError(`the upload of share ${upload.shareNumber} of ${upload.si} was aborted (timed out, or the server is closing); allocate it again`)
    }
  }

  private armIdleTimer (upload: Upload): void {
    const timeout = this.config.uploadTimeoutMs
    upload.armIdleTimer(timeout, () => {
      void upload.run(async () => {
        if (upload.state !== 'open') return
        // The timer may have fired while a write waited in the queue.
        if (upload.idleMs() < timeout) {
          this.armIdleTimer(upload)
          return
        }
        await this.dropUpload(upload)
      }).catch(() => {})
    })
  }

  private forgetUpload (upload: Upload): void {
    upload.stopTimer()
    upload.state = 'finished'
    if (this.uploads.get(uploadKey(upload.si, upload.shareNumber)) === upload) {
      this.uploads.delete(uploadKey(upload.si, upload.shareNumber))
    }
  }

  /** Delete the incoming file and release the reservation. */
  private async dropUpload (upload: Upload): Promise<void> {
    this.forgetUpload(upload)
    await upload.discard()
    removeEmptyDirs(dirname(upload.path), this.paths.incomingRoot)
  }

  private reservedBy (account: string): number {
    let total = 0
    for (const u of this.uploads.values()) if (u.account === account) total += u.size
    return total
  }

  private quotaOf (account: string): number {
    return Math.max(this.config.freeQuota, this.q.account.get(account)?.quota ?? 0)
  }

  private checkQuota (account: string, needed: number): void {
    const usage = this.usage(account)
    const total = usage.bytes + usage.reserved + needed
    if (total > usage.quota) {
      throw new QuotaExceededError(`account ${account} has a quota of ${usage.quota} bytes and uses ${usage.bytes} (plus ${usage.reserved} reserved by uploads in progress); ${needed} more bytes would make ${total}. Redeem an invitation or free space by letting leases expire.`)
    }
  }

  private capacityLeft (): number {
    let reserved = 0
    for (const u of this.uploads.values()) reserved += u.size
    return this.config.capacity - this.storedBytes - reserved
  }

  /** Free disk space minus what uploads in progress have yet to write. */
  private diskLeft (): number {
    let free: number
    try {
      const fs = statfsSync(this.paths.root)
      free = fs.bavail * fs.bsize
    } catch {
      return Infinity
    }
    for (const u of this.uploads.values()) free -= u.unwritten
    return free
  }

  private checkCapacity (needed: number): void {
    const left = this.capacityLeft()
    if (needed > left) {
      const stored = this.storedBytes
      throw new CapacityExceededError(`this server holds ${stored} bytes and has ${this.config.capacity - stored - left} reserved for uploads in progress; ${needed} more bytes would exceed its capacity of ${this.config.capacity} bytes. Try another server.`)
    }
    const disk = this.diskLeft()
    if (needed > disk) {
      throw new CapacityExceededError(`this server's disk has only ${Math.max(0, disk)} bytes free for new shares; ${needed} bytes requested. Try another server.`)
    }
  }

  // ---- stored shares ------------------------------------------------------

  async listShares (storageIndex: Uint8Array): Promise<StoredShare[]> {
    this.assertOpen()
    const si = encodeStorageIndex(checkStorageIndex(storageIndex))
    return this.q.sharesOf.all(si).map(r => ({ shareNumber: r.shnum, size: r.size }))
  }

  async read (storageIndex: Uint8Array, shareNumber: number, offset: number, length: number): Promise<Uint8Array> {
    this.assertOpen()
    const si = encodeStorageIndex(checkStorageIndex(storageIndex))
    checkShareNumber(shareNumber)
    checkNonNegativeInteger('offset', offset)
    checkNonNegativeInteger('length', length)
    try {
      // Only complete shares are ever at this path, so the file alone answers.
      return await this.readHandles.use(shareFile(this.paths.root, si, shareNumber), async (handle, size) => {
        const out = new Uint8Array(Math.max(0, Math.min(length, size - offset)))
        const got = await readFully(handle, out, offset)
        return got === out.length ? out : out.subarray(0, got)
      })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new NoSuchShareError(`this server holds no share ${shareNumber} of ${si}`)
      }
      throw err
    }
  }

  async addLease (account: string, storageIndex: Uint8Array, lease: LeaseSecrets): Promise<void> {
    this.assertOpen()
    checkAccount(account)
    const si = encodeStorageIndex(checkStorageIndex(storageIndex))
    checkLease(lease)
    const now = this.config.now()
    this.db.transaction(() => {
      if (this.q.sharesOf.all(si).length === 0) {
        throw new NoSuchShareError(`this server holds no shares of ${si}, so there is nothing to lease`)
      }
      this.q.ensureAccount.run(account, now)
      this.upsertLease(si, account, lease, now)
    }).immediate()
  }

  /**
   * One lease per (storage index, account). A lease whose renew secret matches
   * is renewed whoever holds it (knowing the secret is Tahoe's authority to
   * renew); the caller's own lease is created or renewed and takes the new secrets.
   */
  private upsertLease (si: string, account: string, lease: LeaseSecrets, now: number): void {
    const expires = now + this.config.leaseDurationMs
    const renew = hashSecret(lease.renewSecret)
    this.q.renewMatchingLeases.run(expires, si, renew)
    this.q.upsertLease.run(si, account, renew, hashSecret(lease.cancelSecret), expires)
  }

  async adviseCorrupt (account: string, storageIndex: Uint8Array, shareNumber: number, reason: string): Promise<void> {
    this.assertOpen()
    checkAccount(account)
    const si = encodeStorageIndex(checkStorageIndex(storageIndex))
    checkShareNumber(shareNumber)
    if (typeof reason !== 'string' || reason.length < 1 || reason.length > MAX_CORRUPTION_REASON_LENGTH) {
      throw new InvalidArgumentError(`corruption reason must be 1..${MAX_CORRUPTION_REASON_LENGTH} characters`)
    }
    if (this.q.share.get(si, shareNumber) === undefined) {
      throw new NoSuchShareError(`this server holds no share ${shareNumber} of ${si}`)
    }
    this.q.upsertReport.run(si, shareNumber, account, reason, this.config.now())
  }

  async have (storageIndexes: Uint8Array[]): Promise<number[][]> {
    this.assertOpen()
    if (!Array.isArray(storageIndexes)) throw new InvalidArgumentError('storage indexes must be an array')
    const names = storageIndexes.map(si => encodeStorageIndex(checkStorageIndex(si)))
    const result: number[][] = names.map(() => [])
    for (let start = 0; start < names.length; start += HAVE_BATCH_SIZE) {
      const batch = names.slice(start, start + HAVE_BATCH_SIZE)
      for (const row of this.q.have.all(JSON.stringify(batch))) {
        result[start + row.idx].push(row.shnum)
      }
    }
    return result
  }

  storageIndexes (): Uint8Array[] {
    this.assertOpen()
    const out: Uint8Array[] = []
    for (const name of this.q.storageIndexes.all()) {
      const si = decodeStorageIndex(name)
      if (si !== undefined) out.push(si)
    }
    return out
  }

  // ---- garbage collection -------------------------------------------------

  async gc (): Promise<{ deletedShares: number, freedBytes: number }> {
    this.assertOpen()
    this.gcRunning ??= this.collect().finally(() => { this.gcRunning = undefined })
    return await this.gcRunning
  }

  /**
   * Delete shares whose storage index has no live lease. Work goes in small
   * synchronous batches: each share is re-checked, its file unlinked, then its
   * row deleted, with no await in between, so an allocation that renews a lease
   * can never see a share that is about to vanish. File before row: a crash in
   * between leaves a row without a file, which startup recovery drops.
   */
  private async collect (): Promise<{ deletedShares: number, freedBytes: number }> {
    const now = this.config.now()
    const candidates = this.q.expiredShares.all(now)
    let deletedShares = 0
    let freedBytes = 0
    for (let start = 0; start < candidates.length; start += 100) {
      if (this.closed) break
      const gone: typeof candidates = []
      for (const share of candidates.slice(start, start + 100)) {
        if (this.q.hasLiveLease.get(share.si, now) !== undefined) continue
        const file = shareFile(this.paths.root, share.si, share.shnum)
        rmSync(file, { force: true })
        this.readHandles.forget(file)
        gone.push(share)
      }
      this.db.transaction(() => {
        for (const share of gone) this.q.deleteShare.run(share.si, share.shnum)
        for (const si of new Set(gone.map(s => s.si))) this.q.deleteOrphanLeases.run(si, si)
      }).immediate()
      this.storedShares -= gone.length
      this.storedBytes -= gone.reduce((sum, share) => sum + share.size, 0)
      for (const share of gone) {
        removeEmptyDirs(shareDir(this.paths.root, share.si), this.paths.root)
        deletedShares++
        freedBytes += share.size
        const storageIndex = decodeStorageIndex(share.si)
        if (storageIndex !== undefined) this.emit('share-deleted', storageIndex, share.shnum)
      }
      await yieldToEventLoop()
    }
    if (!this.closed) this.q.deleteExpiredLeases.run(now)
    return { deletedShares, freedBytes }
  }

  // ---- lifecycle ----------------------------------------------------------

  private async shutdown (): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.gcTimer !== undefined) clearInterval(this.gcTimer)
    await this.gcRunning?.catch(() => {})
    // Through each upload's queue, so a write in flight finishes before its file goes.
    await Promise.all([...this.uploads.values()].map(async u => {
      await u.run(async () => { await this.dropUpload(u) }).catch(() => {})
    }))
    await this.readHandles.closeAll()
    this.db.close()
  }

  private assertOpen (): void {
    if (this.closed) throw new ServerClosedError()
  }

  private emit (type: 'share-stored' | 'share-deleted', storageIndex: Uint8Array, shareNumber: number): void {
    this.dispatchEvent(new CustomEvent<ShareEventDetail>(type, { detail: { storageIndex, shareNumber } }))
  }
}
