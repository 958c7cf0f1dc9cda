/** /lafs-club/storage/1.1.0: Tahoe's immutable storage API and mutable slots over one libp2p session stream. */
export { StorageClient } from './client.js'
export type {
  StorageClientOptions, ServerVersion, LeaseSecrets, AllocateAnswer, ShareSize, StreamOpener,
  SlotShareWrite, SlotWriteAnswer, ReadVector, TestVector, WriteVector
} from './types.js'
export { registerStorageProtocol, type StorageProtocolOptions } from './register.js'
export { STORAGE_PROTOCOL, MAX_SLOT_SHARES, MAX_SLOT_WRITE_VECTORS, MAX_SLOT_WRITE_BYTES, MAX_SLOT_READ_SHARES } from './constants.js'
export { dialUnlimited, relayOf, describeLimits, DEFAULT_DIRECT_UPGRADE_WAIT_MS } from './limited.js'
export { DEFAULT_WRITE_BUDGET, DEFAULT_SESSION_WRITE_BUDGET, DEFAULT_BUDGET_STALL_MS, type WriteBudgetOptions } from './write-budget.js'
export * from './errors.js'
