/**
 * Open storage sessions per remote peer, so the storage server can learn when
 * an account comes and goes (its uploads may outlive a dropped connection for
 * a grace period, and no longer).
 */
import type { Logger } from '@libp2p/interface'

/** What the node wires to its storage server; `account` is the peer ID string Noise authenticated. */
export interface SessionObserver {
  /** The peer opened its first storage session (over any of its connections). */
  connected(account: string): void
  /** The peer's last storage session ended. */
  disconnected(account: string): void
}

export class PeerSessions {
  private readonly open = new Map<string, number>()
  private readonly observer?: SessionObserver
  private readonly log?: Logger

  constructor (observer?: SessionObserver, log?: Logger) {
    this.observer = observer
    this.log = log
  }

  /** Sessions `account` has open now. */
  count (account: string): number {
    return this.open.get(account) ?? 0
  }

  opened (account: string): void {
    const n = this.count(account) + 1
    this.open.set(account, n)
    if (n === 1) this.notify('connected', account)
  }

  closed (account: string): void {
    const n = this.count(account) - 1
    if (n > 0) {
      this.open.set(account, n)
      return
    }
    this.open.delete(account)
    this.notify('disconnected', account)
  }

  private notify (what: keyof SessionObserver, account: string): void {
    if (this.observer == null) return
    try {
      this.observer[what](account)
    } catch (err) {
      // an observer's failure must not end the session it was told about
      this.log?.error('session observer %s(%s) failed - %e', what, account, err)
    }
  }
}
