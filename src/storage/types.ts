/**
 * Public types of the storage server. The semantics mirror Tahoe-LAFS's
 * storage server (spec/tahoe-chk.md §15–16); the account is the libp2p peer ID
 * string of the client, authenticated by the Noise handshake and passed in by
 * the protocol handler.
 */
import type { ComponentLogger } from '@libp2p/logger'
import type { ReadVector } from './mutable-container.js'
import type { ReadTestWriteResult } from './mutable-slots.js'
import type { SlotWriteRequest } from './slot-store.js'

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
  /**
   * Drop an upload no byte was ever written to this long after it was
   * allocated; allocating it again does not extend it (default 2 min).
   */
  reservationTimeoutMs?: number
  /** Abort an account's uploads this long after accountDisconnected() unless accountConnected() comes first (default 5 min). */
  disconnectGraceMs?: number
  /** Uploads in progress on the whole server (default 8192). */
  maxUploads?: number
  /** Limits of a free (anonymous) account. */
  freeLimits?: Partial<AccountLimits>
  /** Limits of an account the operator granted (grantAccount, or a redeemed invitation). */
  grantedLimits?: Partial<AccountLimits>
  /**
   * Bytes all free accounts together may use, stored plus reserved (default:
   * half of `capacity`, or half of the disk space free for shares at start).
   */
  freeBudget?: number
  /** Uploads in progress of all free accounts together (default 2048). */
  freeMaxReservations?: number
  /** Standing corruption advisories kept per reporter (default 100). */
  advisoriesPerReporter?: number
  /** Corruption advisories kept in all; the oldest go first (default 10,000). */
  maxAdvisories?: number
  /** Corruption advisories older than this are deleted (default 30 days). */
  advisoryRetentionMs?: number
  /** Advisories one reporter may send per minute (default 20). */
  advisoriesPerMinute?: number
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
  /**
   * This server's 20-byte id, `serverIdOf(peerId)`: recorded beside each
   * write enabler in mutable containers, so a client told "bad write
   * enabler" learns which server set it (default: 20 zero bytes).
   */
  serverId?: Uint8Array
}

/** What one account may hold at once. */
export interface AccountLimits {
  /** Uploads in progress. */
  uploads: number
  /** Shares stored (under a live lease) plus uploads in progress. */
  shares: number
  /** Storage indexes leased plus those being uploaded. */
  storageIndexes: number
}

/** An account the operator granted (`grantAccount`, or by redeeming an invitation). */
export interface GrantedAccount {
  account: string
  quota: number
  note: string | null
  /** ms since the epoch; null for an account granted by an invitation before grants were recorded. */
  grantedAt: number | null
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
  /**
   * Bytes charged for the stored shares on which the account holds an
   * unexpired lease: each share counts at least one disk block (4096 bytes).
   */
  bytes: number
  /** Number of those shares. */
  shares: number
  /** Unexpired leases (one per storage index). */
  leases: number
  quota: number
  /** Bytes reserved by the account's uploads in progress (each at least 4096). */
  reserved: number
  /** Uploads in progress. */
  uploads: number
  /** True for an account the operator granted: it has its own limits, outside the free budget. */
  granted: boolean
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
  /** Shares stored, immutable and mutable. */
  shares: number
  /** Their bytes on disk (mutable: whole containers). */
  bytes: number
  /** Of those, the mutable shares and their bytes. */
  mutableShares: number
  mutableBytes: number
  capacity: number
  accounts: number
  /** Uploads in progress. */
  incoming: number
  /** Bytes charged to free accounts together (stored plus reserved) and their budget. */
  freeUsed: number
  freeBudget: number
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
  /** Adds or renews the caller's lease on a storage index: immutable shares or a mutable slot. */
  addLease(account: string, storageIndex: Uint8Array, lease: LeaseSecrets): Promise<void>
  /** Records a corruption advisory for an immutable or a mutable share the server holds. */
  adviseCorrupt(account: string, storageIndex: Uint8Array, shareNumber: number, reason: string): Promise<void>
  /**
   * Tahoe's slot_testv_and_readv_and_writev on a mutable slot: every share's
   * write enabler must match (else BadWriteEnablerError), the read vector is
   * read from every share before writing, and the writes apply only if every
   * test vector passed (`success`). A write adds or renews the caller's lease
   * and is charged like an upload (quota, limits, capacity: the errors of
   * allocate); a share written with new length 0 is deleted.
   */
  slotReadTestWrite(account: string, request: SlotWriteRequest): Promise<ReadTestWriteResult>
  /** Tahoe's slot_readv: the read vector from each named share held (all held when `shareNumbers` is empty). */
  slotRead(storageIndex: Uint8Array, shareNumbers: readonly number[], readVector: readonly ReadVector[]): Promise<Map<number, Uint8Array[]>>
  /** The mutable shares held for a storage index, with their container sizes. */
  listSlotShares(storageIndex: Uint8Array): Promise<StoredShare[]>
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
  /** The newest `limit` advisories (default 20, at most 1000) and how many are kept. */
  corruptionReports(opts?: { limit?: number }): { total: number, recent: CorruptionReport[] }
  stats(): StorageStats
  /** Immutable-share reads answered since the server started, and their bytes. */
  readCounters(): { reads: number, bytes: number }
  /** The `limit` accounts using the most bytes (default 20, at most 1000) and how many accounts there are. */
  accounts(opts?: { limit?: number }): { total: number, top: AccountSummary[] }
  /**
   * Operator grant: the account gets `quota` and the granted limits, outside the
   * free budget. Granting again replaces quota and note.
   */
  grantAccount(account: string, opts: { quota: number, note?: string }): GrantedAccount
  /** Back to a free account (the quota, limits and budget of a stranger). True if it was granted. */
  revokeAccount(account: string): boolean
  /** Granted accounts, oldest grant first. */
  listAccounts(opts?: { limit?: number, offset?: number }): { total: number, accounts: GrantedAccount[] }
  /**
   * The protocols layer tells the server that `account` has no connection left
   * (libp2p 'peer:disconnect'): its uploads in progress are aborted after
   * `disconnectGraceMs` unless accountConnected() comes first.
   */
  accountDisconnected(account: string): void
  /** `account` has a connection again (libp2p 'peer:connect'): cancels the pending abort. */
  accountConnected(account: string): void
  /**
   * Stop the whole server: timers, uploads in progress (dropped), read handles,
   * the database. Idempotent; every later call throws ServerClosedError.
   */
  stop(): Promise<void>
}
