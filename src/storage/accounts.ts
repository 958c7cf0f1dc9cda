import type { ComponentLogger, Logger } from '@libp2p/logger'
import type Database from 'better-sqlite3'
import type { Config } from './config.js'
import type { Queries } from './db.js'
import { InvalidArgumentError, InvitationUnknownError, InvitationUsedError, QuotaExceededError } from './errors.js'
import { canonicalInvitationCode, newInvitationCode } from './invitation-code.js'
import type { Reservations } from './reservations.js'
import { checkAccount, checkNonNegativeInteger } from './validate.js'
import type { AccountSummary, AccountUsage, GrantedAccount, Terms } from './types.js'

/** Most rows a listing returns at once. */
export const MAX_LISTING = 1000
/** How long accounts() reuses its ranking. */
const SUMMARY_TTL_MS = 30_000

/**
 * Accounts (clients, by peer ID), what they use, their quota, and the
 * invitations that raise it. Usage counts stored shares the account leases
 * plus its reservations; the quota gates new reservations only.
 */
export class Accounts {
  private readonly log: Logger
  private summaryCache?: { limit: number, at: number, top: AccountSummary[] }

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
    const { bytes, shares } = this.q.usage.get(account, now, account, now)!
    const own = this.q.account.get(account)?.quota ?? null
    return {
      bytes,
      shares,
      leases: this.q.leaseCount.get(account, now) ?? 0,
      quota: Math.max(this.config.freeQuota, own ?? 0),
      reserved: this.reservations.reservedBy(account),
      uploads: this.reservations.countBy(account),
      granted: own !== null
    }
  }

  /**
   * The `limit` accounts using the most bytes, and how many accounts there are.
   * Ranking them is a pass over every live lease (measured: 300–500 ms for
   * 200,000 shares), and the status page asks every second, so an answer is
   * reused for SUMMARY_TTL_MS.
   */
  summaries (limit: number): { total: number, top: AccountSummary[] } {
    const n = clampLimit(limit)
    const now = performance.now()
    const cached = this.summaryCache
    // the count is one cheap query, so it is always fresh; only the ranking is reused
    if (cached !== undefined && cached.limit >= n && now - cached.at < SUMMARY_TTL_MS) {
      return { total: this.count(), top: cached.top.slice(0, n) }
    }
    const top = this.q.accountSummaries.all(this.config.now(), n).map(row => ({
      account: row.account,
      bytes: row.bytes,
      shares: row.shares,
      quota: Math.max(this.config.freeQuota, row.quota ?? 0)
    }))
    this.summaryCache = { limit: n, at: now, top }
    return { total: this.count(), top: top.slice() }
  }

  hasLease (si: string, account: string): boolean {
    return this.q.hasLease.get(si, account, this.config.now()) !== undefined
  }

  /** Bytes charged for shares that free accounts lease (each share once). */
  storedByFree (): number {
    const now = this.config.now()
    return this.q.storedByFree.get(now, now) ?? 0
  }

  /** Operator grant: own quota, the granted limits, outside the free budget. */
  grant (account: string, opts: { quota: number, note?: string }): GrantedAccount {
    checkAccount(account)
    const quota = checkNonNegativeInteger('quota', opts?.quota)
    if (opts.note !== undefined && (typeof opts.note !== 'string' || opts.note.length > 1000)) {
      throw new InvalidArgumentError('a grant note must be a string of at most 1000 characters')
    }
    const now = this.config.now()
    this.db.transaction(() => {
      this.ensure(account, now)
      this.q.grant.run(quota, opts.note ?? null, now, account)
    }).immediate()
    this.log('%s granted a quota of %d bytes', account, quota)
    return { account, quota, note: opts.note ?? null, grantedAt: now }
  }

  /** Back to a free account; true if it was granted (by grant or invitation). */
  revoke (account: string): boolean {
    checkAccount(account)
    const changed = this.q.revoke.run(account).changes > 0
    if (changed) this.log('%s revoked: a free account again', account)
    return changed
  }

  listGranted (limit: number, offset: number): { total: number, accounts: GrantedAccount[] } {
    checkNonNegativeInteger('offset', offset)
    const accounts = this.q.granted.all(clampLimit(limit), offset).map(r => ({
      account: r.account, quota: r.quota, note: r.note, grantedAt: r.granted_at
    }))
    return { total: this.q.grantedCount.get() ?? 0, accounts }
  }

  count (): number {
    return this.q.accountCount.get() ?? 0
  }

  /** Throws QuotaExceededError if `needed` more bytes would take the account with `usage` past its quota. */
  checkQuota (usage: AccountUsage, account: string, needed: number): void {
    const total = usage.bytes + usage.reserved + needed
    if (total > usage.quota) {
      throw new QuotaExceededError(`account ${account} has a quota of ${usage.quota} bytes and uses ${usage.bytes} (plus ${usage.reserved} reserved by uploads in progress; each share counts at least 4096 bytes); ${needed} more bytes would make ${total}. Redeem an invitation or free space by letting leases expire.`)
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

function clampLimit (limit: number): number {
  checkNonNegativeInteger('limit', limit)
  return Math.min(limit, MAX_LISTING)
}
