/** /lafs-club/storage/1.0.0: Tahoe's immutable storage API over one libp2p session stream. */
export { StorageClient } from './client.js'
export type { StorageClientOptions, ServerVersion, LeaseSecrets, AllocateAnswer, ShareSize, StreamOpener } from './types.js'
export { registerStorageProtocol, type StorageProtocolOptions } from './register.js'
export { STORAGE_PROTOCOL } from './constants.js'
export { dialUnlimited, relayOf, describeLimits, DEFAULT_DIRECT_UPGRADE_WAIT_MS } from './limited.js'
export { DEFAULT_WRITE_BUDGET, DEFAULT_SESSION_WRITE_BUDGET, DEFAULT_BUDGET_STALL_MS, type WriteBudgetOptions } from './write-budget.js'
export * from './errors.js'
