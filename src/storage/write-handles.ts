/**
 * Descriptors of incoming share files, kept open between the writes of an
 * upload. Opening and closing the file around every write cost two
 * thread-pool round trips per write, about a fifth of the server's CPU per
 * byte stored (issue 17). Bounded two ways, so descriptors still do not
 * scale with uploads (issue 12): at most `max` are open at once (the least
 * recently used is closed first), and one unused for `idleMs` is closed.
 * An upload that is sealed or discarded drops its descriptor at once.
 */
import { open, type FileHandle } from 'node:fs/promises'

interface Entry {
  handle: Promise<FileHandle>
  users: number
  evicted: boolean
  lastUse: number
}

export const WRITE_HANDLES_MAX = 32
export const WRITE_HANDLE_IDLE_MS = 1000

export class WriteHandles {
  private readonly entries = new Map<string, Entry>()
  private sweeper?: NodeJS.Timeout

  constructor (private readonly max = WRITE_HANDLES_MAX, private readonly idleMs = WRITE_HANDLE_IDLE_MS) {}

  /** Descriptors open now (for tests and stats). */
  get open (): number {
    return this.entries.size
  }

  /**
   * Runs `fn` with a descriptor of `path` opened read-write; `create`
   * creates (and truncates) the file when no descriptor of it is cached.
   */
  async use<T> (path: string, create: boolean, fn: (handle: FileHandle) => Promise<T>): Promise<T> {
    let entry = this.entries.get(path)
    // a descriptor left from an earlier file at this path (an upload dropped and allocated again) is not this file's
    if (create && entry != null) {
      await this.drop(path)
      entry = this.entries.get(path)
    }
    if (entry == null) {
      const handle = open(path, create ? 'w+' : 'r+')
      entry = { handle, users: 0, evicted: false, lastUse: performance.now() }
      const created = entry
      this.entries.set(path, entry)
      handle.catch(() => { if (this.entries.get(path) === created) this.entries.delete(path) })
      this.evictOldest()
      this.startSweeper()
    } else {
      // Most recently used last, for the LRU order of the Map.
      this.entries.delete(path)
      this.entries.set(path, entry)
    }
    entry.users++
    try {
      return await fn(await entry.handle)
    } finally {
      entry.users--
      entry.lastUse = performance.now()
      if (entry.evicted && entry.users === 0) await this.closeEntry(entry)
    }
  }

  /** The file is finished (sealed) or about to be deleted: close its descriptor once no one uses it. */
  async drop (path: string): Promise<void> {
    const entry = this.entries.get(path)
    if (entry == null) return
    this.entries.delete(path)
    entry.evicted = true
    if (entry.users === 0) await this.closeEntry(entry)
  }

  async closeAll (): Promise<void> {
    this.stopSweeper()
    const all = [...this.entries.values()]
    this.entries.clear()
    await Promise.all(all.map(async e => { e.evicted = true; if (e.users === 0) await this.closeEntry(e) }))
  }

  private evictOldest (): void {
    while (this.entries.size > this.max) {
      const [path] = this.entries.keys()
      void this.drop(path)
    }
  }

  private sweep (): void {
    const now = performance.now()
    for (const [path, entry] of this.entries) {
      if (entry.users === 0 && now - entry.lastUse >= this.idleMs) void this.drop(path)
    }
    if (this.entries.size === 0) this.stopSweeper()
  }

  private startSweeper (): void {
    if (this.sweeper != null) return
    this.sweeper = setInterval(() => { this.sweep() }, Math.max(10, this.idleMs / 2))
    // an idle descriptor must not keep a process alive
    this.sweeper.unref()
  }

  private stopSweeper (): void {
    if (this.sweeper != null) clearInterval(this.sweeper)
    this.sweeper = undefined
  }

  private async closeEntry (entry: Entry): Promise<void> {
    try {
      await (await entry.handle).close()
    } catch {
      // a descriptor that failed to open, or is closed already, holds nothing to release
    }
  }
}
