/**
 * Sizes derived from (size, k, N, segment size), spec §3. Everything about
 * a CHK file's shape follows from these numbers, which is what lets the
 * share layout be computed before any byte is encoded.
 */
import { InvalidParametersError } from './errors.js'
import { nextPowerOfTwo } from './merkle.js'

/** Files of this many bytes or fewer become literal caps (Tahoe's URI_LIT_SIZE_THRESHOLD). */
export const LIT_SIZE_THRESHOLD = 55
export const DEFAULT_MAX_SEGMENT_SIZE = 1048576
export const DEFAULT_K = 3
export const DEFAULT_HAPPY = 7
export const DEFAULT_N = 10
export const MAX_SHARES = 256

export interface ChkParams {
  size: number
  k: number
  n: number
  /** S: a multiple of k. */
  segmentSize: number
  numSegments: number
  tailSize: number
  tailPadded: number
  /** B = S / k. */
  blockSize: number
  tailBlockSize: number
  /** ceil(size / k): bytes of block data in each share. */
  shareDataSize: number
  /** Leaves (a power of two) of the crypttext and block hash trees. */
  segmentTreeLeaves: number
  /** Leaves (a power of two) of the share hash tree. */
  shareTreeLeaves: number
}

export function roundUp (x: number, multiple: number): number {
  return Math.ceil(x / multiple) * multiple
}

export function checkShareCounts (k: number, n: number): void {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 1 || n < 1 || k > MAX_SHARES || n > MAX_SHARES) {
    throw new InvalidParametersError(`k and N must be whole numbers from 1 to ${MAX_SHARES} (got k=${k}, N=${n})`)
  }
  if (k > n) throw new InvalidParametersError(`k (${k}) must not exceed N (${n}): a file cannot need more shares than exist`)
}

function checkSize (size: number): void {
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new InvalidParametersError(`a CHK file needs a whole number of bytes >= 1 (got ${size})`)
  }
}

/** S = roundup(min(maxSeg, size), k), spec §3. */
export function chooseSegmentSize (size: number, k: number, maxSegmentSize: number): number {
  if (!Number.isSafeInteger(maxSegmentSize) || maxSegmentSize < 1) {
    throw new InvalidParametersError(`the maximum segment size must be a whole number >= 1 (got ${maxSegmentSize})`)
  }
  return roundUp(Math.min(maxSegmentSize, size), k)
}

/** All derived sizes for a file with segment size S (already chosen). */
export function deriveParams (size: number, k: number, n: number, segmentSize: number): ChkParams {
  checkShareCounts(k, n)
  checkSize(size)
  if (!Number.isSafeInteger(segmentSize) || segmentSize < k || segmentSize % k !== 0) {
    throw new InvalidParametersError(`the segment size must be a positive multiple of k=${k} (got ${segmentSize})`)
  }
  if (segmentSize > roundUp(size, k)) {
    throw new InvalidParametersError(`the segment size ${segmentSize} is larger than the file (${size} bytes) rounded up to a multiple of k=${k}`)
  }
  const numSegments = Math.ceil(size / segmentSize)
  const tailSize = size % segmentSize === 0 ? segmentSize : size % segmentSize
  const tailPadded = roundUp(tailSize, k)
  const blockSize = segmentSize / k
  const tailBlockSize = tailPadded / k
  return {
    size,
    k,
    n,
    segmentSize,
    numSegments,
    tailSize,
    tailPadded,
    blockSize,
    tailBlockSize,
    shareDataSize: (numSegments - 1) * blockSize + tailBlockSize,
    segmentTreeLeaves: nextPowerOfTwo(numSegments),
    shareTreeLeaves: nextPowerOfTwo(n)
  }
}

export function computeParams (size: number, k: number, n: number, maxSegmentSize = DEFAULT_MAX_SEGMENT_SIZE): ChkParams {
  checkShareCounts(k, n)
  checkSize(size)
  return deriveParams(size, k, n, chooseSegmentSize(size, k, maxSegmentSize))
}

/** Byte range [start, end) of segment i in the plaintext/crypttext. */
export function segmentRange (p: ChkParams, i: number): { start: number, end: number } {
  const start = i * p.segmentSize
  return { start, end: Math.min(start + p.segmentSize, p.size) }
}

export function blockLength (p: ChkParams, i: number): number {
  return i === p.numSegments - 1 ? p.tailBlockSize : p.blockSize
}
