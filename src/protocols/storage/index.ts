/** /lafs-club/storage/1.0.0: Tahoe's immutable storage API over one libp2p session stream. */
export {
  StorageClient, createStorageClient,
  type StorageClientOptions, type ServerVersion, type LeaseSecrets, type AllocateAnswer, type ShareSize, type StreamOpener
} from './client.js'
export { registerStorageProtocol, type StorageProtocolOptions } from './register.js'
export { STORAGE_PROTOCOL, MAX_WRITE_SIZE, MAX_READ_LENGTH } from './constants.js'
export * from './errors.js'
