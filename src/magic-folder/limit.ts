/** Runs `fn` over `items` with at most `limit` at a time; stops taking new items once `stop()` answers true. */
export async function eachLimited<T> (items: readonly T[], limit: number, fn: (item: T) => Promise<void>, stop: () => boolean = () => false): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length && !stop()) {
      const item = items[next++]
      await fn(item)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/** At most `size` holders at once; the others wait their turn in order. */
export class Slots {
  private free: number
  private readonly waiting: Array<() => void> = []

  constructor (size: number) { this.free = size }

  async run<T> (fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--
    else await new Promise<void>(resolve => { this.waiting.push(resolve) })
    try {
      return await fn()
    } finally {
      // The slot passes straight to the next in line, so a newcomer cannot overtake it.
      const next = this.waiting.shift()
      if (next !== undefined) next()
      else this.free++
    }
  }
}

/**
 * A file up to this size is a small one: read whole into memory for its upload (no spool file), and
 * moved many at a time. Its transfer is a few round trips of waiting on servers, not of work.
 */
export const SMALL_FILE_BYTES = 1024 * 1024
/**
 * Small files in flight at once, each way. An upload has its content and metadata in flight together, so
 * this many files make at most twice as many grid calls. Uploads and reads from named servers ask for
 * shares on the storage sessions; a read through a club still asks each server on a have-share stream of
 * its own, of which a server takes 16 per connection (src/protocols/have): 2 × 6 leaves room for the
 * node's other callers. Memory: at most this many small files held whole.
 */
export const SMALL_TRANSFERS = 6
/** Large files in flight at once, each way: they stream, but each holds a spool file and its servers' write windows. */
export const LARGE_TRANSFERS = 2
