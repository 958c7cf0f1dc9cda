/** Tahoe storage indexes are 16 bytes (26 base32 characters). */
export const STORAGE_INDEX_LENGTH = 16
/** Lease secrets are opaque 32-byte values (spec §14). */
export const LEASE_SECRET_LENGTH = 32
/** zfec allows at most 256 shares, numbered 0..255. */
export const MAX_SHARE_NUMBER = 255
/** Tahoe's HTTP API accepts corruption reasons of 1..32765 characters; longer ones are refused. */
export const MAX_CORRUPTION_REASON_LENGTH = 32765
/** Characters of a corruption reason kept; the rest is cut (a reason is client text, shown to the operator). */
export const STORED_CORRUPTION_REASON_LENGTH = 500
/** Every share costs at least one disk block, so it is charged at least this many bytes against quota and capacity. */
export const MIN_SHARE_CHARGE = 4096
/** have() asks SQLite about this many storage indexes per query. */
export const HAVE_BATCH_SIZE = 1000

export const DEFAULT_FREE_QUOTA = 2 ** 30
export const DEFAULT_LEASE_DURATION_MS = 31 * 24 * 60 * 60 * 1000
export const DEFAULT_MAX_SHARE_SIZE = 2 ** 36
export const DEFAULT_UPLOAD_TIMEOUT_MS = 30 * 60 * 1000
// Limits against hostile peers (issue #12); docs/config.md gives the reason for each.
export const DEFAULT_RESERVATION_TIMEOUT_MS = 2 * 60 * 1000
export const DEFAULT_DISCONNECT_GRACE_MS = 5 * 60 * 1000
export const DEFAULT_MAX_UPLOADS = 8192
export const DEFAULT_FREE_LIMITS = { uploads: 256, shares: 20_000, storageIndexes: 10_000 }
export const DEFAULT_GRANTED_LIMITS = { uploads: 4096, shares: 2_000_000, storageIndexes: 1_000_000 }
export const DEFAULT_FREE_MAX_RESERVATIONS = 2048
export const DEFAULT_ADVISORIES_PER_REPORTER = 100
export const DEFAULT_MAX_ADVISORIES = 10_000
export const DEFAULT_ADVISORY_RETENTION_MS = 30 * 24 * 60 * 60 * 1000
/** Advisories a reporter may send per minute (token bucket, burst of the same size). */
export const DEFAULT_ADVISORIES_PER_MINUTE = 20
export const DEFAULT_GC_INTERVAL_MS = 60 * 60 * 1000
export const DEFAULT_APPLICATION_VERSION = 'lafs-club/0.1.0'
