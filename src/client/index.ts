/**
 * Upload and download orchestration over many storage servers: placement
 * with servers-of-happiness, pipelined share writes, verified downloads with
 * read-ahead and failover, Tahoe-style check/verify/repair, and leases.
 */
export { upload, uploadEncoded, type UploadOptions, type UploadResult, type EncodedUploadOptions } from './uploader.js'
export { findShares, findSharesOnSessions, type FindSharesOptions, type FoundShares } from './find-shares.js'
export { download, type DownloadOptions } from './downloader.js'
export { checkFile, type CheckOptions, type CheckReport } from './checker.js'
export { serversFromMultiaddrs, type ServerInfo } from './servers.js'
export { ReputationTable } from './reputation.js'
export { agoText } from './reputation-text.js'
export {
  VERIFY_PASSES_TO_CLEAR, LOST_SHARE_PROBATION_MS, RECENT_FAILURE_MS,
  type ServerRecord, type Probation, type Offence, type RankedHolder, type CheckObservation, type CheckOutcome
} from './reputation-types.js'
export { serverLeaseSecrets, renewLeases, type LeaseRenewal } from './lease.js'
export type { TransferProgress, ProgressHandler } from './progress.js'
export * from './errors.js'
export { StorageClientPool } from './servers.js'
export {
  uploadViaHelper, HelperUnavailableError, HelperRefusedError, HelperResultError, type HelperUploadOptions, type HelperUploadResult
} from './helper-upload.js'
export { fetchRemoteUeb } from './share-ueb.js'
export * from './mutable/index.js'
