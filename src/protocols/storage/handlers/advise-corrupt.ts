import { requireReason, requireShareNumber, requireStorageIndex } from '../validate.js'
import type { RequestContext } from '../context.js'
import type { AdviseCorruptRequest } from '../message/storage.js'

export async function handleAdviseCorrupt (ctx: RequestContext, req: AdviseCorruptRequest): Promise<void> {
  await ctx.server.adviseCorrupt(ctx.account, requireStorageIndex(req.storageIndex), requireShareNumber(req.shareNumber), requireReason(req.reason))
  await ctx.reply({ ack: {} })
}
