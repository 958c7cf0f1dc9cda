/** Tahoe storage indexes are 16 bytes (26 base32 characters). */
export const STORAGE_INDEX_LENGTH = 16
/** Lease secrets are opaque 32-byte values (spec §14). */
export const LEASE_SECRET_LENGTH = 32
/** zfec allows at most 256 shares, numbered 0..255. */
export const MAX_SHARE_NUMBER = 255
/** Tahoe's HTTP API accepts corruption reasons of 1..32765 characters. */
export const MAX_CORRUPTION_REASON_LENGTH = 32765
/** have() asks SQLite about this many storage indexes per query. */
export const HAVE_BATCH_SIZE = 1000

export const DEFAULT_FREE_QUOTA = 2 ** 30
export const DEFAULT_LEASE_DURATION_MS = 31 * 24 * 60 * 60 * 1000
export const DEFAULT_MAX_SHARE_SIZE = 2 ** 36
export const DEFAULT_UPLOAD_TIMEOUT_MS = 30 * 60 * 1000
export const DEFAULT_GC_INTERVAL_MS = 60 * 60 * 1000
export const DEFAULT_APPLICATION_VERSION = 'lafs-club/0.1.0'
