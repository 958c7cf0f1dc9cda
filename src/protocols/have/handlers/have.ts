import { MaxLengthError } from 'protons-runtime'
import { STORAGE_INDEX_LENGTH } from '../../../storage/index.js'
import { MalformedMessageError, MessageTooLargeError, SlowDownError, errorMessage } from '../../errors.js'
import { HaveRequest, HaveResponse } from '../message/have.js'
import type { PeerTokenBuckets } from '../../rate-limit/token-bucket.js'
import type { StorageServer } from '../../../storage/index.js'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface HaveContext {
  server: StorageServer
  limiter: PeerTokenBuckets
  peer: string
  /** Clubs whose roster lists this server (named in answers that report a share). */
  clubs?: () => readonly string[]
}

/** The most club IDs one answer names (the message decoder enforces the same). */
export const MAX_CLUBS_NAMED = 16

/** Answers which share numbers are held for each storage index; charges one token per index. */
export async function handleHave (ctx: HaveContext, frame: Uint8ArrayList): Promise<Uint8Array> {
  let req: HaveRequest
  try {
    req = HaveRequest.decode(frame)
  } catch (err) {
    if (err instanceof MaxLengthError) throw new MessageTooLargeError(errorMessage(err))
    throw new MalformedMessageError(`undecodable have request: ${errorMessage(err)}`)
  }
  for (const si of req.storageIndexes) {
    if (si.byteLength !== STORAGE_INDEX_LENGTH) throw new MalformedMessageError(`storage index must be ${STORAGE_INDEX_LENGTH} bytes, got ${si.byteLength}`)
  }
  const allowed = ctx.limiter.take(ctx.peer, Math.max(1, req.storageIndexes.length))
  if (!allowed.ok) {
    const slow = new SlowDownError(allowed.retryAfterMs)
    return HaveResponse.encode({ error: { code: slow.code, message: slow.message }, retryAfterMs: allowed.retryAfterMs })
  }
  const held = req.storageIndexes.length === 0 ? [] : await ctx.server.have(req.storageIndexes)
  // Only a holder names its clubs: a "nothing here" answer has nothing to point the reader on to.
  const clubs = held.some(h => h.length > 0) ? (ctx.clubs?.() ?? []).slice(0, MAX_CLUBS_NAMED) : []
  return HaveResponse.encode({ entries: held.map(shareNumbers => ({ shareNumbers })), clubs: [...clubs] })
}
