/**
 * Upload and download orchestration over many storage servers: placement
 * with servers-of-happiness, pipelined share writes, verified downloads with
 * read-ahead and failover, and Tahoe-style check/verify/repair.
 */
export { upload, type UploadOptions, type UploadResult } from './uploader.js'
export { download, findShares, type DownloadOptions, type ShareHolder, type FindSharesOptions } from './downloader.js'
export { checkFile, type CheckOptions, type CheckReport } from './checker.js'
export { serversFromMultiaddrs, dialTarget, StorageClientPool, type ServerInfo } from './servers.js'
export { ReputationTable, type ServerRecord } from './reputation.js'
export { RemoteShare } from './remote-share.js'
export { serverLeaseSecrets, leaseSeedOf } from './lease.js'
export type { TransferProgress, ProgressHandler } from './progress.js'
export * from './errors.js'
