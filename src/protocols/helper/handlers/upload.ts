/**
 * One upload attempt on one stream: the check, then crypttext frames in
 * order until the helper holds the whole file, then the placement.
 */
import { FrameReader, writeFrame } from '../../framing/index.js'
import { MalformedMessageError, OutOfOrderError, RequestTimeoutError, SlowDownError, TruncatedFrameError, errorMessage } from '../../errors.js'
import {
  DEFAULT_HELPER_MIN_RATE, HELPER_READ_HIGH_WATER, MAX_HELPER_CHECK_FRAME, MAX_HELPER_CHUNK, MAX_HELPER_ENCODED_SEGMENT, MAX_HELPER_EXPANSION,
  MAX_CLUB_ID_LENGTH, MAX_HELPER_REQUEST_FRAME, MAX_SEGMENT_SIZE, MAX_SHARES
} from '../constants.js'
import { EncodingRefusedError, UploadTooSlowError } from '../errors.js'
import { HelperRequest, HelperResponse, type CheckRequest } from '../message/helper.js'
import type { HelperBackend, HelperCheck, HelperDone, HelperUploadSession } from '../types.js'
import type { PeerTokenBuckets } from '../../rate-limit/token-bucket.js'
import type { Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface UploadContext {
  backend: HelperBackend
  limiter: PeerTokenBuckets
  peer: string
  idleTimeoutMs: number
  /** Crypttext an upload must bring per window to keep its slot (default DEFAULT_HELPER_MIN_RATE). */
  minRate?: { bytes: number, windowMs: number }
  /** Bytes of crypttext received on this stream (tests count them). */
  onData?: (bytes: number) => void
}

function decode (frame: Uint8ArrayList): HelperRequest {
  try {
    return HelperRequest.decode(frame)
  } catch (err) {
    throw new MalformedMessageError(`undecodable helper request: ${errorMessage(err)}`)
  }
}

export function checkFromWire (c: CheckRequest): HelperCheck {
  if (c.storageIndex.length !== 16) throw new MalformedMessageError(`a storage index is 16 bytes, got ${c.storageIndex.length}`)
  const k = c.neededShares
  const n = c.totalShares
  if (k < 1 || n < k || n > MAX_SHARES) throw new MalformedMessageError(`impossible encoding ${k}-of-${n}`)
  if (c.happy < 1 || c.happy > n) throw new MalformedMessageError(`happy must be 1..${n}, got ${c.happy}`)
  if (c.segmentSize < 1 || c.segmentSize > MAX_SEGMENT_SIZE || c.segmentSize % k !== 0) {
    throw new MalformedMessageError(`segment size ${c.segmentSize} is not a multiple of k up to ${MAX_SEGMENT_SIZE}`)
  }
  if (!Number.isSafeInteger(c.size) || c.size < 1) throw new MalformedMessageError(`impossible file size ${c.size}`)
  if (c.club.length > MAX_CLUB_ID_LENGTH) throw new MalformedMessageError(`a club ID of ${c.club.length} characters is longer than any`)
  return { storageIndex: c.storageIndex, k, happy: c.happy, n, segmentSize: c.segmentSize, size: c.size, ...(c.club !== '' ? { club: c.club } : {}) }
}

/** Refuses an encoding that would make the helper hold too much per segment or send too much per byte spooled. */
export function checkEncoding (c: HelperCheck): void {
  const encoded = c.n * c.segmentSize / c.k
  if (encoded > MAX_HELPER_ENCODED_SEGMENT) {
    // the largest multiple of k whose N blocks fit
    const most = Math.floor(MAX_HELPER_ENCODED_SEGMENT / c.n) * c.k
    throw new EncodingRefusedError(`${c.k}-of-${c.n} with ${c.segmentSize}-byte segments means ${encoded} bytes of blocks per segment; ` +
      `this helper encodes at most ${MAX_HELPER_ENCODED_SEGMENT}: use segments of at most ${most} bytes (client.maxSegmentSize) or upload directly`)
  }
  if (c.n > MAX_HELPER_EXPANSION * c.k) {
    throw new EncodingRefusedError(`${c.k}-of-${c.n} sends ${(c.n / c.k).toFixed(1)} bytes to the grid per byte of file; this helper places at most ${MAX_HELPER_EXPANSION}: choose a larger k or upload directly`)
  }
}

export function doneToWire (d: HelperDone): Partial<HelperResponse> {
  return {
    done: {
      uebHash: d.uebHash as Uint8Array<ArrayBuffer>,
      placements: d.placements.map(p => ({ peerId: p.peerId, multiaddrs: p.multiaddrs.slice(0, 16), shareNumbers: p.shares })),
      happiness: d.happiness,
      alreadyStored: d.alreadyStored
    }
  }
}

async function next (reader: FrameReader, ms: number, what: string): Promise<Uint8ArrayList | undefined> {
  const timer = setTimeout(() => { reader.cancel(new RequestTimeoutError(`no ${what} within ${ms} ms`)) }, ms)
  try {
    return await reader.read()
  } finally {
    clearTimeout(timer)
  }
}

/** Serves the stream; throws what must be answered as an error (the caller encodes it). */
export async function handleUpload (ctx: UploadContext, stream: Stream): Promise<void> {
  ctx.backend.admit?.(ctx.peer)
  // the check is a few dozen bytes: nothing larger is read until it is answered
  const reader = new FrameReader(stream, { maxFrameLength: MAX_HELPER_CHECK_FRAME, highWaterMark: HELPER_READ_HIGH_WATER, frameTimeoutMs: ctx.idleTimeoutMs })
  let session: HelperUploadSession | undefined
  try {
    const first = await next(reader, ctx.idleTimeoutMs, 'check request')
    if (first == null) return
    const req = decode(first)
    if (req.check == null) throw new OutOfOrderError('a helper stream starts with a check request')
    const taken = ctx.limiter.take(ctx.peer)
    if (!taken.ok) throw new SlowDownError(taken.retryAfterMs, `too many uploads started; retry after ${taken.retryAfterMs} ms`)
    const check = checkFromWire(req.check)
    checkEncoding(check)
    const opened = await ctx.backend.open(ctx.peer, check)
    if ('done' in opened) {
      await writeFrame(stream, HelperResponse.encode(doneToWire(opened.done)))
      return
    }
    session = opened.session
    reader.setMaxFrameLength(MAX_HELPER_REQUEST_FRAME)
    await writeFrame(stream, HelperResponse.encode({ check: { haveBytes: session.haveBytes } }))
    const minRate = ctx.minRate ?? DEFAULT_HELPER_MIN_RATE
    let windowStart = Date.now()
    let windowBytes = 0
    while (session.haveBytes < check.size) {
      const frame = await next(reader, ctx.idleTimeoutMs, 'crypttext')
      if (frame == null) throw new TruncatedFrameError(`the client ended the stream at ${session.haveBytes} of ${check.size} bytes`)
      const { data } = decode(frame)
      if (data == null) throw new OutOfOrderError('only crypttext may follow the check')
      if (data.offset !== session.haveBytes) throw new OutOfOrderError(`crypttext at offset ${data.offset}, but the helper holds ${session.haveBytes} bytes`)
      if (data.data.length === 0 || data.data.length > MAX_HELPER_CHUNK || data.offset + data.data.length > check.size) {
        throw new MalformedMessageError(`a crypttext chunk of ${data.data.length} bytes at ${data.offset} does not fit a ${check.size}-byte file`)
      }
      ctx.onData?.(data.data.length)
      await session.append(data.data)
      windowBytes += data.data.length
      const now = Date.now()
      if (now - windowStart >= minRate.windowMs) {
        if (windowBytes < minRate.bytes && session.haveBytes < check.size) {
          throw new UploadTooSlowError(`${windowBytes} bytes in ${now - windowStart} ms is below this helper's ${minRate.bytes} bytes per ${minRate.windowMs} ms; ` +
            `it holds ${session.haveBytes} bytes, and a new attempt resumes there`)
        }
        windowStart = now
        windowBytes = 0
      }
    }
    const done = await session.finish()
    await writeFrame(stream, HelperResponse.encode(doneToWire(done)))
  } finally {
    session?.release()
    reader.dispose()
  }
}
