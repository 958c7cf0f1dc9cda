import { MalformedMessageError } from '../../errors.js'
import { MAX_INVITATION_CODE_LENGTH } from '../constants.js'
import type { AccountContext } from './context.js'
import type { AccountResponse, RedeemRequest } from '../message/account.js'

export function handleRedeem (ctx: AccountContext, req: RedeemRequest): Partial<AccountResponse> {
  const code = req.code.trim()
  if (code.length === 0 || code.length > MAX_INVITATION_CODE_LENGTH) {
    throw new MalformedMessageError(`invitation code must be 1..${MAX_INVITATION_CODE_LENGTH} characters`)
  }
  const { quota } = ctx.server.redeemInvitation(ctx.account, code)
  return { redeem: { quota: Math.min(quota, Number.MAX_SAFE_INTEGER) } }
}
