/**
 * The shapes and limits of server reputation: what is remembered about a
 * server, why it goes on probation, and the constants that policy uses.
 */
import type { CheckReport } from './checker.js'

/** Verify checks a server must pass in a club before it is preferred (and used for uploads) there again. */
export const VERIFY_PASSES_TO_CLEAR = 3
/** Probation for a lost share (and nothing worse) ends this long after the loss even without verify passes. */
export const LOST_SHARE_PROBATION_MS = 7 * 24 * 60 * 60 * 1000
/** A failure or timeout this recent puts a holder behind those without one. */
export const RECENT_FAILURE_MS = 10 * 60 * 1000
/** Weight of the newest throughput sample in the moving average. */
export const THROUGHPUT_ALPHA = 0.3
/** Transfers smaller than this measure latency, not throughput: they are not sampled. */
export const MIN_THROUGHPUT_SAMPLE_BYTES = 64 * 1024
/**
 * A holder whose read throughput is below this fraction of the fastest known
 * holder's is read after the others. Loose on purpose: one sample may have
 * included a cold connection, and a wrong "slow" costs more than a tie.
 */
export const SLOW_FRACTION = 1 / 8

/**
 * Rows kept at most, so a node that uploads for years (or meets many
 * servers) does not grow its reputation database without end: past a bound
 * the oldest rows go first (placements and losses by age; servers by when
 * they were last seen, never one on probation). A pruned placement no
 * longer counts toward "kept shares for", and the share's later loss is no
 * longer noticed (nothing is left to compare with); the share itself is untouched.
 */
export const MAX_PLACEMENTS = 200_000
export const MAX_SHARE_LOSSES = 20_000
export const MAX_SERVERS = 20_000
/** Writes between two prunes (a prune counts rows: cheap, not free). */
export const PRUNE_EVERY_WRITES = 500

/** Why a server went on probation. */
export type Offence = 'wrong-have' | 'corrupt' | 'lost-share'

export interface Probation {
  peerId: string
  /** '' for downloads and uploads through no club. */
  club: string
  kind: Offence
  detail: string
  /** When the (latest) offence happened, ms since the epoch. */
  since: number
  /** Verify checks passed in the club since then. */
  passes: number
  needed: number
}

export interface ServerRecord {
  peerId: string
  /** First contact of any kind, ms since the epoch. */
  firstSeen: number
  /** Last successful contact, or null if none succeeded. */
  lastSeen: number | null
  /** Contacts that succeeded and that failed: the uptime this node saw is up / (up + down). */
  upSamples: number
  downSamples: number
  /** Successful share reads (one per share per download). */
  goodReads: number
  corruptBlocks: number
  /** Have-share answers that turned out wrong: the server listed a share, then could not serve it or served a corrupt one. */
  wrongHaves: number
  /** Requests that failed, timeouts included. */
  failures: number
  timeouts: number
  /** Moving averages of the throughput seen reading shares (downloads) and writing them (uploads, encoding included), bytes/s; null before a transfer big enough to measure. */
  readBytesPerSec: number | null
  writeBytesPerSec: number | null
  /** Shares placed here that a later check found still present / missing. */
  sharesConfirmed: number
  sharesLost: number
  /** Longest time a share placed here was found still present by a check. */
  longestKeptMs: number | null
  /** How long the lost shares were kept on average (placed → found missing). */
  meanLostAfterMs: number | null
  lastProblem: { kind: string, at: number, detail: string } | null
  /** The clubs where the server is on probation. */
  probation: Probation[]
}

/** A holder's place in a download, and why. Lower tiers are read first. */
export interface RankedHolder {
  peerId: string
  tier: number
  note: string
}

export interface ReputationOptions {
  /** Clock in ms (default Date.now); tests move it forward. */
  now?: () => number
  /** Told about a database error (the call that met it did nothing). */
  onError?: (err: Error) => void
  /** Row limits (default MAX_PLACEMENTS, MAX_SHARE_LOSSES, MAX_SERVERS) and writes between prunes; tests make them small. */
  limits?: { placements?: number, shareLosses?: number, servers?: number, pruneEvery?: number }
}

/** What a check learnt, in the shape of `CheckReport` plus what the report cannot say. */
export interface CheckObservation {
  /** Base32 storage index (as placements are recorded). */
  storageIndex: string
  club?: string
  /** Every server asked: a placed share on a server not asked is neither kept nor lost. */
  asked: readonly string[]
  /** Whether blocks were read and hashed (verify or repair), or only have-share asked. */
  verified: boolean
  /**
   * When this node's lease on the file ran out, if it did: a share gone
   * after that was collected because nobody renewed it, which is no fault
   * of the server (its placement is forgotten, nothing is held against it).
   */
  leaseExpiredAt?: number
  report: Pick<CheckReport, 'sharemap' | 'corrupt' | 'unreachable'>
}

export interface CheckOutcome {
  lost: Array<{ peerId: string, shnum: number, keptMs: number }>
  passed: string[]
  cleared: string[]
}
