import { requireStorageIndex } from '../validate.js'
import type { RequestContext } from '../context.js'
import type { ListSharesRequest } from '../message/storage.js'

export async function handleListShares (ctx: RequestContext, req: ListSharesRequest): Promise<void> {
  const shares = await ctx.server.listShares(requireStorageIndex(req.storageIndex))
  await ctx.reply({ listShares: { shares: shares.map(s => ({ shareNumber: s.shareNumber, size: s.size })) } })
}
