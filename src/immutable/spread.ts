/**
 * Which k shares each segment is read from when more than k are open: the
 * segments of one file are spread over every server that holds a distinct
 * share, so each contributes in proportion to its speed instead of k
 * servers carrying the whole file.
 *
 * Per server (shares on one server share its link) the meter keeps a
 * throughput estimate from its recent block reads, seeded by what the
 * caller already knew (the reputation's read throughput). Blocks are handed
 * out by stride scheduling: each server has a pass, a block given to it
 * advances its pass by block / throughput, and a segment takes, one share
 * at a time, the share whose server has the lowest pass plus time to
 * deliver what it was already asked and this block. So each server gets
 * blocks in proportion to its throughput, whether the reader is limited by
 * the servers' links (then the slow ones also build up a queue and measure
 * slower) or by its own downlink or CPU (then every server is idle when
 * asked, and the pass alone keeps the shares fair). A server that stalls
 * measures slower the longer it holds a request, so work moves away from it
 * before any timeout; an unknown server counts as fast as the fastest until
 * its first answer is late.
 */
import type { ShareReader } from './share-reader.js'

/** What a server is assumed to deliver (bytes/s) while no server has been measured or seeded. */
const UNKNOWN_BPS = 16 * 2 ** 20
/** A seed weighs as much as this much busy time measured: the first few blocks replace it. */
const SEED_MS = 200
/** Weight kept by the history at each new sample: about the last ten blocks count. */
const DECAY = 0.9
/**
 * An idle server's measurement fades towards the fastest server's with this
 * half-life, so one that measured slow once (a hiccup, a cold connection)
 * is tried again instead of being starved for the rest of the file.
 */
const IDLE_HALF_LIFE_MS = 1000
/**
 * The expectation counts this many blocks at the fastest server's speed
 * along with what was measured: one slow answer among the first few (a
 * cold connection, a busy moment) must not cut a server's share by five.
 */
const PRIOR_BLOCKS = 2
/**
 * How far (seconds of virtual time) a server's pass may run ahead of the
 * lowest: one that measured slow for a moment is skipped for a while, not
 * for the rest of a long file.
 */
const MAX_LEAD_S = 0.5
/** A segment asks one more share when its blocks take this many times longer than expected (hedge.ts), and never sooner than HEDGE_MIN_MS. */
const HEDGE_FACTOR = 4
const HEDGE_MIN_MS = 500
/** …and never longer than this: the storage protocol's own timeout is 30 s. */
const HEDGE_MAX_MS = 30_000
/**
 * A server is asked for one block at a time until it has answered this
 * many: the first answer can come at a burst rate (a relay's or a shaper's
 * first second) that the second does not keep up. Not a server whose
 * throughput the caller already knew (a seed from earlier downloads): its
 * probes would only cost it two requests where one run does.
 */
const PROBE_ANSWERS = 2
/** A server slower than this share of the fastest is given single blocks, not runs. */
const RUN_MIN_SPEED = 0.25

class ServerMeter {
  /** Bytes asked for and not answered. */
  outstanding = 0
  /** Stride scheduling: the virtual time at which the blocks given so far are done. */
  pass: number
  private active = 0
  /** Decayed bytes delivered and busy milliseconds they took. */
  private bytes = 0
  private ms = 0
  /** Since when the current busy period is not yet counted in `ms`. */
  private mark = 0
  /** The size of the last block delivered (what the prior is counted in). */
  private block = 0
  /** Seeded or measured: otherwise the server is assumed as fast as the fastest known, so it gets tried. */
  known: boolean

  /** Blocks delivered so far. */
  answers = 0

  /** Still being probed and already asked: it gets no more until it answers (unless it is needed). */
  get probing (): boolean {
    return this.probed && this.active > 0
  }

  /** Still being probed (PROBE_ANSWERS; never when seeded): a block given to it in this choice counts as a probe. */
  get probed (): boolean {
    return !this.seeded && this.answers < PROBE_ANSWERS
  }

  /** The caller knew its throughput (seedBps): no probes. */
  readonly seeded: boolean

  constructor (seedBps: number | undefined, pass: number) {
    this.pass = pass
    this.known = seedBps !== undefined && seedBps > 0
    this.seeded = this.known
    if (this.known) {
      this.bytes = (seedBps as number) * SEED_MS / 1000
      this.ms = SEED_MS
    }
  }

  /** The measurement alone: bytes per second over the answers so far, or also counting the time the oldest request has waited (`stalls`). */
  measured (now: number, stalls = true): number {
    const waiting = stalls && this.active > 0 ? Math.max(0, now - this.mark) : 0
    return 1000 * this.bytes / Math.max(1, this.ms + waiting)
  }

  /**
   * What the server is expected to deliver: `prior` while unknown; an idle
   * one's measurement fades towards `prior`; with `stalls`, a request that
   * has been waiting long makes it slower (known or not).
   */
  bps (now: number, prior: number, stalls = true): number {
    const waiting = stalls && this.active > 0 ? Math.max(0, now - this.mark) : 0
    const priorBytes = PRIOR_BLOCKS * (this.block > 0 ? this.block : this.active > 0 ? this.outstanding / this.active : 0)
    // Unknown: as fast as the fastest, until its first answer is later than that would allow.
    if (!this.known) return priorBytes > 0 ? 1000 * priorBytes / (1000 * priorBytes / prior + waiting) : prior
    const m = 1000 * (this.bytes + priorBytes) / Math.max(1, this.ms + waiting + 1000 * priorBytes / prior)
    if (this.active > 0 || m >= prior) return m
    const w = 0.5 ** (Math.max(0, now - this.mark) / IDLE_HALF_LIFE_MS)
    return w * m + (1 - w) * prior
  }

  begin (bytes: number, now: number): void {
    if (this.active === 0) this.mark = now
    this.active++
    this.outstanding += bytes
  }

  end (asked: number, delivered: number, now: number): void {
    this.active--
    this.outstanding -= asked
    if (delivered > 0) {
      this.block = delivered
      this.answers++
    }
    this.bytes = this.bytes * DECAY + delivered
    this.ms = this.ms * DECAY + Math.max(0, now - this.mark)
    this.mark = now
    this.known = true
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
      // A server that joins late starts at the others' pass, not at zero (it would take every block until it caught up).
      let pass = Infinity
      for (const o of this.meters.values()) pass = Math.min(pass, o.pass)
      m = new ServerMeter(r.source.bytesPerSecond, Number.isFinite(pass) ? pass : 0)
      this.meters.set(key, m)
    }
    return m
  }

  /**
   * k readers with distinct share numbers, in share-number order, from
   * `open`. Shares whose server is not preferred (preference 2 or more: it
   * failed lately or is on probation) are taken only when the others are
   * not enough, and so are those of a server still being probed that has a
   * block to deliver already (one block at a time for its first
   * PROBE_ANSWERS: a slow server that looked fast gets one more block, not
   * a window's worth); among the rest, the one whose server has the lowest pass
   * plus time to deliver its outstanding bytes and this block, ties going
   * to primary shares (they need no decoding).
   * The choice is a commitment: the chosen servers' passes advance.
   */
  choose (open: readonly ShareReader[], k: number, blockBytes: number): ShareReader[] {
    const now = this.now()
    for (const r of open) this.meter(r)
    const fastest = this.fastest(now)
    let floor = Infinity
    for (const r of open) floor = Math.min(floor, this.meter(r).pass)
    const picked: ShareReader[] = []
    /** Blocks given in this choice, not yet counted as outstanding (a server holding two of the shares). */
    const queued = new Map<ServerMeter, number>()
    const shnums = new Set<number>()
    while (picked.length < k) {
      let best: ShareReader | undefined
      let bestKey: [number, number, number, number] | undefined
      for (const r of open) {
        if (shnums.has(r.shnum)) continue
        const m = this.meter(r)
        // Its turn, plus how long what it has been asked already and this block would take at its speed now.
        const cost = Math.min(m.pass, floor + MAX_LEAD_S) + (m.outstanding + (queued.get(m) ?? 0) + blockBytes) / m.bps(now, fastest)
        const key: [number, number, number, number] = [(r.source.preference ?? 0) >= 2 ? 2 : m.probing || (queued.has(m) && m.probed) ? 1 : 0, cost, r.shnum < k ? 0 : 1, r.shnum]
        if (bestKey === undefined || lessThan(key, bestKey)) { best = r; bestKey = key }
      }
      if (best === undefined) break
      picked.push(best)
      shnums.add(best.shnum)
      const m = this.meter(best)
      queued.set(m, (queued.get(m) ?? 0) + blockBytes)
      // The pass advances by the server's own pace, not by a stall of the moment (that only steers this choice).
      m.pass = Math.min(m.pass, floor + MAX_LEAD_S) + blockBytes / m.bps(now, fastest, false)
    }
    return picked.sort((a, b) => a.shnum - b.shnum)
  }

  /**
   * Whether `r`'s server may be given a run of blocks (block-runs.ts): it
   * has answered its probes (or needs none, being seeded) and is at least a
   * RUN_MIN_SPEED share of the fastest. A slow or unknown one keeps getting
   * single blocks, so its work stays fine-grained and a late block holds up
   * one segment, not a run.
   */
  runnable (r: ShareReader): boolean {
    const m = this.meter(r)
    const now = this.now()
    return m.known && !m.probed && m.bps(now, this.fastest(now)) >= RUN_MIN_SPEED * this.fastest(now)
  }

  /** The chosen `readers` are given `bytes` more each (the rest of a run): their passes advance as choose() would have. */
  extend (readers: readonly ShareReader[], bytes: number): void {
    const now = this.now()
    const fastest = this.fastest(now)
    for (const r of readers) {
      const m = this.meter(r)
      m.pass += bytes / m.bps(now, fastest, false)
    }
  }

  /** How long a segment reading `bytes` from each of `readers` waits for them before asking one more share: a few times what their queues and speeds predict. */
  hedgeDelayMs (readers: readonly ShareReader[], bytes: number): number {
    const now = this.now()
    const fastest = this.fastest(now)
    let expected = 0
    for (const r of readers) {
      const m = this.meter(r)
      // a server measured at 0 B/s (its only read failed just now) would give Infinity, which setTimeout takes as 1 ms
      expected = Math.max(expected, 1000 * (m.outstanding + bytes) / Math.max(1, m.bps(now, fastest, false)))
    }
    return Math.min(HEDGE_MAX_MS, Math.max(HEDGE_MIN_MS, HEDGE_FACTOR * expected))
  }

  /** The fastest known server's throughput, or UNKNOWN_BPS when none is known. */
  private fastest (now: number): number {
    let best = 0
    for (const m of this.meters.values()) if (m.known) best = Math.max(best, m.measured(now))
    return best > 0 ? best : UNKNOWN_BPS
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
    return [...this.meters].map(([server, m]) => ({ server, blocks: this.blocks.get(server)?.blocks ?? 0, bytes: this.blocks.get(server)?.bytes ?? 0, bps: Math.round(m.known ? m.measured(now) : 0) }))
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
