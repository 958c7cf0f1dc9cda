/**
 * HTTP Range parsing (RFC 9110 §14), single ranges only: a multi-range
 * request is answered with the whole file, which the RFC allows.
 */
import { RangeNotSatisfiableError } from './errors.js'

export interface ByteRange {
  /** First byte. */
  start: number
  /** Last byte, inclusive. */
  end: number
}

/**
 * The range a `Range` header asks for within a file of `size` bytes, or
 * undefined when the whole file should be sent (no header, another unit,
 * several ranges, or syntax the RFC says to ignore). Throws
 * RangeNotSatisfiableError when the range lies outside the file.
 */
export function parseRange (header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header)
  if (m == null) return undefined
  const [, first, last] = m
  if (first === '' && last === '') return undefined
  if (first === '') {
    // suffix range: the last N bytes
    const n = Number(last)
    if (n === 0 || size === 0) throw new RangeNotSatisfiableError(header, size)
    return { start: Math.max(0, size - n), end: size - 1 }
  }
  const start = Number(first)
  if (!Number.isSafeInteger(start)) throw new RangeNotSatisfiableError(header, size)
  let end = last === '' ? size - 1 : Number(last)
  if (last !== '' && end < start) return undefined
  if (start >= size) throw new RangeNotSatisfiableError(header, size)
  end = Math.min(end, size - 1)
  return { start, end }
}
