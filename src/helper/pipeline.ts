/**
 * Placement while the crypttext arrives: the encoder reads the spool file
 * as it grows, so each segment is erasure-coded and its blocks written to
 * the servers as soon as its crypttext is on disk. When the client's last
 * byte lands only the last segment, the hash trees and the UEB remain.
 *
 * The spool stays the source of truth: a pipeline that cannot go on (no
 * bytes for `stallMs`, a server failing, the helper stopping) aborts the
 * shares it was writing, and the upload's finish places the file again
 * from the whole spool file.
 */
import { open, type FileHandle } from 'node:fs/promises'
import type { PartialUpload } from './spool.js'

/** Largest read from the spool at once. */
const TAIL_READ = 1024 * 1024

/** No crypttext arrived for an upload being placed for too long: its pipeline gives up (the spool keeps the bytes). */
export class SpoolStalledError extends Error {
  static readonly code = 'ERR_HELPER_STALLED'
  readonly code = SpoolStalledError.code
  constructor (message: string) {
    super(message)
    this.name = 'SpoolStalledError'
  }
}

export interface TailOptions {
  /** Ends the read (the pipeline is abandoned or the helper stops). */
  signal: AbortSignal
  /** Longest wait for the next bytes. */
  stallMs: number
}

/** Resolves when `p` holds more than `pos` bytes; rejects on abort or after `stallMs` without growth. */
async function grown (p: PartialUpload, pos: number, opts: TailOptions): Promise<void> {
  if (p.have > pos) return
  opts.signal.throwIfAborted()
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error): void => {
      clearTimeout(timer)
      opts.signal.removeEventListener('abort', onAbort)
      p.growth.delete(onGrow)
      if (err == null) resolve()
      else reject(err)
    }
    const onGrow = (): void => { if (p.have > pos) done() }
    const onAbort = (): void => {
      const reason: unknown = opts.signal.reason
      done(reason instanceof Error ? reason : new Error(`placement aborted: ${String(reason)}`))
    }
    const timer = setTimeout(() => {
      done(new SpoolStalledError(`no crypttext for ${p.key} within ${opts.stallMs} ms at ${pos} of ${p.check.size} bytes`))
    }, opts.stallMs)
    p.growth.add(onGrow)
    opts.signal.addEventListener('abort', onAbort, { once: true })
  })
}

export interface SpoolTail {
  source: () => AsyncIterable<Uint8Array>
  /** Closes the spool file: the encoder may be dropped mid-file without finishing its reads. */
  close: () => Promise<void>
}

/**
 * The crypttext of `p` from the start of its spool file `path`, read as
 * the upload appends it: the bytes below `p.have` are on disk, and the
 * spool only ever appends, so what was read stays true.
 */
export function tailSpool (p: PartialUpload, path: string, opts: TailOptions): SpoolTail {
  let file: FileHandle | undefined
  const close = async (): Promise<void> => {
    const f = file
    file = undefined
    await f?.close()
  }
  const source = async function * (): AsyncGenerator<Uint8Array> {
    await close()
    const f = file = await open(path, 'r')
    try {
      let pos = 0
      while (pos < p.check.size) {
        await grown(p, pos, opts)
        const len = Math.min(TAIL_READ, p.have - pos)
        const buf = Buffer.allocUnsafe(len)
        const { bytesRead } = await f.read(buf, 0, len, pos)
        if (bytesRead === 0) throw new Error(`the spool file of ${p.key} ends at ${pos} bytes, but ${p.have} are recorded`)
        pos += bytesRead
        yield buf.subarray(0, bytesRead)
      }
    } finally {
      await close()
    }
  }
  return { source, close }
}
