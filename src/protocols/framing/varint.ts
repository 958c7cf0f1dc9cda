/**
 * Unsigned LEB128 varints for frame length prefixes (the same encoding as
 * it-length-prefixed and lpStream). Frames here are far below 2^31 bytes, so
 * a prefix never needs more than five bytes.
 */
import type { Uint8ArrayList } from 'uint8arraylist'

export const MAX_VARINT_BYTES = 5

export function encodeVarint (value: number): Uint8Array {
  const out: number[] = []
  let v = value
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80)
    v = Math.floor(v / 128)
  }
  out.push(v)
  return Uint8Array.from(out)
}

/**
 * Reads a varint at the start of `buf`.
 * Returns undefined when more bytes are needed, or `{ value: NaN }` when the
 * prefix is longer than MAX_VARINT_BYTES (a value no frame here can have).
 */
export function decodeVarint (buf: Uint8ArrayList): { value: number, bytes: number } | undefined {
  let value = 0
  let scale = 1
  const n = Math.min(buf.byteLength, MAX_VARINT_BYTES)
  for (let i = 0; i < n; i++) {
    const b = buf.get(i)
    value += (b & 0x7f) * scale
    if ((b & 0x80) === 0) return { value, bytes: i + 1 }
    scale *= 128
  }
  if (buf.byteLength >= MAX_VARINT_BYTES) return { value: NaN, bytes: MAX_VARINT_BYTES }
  return undefined
}
