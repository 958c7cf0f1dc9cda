import type { ComponentLogger, Logger } from '@libp2p/logger'
import type Database from 'better-sqlite3'
import type { Config } from './config.js'
import type { Queries } from './db.js'
import { InvalidArgumentError, InvitationUnknownError, InvitationUsedError, QuotaExceededError } from './errors.js'
import { canonicalInvitationCode, newInvitationCode } from './invitation-code.js'
import type { Reservations } from './reservations.js'
import { checkAccount, checkNonNegativeInteger } from './validate.js'
import type { AccountSummary, AccountUsage, Terms } from './types.js'

/**
 * Accounts (clients, by peer ID), what they use, their quota, and the
 * invitations that raise it. Usage counts stored shares the account leases
 * plus its reservations; the quota gates new reservations only.
 */
export class Accounts {
  private readonly log: Logger

  constructor (
    private readonly db: Database.Database,
    private readonly q: Queries,
    private readonly config: Pick<Config, 'freeQuota' | 'now' | 'invitationExplanation' | 'paymentMethods'>,
    private readonly reservations: Reservations,
    logger: ComponentLogger
  ) {
    this.log = logger.forComponent('lafs-club:storage:accounts')
  }

  /** Create the account row if missing, inside the caller's transaction. */
  ensure (account: string, now: number): void {
    this.q.ensureAccount.run(account, now)
  }

  terms (): Terms {
    const methods: Terms['methods'] = []
    if (this.config.freeQuota > 0) {
      methods.push({ name: 'free', explanation: `Every account may store up to ${this.config.freeQuota} bytes without asking.` })
    }
    methods.push({
      name: 'invitation',
      explanation: this.config.invitationExplanation ??
        'Ask the operator of this server for an invitation code; redeeming it raises your quota.'
    })
    for (const m of this.config.paymentMethods) {
      methods.push({ name: m.name, url: m.url, explanation: m.explanation })
    }
    return { freeQuota: this.config.freeQuota, methods }
  }

  usage (account: string): AccountUsage {
    checkAccount(account)
    const now = this.config.now()
    const { bytes, shares } = this.q.usage.get(account, now)!
    return {
      bytes,
      shares,
      leases: this.q.leaseCount.get(account, now) ?? 0,
      quota: this.quotaOf(account),
      reserved: this.reservations.reservedBy(account)
    }
  }

  summaries (): AccountSummary[] {
    return this.q.accountSummaries.all(this.config.now()).map(row => ({
      account: row.account,
      bytes: row.bytes,
      shares: row.shares,
      quota: Math.max(this.config.freeQuota, row.quota ?? 0)
    }))
  }

  count (): number {
    return this.q.accountCount.get() ?? 0
  }

  /** Throws QuotaExceededError if `needed` more bytes would take `account` past its quota. */
  checkQuota (account: string, needed: number): void {
    const usage = this.usage(account)
    const total = usage.bytes + usage.reserved + needed
    if (total > usage.quota) {
      throw new QuotaExceededError(`account ${account} has a quota of ${usage.quota} bytes and uses ${usage.bytes} (plus ${usage.reserved} reserved by uploads in progress); ${needed} more bytes would make ${total}. Redeem an invitation or free space by letting leases expire.`)
    }
  }

  /** A new single-use code; it is the credential, so only its quota is logged. */
  createInvitation (opts: { quota: number, note?: string }): string {
    const quota = checkNonNegativeInteger('invitation quota', opts?.quota)
    if (opts.note !== undefined && typeof opts.note !== 'string') throw new InvalidArgumentError('invitation note must be a string')
    for (;;) {
      const code = newInvitationCode()
      if (this.q.invitation.get(canonicalInvitationCode(code)) !== undefined) continue
      this.q.insertInvitation.run(canonicalInvitationCode(code), quota, opts.note ?? null, this.config.now())
      this.log('invitation created for a quota of %d bytes', quota)
      return code
    }
  }

  /** Raises the quota to max(current, invitation quota): an invitation never lowers a quota. */
  redeemInvitation (account: string, code: string): { quota: number } {
    checkAccount(account)
    if (typeof code !== 'string') throw new InvalidArgumentError('invitation code must be a string')
    const canonical = canonicalInvitationCode(code)
    const now = this.config.now()
    try {
      this.db.transaction(() => {
        const invitation = this.q.invitation.get(canonical)
        if (invitation === undefined) {
          throw new InvitationUnknownError(`invitation code ${code} is not known to this server; check it for typos`)
        }
        if (invitation.redeemed_by !== null) {
          throw new InvitationUsedError(`invitation code ${code} was already redeemed; ask the operator for a new one`)
        }
        this.q.redeemInvitation.run(account, now, canonical)
        this.ensure(account, now)
        this.q.raiseQuota.run(invitation.quota, canonical, account)
      }).immediate()
    } catch (err) {
      this.log('refused an invitation from %s: %s', account, (err as { code?: string }).code ?? err)
      throw err
    }
    const quota = this.quotaOf(account)
    this.log('%s redeemed an invitation; quota now %d bytes', account, quota)
    return { quota }
  }

  private quotaOf (account: string): number {
    return Math.max(this.config.freeQuota, this.q.account.get(account)?.quota ?? 0)
  }
}
