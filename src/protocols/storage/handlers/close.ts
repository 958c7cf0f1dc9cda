import { requireShareNumber, requireStorageIndex } from '../validate.js'
import type { RequestContext } from '../context.js'
import type { ShareRef } from '../message/storage.js'

export async function handleClose (ctx: RequestContext, req: ShareRef): Promise<void> {
  await ctx.server.closeShare(ctx.account, requireStorageIndex(req.storageIndex), requireShareNumber(req.shareNumber))
  await ctx.reply({ ack: {} })
}
