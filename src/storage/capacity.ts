import { statfsSync } from 'node:fs'
import { CapacityExceededError } from './errors.js'
import type { SharePaths } from './paths.js'
import type { Reservations } from './reservations.js'

/**
 * The server's room for new shares: stored plus reserved bytes against the
 * configured capacity, and reservations against the free disk space minus what
 * uploads in progress have yet to write.
 */
export class Capacity {
  constructor (
    private readonly capacity: number,
    private readonly paths: SharePaths,
    /** Bytes charged for what is stored (immutable and mutable shares). */
    private readonly shares: { readonly charged: number },
    private readonly reservations: Reservations
  ) {}

  /** Bytes a new allocation may take now (version().availableSpace). */
  available (): number {
    return Math.max(0, Math.min(this.capacityLeft(), this.diskLeft()))
  }

  /** Throws CapacityExceededError if `needed` more bytes do not fit. */
  check (needed: number): void {
    const left = this.capacityLeft()
    if (needed > left) {
      const stored = this.shares.charged
      throw new CapacityExceededError(`this server holds ${stored} bytes and has ${this.capacity - stored - left} reserved for uploads in progress (each share counts at least 4096 bytes); ${needed} more bytes would exceed its capacity of ${this.capacity} bytes. Try another server.`)
    }
    const disk = this.diskLeft()
    if (needed > disk) {
      throw new CapacityExceededError(`this server's disk has only ${Math.max(0, disk)} bytes free for new shares; ${needed} bytes requested. Try another server.`)
    }
  }

  private capacityLeft (): number {
    return this.capacity - this.shares.charged - this.reservations.reserved()
  }

  private diskLeft (): number {
    let free: number
    try {
      const fs = statfsSync(this.paths.root)
      free = fs.bavail * fs.bsize
    } catch {
      return Infinity
    }
    return free - this.reservations.unwritten()
  }
}
