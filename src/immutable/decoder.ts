/**
 * CHK download over ShareSources (Tahoe's DownloadNode.read): the range
 * asked for, the segments it touches, and their decryption. Never yields a
 * byte that did not pass every hash check: share-set.ts chooses and drops
 * shares, segment-fetcher.ts fetches and checks segments.
 */
import { setMaxListeners } from 'node:events'
import { logger } from '@libp2p/logger'
import { toCap, type Cap, type ChkReadCap } from './caps.js'
import { ctrStreamAt } from './cipher.js'
import { AbortedError, ImmutableError, InvalidRangeError } from './errors.js'
import { plain } from './hashes.js'
import { segmentRange } from './params.js'
import { SegmentFetcher, type DecryptRange } from './segment-fetcher.js'
import { checkAborted, fileContext, fileLabel, ShareSet, type BadShareReport } from './share-set.js'
import type { ShareSource } from './share-reader.js'
import type { SpreadStats } from './spread.js'

export type { BadShareReport } from './share-set.js'

const log = logger('lafs-club:immutable:decoder')

export interface ReadProgress {
  /** Segment just delivered. */
  segment: number
  segmentsDone: number
  segmentsTotal: number
  bytesDone: number
  bytesTotal: number
}

export interface ReadOptions {
  offset?: number
  length?: number
  onBadShare?: (report: BadShareReport) => void
  onProgress?: (progress: ReadProgress) => void
  signal?: AbortSignal
  /** Hash and decrypt long reads on a worker thread (default true). */
  offload?: boolean
  /**
   * Read a long range from every distinct share there is, each segment from
   * the k whose servers will deliver it soonest (default false: the same k
   * shares throughout). Sources should say which server they are on.
   */
  spread?: boolean
  /** When spreading, called once the read is complete with what each server delivered and its throughput as measured. */
  onSpreadStats?: (stats: SpreadStats[]) => void
}

/** The bytes a..b of a piece list, as views. */
function slicePieces (pieces: readonly Uint8Array[], a: number, b: number): Uint8Array[] {
  const out: Uint8Array[] = []
  let at = 0
  for (const p of pieces) {
    const from = Math.max(a, at)
    const to = Math.min(b, at + p.byteLength)
    if (to > from) out.push(from === at && to === at + p.byteLength ? p : p.subarray(from - at, to - at))
    at += p.byteLength
    if (at >= b) break
  }
  return out
}

/**
 * Streams the plaintext of `cap` (or of the range offset..offset+length)
 * from the given shares, fetching only the segments the range touches.
 */
export async function * readImmutable (capIn: string | Cap, sources: Iterable<ShareSource>, opts: ReadOptions = {}): AsyncGenerator<Uint8Array> {
  const cap = toCap(capIn)
  const size = cap.kind === 'lit' ? cap.data.length : cap.size
  const offset = opts.offset ?? 0
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > size) throw new InvalidRangeError(`offset ${offset} is outside the file (0..${size})`)
  const length = opts.length ?? size - offset
  if (!Number.isSafeInteger(length) || length < 0 || offset + length > size) {
    throw new InvalidRangeError(`range ${offset}+${length} runs past the end of the ${size}-byte file`)
  }
  checkAborted(opts.signal)
  if (cap.kind === 'lit') {
    if (length > 0) yield cap.data.slice(offset, offset + length)
    return
  }
  if (cap.kind !== 'chk') throw new ImmutableError('ERR_NEED_READ_CAP', 'reading a file needs its read-cap (URI:CHK:…); a verify-cap can only check shares')
  if (length === 0) return

  // Ended when this generator ends, however it ends (the caller stopped
  // reading, an error): segments still in flight then stop at their next
  // step, neither opening other shares nor blaming any for the closed reads.
  const ended = new AbortController()
  const signal = opts.signal == null ? ended.signal : AbortSignal.any([opts.signal, ended.signal])
  // ours alone: every segment in flight listens to it (hedge.ts), up to 32 at once
  setMaxListeners(Infinity, signal)
  try {
    yield * readSegments(cap, sources, { ...opts, signal }, offset, length)
  } finally {
    ended.abort(new AbortedError('the read ended'))
  }
}

async function * readSegments (cap: ChkReadCap, sources: Iterable<ShareSource>, opts: ReadOptions, offset: number, length: number): AsyncGenerator<Uint8Array> {
  const label = fileLabel(cap)
  log('%s: reading bytes %d+%d of %d', label, offset, length, cap.size)
  const set = new ShareSet(fileContext(cap), sources, opts, label)
  await set.fill()
  const p = set.params
  const first = Math.floor(offset / p.segmentSize)
  const last = Math.floor((offset + length - 1) / p.segmentSize)
  const segments = last - first + 1
  // Spreading pays when there are several segments to spread.
  const spread = opts.spread === true && segments > 1
  const opening = spread ? set.openRest() : undefined
  const fetcher = new SegmentFetcher(set, { segments, offload: opts.offload, spread, opening })
  const rangeOf = (i: number): DecryptRange => {
    const { start: segStart, end: segEnd } = segmentRange(p, i)
    const a = Math.max(offset, segStart) - segStart
    const b = Math.min(offset + length, segEnd) - segStart
    return { key: cap.key, fileOffset: segStart + a, start: a, end: b }
  }
  let done = 0
  let i = first
  for await (const seg of fetcher.inOrder(first, last, rangeOf)) {
    const { fileOffset, start: a, end: b } = rangeOf(i)
    // Inline, block by block: each output is block-sized, which the allocator
    // serves from its heap, where a segment-sized one would be freshly mapped memory.
    let outs: Uint8Array[]
    if (seg.plaintext != null) outs = [seg.plaintext.take()]
    else {
      const keystream = ctrStreamAt(cap.key, fileOffset)
      outs = slicePieces(seg.crypttext, a, b).map(piece => plain(keystream.update(piece)))
    }
    done += b - a
    opts.onProgress?.({ segment: i, segmentsDone: i - first + 1, segmentsTotal: last - first + 1, bytesDone: done, bytesTotal: length })
    i++
    for (const out of outs) yield out
  }
  log('%s: read %d bytes; shares dropped: %d', label, done, set.failures.length)
  if (spread) {
    const stats = fetcher.spreadStats()
    log('%s: blocks per server: %s', label, stats.map(t => `${t.server.slice(-8)}=${t.blocks} (${Math.round(t.bps / 1024)} KiB/s)`).join(' '))
    opts.onSpreadStats?.(stats)
  }
}
