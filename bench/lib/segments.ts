/** Cutting data into erasure-coding blocks the way Tahoe-LAFS cuts a file (spec zfec.md §8). */

export const MAX_SEGMENT_SIZE = 131072

export function roundUp (n: number, k: number): number {
  return Math.ceil(n / k) * k
}

/** Tahoe's segment size for a file of `size` bytes: min(size, 128 KiB) rounded up to a multiple of k. */
export function segmentSize (size: number, k: number): number {
  return roundUp(Math.min(size, MAX_SEGMENT_SIZE), k)
}

/**
 * The k blocks of every segment. Full segments are views into `data`; the
 * tail is copied and zero-padded to a multiple of k.
 */
export function segmentBlocks (data: Uint8Array, k: number): Uint8Array[][] {
  const seg = segmentSize(data.length, k)
  const out: Uint8Array[][] = []
  for (let off = 0; off < data.length; off += seg) {
    let piece = data.subarray(off, Math.min(off + seg, data.length))
    if (piece.length % k !== 0) {
      const padded = new Uint8Array(roundUp(piece.length, k))
      padded.set(piece)
      piece = padded
    }
    const b = piece.length / k
    out.push(Array.from({ length: k }, (_, j) => piece.subarray(j * b, (j + 1) * b)))
  }
  return out
}
