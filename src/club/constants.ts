/** The owner's node answers join requests from servers on this protocol. */
export const CLUB_JOIN_PROTOCOL = '/lafs-club/club-join/1.0.0'
/** The owner pushes a freshly published roster to the club's connected servers (src/club/roster-push.ts). */
export const CLUB_ROSTER_PROTOCOL = '/lafs-club/club-roster/1.0.0'
/** A roster record is at most 10 KiB (the IPNS limit); the club ID and framing add little. */
export const MAX_ROSTER_PUSH_BYTES = 12 * 1024

/** Name of the roster field inside the IPNS record's extensible DAG-CBOR data. */
export const ROSTER_FIELD = 'LafsClub'
export const ROSTER_VERSION = 1

/** The IPNS record's Value: a path that names the club without pointing at content. */
export const CLUB_PATH_PREFIX = '/lafs-club/'

export const HOUR_MS = 60 * 60 * 1000
export const DAY_MS = 24 * HOUR_MS
/**
 * IPNS validity (EOL) of a published roster, unless the owner sets another
 * (`club create|publish --valid`). Long on purpose: members and users re-put
 * the owner's signed copy, so the club stays resolvable for this long while
 * its owner's machine is away. DHT servers still drop each copy 48 h after
 * receiving it, which the re-puts cover.
 */
export const DEFAULT_VALIDITY_MS = 30 * DAY_MS
/** Shortest and longest validity an owner may choose. */
export const MIN_VALIDITY_MS = HOUR_MS
export const MAX_VALIDITY_MS = 365 * DAY_MS
/** The owner is warned (status page, `lafs-club status`) when an owned roster's validity ends within this. */
export const ROSTER_EXPIRY_WARNING_MS = 3 * DAY_MS
/** IPNS TTL hint: how long a resolver may use a roster before asking the DHT again. */
export const DEFAULT_TTL_MS = HOUR_MS
/**
 * Owner re-signs (and members and users re-put) rosters this often: four
 * chances within kad-dht's fixed 48 h record lifetime, so copies put by
 * members stay in the DHT while the owner is away.
 */
export const DEFAULT_REPUBLISH_INTERVAL_MS = 12 * HOUR_MS

export const MAX_NAME_LENGTH = 128
export const MAX_DESCRIPTION_LENGTH = 1024
export const MAX_MULTIADDRS_PER_SERVER = 8
export const MAX_JOIN_MESSAGE_BYTES = 16 * 1024
/** Pending join requests an owner keeps (all its clubs together); the oldest is dropped for a new one. */
export const MAX_PENDING_JOIN_REQUESTS = 256
/** A forwarded join or leave request is refused when its signature is older than this (bounds replays). */
export const FORWARDED_REQUEST_MAX_AGE_MS = 10 * 60 * 1000
/** A roster entry (and the owner's contact) lists at most this many relayed (`/p2p-circuit`) addresses: one relay is enough to be reached. */
export const MAX_RELAYED_ADDRS_PER_SERVER = 1

export const INVITE_PREFIX = 'lafs-club-invite:'

/**
 * Read cache for rosters of clubs this node has not joined (hinted caps,
 * `clubs.show`): 64 entries and 10 minutes bound what a page or a link can
 * make the node remember, while a download that reads the same hint for
 * every file of a folder still resolves the roster once.
 */
export const DEFAULT_READ_CACHE_ENTRIES = 64
export const DEFAULT_READ_CACHE_TTL_MS = 10 * 60 * 1000

/**
 * Open clubs accept at most this many new servers a minute, per club. Each
 * acceptance costs the owner a dial to an address the joiner chose and a
 * roster publish (about 40 DHT RPCs), and makes every member dial one more
 * server; an honest club grows by a handful of servers a day, while a roster
 * holds about 85. At 5 a minute a burst of fresh peer IDs gets 5 in, and
 * filling the roster takes a quarter of an hour of reachable servers, time
 * for the owner to see it and switch the club to 'invitation'.
 */
export const DEFAULT_OPEN_JOINS_PER_MINUTE = 5
/** The owner's probe of a joining server: per listed address tried, at most this many addresses. */
export const JOIN_PROBE_TIMEOUT_MS = 5000
export const JOIN_PROBE_MAX_ADDRESSES = 3
/** Upload helpers a roster may list: a few well-connected nodes, not a second server list. */
export const MAX_ROSTER_HELPERS = 8
