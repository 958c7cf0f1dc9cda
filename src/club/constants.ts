/** The owner's node answers join requests from servers on this protocol. */
export const CLUB_JOIN_PROTOCOL = '/lafs-club/club-join/1.0.0'

/** Name of the roster field inside the IPNS record's extensible DAG-CBOR data. */
export const ROSTER_FIELD = 'LafsClub'
export const ROSTER_VERSION = 1

/** The IPNS record's Value: a path that names the club without pointing at content. */
export const CLUB_PATH_PREFIX = '/lafs-club/'

export const HOUR_MS = 60 * 60 * 1000
/** IPNS validity (EOL) of a published roster. DHT servers also drop records 48 h after receipt. */
export const DEFAULT_VALIDITY_MS = 48 * HOUR_MS
/** IPNS TTL hint: how long a resolver may use a roster before asking the DHT again. */
export const DEFAULT_TTL_MS = HOUR_MS
/** Owner re-signs (and members re-put) rosters this often: 4 chances before the 48 h EOL. */
export const DEFAULT_REPUBLISH_INTERVAL_MS = 12 * HOUR_MS

export const MAX_NAME_LENGTH = 128
export const MAX_DESCRIPTION_LENGTH = 1024
export const MAX_MULTIADDRS_PER_SERVER = 8
export const MAX_JOIN_MESSAGE_BYTES = 16 * 1024
export const MAX_PENDING_JOIN_REQUESTS = 256

export const INVITE_PREFIX = 'lafs-club-invite:'
