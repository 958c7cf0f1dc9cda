import { mkdir, rm, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import { WrittenRanges } from './ranges.js'
import { CapacityExceededError, ConflictError } from './errors.js'
import { readFully } from './read-handles.js'
import { Writeback } from './writeback.js'
import type { LeaseSecrets } from './types.js'
import type { WriteHandles } from './write-handles.js'

/**
 * One share being uploaded into `shares/incoming/`. Operations on it run one
 * at a time (a protocol handler may pipeline writes), so range bookkeeping and
 * file contents never disagree.
 *
 * The file is created at the first write. Its descriptor comes from the
 * server's WriteHandles: kept open between writes (an open and a close per
 * write cost a fifth of the CPU per byte stored), but closed after a second
 * unused, when too many are open, and at seal or discard. An allocated
 * bucket holds no descriptor and no inode, so descriptors do not scale with
 * uploads in progress (issue #12: one open file per upload let a peer
 * exhaust them with allocations alone).
 */
export class Upload {
  readonly ranges = new WrittenRanges()
  state: 'open' | 'closing' | 'finished' = 'open'
  private created = false
  private queue: Promise<unknown> = Promise.resolve()
  private timer?: NodeJS.Timeout
  private timerMs = 0
  private lastActivity = performance.now()
  /** Flushes what was written every few MiB while the upload goes on (writeback.ts). */
  private writeback?: Writeback

  constructor (
    readonly account: string,
    readonly si: string,
    readonly storageIndex: Uint8Array,
    readonly shareNumber: number,
    readonly size: number,
    readonly lease: LeaseSecrets,
    readonly path: string,
    /** Allocated by a free (anonymous) account: counts against the free budget. */
    readonly free: boolean,
    private readonly handles: WriteHandles
  ) {}

  /** Run `fn` after every earlier operation on this upload has settled. */
  run<T> (fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn)
    this.queue = result.catch(() => {})
    return result
  }

  /** The incoming file's descriptor for one operation, creating the file (and its folder) the first time. */
  private async withFile<T> (fn: (handle: FileHandle) => Promise<T>): Promise<T> {
    const create = !this.created
    if (create) await mkdir(dirname(this.path), { recursive: true })
    return await this.handles.use(this.path, create, async handle => {
      this.created = true
      return await fn(handle)
    })
  }

  /** Note client activity; a write queued behind a slow one still counts as activity. */
  touch (): void {
    this.lastActivity = performance.now()
  }

  /** Milliseconds since the last client activity. */
  idleMs (): number {
    return performance.now() - this.lastActivity
  }

  /** (Re)start the idle timer: `onIdle` runs in `ms` unless re-armed. Does not count as activity. */
  armIdleTimer (ms: number, onIdle: () => void): void {
    if (this.timer !== undefined && this.timerMs === ms) {
      this.timer.refresh()
      return
    }
    this.stopTimer()
    this.timerMs = ms
    this.timer = setTimeout(onIdle, ms)
    this.timer.unref()
  }

  /** True once any byte was written: the upload is then timed by writes, not by its allocation. */
  get started (): boolean {
    return this.ranges.covered > 0
  }

  /** Bytes not yet written, for free-disk-space estimates. */
  get unwritten (): number {
    return this.size - this.ranges.covered
  }

  /** Writes `pieces` back to back at `offset`; true once every byte of the share has been written. */
  async write (offset: number, pieces: readonly Uint8Array[]): Promise<boolean> {
    const complete = await this.withFile(async handle => await this.writeTo(handle, offset, pieces)).catch(diskFull)
    this.writeback ??= new Writeback(`share ${this.shareNumber} of ${this.si}`)
    // outside the queue: the next writes go on while the disk catches up
    this.writeback.wrote(pieces.reduce((n, p) => n + p.byteLength, 0), async flush => { await this.handles.use(this.path, false, flush) })
    return complete
  }

  private async writeTo (handle: FileHandle, offset: number, pieces: readonly Uint8Array[]): Promise<boolean> {
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
    // An early flush that failed means pages may be lost that a later fsync would not report.
    await this.writeback?.settle()
    // fsync flushes the file (the inode), whichever descriptor wrote it.
    await this.withFile(async handle => { await handle.sync() }).catch(diskFull)
    // no more writes: the descriptor goes before the file is renamed into place
    await this.handles.drop(this.path)
  }

  /** Close and delete the incoming file. */
  async discard (): Promise<void> {
    this.stopTimer()
    this.state = 'finished'
    // A write in flight keeps its descriptor until it ends; discard normally runs after it in the queue.
    await this.handles.drop(this.path)
    await rm(this.path, { force: true })
  }

  stopTimer (): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }
}

/** A full disk or quota is the server's capacity, which a client can act on (place the share elsewhere); anything else stays as it is. */
function diskFull (err: unknown): never {
  const code = (err as { code?: unknown })?.code
  if (code === 'ENOSPC' || code === 'EDQUOT') throw new CapacityExceededError(`this server's disk is full (${code}); place the share on another server`)
  throw err
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
