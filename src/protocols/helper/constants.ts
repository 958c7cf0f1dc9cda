export const HELPER_PROTOCOL = '/lafs-club/helper/1.0.0'
/** Crypttext bytes per data frame; the client sends less, which keeps progress fine-grained. */
export const MAX_HELPER_CHUNK = 1024 * 1024
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
