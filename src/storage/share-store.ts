import { mkdirSync, renameSync, rmSync } from 'node:fs'
import type { ComponentLogger, Logger } from '@libp2p/logger'
import type Database from 'better-sqlite3'
import { HAVE_BATCH_SIZE } from './constants.js'
import type { Queries, ShareRow } from './db.js'
import { removeEmptyDirs } from './dirs.js'
import { InvalidArgumentError, NoSuchShareError } from './errors.js'
import { decodeStorageIndex, encodeStorageIndex, shareDir, shareFile, type SharePaths } from './paths.js'
import { ReadHandles, readFully } from './read-handles.js'
import { charge } from './reservations.js'
import { checkNonNegativeInteger, checkShareNumber, checkStorageIndex } from './validate.js'
import type { StoredShare } from './types.js'

/**
 * The complete shares: their files under `shares/` and their rows in the
 * `shares` table (Tahoe's BucketReader side, plus the bookkeeping of which
 * shares exist). A file is at its final path only once complete, so the file
 * alone answers reads; the rows answer listings and have-queries.
 */
export class ShareStore {
  private readonly readHandles = new ReadHandles()
  private readonly log: Logger
  // Running totals: a SUM over every share row on each allocation would not scale.
  private storedShares: number
  private storedBytes: number
  private chargedBytes: number

  constructor (
    private readonly db: Database.Database,
    private readonly q: Queries,
    private readonly paths: SharePaths,
    logger: ComponentLogger
  ) {
    this.log = logger.forComponent('lafs-club:storage:shares')
    const totals = q.totals.get()!
    this.storedShares = totals.shares
    this.storedBytes = totals.bytes
    this.chargedBytes = totals.charged
  }

  get shares (): number {
    return this.storedShares
  }

  get bytes (): number {
    return this.storedBytes
  }

  /** Bytes charged against capacity: each share at least one disk block. */
  get charged (): number {
    return this.chargedBytes
  }

  has (si: string, shareNumber: number): boolean {
    return this.q.share.get(si, shareNumber) !== undefined
  }

  /** Share numbers held for `si`, ascending. */
  numbersOf (si: string): number[] {
    return this.q.sharesOf.all(si).map(r => r.shnum)
  }

  list (storageIndex: Uint8Array): StoredShare[] {
    const si = encodeStorageIndex(checkStorageIndex(storageIndex))
    return this.q.sharesOf.all(si).map(r => ({ shareNumber: r.shnum, size: r.size }))
  }

  async read (storageIndex: Uint8Array, shareNumber: number, offset: number, length: number): Promise<Uint8Array> {
    const si = encodeStorageIndex(checkStorageIndex(storageIndex))
    checkShareNumber(shareNumber)
    checkNonNegativeInteger('offset', offset)
    checkNonNegativeInteger('length', length)
    try {
      const data = await this.readHandles.use(shareFile(this.paths.root, si, shareNumber), async (handle, size) => {
        // not zero-filled: every byte returned is read from the file (a short read returns only what it got)
        const raw = Buffer.allocUnsafeSlow(Math.max(0, Math.min(length, size - offset)))
        const out = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)
        const got = await readFully(handle, out, offset)
        return got === out.length ? out : out.subarray(0, got)
      })
      this.log.trace('read share %d of %s: %d bytes at %d', shareNumber, si, data.length, offset)
      return data
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.log.trace('read of share %d of %s: not held', shareNumber, si)
        throw new NoSuchShareError(`this server holds no share ${shareNumber} of ${si}`)
      }
      throw err
    }
  }

  /** For each storage index, the share numbers held; SQLite answers a whole batch in one indexed join. */
  have (storageIndexes: Uint8Array[]): number[][] {
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
    const out: Uint8Array[] = []
    for (const name of this.q.storageIndexes.all()) {
      const si = decodeStorageIndex(name)
      if (si !== undefined) out.push(si)
    }
    return out
  }

  /**
   * Rename a complete, fsynced file into place and commit its row, with
   * `alsoRecord` (the lease) in the same transaction. Synchronous, so nothing
   * (GC, a reader, an allocation) runs between the rename and the commit. If
   * the commit fails the file goes again: without its row it must not stay
   * visible to readers.
   */
  install (from: string, si: string, shareNumber: number, size: number, now: number, alsoRecord: () => void): void {
    const finalPath = shareFile(this.paths.root, si, shareNumber)
    mkdirSync(shareDir(this.paths.root, si), { recursive: true })
    renameSync(from, finalPath)
    try {
      this.db.transaction(() => {
        this.q.insertShare.run(si, shareNumber, size, now)
        alsoRecord()
      }).immediate()
    } catch (err) {
      rmSync(finalPath, { force: true })
      this.readHandles.forget(finalPath)
      throw err
    }
    this.storedShares++
    this.storedBytes += size
    this.chargedBytes += charge(size)
  }

  /**
   * Unlink the files of `shares`, then delete their rows, with `alsoDelete`
   * (leases left without a share) in the same transaction. File before row: a
   * crash in between leaves rows without files, which startup recovery drops.
   */
  remove (shares: ShareRow[], alsoDelete: () => void): void {
    for (const share of shares) {
      const file = shareFile(this.paths.root, share.si, share.shnum)
      rmSync(file, { force: true })
      this.readHandles.forget(file)
    }
    this.db.transaction(() => {
      for (const share of shares) this.q.deleteShare.run(share.si, share.shnum)
      alsoDelete()
    }).immediate()
    this.storedShares -= shares.length
    this.storedBytes -= shares.reduce((sum, share) => sum + share.size, 0)
    this.chargedBytes -= shares.reduce((sum, share) => sum + charge(share.size), 0)
    for (const share of shares) removeEmptyDirs(shareDir(this.paths.root, share.si), this.paths.root)
  }

  async close (): Promise<void> {
    await this.readHandles.closeAll()
  }
}
