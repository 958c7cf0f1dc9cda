export const HELPER_PROTOCOL = '/lafs-club/helper/1.0.0'
/** Crypttext bytes per data frame; the client sends less, which keeps progress fine-grained. */
export const MAX_HELPER_CHUNK = 1024 * 1024
/** The check that opens a stream: a storage index and five numbers (read before any data frame is allowed). */
export const MAX_HELPER_CHECK_FRAME = 512
/** A club ID in a check (a peer ID's base36 CID is about 62 characters). */
export const MAX_CLUB_ID_LENGTH = 128
/** One data frame: the chunk plus its offset and field headers. */
export const MAX_HELPER_REQUEST_FRAME = MAX_HELPER_CHUNK + 1024
/** 256 placements × (peer ID + 16 addresses + 256 share numbers), with room to spare. */
export const MAX_HELPER_RESPONSE_FRAME = 1024 * 1024
/** What the client sends per frame. */
export const HELPER_SEND_CHUNK = 256 * 1024
/** A request (or the next data frame) must arrive within this time. */
export const DEFAULT_HELPER_IDLE_TIMEOUT_MS = 30_000
/** From the last crypttext byte to the placed shares: encoding and writing N/k × the file. */
export const DEFAULT_HELPER_FINISH_TIMEOUT_MS = 30 * 60_000
/** Data frames waiting to be spooled before the stream is paused. */
export const HELPER_READ_HIGH_WATER = 4 * 1024 * 1024
/** Uploads started (checks) per peer: a client checking many small files is never slowed, a scraper is. */
export const DEFAULT_HELPER_RATE_LIMIT = { tokensPerSecond: 20, burst: 100 }
export const MAX_INBOUND_STREAMS = 16
/** Limits of a check request (k, N ≤ 256; a segment no larger than Tahoe accepts). */
export const MAX_SHARES = 256
export const MAX_SEGMENT_SIZE = 128 * 1024 * 1024
/**
 * What a helper encodes at once: one segment's N blocks, N x segment size / k
 * bytes. 64 MiB takes 3-of-10 up to segments of 19 MiB and 1-of-64 up to
 * 1 MiB (the client's default segment is 1 MiB); k = 1, N = 256 with 128 MiB
 * segments would ask for 32 GiB.
 */
export const MAX_HELPER_ENCODED_SEGMENT = 64 * 1024 * 1024
/** N/k at most: what a helper sends to the grid per byte a client spools with it. */
export const MAX_HELPER_EXPANSION = 16
/**
 * An upload must bring at least this many crypttext bytes per window or
 * lose its slot (the client resumes): one byte every 29 s would otherwise
 * hold one of the helper's few upload slots for ever. 1 MiB a minute is
 * 17 KiB/s, far below any link a helper is worth using on, Tor included.
 */
export const DEFAULT_HELPER_MIN_RATE = { bytes: 1024 * 1024, windowMs: 60_000 }
