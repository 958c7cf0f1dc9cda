/**
 * The client's bookkeeping of pipelined writes: a window of bytes sent but
 * not yet acknowledged (writers wait while it is full), the acknowledgements
 * still outstanding per share, and the first failure of each share, kept
 * until the caller is told (the next write to that share, flush or close).
 */
import type { Response } from './message/storage.js'

export class WriteWindow {
  private readonly limit: number
  private inFlight = 0
  private waiters: Array<() => void> = []
  private readonly outstanding = new Map<string, Set<Promise<void>>>()
  private readonly errors = new Map<string, Error>()

  constructor (limit: number) {
    this.limit = limit
  }

  /** Bytes sent but not yet acknowledged. */
  get bytes (): number {
    return this.inFlight
  }

  /** Waits for room for `bytes` (one write always fits when nothing is in flight); `check` runs before each wait. */
  async acquire (bytes: number, check: () => void): Promise<void> {
    while (this.inFlight > 0 && this.inFlight + bytes > this.limit) {
      check()
      await new Promise<void>(resolve => { this.waiters.push(resolve) })
    }
    this.inFlight += bytes
  }

  release (bytes: number): void {
    this.inFlight -= bytes
    this.wakeAll()
  }

  /** Lets every waiting writer re-check (e.g. the client stopped). */
  wakeAll (): void {
    for (const wake of this.waiters.splice(0)) wake()
  }

  /** Follows one write's acknowledgement: frees its bytes when it settles and keeps the share's first error. */
  track (key: string, response: Promise<Response>, bytes: number): void {
    let set = this.outstanding.get(key)
    if (set == null) {
      set = new Set()
      this.outstanding.set(key, set)
    }
    const tracked: Promise<void> = response.then(
      () => {},
      (err: unknown) => { if (!this.errors.has(key)) this.errors.set(key, err instanceof Error ? err : new Error(String(err))) }
    ).finally(() => {
      this.release(bytes)
      set.delete(tracked)
      if (set.size === 0 && this.outstanding.get(key) === set) this.outstanding.delete(key)
    })
    set.add(tracked)
  }

  /** Waits for the acknowledgements of one share's writes sent so far. */
  async settled (key: string): Promise<void> {
    const set = this.outstanding.get(key)
    if (set != null) await Promise.all(set)
  }

  /** Waits for every acknowledgement outstanding. */
  async settledAll (): Promise<void> {
    await Promise.all([...this.outstanding.values()].flatMap(s => [...s]))
  }

  /** The share's first write error, if any (kept). */
  errorOf (key: string): Error | undefined {
    return this.errors.get(key)
  }

  /** The share's first write error, if any, forgotten once returned. */
  takeError (key: string): Error | undefined {
    const err = this.errors.get(key)
    this.errors.delete(key)
    return err
  }

  /** The first write error of any share; all are forgotten. */
  takeFirstError (): Error | undefined {
    const first = this.errors.values().next().value
    this.errors.clear()
    return first
  }
}

export function shareKey (si: Uint8Array, shnum: number): string {
  return `${Buffer.from(si.buffer, si.byteOffset, si.byteLength).toString('hex')}/${shnum}`
}

/** Cuts a run of buffers into groups of at most `max` bytes (views, no copies). */
export function splitPieces (pieces: readonly Uint8Array[], max: number): Uint8Array[][] {
  const groups: Uint8Array[][] = []
  let group: Uint8Array[] = []
  let size = 0
  for (const piece of pieces) {
    let at = 0
    while (at < piece.byteLength) {
      const take = Math.min(piece.byteLength - at, max - size)
      group.push(at === 0 && take === piece.byteLength ? piece : piece.subarray(at, at + take))
      size += take
      at += take
      if (size === max) { groups.push(group); group = []; size = 0 }
    }
  }
  if (group.length > 0) groups.push(group)
  return groups
}
