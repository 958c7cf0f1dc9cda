import { MIN_SHARE_CHARGE } from './constants.js'
import type { Upload } from './upload.js'

/** Bytes a share of `size` bytes costs against quota and capacity: at least one disk block. */
export function charge (size: number): number {
  return Math.max(size, MIN_SHARE_CHARGE)
}

/**
 * Uploads in progress, by storage index and share number, with running totals
 * per account and for free accounts together, so every allocation checks its
 * limits without walking every upload. An entry here is the reservation:
 * quota, capacity and free-disk checks count it from the moment it is added
 * (synchronously, before any await of the allocation that adds it).
 */
export class Reservations {
  private readonly uploads = new Map<string, Upload>()
  private readonly byAccount = new Map<string, Set<Upload>>()
  private charged = 0
  private freeCharged = 0
  private freeCount = 0

  get size (): number {
    return this.uploads.size
  }

  get (si: string, shareNumber: number): Upload | undefined {
    return this.uploads.get(key(si, shareNumber))
  }

  add (upload: Upload): void {
    this.uploads.set(key(upload.si, upload.shareNumber), upload)
    let mine = this.byAccount.get(upload.account)
    if (mine === undefined) this.byAccount.set(upload.account, mine = new Set())
    mine.add(upload)
    this.charged += charge(upload.size)
    if (upload.free) {
      this.freeCharged += charge(upload.size)
      this.freeCount++
    }
  }

  /** Release `upload`'s reservation, unless another upload has since taken its place. */
  release (upload: Upload): void {
    const k = key(upload.si, upload.shareNumber)
    if (this.uploads.get(k) !== upload) return
    this.uploads.delete(k)
    const mine = this.byAccount.get(upload.account)
    mine?.delete(upload)
    if (mine?.size === 0) this.byAccount.delete(upload.account)
    this.charged -= charge(upload.size)
    if (upload.free) {
      this.freeCharged -= charge(upload.size)
      this.freeCount--
    }
  }

  all (): Upload[] {
    return [...this.uploads.values()]
  }

  /** `account`'s uploads in progress. */
  of (account: string): Upload[] {
    return [...this.byAccount.get(account) ?? []]
  }

  countBy (account: string): number {
    return this.byAccount.get(account)?.size ?? 0
  }

  /** Storage indexes `account` is uploading to. */
  storageIndexesOf (account: string): Set<string> {
    return new Set(this.of(account).map(u => u.si))
  }

  /** Bytes charged for `account`'s uploads in progress. */
  reservedBy (account: string): number {
    let total = 0
    for (const u of this.byAccount.get(account) ?? []) total += charge(u.size)
    return total
  }

  /** Bytes charged for every upload in progress. */
  reserved (): number {
    return this.charged
  }

  /** Bytes charged for, and the number of, the uploads of free accounts. */
  free (): { bytes: number, count: number } {
    return { bytes: this.freeCharged, count: this.freeCount }
  }

  /** Bytes uploads in progress have yet to write (they still need that much disk). */
  unwritten (): number {
    let total = 0
    for (const u of this.uploads.values()) total += u.unwritten
    return total
  }
}

function key (si: string, shareNumber: number): string {
  return `${si}/${shareNumber}`
}
