/** The shapes self-repair answers and is built from: kept files, repair log entries, check events, pass reports, stats. */
import type { FileHealth, LeaseBook, RenewFn } from './leases.js'
import type { CheckOptions } from './api.js'
import type { RepairConfig } from './config-types.js'
import type { NodeLogger } from './log.js'
import type { CheckReport, MutableCheckReport } from '../client/index.js'
import type { HaveBatch } from '../protocols/index.js'
import type { Logger } from '@libp2p/interface'

/** A file this node keeps, as `keep --list` shows it: named by storage index, never by cap. */
export interface KeptFile {
  storageIndex: string
  kind: 'chk' | 'mutable'
  club?: string
  /** Adopted with `keep`. */
  kept: boolean
  /** Uploaded by this node. */
  uploaded: boolean
  /** ms since the epoch when this node's lease runs out (0: not leased by this node yet). */
  expiresAt: number
  renewedAt?: number
  checkedAt?: number
  verifiedAt?: number
  health?: FileHealth
  lastError?: string
}

/** One repair, as logged and listed on the status page. */
export interface RepairLogEntry {
  storageIndex: string
  club?: string
  at: number
  durationMs: number
  sharesFoundBefore: number
  happinessBefore: number
  sharesFoundAfter?: number
  happinessAfter?: number
  sharesPlaced: number
  error?: string
}

/**
 * What one check of one file found: the seam for server reputation (a server
 * that held a share at the last check and answers now without it lost it).
 */
export interface FileCheckEvent {
  storageIndex: string
  club?: string
  at: number
  verified: boolean
  /** The check's findings; absent when the check itself failed (see `error`). */
  report?: CheckReport | MutableCheckReport
  /** Peer IDs the book named as holders that answered now without any share of the file. */
  lostBy: string[]
  /** Peer IDs the book named as holders that could not be asked. */
  unreachable: string[]
  repair?: RepairLogEntry
  error?: string
}

export interface RepairPassReport {
  startedAt: number
  durationMs: number
  checked: number
  verified: number
  renewed: number
  repaired: number
  sharesPlaced: number
  failures: Array<{ storageIndex: string, stage: 'check' | 'renew' | 'repair', error: string }>
}

/** Counters since the node started, for the status page and /metrics. */
export interface RepairStats extends RepairCounters {
  /** Files adopted with `keep`. */
  kept: number
  /** Files the passes look after (uploaded or kept). */
  maintained: number
  lastPassAt: number | null
  running: boolean
  /** The newest repairs, newest first (at most 20). */
  recent: RepairLogEntry[]
}

export interface SelfRepairInit {
  leases: LeaseBook
  /** The node's check (files.check): servers of the file's club, holders, the DHT; `haveBatch`: have answers shared by the pass's files. */
  check: (cap: string, opts: CheckOptions & { haveBatch?: HaveBatch }) => Promise<CheckReport>
  renew: RenewFn
  /** Read at every pass: the share count a file must reach (config client.happy) and the repair settings. */
  settings: () => { happy: number, repair: RepairConfig }
  log: Logger
  say: NodeLogger
  /** Told about every check (reputation's input). */
  onCheck?: (event: FileCheckEvent) => void
  now?: () => number
}

export interface SelfRepair {
  /** Adopts caps (hinted or not): renewed and repaired from the next pass on. Answers their entries. */
  keep: (caps: string[]) => KeptFile[]
  /** Stops keeping a cap (by cap or storage index); a file this node uploaded is still looked after. */
  unkeep: (capOrStorageIndex: string) => { removed: number }
  /** Kept files; with `all`, the uploaded ones too. */
  kept: (opts?: { all?: boolean }) => KeptFile[]
  /** Runs a pass now; while one runs, one more follows it (and this resolves with that one). */
  runNow: () => Promise<RepairPassReport>
  stats: () => RepairStats
  /** Adds a listener for every check; returns its removal. */
  onCheck: (listener: (event: FileCheckEvent) => void) => () => void
  /** Starts the timer (config repair.intervalSeconds; 0 = passes only on demand). */
  start: () => void
  /** Stops the timer and aborts the pass in progress; resolves once it has settled. */
  stop: () => Promise<void>
}

/** What the passes count since the node started (the numeric part of `RepairStats`). */
export interface RepairCounters {
  passes: number
  checks: number
  verifies: number
  checkFailures: number
  renewals: number
  renewFailures: number
  repairs: number
  repairFailures: number
  sharesPlaced: number
}
