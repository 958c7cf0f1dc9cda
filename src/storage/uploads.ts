import { dirname } from 'node:path'
import type { ComponentLogger, Logger } from '@libp2p/logger'
import type Database from 'better-sqlite3'
import type { Accounts } from './accounts.js'
import type { Capacity } from './capacity.js'
import type { Config } from './config.js'
import { fsyncDir, removeEmptyDirs } from './dirs.js'
import {
  AlreadyCompleteError, ConflictError, IncompleteShareError, InvalidArgumentError, NoSuchUploadError, NotAllocatedError,
  OutOfRangeError, ShareTooLargeError
} from './errors.js'
import type { Leases } from './leases.js'
import type { Limits } from './limits.js'
import { encodeStorageIndex, shareDir, shareFile, type SharePaths } from './paths.js'
import { describeRanges } from './ranges.js'
import { charge, type Reservations } from './reservations.js'
import type { ShareStore } from './share-store.js'
import { Upload } from './upload.js'
import { WriteHandles } from './write-handles.js'
import {
  checkAccount, checkLease, checkNonNegativeInteger, checkPieces, checkShareNumber, checkStorageIndex
} from './validate.js'
import type { AllocateResult, LeaseSecrets } from './types.js'

export interface UploadsDeps {
  config: Pick<Config, 'maxShareSize' | 'uploadTimeoutMs' | 'reservationTimeoutMs' | 'disconnectGraceMs' | 'now'>
  paths: SharePaths
  db: Database.Database
  reservations: Reservations
  shares: ShareStore
  leases: Leases
  accounts: Accounts
  capacity: Capacity
  limits: Limits
  /** A share became visible to readers. */
  onStored: (storageIndex: Uint8Array, shareNumber: number) => void
}

/**
 * The upload lifecycle (Tahoe's BucketWriter side): allocate → write → close
 * or abort, with an idle timer per upload. Uploads live in `shares/incoming/`
 * and are renamed into place only once complete and fsynced.
 *
 * Timers: an upload nobody wrote to is dropped `reservationTimeoutMs` after it
 * was allocated (allocating it again does not extend that); once bytes arrive
 * it is dropped `uploadTimeoutMs` after the last write. An account's uploads
 * are dropped `disconnectGraceMs` after accountDisconnected() unless
 * accountConnected() comes first.
 */
export class Uploads {
  private readonly log: Logger
  private readonly graceTimers = new Map<string, NodeJS.Timeout>()
  /** Descriptors of incoming files, shared by all uploads (write-handles.ts). */
  readonly writeHandles = new WriteHandles()

  constructor (private readonly d: UploadsDeps, logger: ComponentLogger) {
    this.log = logger.forComponent('lafs-club:storage:uploads')
  }

  async allocate (account: string, storageIndex: Uint8Array, shareNumbers: number[], shareSize: number, lease: LeaseSecrets): Promise<AllocateResult> {
    const { fresh, resumed, held, si, free } = this.plan(account, storageIndex, shareNumbers, shareSize, lease)
    const now = this.d.config.now()
    this.d.db.transaction(() => {
      this.d.accounts.ensure(account, now)
      if (held.length > 0) this.d.leases.record(si, account, lease, now)
    }).immediate()

    // Reserve synchronously (the entry is the reservation), so concurrent
    // allocations see each other. No file yet: it is created at the first write.
    for (const n of fresh) {
      const upload = new Upload(account, si, storageIndex.slice(), n, shareSize, lease, shareFile(this.d.paths.incomingRoot, si, n), free, this.writeHandles)
      this.d.reservations.add(upload)
      this.armIdleTimer(upload)
    }
    // Resumed uploads keep their timers: re-allocating must not keep an unwritten bucket alive forever.
    this.log('%s allocated share(s) [%s] of %s, %d bytes each (resumed [%s], already held [%s])',
      account, fresh.join(','), si, shareSize, resumed.join(','), held.join(','))
    return { allocated: sorted([...fresh, ...resumed]), alreadyHave: held }
  }

  /** Validates an allocation and decides which shares are new; throws (and logs) a refusal. */
  private plan (account: string, storageIndex: Uint8Array, shareNumbers: number[], shareSize: number, lease: LeaseSecrets):
  { fresh: number[], resumed: number[], held: number[], si: string, free: boolean } {
    try {
      checkAccount(account)
      const si = encodeStorageIndex(checkStorageIndex(storageIndex))
      if (!Array.isArray(shareNumbers)) throw new InvalidArgumentError('share numbers must be an array')
      const wanted = sorted(new Set(shareNumbers.map(checkShareNumber)))
      checkNonNegativeInteger('share size', shareSize)
      if (shareSize === 0) {
        throw new InvalidArgumentError('share size must be at least 1 byte: a share of an immutable file always has a header, and an empty share is refused')
      }
      if (shareSize > this.d.config.maxShareSize) {
        throw new ShareTooLargeError(`share size ${shareSize} exceeds this server's maximum of ${this.d.config.maxShareSize} bytes; use more shares or another server`)
      }
      checkLease(lease)

      const held = this.d.shares.numbersOf(si)
      const heldSet = new Set(held)
      const fresh: number[] = []
      const resumed: number[] = []
      for (const n of wanted) {
        if (heldSet.has(n)) continue
        const upload = this.d.reservations.get(si, n)
        if (upload === undefined) {
          fresh.push(n)
        } else if (upload.account === account) {
          if (upload.size !== shareSize) {
            throw new ConflictError(`share ${n} of ${si} is already being uploaded with size ${upload.size}, not ${shareSize}; abort it first`)
          }
          resumed.push(n)
        } else {
          // Another account's upload in progress: neither allocated nor held, as in Tahoe.
          this.log('%s asked for share %d of %s, which %s is uploading', account, n, si, upload.account)
        }
      }
      let free = true
      if (fresh.length > 0) {
        free = this.d.limits.checkAllocation(account, si, fresh.length, shareSize).free
        this.d.capacity.check(fresh.length * charge(shareSize))
      }
      return { fresh, resumed, held, si, free }
    } catch (err) {
      this.log('refused an allocation for %s: %s', account, (err as Error).message)
      throw err
    }
  }

  /** Writes share bytes at `offset`; `data` may be several buffers, written back to back. */
  async write (account: string, storageIndex: Uint8Array, shareNumber: number, offset: number, data: Uint8Array | readonly Uint8Array[]): Promise<{ complete: boolean }> {
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
      this.log.trace('wrote [%d, %d) of share %d of %s%s', offset, offset + length, shareNumber, upload.si, complete ? ' (complete)' : '')
      return { complete }
    })
  }

  /** Finish a complete share; closing a share already stored is a no-op, so a client may retry a close whose answer it lost. */
  async closeShare (account: string, storageIndex: Uint8Array, shareNumber: number): Promise<void> {
    checkAccount(account)
    const si = encodeStorageIndex(checkStorageIndex(storageIndex))
    checkShareNumber(shareNumber)
    if (this.d.reservations.get(si, shareNumber) === undefined && this.d.shares.has(si, shareNumber)) return
    const own = this.uploadFor(account, storageIndex, shareNumber)
    await own.run(async () => {
      if (own.state !== 'open' && this.d.shares.has(si, shareNumber)) return
      this.assertStillOpen(own)
      if (!own.ranges.isComplete(own.size)) {
        throw new IncompleteShareError(`share ${shareNumber} of ${si} is not complete: bytes ${describeRanges(own.ranges.missing(own.size))} are still missing`)
      }
      own.state = 'closing'
      try {
        await own.seal()
        const now = this.d.config.now()
        this.d.shares.install(own.path, si, shareNumber, own.size, now, () => {
          this.d.accounts.ensure(account, now)
          this.d.leases.record(si, account, own.lease, now)
        })
      } catch (err) {
        this.log.error('share %d of %s could not be stored: %e', shareNumber, si, err)
        await this.drop(own)
        throw err
      }
      this.forget(own)
      if (own.free) this.d.limits.noteFreeStored(charge(own.size))
      removeEmptyDirs(dirname(own.path), this.d.paths.incomingRoot)
      this.log('%s closed share %d of %s (%d bytes): stored', account, shareNumber, si, own.size)
      this.d.onStored(own.storageIndex, shareNumber)
    })
    try {
      await fsyncDir(shareDir(this.d.paths.root, si))
    } catch (err) {
      // Filesystems that cannot fsync a directory say so. Any other failure means the rename may not survive a
      // crash; the share is stored and committed by now, so failing the close could not undo it: the operator is told.
      const code = (err as { code?: unknown })?.code
      if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'ENOTSUP') {
        this.log.error('share %d of %s: stored, but its directory could not be flushed (the disk may be failing): %e', shareNumber, si, err)
      }
    }
  }

  async abort (account: string, storageIndex: Uint8Array, shareNumber: number): Promise<void> {
    const upload = this.uploadFor(account, storageIndex, shareNumber)
    await upload.run(async () => {
      if (upload.state !== 'open') {
        if (this.d.shares.has(upload.si, shareNumber)) {
          throw new AlreadyCompleteError(`share ${shareNumber} of ${upload.si} is already stored; it cannot be aborted`)
        }
        return
      }
      await this.drop(upload)
      this.log('%s aborted share %d of %s', account, shareNumber, upload.si)
    })
  }

  /** `account` has no connection left: drop its uploads after the grace period unless it comes back. */
  accountDisconnected (account: string): void {
    checkAccount(account)
    if (this.graceTimers.has(account) || this.d.reservations.countBy(account) === 0) return
    const grace = this.d.config.disconnectGraceMs
    const timer = setTimeout(() => {
      this.graceTimers.delete(account)
      const mine = this.d.reservations.of(account)
      if (mine.length > 0) this.log('%s stayed disconnected for %d ms: aborting its %d upload(s) in progress', account, grace, mine.length)
      for (const u of mine) void u.run(async () => { if (u.state === 'open') await this.drop(u) }).catch(() => {})
    }, grace)
    timer.unref()
    this.graceTimers.set(account, timer)
    this.log('%s disconnected with %d upload(s) in progress: they are kept for %d ms', account, this.d.reservations.countBy(account), grace)
  }

  /** `account` is connected again: its uploads stay. */
  accountConnected (account: string): void {
    checkAccount(account)
    const timer = this.graceTimers.get(account)
    if (timer === undefined) return
    clearTimeout(timer)
    this.graceTimers.delete(account)
    this.log('%s reconnected within the grace period: its uploads continue', account)
  }

  /** Drop every upload in progress, each through its queue so a write in flight finishes before its file goes. */
  async dropAll (): Promise<void> {
    for (const timer of this.graceTimers.values()) clearTimeout(timer)
    this.graceTimers.clear()
    const all = this.d.reservations.all()
    if (all.length > 0) this.log('dropping %d upload(s) in progress: the server is stopping', all.length)
    await Promise.all(all.map(async u => {
      await u.run(async () => { await this.drop(u) }).catch(() => {})
    }))
    await this.writeHandles.closeAll()
  }

  /** The caller's upload in progress, or the error explaining why there is none. */
  private uploadFor (account: string, storageIndex: Uint8Array, shareNumber: number): Upload {
    checkAccount(account)
    const si = encodeStorageIndex(checkStorageIndex(storageIndex))
    checkShareNumber(shareNumber)
    const upload = this.d.reservations.get(si, shareNumber)
    if (upload === undefined) {
      if (this.d.shares.has(si, shareNumber)) {
        throw new AlreadyCompleteError(`share ${shareNumber} of ${si} is already stored and can no longer be changed`)
      }
      throw new NoSuchUploadError(`no upload of share ${shareNumber} of ${si} is in progress; allocate it first (an upload is dropped ${this.d.config.reservationTimeoutMs} ms after allocation if nothing was written, or ${this.d.config.uploadTimeoutMs} ms after its last write)`)
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

  /** Unwritten uploads are timed from their allocation, started ones from their last write. */
  private armIdleTimer (upload: Upload): void {
    const timeout = upload.started ? this.d.config.uploadTimeoutMs : this.d.config.reservationTimeoutMs
    upload.armIdleTimer(timeout, () => {
      void upload.run(async () => {
        if (upload.state !== 'open') return
        // The timer may have fired while a write waited in the queue.
        if (upload.idleMs() < timeout) {
          this.armIdleTimer(upload)
          return
        }
        await this.drop(upload)
        this.log('upload of share %d of %s by %s idle for %d ms%s: aborted', upload.shareNumber, upload.si, upload.account, timeout,
          upload.started ? '' : ' (nothing written)')
      }).catch(() => {})
    })
  }

  private forget (upload: Upload): void {
    upload.stopTimer()
    upload.state = 'finished'
    this.d.reservations.release(upload)
  }

  /** Delete the incoming file and release the reservation. */
  private async drop (upload: Upload): Promise<void> {
    this.forget(upload)
    await upload.discard()
    removeEmptyDirs(dirname(upload.path), this.d.paths.incomingRoot)
  }
}

function sorted (numbers: Iterable<number>): number[] {
  return [...numbers].sort((a, b) => a - b)
}
