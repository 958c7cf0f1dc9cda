/** The IPFS Amino DHT protocol: records put under it can be held by any IPFS DHT server. */
export const DEFAULT_DHT_PROTOCOL = '/ipfs/kad/1.0.0'

/** kad-dht's default datastore prefix; records live at `<prefix>/record/<base32 key>`. */
export const DEFAULT_DATASTORE_PREFIX = '/dht'

/** IPNS records larger than this are refused by every IPNS validator (spec: 10 KiB). */
export const MAX_IPNS_RECORD_SIZE = 10 * 1024

/** Tahoe-LAFS storage indexes are 16 bytes. */
export const STORAGE_INDEX_LENGTH = 16

/**
 * Domain tag hashed in front of a storage index to make its provider key.
 * Changing it makes every existing provider record unreachable.
 */
export const STORAGE_INDEX_CID_TAG = 'lafs-club/storage-index/v1\n'

/** Provider records live 48 h on DHT servers; re-announce well before that. */
export const DEFAULT_REPROVIDE_INTERVAL_MS = 12 * 60 * 60 * 1000
