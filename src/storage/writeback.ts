/**
 * Early writeback of incoming shares. A share is fsynced before it is
 * renamed into place (nothing acknowledged is lost on a crash), and the
 * kernel writes dirty pages back only when a lot of memory is dirty or
 * after half a minute: so everything an upload wrote waited in memory and
 * went to the disk at the end, in the fsync of the close, while the disk
 * had been idle for the whole upload. On a home server's disk or SD card
 * (150 to 20 MB/s) that tail is under a second to five seconds per hundred
 * MiB after the last byte arrived. Flushing each upload's file every few MiB while it is written
 * overlaps the disk with the network, and leaves little for the close.
 *
 * One flush at a time in the whole process: fdatasync holds a thread-pool
 * thread until the disk is done, and share reads and writes need the
 * others (four by default).
 */
import { logger } from '@libp2p/logger'
import type { FileHandle } from 'node:fs/promises'

const log = logger('lafs-club:storage:writeback')

/** Written and not flushed, per upload, before a flush is started. */
export const WRITEBACK_BYTES = 4 * 2 ** 20

/** The flush running in this process, if any (one at a time). */
let current: Promise<void> | undefined
let started = 0

/** Early flushes started since the process started (for tests and metrics). */
export function writebacksStarted (): number {
  return started
}

/** Settles once no flush runs in this process (for tests: another file's flush holds the turn). */
export async function writebackIdle (): Promise<void> {
  for (let running = current; running !== undefined; running = current) await running
}

/** Per incoming file: what it wrote since its last flush, and the first error a flush met. */
export class Writeback {
  private pendingBytes = 0
  private running?: Promise<void>
  private error?: Error

  constructor (private readonly label: string) {}

  /**
   * Counts `bytes` written; when enough are, and no flush runs in this
   * process, starts one with `flush` (which must hold the descriptor open
   * until its callback settles). Never waits for it.
   */
  wrote (bytes: number, flush: (fn: (handle: FileHandle) => Promise<void>) => Promise<void>): void {
    this.pendingBytes += bytes
    // this file's own flush, if running, is `current`: one at a time covers it
    if (this.pendingBytes < WRITEBACK_BYTES || current !== undefined) return
    started++
    this.pendingBytes = 0
    const running = flush(async handle => { await handle.datasync() })
      .catch((err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err))
        // Kept for settle(): after a failed writeback a later fsync may report success for pages that were lost.
        this.error ??= e
        log.error('early writeback of %s failed: %s', this.label, e.message)
      })
      .finally(() => {
        current = undefined
        this.running = undefined
      })
    this.running = running
    current = running
  }

  /** Waits for a flush in progress; throws the first error any flush of this file met (the file cannot be trusted). */
  async settle (): Promise<void> {
    await this.running
    if (this.error !== undefined) throw this.error
  }
}
