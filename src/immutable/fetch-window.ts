/**
 * How many segments a read keeps in flight ahead of the one its consumer
 * is given.
 */

/**
 * Crypttext a long read keeps in flight on the worker: up to 4 MiB, and
 * between two and eight segments. 8 MiB measured no faster and held more.
 */
const PIPELINE_BYTES = 4 * 2 ** 20
const PIPELINE_MAX_SEGMENTS = 8
/**
 * A spreading read keeps more in flight: every server holding a share needs
 * a block or two asked of it to stay busy (ten servers, k = 3: about seven
 * segments), and a slow one must not idle the others while the output waits
 * for it. Up to 8 MiB, between 4 and 32 segments.
 */
const SPREAD_WINDOW_BYTES = 8 * 2 ** 20
const SPREAD_MIN_SEGMENTS = 4
const SPREAD_MAX_SEGMENTS = 32
/**
 * Shares are chosen when a segment starts: until the other shares are open
 * (or this long has passed, if a server is slow to answer) only two
 * segments start, so the window is not all given to the first k. Then the
 * window grows by two segments per segment delivered (not all at once), so
 * the servers are measured before most of the window is handed out.
 */
const SPREAD_OPENING_SEGMENTS = 2
export const SPREAD_OPENING_GRACE_MS = 1000
/** The minimums above give way when segments are huge (the uploader chose them): never more than this in flight. */
const IN_FLIGHT_CEILING_BYTES = 32 * 2 ** 20

/** `min` segments, or fewer (at least one) when `min` of them would pass IN_FLIGHT_CEILING_BYTES. */
function atLeast (min: number, segmentSize: number): number {
  return Math.max(1, Math.min(min, Math.floor(IN_FLIGHT_CEILING_BYTES / segmentSize)))
}

/**
 * A long read (on the worker) keeps several segments in flight, so the
 * worker goes from one to the next without waiting for the main thread to
 * come back to it; otherwise one, so that the next fetch overlaps with the
 * consumer's work.
 */
export function segmentsInFlight (segmentSize: number, offload: boolean, spreading: boolean): number {
  if (!offload) return 1
  if (spreading) return Math.max(atLeast(SPREAD_MIN_SEGMENTS, segmentSize), Math.min(SPREAD_MAX_SEGMENTS, Math.floor(SPREAD_WINDOW_BYTES / segmentSize)))
  return Math.max(atLeast(2, segmentSize), Math.min(PIPELINE_MAX_SEGMENTS, Math.floor(PIPELINE_BYTES / segmentSize)))
}

/** A spreading read's window while it opens: two segments until the shares are open, then two more per segment delivered, up to `depth`. */
export function openingWindow (depth: number, opened: boolean, delivered: number): number {
  return Math.min(depth, SPREAD_OPENING_SEGMENTS + (opened ? 2 * delivered : 0))
}
