import { mkdir, open, rm, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import { WrittenRanges } from './ranges.js'
import { ConflictError } from './errors.js'
import { readFully } from './read-handles.js'
import type { LeaseSecrets } from './types.js'

/**
 * One share being uploaded into `shares/incoming/`. Operations on it run one
 * at a time (a protocol handler may pipeline writes), so range bookkeeping and
 * file contents never disagree.
 */
export class Upload {
  readonly ranges = new WrittenRanges()
  state: 'open' | 'closing' | 'finished' = 'open'
  private handle?: FileHandle
  private queue: Promise<unknown> = Promise.resolve()
  private timer?: NodeJS.Timeout
  private lastActivity = performance.now()

  constructor (
    readonly account: string,
    readonly si: string,
    readonly storageIndex: Uint8Array,
    readonly shareNumber: number,
    readonly size: number,
    readonly lease: LeaseSecrets,
    readonly path: string
  ) {}

  /** Run `fn` after every earlier operation on this upload has settled. */
  run<T> (fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn)
    this.queue = result.catch(() => {})
    return result
  }

  async create (): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true })
    this.handle = await open(this.path, 'w+')
  }

  /** Note client activity; a write queued behind a slow one still counts as activity. */
  touch (): void {
    this.lastActivity = performance.now()
  }

  /** Milliseconds since the last client activity. */
  idleMs (): number {
    return performance.now() - this.lastActivity
  }

  /** Start (or restart) the idle timer; `onIdle` runs if no write comes in time. */
  armIdleTimer (ms: number, onIdle: () => void): void {
    this.touch()
    if (this.timer === undefined) {
      this.timer = setTimeout(onIdle, ms)
      this.timer.unref()
    } else {
      this.timer.refresh()
    }
  }

  /** Bytes not yet written, for free-disk-space estimates. */
  get unwritten (): number {
    return this.size - this.ranges.covered
  }

  /** Writes `pieces` back to back at `offset`; true once every byte of the share has been written. */
  async write (offset: number, pieces: readonly Uint8Array[]): Promise<boolean> {
    const handle = this.handle!
    const length = pieces.reduce((n, p) => n + p.byteLength, 0)
    const end = offset + length
    const overlaps = this.ranges.overlaps(offset, end)
    if (overlaps.length > 0) {
      // A rewrite must repeat what is there; rare (a retried write), so joining is fine here.
      const data = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces)
      for (const r of overlaps) {
        const existing = new Uint8Array(r.end - r.start)
        await readFully(handle, existing, r.start)
        const incoming = data.subarray(r.start - offset, r.end - offset)
        if (Buffer.compare(existing, incoming) !== 0) {
          throw new ConflictError(`bytes [${r.start}, ${r.end}) of share ${this.shareNumber} of ${this.si} were already written with different content`)
        }
      }
    }
    let rest = pieces.filter(p => p.byteLength > 0)
    let at = offset
    while (rest.length > 0) {
      const { bytesWritten } = rest.length === 1
        ? await handle.write(rest[0], 0, rest[0].byteLength, at)
        : await handle.writev(rest, at)
      at += bytesWritten
      rest = dropBytes(rest, bytesWritten)
    }
    this.ranges.add(offset, end)
    return this.ranges.isComplete(this.size)
  }

  /** Flush and close the file so it can be renamed into place. */
  async seal (): Promise<void> {
    this.stopTimer()
    const handle = this.handle!
    this.handle = undefined
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  }

  /** Close and delete the incoming file. */
  async discard (): Promise<void> {
    this.stopTimer()
    this.state = 'finished'
    const handle = this.handle
    this.handle = undefined
    await handle?.close().catch(() => {})
    await rm(this.path, { force: true })
  }

  stopTimer (): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }
}

/** The pieces left after the first `n` bytes (a short write leaves a tail to retry). */
function dropBytes (pieces: Uint8Array[], n: number): Uint8Array[] {
  let left = n
  let i = 0
  while (i < pieces.length && left >= pieces[i].byteLength) { left -= pieces[i].byteLength; i++ }
  const rest = pieces.slice(i)
  if (left > 0 && rest.length > 0) rest[0] = rest[0].subarray(left)
  return rest
}
