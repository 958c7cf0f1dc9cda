import { MessageTooLargeError } from '../../errors.js'
import { MAX_WRITE_SIZE } from '../constants.js'
import { requireCount, requireShareNumber, requireStorageIndex } from '../validate.js'
import type { RequestContext } from '../context.js'
import type { WriteRequest } from '../message/storage.js'

export async function handleWrite (ctx: RequestContext, req: WriteRequest): Promise<void> {
  if (req.data.byteLength > MAX_WRITE_SIZE) {
    throw new MessageTooLargeError(`write of ${req.data.byteLength} bytes exceeds the limit of ${MAX_WRITE_SIZE}`)
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
