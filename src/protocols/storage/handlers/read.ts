import { MessageTooLargeError } from '../../errors.js'
import { MAX_READ_LENGTH, READ_CHUNK_SIZE } from '../constants.js'
import { requireCount, requireShareNumber, requireStorageIndex } from '../validate.js'
import type { RequestContext } from '../context.js'
import type { ReadRequest } from '../message/storage.js'

/**
 * Answers with READ_CHUNK_SIZE frames, the last one flagged. The next piece
 * is read from disk while the previous one is being sent; reading stops at
 * the end of the share (a short piece), as Tahoe shortens reads past the end.
 */
export async function handleRead (ctx: RequestContext, req: ReadRequest): Promise<void> {
  const si = requireStorageIndex(req.storageIndex)
  const shnum = requireShareNumber(req.shareNumber)
  let offset = requireCount('offset', req.offset)
  let remaining = requireCount('length', req.length)
  if (remaining > MAX_READ_LENGTH) {
    throw new MessageTooLargeError(`read of ${remaining} bytes exceeds the limit of ${MAX_READ_LENGTH}`)
  }

  const readPiece = (at: number, want: number): { want: number, data: Promise<Uint8Array> } => {
    const data = want === 0 ? Promise.resolve(new Uint8Array(0)) : ctx.server.read(si, shnum, at, want)
    // awaited below; this only keeps a failure during a slow send from going unhandled
    data.catch(() => {})
    return { want, data }
  }

  let next = readPiece(offset, Math.min(READ_CHUNK_SIZE, remaining))
  while (true) {
    const data = await next.data
    offset += data.byteLength
    remaining -= data.byteLength
    const last = remaining === 0 || data.byteLength < next.want
    if (!last) next = readPiece(offset, Math.min(READ_CHUNK_SIZE, remaining))
    await ctx.reply({ read: { data: data as Uint8Array<ArrayBuffer>, last } })
    if (last) return
  }
}
