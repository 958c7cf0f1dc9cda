/**
 * Upload and download orchestration over many storage servers: placement
 * with servers-of-happiness, pipelined share writes, verified downloads with
 * read-ahead and failover, Tahoe-style check/verify/repair, and leases.
 */
export { upload, type UploadOptions, type UploadResult } from './uploader.js'
export { findShares, findSharesOnSessions, type FindSharesOptions, type FoundShares } from './find-shares.js'
export { download, type DownloadOptions } from './downloader.js'
export { checkFile, type CheckOptions, type CheckReport } from './checker.js'
export { serversFromMultiaddrs, type ServerInfo } from './servers.js'
export { ReputationTable, type ServerRecord } from './reputation.js'
export { serverLeaseSecrets, renewLeases, type LeaseRenewal } from './lease.js'
export type { TransferProgress, ProgressHandler } from './progress.js'
export * from './errors.js'
export { StorageClientPool } from './servers.js'
export * from './mutable/index.js'
