/** A segment's blocks as the fetcher handles them: kept as the buffers they arrived in where possible. */
import { decode as zfecDecode } from '../erasure/index.js'
import { concatBytes } from './hashes.js'
import type { ChkParams } from './params.js'

/**
 * The first `length` bytes of `pieces`, as views. A segment stays in the
 * k blocks it was decoded into: joining them would allocate a segment-sized
 * buffer per segment, which costs more than hashing it.
 */
export function takePrefix (pieces: readonly Uint8Array[], length: number): Uint8Array[] {
  const out: Uint8Array[] = []
  let left = length
  for (const p of pieces) {
    if (left <= 0) break
    out.push(p.byteLength <= left ? p : p.subarray(0, left))
    left -= Math.min(left, p.byteLength)
  }
  return out
}

/**
 * The k primary blocks of a segment, in order, as buffers. With the first k
 * shares (readers are sorted by share number) the blocks are the segment:
 * their pieces are used as they are. Otherwise each block is joined and
 * erasure-decoded.
 */
export function decodeSegment (p: ChkParams, shnums: number[], blocks: Uint8Array[][]): Uint8Array[] {
  if (shnums.every((sh, j) => sh === j)) return blocks.flat()
  const whole = blocks.map(pieces => pieces.length === 1 ? pieces[0] : concatBytes(pieces))
  return zfecDecode(p.k, p.n, whole, shnums)
}
