/**
 * Token buckets, one per key (a peer ID), for the free have-share query.
 * A bucket holds at most `burst` tokens and refills at `tokensPerSecond`.
 * Full buckets carry no information, so they are forgotten when the table
 * grows: memory stays bounded by the peers that are actually busy.
 */
export interface TokenBucketOptions {
  tokensPerSecond: number
  burst: number
  /** Start dropping full buckets beyond this many keys (default 10 000). */
  maxKeys?: number
  /** Millisecond clock (default Date.now). */
  now?: () => number
}

export type TakeResult = { ok: true } | { ok: false, retryAfterMs: number }

interface Bucket { tokens: number, updated: number }

export class PeerTokenBuckets {
  private readonly rate: number
  private readonly burst: number
  private readonly maxKeys: number
  private readonly now: () => number
  private readonly buckets = new Map<string, Bucket>()

  constructor (options: TokenBucketOptions) {
    if (!(options.tokensPerSecond > 0) || !(options.burst >= 1)) {
      throw new RangeError('token bucket needs tokensPerSecond > 0 and burst >= 1')
    }
    this.rate = options.tokensPerSecond / 1000
    this.burst = options.burst
    this.maxKeys = options.maxKeys ?? 10_000
    this.now = options.now ?? Date.now
  }

  /**
   * Takes `cost` tokens from `key`'s bucket if it has them. A cost above the
   * burst is charged as the full burst, so a large request is slow, not impossible.
   */
  take (key: string, cost = 1): TakeResult {
    const now = this.now()
    const need = Math.min(Math.max(cost, 0), this.burst)
    const bucket = this.refill(key, now)
    if (bucket.tokens >= need) {
      bucket.tokens -= need
      return { ok: true }
    }
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil((need - bucket.tokens) / this.rate)) }
  }

  /** Number of keys currently tracked. */
  get size (): number {
    return this.buckets.size
  }

  private refill (key: string, now: number): Bucket {
    let bucket = this.buckets.get(key)
    if (bucket == null) {
      if (this.buckets.size >= this.maxKeys) this.prune(now)
      bucket = { tokens: this.burst, updated: now }
      this.buckets.set(key, bucket)
      return bucket
    }
    const elapsed = Math.max(0, now - bucket.updated)
    bucket.tokens = Math.min(this.burst, bucket.tokens + elapsed * this.rate)
    bucket.updated = now
    return bucket
  }

  private prune (now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updated) * this.rate >= this.burst) this.buckets.delete(key)
    }
    // everyone is busy: forget the oldest rather than grow without bound
    while (this.buckets.size >= this.maxKeys) {
      const oldest = this.buckets.keys().next().value
      if (oldest == null) break
      this.buckets.delete(oldest)
    }
  }
}
