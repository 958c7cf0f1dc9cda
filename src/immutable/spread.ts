/**
 * Which k shares each segment is read from when more than k are open: the
 * segments of one file are spread over every server that holds a distinct
 * share, so each contributes in proportion to its speed instead of k
 * servers carrying the whole file.
 *
 * Per server (shares on one server share its link) the meter keeps a
 * throughput estimate from its recent block reads, seeded by what the
 * caller already knew (the reputation's read throughput), and the bytes
 * asked of it and not yet answered. A segment takes, one share at a time,
 * the share whose server would finish its block soonest: (outstanding +
 * block) / throughput. A server that stalls measures slower the longer it
 * holds a request, so work moves away from it before any timeout.
 */
import type { ShareReader } from './share-reader.js'

/** What an unmeasured server without a seed is assumed to deliver (bytes/s) until its first block arrives. */
const UNKNOWN_BPS = 16 * 2 ** 20
/** A seed weighs as much as this much busy time measured: the first few blocks replace it. */
const SEED_MS = 200
/** Weight kept by the history at each new sample: about the last ten blocks count. */
const DECAY = 0.9

class ServerMeter {
  /** Bytes asked for and not answered. */
  outstanding = 0
  private active = 0
  /** Decayed bytes delivered and busy milliseconds they took. */
  private bytes: number
  private ms: number
  /** Since when the current busy period is not yet counted in `ms`. */
  private mark = 0

  constructor (seedBps: number) {
    this.bytes = seedBps * SEED_MS / 1000
    this.ms = SEED_MS
  }

  /** Bytes per second, counting the time the oldest request has waited so far. */
  bps (now: number): number {
    const waiting = this.active > 0 ? Math.max(0, now - this.mark) : 0
    return 1000 * this.bytes / Math.max(1, this.ms + waiting)
  }

  begin (bytes: number, now: number): void {
    if (this.active === 0) this.mark = now
    this.active++
    this.outstanding += bytes
  }

  end (asked: number, delivered: number, now: number): void {
    this.active--
    this.outstanding -= asked
    this.bytes = this.bytes * DECAY + delivered
    this.ms = this.ms * DECAY + Math.max(0, now - this.mark)
    this.mark = now
  }
}

export interface SpreadStats { server: string, blocks: number, bytes: number, bps: number }

export class SegmentSpread {
  private readonly meters = new Map<string, ServerMeter>()
  private readonly blocks = new Map<string, { blocks: number, bytes: number }>()
  private readonly now: () => number

  constructor (now: () => number = Date.now) {
    this.now = now
  }

  private meter (r: ShareReader): ServerMeter {
    const key = serverOf(r)
    let m = this.meters.get(key)
    if (m == null) {
      m = new ServerMeter(r.source.bytesPerSecond ?? UNKNOWN_BPS)
      this.meters.set(key, m)
    }
    return m
  }

  /**
   * k readers with distinct share numbers, in share-number order, from
   * `open`. Shares whose server is not preferred (preference 2 or more: it
   * failed lately or is on probation) are taken only when the others are
   * not enough; among the rest, the soonest to deliver `blockBytes` wins,
   * ties going to primary shares (they need no decoding).
   */
  choose (open: readonly ShareReader[], k: number, blockBytes: number): ShareReader[] {
    const now = this.now()
    const extra = new Map<ServerMeter, number>()
    const picked: ShareReader[] = []
    const shnums = new Set<number>()
    while (picked.length < k) {
      let best: ShareReader | undefined
      let bestKey: [number, number, number, number] | undefined
      for (const r of open) {
        if (shnums.has(r.shnum)) continue
        const m = this.meter(r)
        const cost = (m.outstanding + (extra.get(m) ?? 0) + blockBytes) / m.bps(now)
        const key: [number, number, number, number] = [(r.source.preference ?? 0) >= 2 ? 1 : 0, cost, r.shnum < k ? 0 : 1, r.shnum]
        if (bestKey === undefined || lessThan(key, bestKey)) { best = r; bestKey = key }
      }
      if (best === undefined) break
      picked.push(best)
      shnums.add(best.shnum)
      const m = this.meter(best)
      extra.set(m, (extra.get(m) ?? 0) + blockBytes)
    }
    return picked.sort((a, b) => a.shnum - b.shnum)
  }

  /** Runs one block read of `bytes` from `r`, counting it against its server while it is out. */
  async measure<T> (r: ShareReader, bytes: number, read: () => Promise<T>): Promise<T> {
    const m = this.meter(r)
    m.begin(bytes, this.now())
    let delivered = 0
    try {
      const got = await read()
      delivered = bytes
      const key = serverOf(r)
      const t = this.blocks.get(key) ?? { blocks: 0, bytes: 0 }
      t.blocks++
      t.bytes += bytes
      this.blocks.set(key, t)
      return got
    } finally {
      m.end(bytes, delivered, this.now())
    }
  }

  /** Blocks and bytes each server delivered, and its throughput estimate now (for logs). */
  stats (): SpreadStats[] {
    const now = this.now()
    return [...this.meters].map(([server, m]) => ({ server, blocks: this.blocks.get(server)?.blocks ?? 0, bytes: this.blocks.get(server)?.bytes ?? 0, bps: Math.round(m.bps(now)) }))
  }
}

/** The key shares of one server are grouped by: their source's server, or the share itself when the source names none. */
export function serverOf (r: ShareReader): string {
  return r.source.server ?? `share ${r.shnum}`
}

function lessThan (a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i]
  return false
}
