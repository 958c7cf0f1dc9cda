import { requireLease, requireStorageIndex } from '../validate.js'
import type { RequestContext } from '../context.js'
import type { AddLeaseRequest } from '../message/storage.js'

export async function handleAddLease (ctx: RequestContext, req: AddLeaseRequest): Promise<void> {
  await ctx.server.addLease(ctx.account, requireStorageIndex(req.storageIndex), requireLease(req.lease))
  await ctx.reply({ ack: {} })
}
