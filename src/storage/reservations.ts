import type { Upload } from './upload.js'

/**
 * Uploads in progress, by storage index and share number. An entry here is the
 * reservation: quota, capacity and free-disk checks count it from the moment it
 * is added (synchronously, before any await of the allocation that adds it).
 */
export class Reservations {
  private readonly uploads = new Map<string, Upload>()

  get size (): number {
    return this.uploads.size
  }

  get (si: string, shareNumber: number): Upload | undefined {
    return this.uploads.get(key(si, shareNumber))
  }

  add (upload: Upload): void {
    this.uploads.set(key(upload.si, upload.shareNumber), upload)
  }

  /** Release `upload`'s reservation, unless another upload has since taken its place. */
  release (upload: Upload): void {
    const k = key(upload.si, upload.shareNumber)
    if (this.uploads.get(k) === upload) this.uploads.delete(k)
  }

  all (): Upload[] {
    return [...this.uploads.values()]
  }

  /** Bytes reserved by `account`'s uploads in progress. */
  reservedBy (account: string): number {
    let total = 0
    for (const u of this.uploads.values()) if (u.account === account) total += u.size
    return total
  }

  /** Bytes reserved by every upload in progress. */
  reserved (): number {
    let total = 0
    for (const u of this.uploads.values()) total += u.size
    return total
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
