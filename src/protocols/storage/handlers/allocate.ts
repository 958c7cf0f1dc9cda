import { requireCount, requireLease, requireShareNumbers, requireStorageIndex } from '../validate.js'
import type { RequestContext } from '../context.js'
import type { AllocateRequest } from '../message/storage.js'

export async function handleAllocate (ctx: RequestContext, req: AllocateRequest): Promise<void> {
  const result = await ctx.server.allocate(
    ctx.account,
    requireStorageIndex(req.storageIndex),
    requireShareNumbers(req.shareNumbers),
    requireCount('share size', req.shareSize),
    requireLease(req.lease)
  )
  await ctx.reply({ allocate: { allocated: result.allocated, alreadyHave: result.alreadyHave } })
}
