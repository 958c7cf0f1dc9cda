import type { AccountContext } from './context.js'
import type { AccountResponse } from '../message/account.js'

const clamp = (n: number): number => Number.isFinite(n) ? Math.max(0, Math.min(n, Number.MAX_SAFE_INTEGER)) : Number.MAX_SAFE_INTEGER

export function handleUsage (ctx: AccountContext): Partial<AccountResponse> {
  const u = ctx.server.usage(ctx.account)
  return { usage: { account: ctx.account, bytes: clamp(u.bytes), shares: clamp(u.shares), leases: clamp(u.leases), quota: clamp(u.quota), reserved: clamp(u.reserved) } }
}
