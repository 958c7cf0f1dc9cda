/** 1.1.0 adds the mutable-slot requests to 1.0.0 (issue 14); a 1.0.0 peer would close the session on them. */
export const STORAGE_PROTOCOL = '/lafs-club/storage/1.1.0'

/** Largest data field of one write request. Bigger writes are split by the client. */
export const MAX_WRITE_SIZE = 2 ** 20
/** Largest range one read request may ask for; the answer comes in READ_CHUNK_SIZE frames. */
export const MAX_READ_LENGTH = 64 * 2 ** 20
/** Bytes of share data per read-answer frame. */
export const READ_CHUNK_SIZE = 2 ** 20
/** Room for everything in a frame beyond its data field (ids, storage index, offsets). */
const FRAME_OVERHEAD = 4096
export const MAX_REQUEST_FRAME = MAX_WRITE_SIZE + FRAME_OVERHEAD
export const MAX_RESPONSE_FRAME = READ_CHUNK_SIZE + FRAME_OVERHEAD

/** Server: a request must arrive completely within this time once started (and the first one after opening). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
/**
 * Server: close a session after this long without requests. Below yamux's
 * 120 s inactivity abort, so sessions end cleanly, and above the client's
 * idle time so the client is normally the one that closes.
 */
export const DEFAULT_SERVER_IDLE_TIMEOUT_MS = 100_000
/** Client: close an unused session after this long (the next request reopens one). */
export const DEFAULT_CLIENT_IDLE_TIMEOUT_MS = 60_000
/**
 * Client: bytes of write data sent but not yet acknowledged, per server.
 * Enough to keep a link busy (4 MiB per 100 ms of round trip is 40 MB/s per
 * server); a larger window only keeps more data alive in both processes'
 * heaps: 8 MiB made a 10-server upload 10-15% slower than 2-4 MiB here,
 * with about 300 ms more client CPU per 64 MiB (garbage collection).
 */
export const DEFAULT_WRITE_WINDOW = 4 * 2 ** 20
/** Server: pause reading a session while this many request bytes wait to be handled. */
export const SERVER_HIGH_WATER_MARK = 8 * 2 ** 20
/** Concurrent storage sessions per connection (one client normally needs one; see README, Limits). */
export const MAX_INBOUND_STREAMS = 4
/** After a fatal error reply, wait this long for the client to close before resetting. */
export const CLOSE_GRACE_MS = 5_000

/** Mutable slots: shares (each 0..255, once) one read-test-write names. */
export const MAX_SLOT_SHARES = 256
/** Mutable slots: write vectors in one read-test-write, all shares together. */
export const MAX_SLOT_WRITE_VECTORS = 1024
/**
 * Mutable slots: bytes of write data plus test specimens in one
 * read-test-write, as a write request's data (a bigger share is written in
 * several calls, each testing what the previous one wrote).
 */
export const MAX_SLOT_WRITE_BYTES = MAX_WRITE_SIZE
/** Mutable slots: share numbers one slot read may name. */
export const MAX_SLOT_READ_SHARES = 256
