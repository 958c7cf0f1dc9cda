import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type { ComponentLogger, Logger } from '@libp2p/logger'
import type { ShareRow } from './db.js'
import type { Leases } from './leases.js'
import { decodeStorageIndex } from './paths.js'
import type { ShareStore } from './share-store.js'

/** Shares handled per synchronous step; the event loop runs between steps. */
const BATCH = 100

export interface GcResult { deletedShares: number, freedBytes: number }

export interface ExpirerOptions {
  /** Period of the automatic pass; 0: only when asked. */
  intervalMs: number
  now: () => number
  onDeleted: (storageIndex: Uint8Array, shareNumber: number) => void
  /** A periodic pass failed (an asked-for pass rejects instead). */
  onError: (err: unknown) => void
  /** The mutable slots' part of a pass: deletes unleased slot shares, returns them. */
  collectSlots?: (now: number, stopped: () => boolean) => Promise<ShareRow[]>
}

/**
 * Garbage collection (Tahoe's lease expirer): deletes shares whose storage
 * index has no live lease, then the expired leases. One pass at a time; a pass
 * asked for while one runs shares its result.
 */
export class Expirer {
  private readonly log: Logger
  private readonly timer?: NodeJS.Timeout
  private running?: Promise<GcResult>
  private stopped = false

  constructor (
    private readonly leases: Leases,
    private readonly shares: ShareStore,
    private readonly opts: ExpirerOptions,
    logger: ComponentLogger
  ) {
    this.log = logger.forComponent('lafs-club:storage:expirer')
    if (opts.intervalMs > 0) {
      this.timer = setInterval(() => {
        this.run().catch((err: unknown) => {
          if (this.stopped) return
          this.log.error('periodic GC failed: %e', err)
          opts.onError(err)
        })
      }, opts.intervalMs)
      this.timer.unref()
    }
  }

  async run (): Promise<GcResult> {
    this.running ??= this.collect().finally(() => { this.running = undefined })
    return await this.running
  }

  /** No new pass starts; the one running stops after its current batch. */
  async stop (): Promise<void> {
    this.stopped = true
    if (this.timer !== undefined) clearInterval(this.timer)
    await this.running?.catch(() => {})
  }

  /**
   * Work goes in small synchronous batches: each share is re-checked, its file
   * unlinked, then its row deleted, with no await in between, so an allocation
   * that renews a lease can never see a share that is about to vanish.
   */
  private async collect (): Promise<GcResult> {
    const now = this.opts.now()
    const candidates = this.leases.unleasedShares(now)
    this.log('GC pass: %d share(s) without a live lease', candidates.length)
    let deletedShares = 0
    let freedBytes = 0
    for (let start = 0; start < candidates.length; start += BATCH) {
      if (this.stopped) {
        this.log('GC pass stopped early: the server is stopping')
        break
      }
      const gone = candidates.slice(start, start + BATCH).filter(share => !this.leases.hasLive(share.si, now))
      const emptied = new Set(gone.map(s => s.si))
      this.shares.remove(gone, () => { for (const si of emptied) this.leases.dropOrphans(si) })
      for (const [si, shares] of bySi(gone)) {
        this.log('deleted share(s) %s of %s (%d bytes): no live lease', shares.map(s => s.shnum).join(','), si,
          shares.reduce((sum, s) => sum + s.size, 0))
      }
      for (const share of gone) {
        deletedShares++
        freedBytes += share.size
        const storageIndex = decodeStorageIndex(share.si)
        if (storageIndex !== undefined) this.opts.onDeleted(storageIndex, share.shnum)
      }
      await yieldToEventLoop()
    }
    if (this.opts.collectSlots !== undefined && !this.stopped) {
      // Not told to onDeleted: 'share-deleted' is about immutable shares (provider records).
      for (const share of await this.opts.collectSlots(now, () => this.stopped)) {
        deletedShares++
        freedBytes += share.size
      }
    }
    const expiredLeases = this.stopped ? 0 : this.leases.dropExpired(now)
    this.log('GC pass done: deleted %d share(s), freed %d bytes, removed %d expired lease(s)', deletedShares, freedBytes, expiredLeases)
    return { deletedShares, freedBytes }
  }
}

function bySi (shares: ShareRow[]): Map<string, ShareRow[]> {
  const out = new Map<string, ShareRow[]>()
  for (const share of shares) {
    const list = out.get(share.si)
    if (list === undefined) out.set(share.si, [share])
    else list.push(share)
  }
  return out
}
