/**
 * Public types of the storage server. The semantics mirror Tahoe-LAFS's
 * storage server (spec/tahoe-chk.md §15–16); the account is the libp2p peer ID
 * string of the client, authenticated by the Noise handshake and passed in by
 * the protocol handler.
 */
import type { ComponentLogger } from '@libp2p/logger'

/** Opaque 32-byte lease secrets (Tahoe's bucket renew/cancel secrets). */
export interface LeaseSecrets {
  renewSecret: Uint8Array
  cancelSecret: Uint8Array
}

/** One way a server accepts new users, shown to clients by the account protocol. */
export interface PaymentMethod {
  name: string
  url: string
  explanation: string
}

export interface StorageServerOptions {
  /**
   * Data folder. Shares in `<dir>/shares/<p>/<SI-base32>/<shnum>`, uploads in
   * progress in `<dir>/shares/incoming/<p>/<SI>/<shnum>`, the database in
   * `<dir>/storage.sqlite`.
   */
  dir: string
  /** Total bytes the server will hold, stored plus reserved (default: Infinity, bounded by free disk space). */
  capacity?: number
  /** Bytes an account may use without an invitation (default 1 GiB). */
  freeQuota?: number
  /** Lease period (default 31 days). */
  leaseDurationMs?: number
  /** Largest share accepted (default 2^36). */
  maxShareSize?: number
  /** Abort unfinished uploads after this long without writes (default 30 min). */
  uploadTimeoutMs?: number
  paymentMethods?: PaymentMethod[]
  /** What a user must do to get an invitation; shown in terms(). */
  invitationExplanation?: string
  /** Period of the automatic garbage collection; 0 turns it off (default 1 h). */
  gcIntervalMs?: number
  /** Millisecond clock used for leases, timestamps and GC (default Date.now). */
  now?: () => number
  /** Reported by version() (default 'lafs-club/<package version>'). */
  applicationVersion?: string
  /**
   * Where the server's `lafs-club:storage:<part>` loggers come from (default
   * `defaultLogger()` of @libp2p/logger; a node may pass `libp2p.logger`).
   */
  logger?: ComponentLogger
}

export interface ShareEventDetail {
  storageIndex: Uint8Array
  shareNumber: number
}

export interface StorageVersion {
  maximumImmutableShareSize: number
  availableSpace: number
  applicationVersion: string
}

export interface AllocateResult {
  /** Share numbers the caller may now write (new, or already being uploaded by the same account). */
  allocated: number[]
  /** Every share number the server holds for this storage index, asked for or not. */
  alreadyHave: number[]
}

export interface StoredShare {
  shareNumber: number
  size: number
}

export interface Terms {
  freeQuota: number
  methods: Array<{ name: string, url?: string, explanation: string }>
}

export interface AccountUsage {
  /** Bytes of stored shares on which the account holds an unexpired lease. */
  bytes: number
  /** Number of those shares. */
  shares: number
  /** Unexpired leases (one per storage index). */
  leases: number
  quota: number
  /** Bytes reserved by the account's uploads in progress. */
  reserved: number
}

export interface CorruptionReport {
  /** Base32 storage index. */
  storageIndex: string
  shareNumber: number
  reason: string
  reportedBy: string
  at: number
}

export interface StorageStats {
  shares: number
  bytes: number
  capacity: number
  accounts: number
  /** Uploads in progress. */
  incoming: number
}

export interface AccountSummary {
  account: string
  bytes: number
  shares: number
  quota: number
}

/**
 * The server. Dispatches 'share-stored' and 'share-deleted'
 * (CustomEvent<ShareEventDetail>).
 */
export interface StorageServer extends EventTarget {
  readonly dir: string
  version(): StorageVersion
  /**
   * Reserve space for new shares and add/renew the caller's lease on the shares
   * of this storage index the server already holds. All or nothing: throws
   * QuotaExceededError / CapacityExceededError without allocating anything.
   */
  allocate(account: string, storageIndex: Uint8Array, shareNumbers: number[], shareSize: number, lease: LeaseSecrets): Promise<AllocateResult>
  /** Write bytes of an allocated share; `complete` once every byte is written. */
  write(account: string, storageIndex: Uint8Array, shareNumber: number, offset: number, data: Uint8Array | readonly Uint8Array[]): Promise<{ complete: boolean }>
  /**
   * Finish a fully written share: it becomes visible to readers and the lease
   * starts. Closing a share already stored is a no-op (a retried close).
   */
  closeShare(account: string, storageIndex: Uint8Array, shareNumber: number): Promise<void>
  /** Drop an unfinished upload and release its reservation. */
  abort(account: string, storageIndex: Uint8Array, shareNumber: number): Promise<void>
  listShares(storageIndex: Uint8Array): Promise<StoredShare[]>
  /** Range read; shortened at the end of the share. */
  read(storageIndex: Uint8Array, shareNumber: number, offset: number, length: number): Promise<Uint8Array>
  addLease(account: string, storageIndex: Uint8Array, lease: LeaseSecrets): Promise<void>
  adviseCorrupt(account: string, storageIndex: Uint8Array, shareNumber: number, reason: string): Promise<void>
  /** For each storage index, the share numbers held (sorted). Cheap: one query per 1000 indexes. */
  have(storageIndexes: Uint8Array[]): Promise<number[][]>
  /** Every storage index with at least one stored share (e.g. for DHT provider announcements). */
  storageIndexes(): Uint8Array[]
  terms(): Terms
  usage(account: string): AccountUsage
  /** Operator-made, single-use code raising an account's quota to `quota`. */
  createInvitation(opts: { quota: number, note?: string }): string
  redeemInvitation(account: string, code: string): { quota: number }
  gc(): Promise<{ deletedShares: number, freedBytes: number }>
  corruptionReports(): CorruptionReport[]
  stats(): StorageStats
  accounts(): AccountSummary[]
  /**
   * Stop the whole server: timers, uploads in progress (dropped), read handles,
   * the database. Idempotent; every later call throws ServerClosedError.
   */
  stop(): Promise<void>
}
