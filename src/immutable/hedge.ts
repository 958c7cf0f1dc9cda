/**
 * Hedged block reads for a spreading download: a segment asks k shares for
 * their blocks and, if one has not answered long after it should have
 * (a server that hangs without closing the connection, or one that has
 * become very slow), asks one more share, and so on, taking the first k
 * blocks to arrive. Without this, a hung server holds every segment that
 * asked it until the storage session times out (30 s of no progress), and
 * the output, which is in order, waits with it. The late answers are not
 * used; a hung server's waiting reads make it measure slower (spread.ts),
 * so later segments go around it. A read that fails is replaced by a spare
 * at once, so one server resetting while another hangs does not leave the
 * segment waiting on the hung one.
 */
import { checkAborted } from './share-set.js'
import type { ShareReader } from './share-reader.js'

export interface BlockRead { reader: ShareReader, block: Uint8Array[], nodes: Map<number, Uint8Array> }

export interface HedgeOptions {
  /** Reads one block (unchecked: the caller checks what it uses). */
  read: (r: ShareReader) => Promise<{ block: Uint8Array[], nodes: Map<number, Uint8Array> }>
  /** Another share to ask, with a number not in `asked`; undefined when there is none. */
  spare: (asked: ReadonlySet<number>) => ShareReader | undefined
  /** How long to wait for k answers before asking one more share (and again after each). */
  delayMs: number
  signal?: AbortSignal
  onHedge?: (extra: ShareReader, waitingOn: ShareReader[]) => void
  /** A read failed and a spare was asked instead (the caller decides whether the share is to blame). */
  onFailed?: (reader: ShareReader, err: Error) => void
}

/**
 * The first k blocks to arrive from `first` (k readers) and any spares
 * asked, in share-number order. A failed read is replaced by a spare; it
 * rejects with the read error only when no spare is left to make up k (the
 * caller's careful path then finds out whose fault it was), and at once
 * when the signal aborts.
 */
export async function hedgedReads (first: readonly ShareReader[], opts: HedgeOptions): Promise<BlockRead[]> {
  const k = first.length
  return await new Promise<BlockRead[]>((resolve, reject) => {
    const done: BlockRead[] = []
    const asked = new Set<number>()
    const pending = new Set<ShareReader>()
    let settled = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const onAbort = (): void => {
      try {
        checkAborted(opts.signal)
      } catch (err) {
        finish(asError(err))
      }
    }
    const finish = (err?: Error): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      opts.signal?.removeEventListener('abort', onAbort)
      if (err !== undefined) reject(err)
      else resolve(done.slice(0, k).sort((a, b) => a.reader.shnum - b.reader.shnum))
    }
    const ask = (r: ShareReader): void => {
      asked.add(r.shnum)
      pending.add(r)
      opts.read(r).then(got => {
        pending.delete(r)
        if (settled) return
        done.push({ reader: r, ...got })
        if (done.length >= k) finish()
      }, (reason: unknown) => {
        pending.delete(r)
        if (settled) return
        const err = asError(reason)
        if (opts.signal?.aborted === true) { finish(err); return }
        opts.onFailed?.(r, err)
        const extra = opts.spare(asked)
        if (extra !== undefined) ask(extra)
        else if (done.length + pending.size < k) finish(err)
      })
    }
    const arm = (): void => {
      timer = setTimeout(() => {
        if (settled) return
        try {
          checkAborted(opts.signal)
        } catch (err) {
          finish(asError(err))
          return
        }
        const extra = opts.spare(asked)
        if (extra === undefined) return
        opts.onHedge?.(extra, [...pending])
        ask(extra)
        arm()
      }, opts.delayMs)
      // Never what keeps a process alive: the reads themselves do, while they last.
      timer.unref?.()
    }
    if (opts.signal?.aborted === true) { onAbort(); return }
    opts.signal?.addEventListener('abort', onAbort, { once: true })
    for (const r of first) ask(r)
    if (!settled) arm()
  })
}

function asError (err: unknown): Error {
  return err instanceof Error ? err : new Error(`a block read failed: ${JSON.stringify(err)}`)
}
