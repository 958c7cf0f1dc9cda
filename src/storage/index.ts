/**
 * Storage server: share files on disk, the lease/account database, quotas, GC.
 *
 * Semantics mirror Tahoe-LAFS's immutable storage (spec/tahoe-chk.md §15–16).
 * One deliberate difference: a share file holds exactly the client's share
 * bytes (Tahoe's share layout, §10.2) with no container header and no lease
 * records. Leases, accounts and sizes live in SQLite (`<dir>/storage.sqlite`),
 * so accounting queries (usage per account, GC, have-share batches) are
 * indexed lookups instead of scans over every share file.
 *
 * Events: 'share-stored' and 'share-deleted', CustomEvent<ShareEventDetail>;
 * 'gc-error', CustomEvent<unknown> when a periodic GC pass fails.
 * `closeShare()` finishes one share, `stop()` the whole server.
 * Decisions, on-disk layout and the module map: README.md in this folder.
 */
export type {
  LeaseSecrets,
  PaymentMethod,
  StorageServerOptions,
  StorageServer,
  ShareEventDetail,
  StorageVersion,
  AllocateResult,
  StoredShare,
  Terms,
  AccountUsage,
  CorruptionReport,
  StorageStats,
  AccountSummary,
  AccountLimits,
  GrantedAccount
} from './types.js'
export * from './errors.js'
export { createStorageServer } from './server.js'
export { encodeStorageIndex, decodeStorageIndex } from './paths.js'
export {
  STORAGE_INDEX_LENGTH,
  LEASE_SECRET_LENGTH,
  MAX_SHARE_NUMBER,
  MAX_CORRUPTION_REASON_LENGTH,
  STORED_CORRUPTION_REASON_LENGTH,
  MIN_SHARE_CHARGE,
  HAVE_BATCH_SIZE
} from './constants.js'
export {
  MutableSlots, MAX_TEST_VECTORS, MAX_READ_VECTORS, MAX_WRITE_VECTORS, MAX_SLOT_ANSWER_BYTES,
  type MutableSlotsOptions, type ReadTestWriteRequest, type ReadTestWriteResult, type SlotShareVectors, type SlotShareChange
} from './mutable-slots.js'
export type { SlotWriteRequest } from './slot-store.js'
export { serverIdOf, SERVER_ID_BYTES } from './server-id.js'
export {
  CONTAINER_MAGIC, CONTAINER_DATA_OFFSET, CONTAINER_HEADER_SIZE, NEW_CONTAINER_VERSION, SERVER_ID_LENGTH, WRITE_ENABLER_LENGTH,
  newContainer, parseContainerHeader, type ContainerHeader, type ReadVector, type TestVector, type WriteVector
} from './mutable-container.js'
