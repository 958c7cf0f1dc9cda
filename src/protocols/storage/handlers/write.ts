import { MessageTooLargeError } from '../../errors.js'
import { MAX_WRITE_SIZE } from '../constants.js'
import { requireCount, requireShareNumber, requireStorageIndex } from '../validate.js'
import type { RequestContext } from '../context.js'

/** A WriteRequest whose data may still be in the pieces it arrived in (see write-frame.ts). */
export interface IncomingWrite {
  storageIndex: Uint8Array
  shareNumber: number
  offset: number
  data: Uint8Array | readonly Uint8Array[]
}

export async function handleWrite (ctx: RequestContext, req: IncomingWrite): Promise<void> {
  const length = req.data instanceof Uint8Array ? req.data.byteLength : req.data.reduce((n, p) => n + p.byteLength, 0)
  if (length > MAX_WRITE_SIZE) {
    throw new MessageTooLargeError(`write of ${length} bytes exceeds the limit of ${MAX_WRITE_SIZE}`)
  }
  const { complete } = await ctx.server.write(
    ctx.account,
    requireStorageIndex(req.storageIndex),
    requireShareNumber(req.shareNumber),
    requireCount('offset', req.offset),
    req.data
  )
  await ctx.reply({ write: { complete } })
}
