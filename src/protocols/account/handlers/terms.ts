import type { AccountContext } from './context.js'
import type { AccountResponse } from '../message/account.js'

export function handleTerms (ctx: AccountContext): Partial<AccountResponse> {
  const terms = ctx.server.terms()
  return {
    terms: {
      freeQuota: Math.min(terms.freeQuota, Number.MAX_SAFE_INTEGER),
      methods: terms.methods.map(m => ({ name: m.name, url: m.url === '' ? undefined : m.url, explanation: m.explanation }))
    }
  }
}
