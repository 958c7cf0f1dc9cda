export const HAVE_PROTOCOL = '/lafs-club/have/1.0.0'
/** Storage indexes per request (the message decoder enforces the same limit). */
export const MAX_HAVE_BATCH = 1000
/** 1000 × (16-byte index + 2 bytes of field header), with room to spare. */
export const MAX_HAVE_REQUEST_FRAME = 32 * 1024
/** 1000 entries of at most 256 share numbers each. */
export const MAX_HAVE_RESPONSE_FRAME = 1024 * 1024
export const DEFAULT_HAVE_TIMEOUT_MS = 10_000
/**
 * Default budget per peer, counted in storage indexes asked about: a client
 * checking a few hundred files at once is never slowed, a scraper is.
 */
export const DEFAULT_HAVE_RATE_LIMIT = { tokensPerSecond: 5_000, burst: 10_000 }
export const MAX_INBOUND_STREAMS = 16
