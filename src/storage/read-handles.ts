/**
 * Open file handles of recently read shares. A download reads one share in
 * many ranges; opening, stating and closing the file for every range costs
 * four thread-pool round trips each. Complete shares never change, so a
 * handle stays valid until the share is deleted, which calls `forget`.
 */
import { open, type FileHandle } from 'node:fs/promises'

interface Entry {
  handle: Promise<{ handle: FileHandle, size: number }>
  users: number
  evicted: boolean
}

export class ReadHandles {
  private readonly entries = new Map<string, Entry>()
  private readonly max: number

  constructor (max = 64) {
    this.max = max
  }

  /** Runs `fn` with an open handle of `path` and its size; throws what open() throws (ENOENT). */
  async use<T> (path: string, fn: (handle: FileHandle, size: number) => Promise<T>): Promise<T> {
    let entry = this.entries.get(path)
    if (entry == null) {
      const handle = open(path, 'r').then(async h => {
        try {
          return { handle: h, size: (await h.stat()).size }
        } catch (err) {
          await h.close()
          throw err
        }
      })
      entry = { handle, users: 0, evicted: false }
      this.entries.set(path, entry)
      handle.catch(() => { if (this.entries.get(path) === entry) this.entries.delete(path) })
      this.evictOldest()
    } else {
      // Most recently used last, for the LRU order of the Map.
      this.entries.delete(path)
      this.entries.set(path, entry)
    }
    entry.users++
    try {
      const { handle, size } = await entry.handle
      return await fn(handle, size)
    } finally {
      entry.users--
      if (entry.evicted && entry.users === 0) void this.closeEntry(entry)
    }
  }

  /** The share at `path` was deleted or replaced: never serve it from a cached handle again. */
  forget (path: string): void {
    const entry = this.entries.get(path)
    if (entry == null) return
    this.entries.delete(path)
    this.retire(entry)
  }

  async closeAll (): Promise<void> {
    const all = [...this.entries.values()]
    this.entries.clear()
    await Promise.all(all.map(async e => { e.evicted = true; if (e.users === 0) await this.closeEntry(e) }))
  }

  private evictOldest (): void {
    while (this.entries.size > this.max) {
      const [path, entry] = this.entries.entries().next().value as [string, Entry]
      this.entries.delete(path)
      this.retire(entry)
    }
  }

  private retire (entry: Entry): void {
    entry.evicted = true
    if (entry.users === 0) void this.closeEntry(entry)
  }

  private async closeEntry (entry: Entry): Promise<void> {
    try {
      await (await entry.handle).handle.close()
    } catch {
      // a handle that failed to open, or is closed already, holds nothing to release
    }
  }
}

/** Reads until `into` is full or the file ends; returns the bytes read. */
export async function readFully (handle: FileHandle, into: Uint8Array, position: number): Promise<number> {
  let done = 0
  while (done < into.length) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done)
    if (bytesRead === 0) break
    done += bytesRead
  }
  return done
}
