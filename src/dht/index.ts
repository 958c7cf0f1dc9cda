/**
 * The DHT layer: kad-dht configured for lafs-club, replay-proof IPNS records,
 * honest put/get, provider records for storage indexes, cost metering and a
 * network-size estimate. Imports nothing else of ours.
 */
export { createDhtService } from './service.js'
export type { DhtServiceOptions, DhtAddressScope } from './service.js'
export { createIpnsValidator, selectIpnsRecord, recordDatastoreKey, readStoredIpnsRecord } from './ipns-validation.js'
export type { IpnsRecordCheck, IpnsValidatorOptions } from './ipns-validation.js'
export { putRecord, getRecord, isNotFound } from './records.js'
export type { DhtCallOptions, PutRecordOptions, PutRecordResult, GetRecordOptions } from './records.js'
export { storageIndexToCid, provide, findProviders, findProvidersList } from './providers.js'
export type { ProvideResult, FindProvidersOptions } from './providers.js'
export { ProviderAnnouncer } from './announcer.js'
export type { ProviderAnnouncerOptions, AnnouncerWarning, AnnouncerWarningReason, AnnouncerStats } from './announcer.js'
export { QueryCostMeter } from './cost-meter.js'
export type { QueryCost } from './cost-meter.js'
export { estimateNetworkSize, estimateFromDistances, kadIdOf } from './network-size.js'
export type { NetworkSizeEstimate } from './network-size.js'
export { estimateLookupCost } from './cost-model.js'
export type { LookupCostEstimate } from './cost-model.js'
export {
  DhtError, NotFoundError, PutRejectedError, QueryBudgetExceededError, QueryAbortedError,
  StaleRecordError, InvalidStorageIndexError, UnsupportedDhtError
} from './errors.js'
export {
  DEFAULT_DHT_PROTOCOL, DEFAULT_DATASTORE_PREFIX, MAX_IPNS_RECORD_SIZE, STORAGE_INDEX_LENGTH,
  STORAGE_INDEX_CID_TAG, DEFAULT_REPROVIDE_INTERVAL_MS
} from './constants.js'
export type { KadDHT, QueryEvent } from '@libp2p/kad-dht'
