/**
 * One memory budget for request bytes a storage server holds: received from
 * the network but not yet handled (mostly write data waiting for the disk).
 * Shared by every storage session of the server, whatever the connection,
 * so many peers together cannot pin more than the total; each session may
 * hold at most its share. A session over its share, or any session holding
 * something while the total is spent, pauses its stream (yamux then stops
 * granting window) until bytes come back. A session that holds no bytes may
 * always read one more message, so no session starves while others hold the
 * budget; that overshoot is bounded by the yamux window per stream.
 */
import type { ReadBudget } from '../framing/index.js'

/** Total request bytes held by all storage sessions together (64 MiB). */
export const DEFAULT_WRITE_BUDGET = 64 * 2 ** 20
/**
 * Bytes one session may hold: the client's default write window (4 MiB)
 * plus one full write frame, so an honest client is never paused.
 */
export const DEFAULT_SESSION_WRITE_BUDGET = 5 * 2 ** 20
/**
 * A session that holds budget and for this long neither finishes a request,
 * sends an answer nor receives a byte is closed. Bytes arriving count while
 * no answer waits for the client to read it: a home uplink of 4 Mbit/s
 * shared by ten upload sessions brings each a 512 KiB write in about 10 s.
 * A client that reads no answers gets no such grace: its bytes go on
 * arriving (until its share is full) but show nothing. A frame still has to
 * finish within the request timeout (30 s).
 */
export const DEFAULT_BUDGET_STALL_MS = 10_000

export interface WriteBudgetOptions {
  /** Total bytes (default DEFAULT_WRITE_BUDGET). */
  totalBytes?: number
  /** Per-session share (default DEFAULT_SESSION_WRITE_BUDGET). */
  sessionBytes?: number
}

export class WriteBudget {
  readonly totalBytes: number
  readonly sessionBytes: number
  private usedBytes = 0
  private readonly paused = new Set<() => void>()

  constructor (options: WriteBudgetOptions = {}) {
    this.totalBytes = options.totalBytes ?? DEFAULT_WRITE_BUDGET
    this.sessionBytes = options.sessionBytes ?? DEFAULT_SESSION_WRITE_BUDGET
    if (!(this.totalBytes > 0) || !(this.sessionBytes > 0)) throw new RangeError('write budgets must be positive')
  }

  /** Bytes held by all sessions now. */
  get used (): number {
    return this.usedBytes
  }

  /** A new session's share of the budget; dispose() it when the session ends. */
  share (): SessionBudget {
    return new SessionBudget(this)
  }

  /** @internal */
  adjust (delta: number): void {
    this.usedBytes += delta
    // a copy: a reader woken here may pause again and re-register
    if (delta < 0) for (const wake of Array.from(this.paused)) wake()
  }

  /** @internal */
  watch (wake: () => void): () => void {
    this.paused.add(wake)
    return () => { this.paused.delete(wake) }
  }
}

/** One session's part of a WriteBudget, as the FrameReader sees it. */
export class SessionBudget implements ReadBudget {
  private readonly budget: WriteBudget
  private heldBytes = 0
  private progressAt = Date.now()
  private answerWaiting = false

  constructor (budget: WriteBudget) {
    this.budget = budget
  }

  get held (): number {
    return this.heldBytes
  }

  /** True while this session must not take more from its stream. */
  get exhausted (): boolean {
    return this.heldBytes > 0 && (this.heldBytes >= this.budget.sessionBytes || this.budget.used >= this.budget.totalBytes)
  }

  /** Milliseconds this session has held bytes without progress or new bytes (0 when it holds none). */
  stalledFor (now = Date.now()): number {
    return this.heldBytes > 0 ? now - this.progressAt : 0
  }

  /** The session moved on: a request was handled or an answer went out. */
  progress (): void {
    this.progressAt = Date.now()
  }

  /** An answer waits for the client to read what was sent before it (true), or went out (false). */
  answerBlocked (waiting: boolean): void {
    this.answerWaiting = waiting
  }

  take (bytes: number): void {
    if (this.heldBytes === 0 || !this.answerWaiting) this.progressAt = Date.now()
    this.heldBytes += bytes
    this.budget.adjust(bytes)
  }

  give (bytes: number): void {
    const n = Math.min(bytes, this.heldBytes)
    if (n <= 0) return
    this.heldBytes -= n
    this.budget.adjust(-n)
  }

  onRoom (wake: () => void): () => void {
    return this.budget.watch(wake)
  }

  /** Gives everything back (the session ended). */
  dispose (): void {
    this.give(this.heldBytes)
  }
}
