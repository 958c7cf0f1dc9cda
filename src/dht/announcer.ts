/**
 * Keeps provider records for the storage indexes a server holds alive.
 *
 * A server calls `announce(si)` when it stores a share; every
 * `reprovideIntervalMs` the announcer re-queues everything `list()` returns (or
 * everything it was ever told about). Announcements run with bounded
 * concurrency. `backlog` is the number still waiting or running; a `warning`
 * event fires when the backlog passes `warnBacklog`, or when a new reprovide
 * round is due while the previous one has not finished — either way the node
 * cannot keep its records fresh and operators should know.
 */
import { defaultLogger } from '@libp2p/logger'
import { DEFAULT_REPROVIDE_INTERVAL_MS } from './constants.js'
import { provide } from './providers.js'
import type { ComponentLogger, Logger } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'

export interface ProviderAnnouncerOptions {
  /** Parallel provide operations. Default 4 (each one is ~k FIND_NODE + k ADD_PROVIDER RPCs). */
  concurrency?: number
  reprovideIntervalMs?: number
  /** Warn when more than this many announcements are waiting. Default 1000. */
  warnBacklog?: number
  /** Every storage index to re-announce on each round; default: all ever announced here. */
  list?: () => Iterable<Uint8Array> | AsyncIterable<Uint8Array>
  /** Per-announcement time limit (ms). Default 60 s. */
  timeoutMs?: number
  /** Default `defaultLogger()` from @libp2p/logger; give the node's (libp2p's `logger`) to name the node. */
  logger?: ComponentLogger
}

export type AnnouncerWarningReason = 'backlog' | 'round-overrun'

export interface AnnouncerWarning {
  reason: AnnouncerWarningReason
  backlog: number
  message: string
}

export interface AnnouncerStats {
  backlog: number
  announced: number
  failed: number
  rounds: number
  lastRoundMs?: number
}

export class ProviderAnnouncer extends EventTarget {
  private readonly dht: KadDHT
  private readonly concurrency: number
  private readonly reprovideIntervalMs: number
  private readonly warnBacklog: number
  private readonly timeoutMs: number
  private readonly list?: ProviderAnnouncerOptions['list']
  private readonly log: Logger
  private readonly known = new Map<string, Uint8Array>()
  private readonly queue: Array<{ id: string, si: Uint8Array }> = []
  private readonly queued = new Set<string>()
  private running = 0
  private timer?: NodeJS.Timeout
  private stopped = true
  private backlogWarned = false
  private roundPending = 0
  private roundStartedAt = 0
  private readonly idleWaiters: Array<() => void> = []
  private controller = new AbortController()
  private readonly counters = { announced: 0, failed: 0, rounds: 0, lastRoundMs: undefined as number | undefined }

  constructor (dht: KadDHT, options: ProviderAnnouncerOptions = {}) {
    super()
    this.dht = dht
    this.concurrency = Math.max(1, options.concurrency ?? 4)
    this.reprovideIntervalMs = options.reprovideIntervalMs ?? DEFAULT_REPROVIDE_INTERVAL_MS
    this.warnBacklog = options.warnBacklog ?? 1000
    this.timeoutMs = options.timeoutMs ?? 60_000
    this.list = options.list
    this.log = (options.logger ?? defaultLogger()).forComponent('lafs-club:dht:announcer')
  }

  start (): void {
    if (!this.stopped) return
    this.stopped = false
    if (this.controller.signal.aborted) this.controller = new AbortController()
    this.timer = setInterval(() => { void this.reprovideNow() }, this.reprovideIntervalMs)
    this.timer.unref()
    this.pump()
  }

  stop (): void {
    this.stopped = true
    clearInterval(this.timer)
    this.controller.abort()
    this.queue.length = 0
    this.queued.clear()
    this.settleIdle()
  }

  /** Number of announcements waiting or in progress. */
  get backlog (): number { return this.queue.length + this.running }

  get stats (): AnnouncerStats {
    return { backlog: this.backlog, ...this.counters }
  }

  /** Queue `storageIndex` for announcement (no-op if it is already queued). */
  announce (storageIndex: Uint8Array): void {
    const si = Uint8Array.from(storageIndex)
    const id = Buffer.from(si).toString('hex')
    this.known.set(id, si)
    this.enqueue(id, si)
  }

  /** Forget `storageIndex`: it is no longer re-announced (existing records expire on their own). */
  withdraw (storageIndex: Uint8Array): void {
    const id = Buffer.from(storageIndex).toString('hex')
    this.known.delete(id)
    const at = this.queue.findIndex(item => item.id === id)
    if (at >= 0) { this.queue.splice(at, 1); this.queued.delete(id) }
  }

  /** Queue a full reprovide round now (the timer calls this). */
  async reprovideNow (): Promise<void> {
    if (this.stopped) return
    if (this.roundPending > 0) {
      this.warn('round-overrun', `reprovide round is due but ${this.roundPending} announcements from the previous round (started ${Math.round((Date.now() - this.roundStartedAt) / 1000)} s ago) are still pending; provider records may expire`)
    }
    this.counters.rounds++
    this.roundStartedAt = Date.now()
    const source = this.list?.() ?? [...this.known.values()]
    let queued = 0
    for await (const si of source) {
      const id = Buffer.from(si).toString('hex')
      if (this.list != null) this.known.set(id, Uint8Array.from(si))
      if (this.enqueue(id, si)) { this.roundPending++; queued++ }
    }
    this.log('reprovide round %d: %d storage index(es) queued, backlog %d', this.counters.rounds, queued, this.backlog)
  }

  /** Resolves when nothing is queued or running. */
  async onIdle (): Promise<void> {
    if (this.backlog === 0 || this.stopped) return
    await new Promise<void>(resolve => this.idleWaiters.push(resolve))
  }

  private enqueue (id: string, si: Uint8Array): boolean {
    if (this.queued.has(id)) return false
    this.queued.add(id)
    this.queue.push({ id, si })
    if (this.backlog > this.warnBacklog && !this.backlogWarned) {
      this.backlogWarned = true
      this.warn('backlog', `${this.backlog} provider announcements are waiting (more than ${this.warnBacklog}); the node is falling behind`)
    }
    this.pump()
    return true
  }

  private pump (): void {
    while (!this.stopped && this.running < this.concurrency && this.queue.length > 0) {
      const item = this.queue.shift()!
      this.running++
      void this.run(item).finally(() => {
        this.running--
        this.queued.delete(item.id)
        if (this.roundPending > 0) {
          this.roundPending--
          if (this.roundPending === 0) this.counters.lastRoundMs = Date.now() - this.roundStartedAt
        }
        if (this.backlog <= this.warnBacklog / 2) this.backlogWarned = false
        this.pump()
        if (this.backlog === 0) this.settleIdle()
      })
    }
  }

  private async run (item: { id: string, si: Uint8Array }): Promise<void> {
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.timeoutMs)])
    try {
      const { accepted } = await provide(this.dht, item.si, { signal })
      if (accepted > 0) {
        this.log.trace('announced %t to %d peer(s)', item.si, accepted)
        this.counters.announced++
        this.dispatchEvent(new CustomEvent('announced', { detail: { storageIndex: item.si, accepted } }))
      } else {
        this.log('announcing %t failed: no DHT peer accepted the provider record', item.si)
        this.counters.failed++
        this.dispatchEvent(new CustomEvent('failed', { detail: { storageIndex: item.si, error: new Error('no DHT peer accepted the provider record') } }))
      }
    } catch (error) {
      this.log('announcing %t failed - %e', item.si, error)
      this.counters.failed++
      this.dispatchEvent(new CustomEvent('failed', { detail: { storageIndex: item.si, error } }))
    }
  }

  private warn (reason: AnnouncerWarningReason, message: string): void {
    const detail: AnnouncerWarning = { reason, backlog: this.backlog, message }
    this.log.error('%s', message)
    this.dispatchEvent(new CustomEvent('warning', { detail }))
  }

  private settleIdle (): void {
    for (const resolve of this.idleWaiters.splice(0)) resolve()
  }
}
