/**
 * One upload attempt on one stream: the check, then crypttext frames in
 * order until the helper holds the whole file, then the placement.
 */
import { FrameReader, writeFrame } from '../../framing/index.js'
import { MalformedMessageError, OutOfOrderError, RequestTimeoutError, SlowDownError, TruncatedFrameError, errorMessage } from '../../errors.js'
import { HELPER_READ_HIGH_WATER, MAX_HELPER_CHUNK, MAX_HELPER_REQUEST_FRAME, MAX_SEGMENT_SIZE, MAX_SHARES } from '../constants.js'
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
  return { storageIndex: c.storageIndex, k, happy: c.happy, n, segmentSize: c.segmentSize, size: c.size }
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
  const reader = new FrameReader(stream, { maxFrameLength: MAX_HELPER_REQUEST_FRAME, highWaterMark: HELPER_READ_HIGH_WATER, frameTimeoutMs: ctx.idleTimeoutMs })
  let session: HelperUploadSession | undefined
  try {
    const first = await next(reader, ctx.idleTimeoutMs, 'check request')
    if (first == null) return
    const req = decode(first)
    if (req.check == null) throw new OutOfOrderError('a helper stream starts with a check request')
    const taken = ctx.limiter.take(ctx.peer)
    if (!taken.ok) throw new SlowDownError(taken.retryAfterMs, `too many uploads started; retry after ${taken.retryAfterMs} ms`)
    const check = checkFromWire(req.check)
    const opened = await ctx.backend.open(ctx.peer, check)
    if ('done' in opened) {
      await writeFrame(stream, HelperResponse.encode(doneToWire(opened.done)))
      return
    }
    session = opened.session
    await writeFrame(stream, HelperResponse.encode({ check: { haveBytes: session.haveBytes } }))
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
    }
    const done = await session.finish()
    await writeFrame(stream, HelperResponse.encode(doneToWire(done)))
  } finally {
    session?.release()
    reader.dispose()
  }
}
