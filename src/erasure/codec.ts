/**
 * zfec-compatible systematic Reed-Solomon codec (see docs/spec in
 * test/vectors/README.md and DESIGN.md §2). Shares 0..k-1 are the input
 * blocks; shares k..m-1 are parity rows of zfec's encoding matrix.
 */
import {
  BlockLengthMismatchError, DuplicateShareError, InvalidParametersError,
  ShareNumberOutOfRangeError, WrongBlockCountError
} from './errors.js'
import { allocUnsafe } from 'uint8arrays/alloc'
import { jsKernel, type GfKernel } from './kernel.js'
import { encodingMatrix, invert } from './matrix.js'
import { createSimdKernel } from './wasm/simd-kernel.js'

/** The WebAssembly SIMD kernel, or null where the engine lacks WebAssembly SIMD. */
export const simdKernel: GfKernel | null = createSimdKernel()

// Both kernels give identical bytes (tested); SIMD is several times faster.
let activeKernel: GfKernel = simdKernel ?? jsKernel

/** The kernel used by encode/decode. */
export function getKernel (): GfKernel { return activeKernel }

/** Replace the kernel (benchmarks and tests compare kernels this way). */
export function setKernel (kernel: GfKernel): void { activeKernel = kernel }

export function checkParameters (k: number, m: number): void {
  if (!Number.isInteger(k) || !Number.isInteger(m) || k < 1 || m < 1 || m > 256 || k > m) {
    throw new InvalidParametersError(`erasure parameters must satisfy 1 <= k <= m <= 256 (got k=${k}, m=${m})`)
  }
}

function checkBlocks (blocks: readonly Uint8Array[], count: number, what: string): number {
  if (blocks.length !== count) {
    throw new WrongBlockCountError(`${what} needs exactly ${count} blocks, got ${blocks.length}`)
  }
  const len = blocks[0].length
  for (let i = 1; i < blocks.length; i++) {
    if (blocks[i].length !== len) {
      throw new BlockLengthMismatchError(`all blocks must have the same length: block 0 has ${len} bytes, block ${i} has ${blocks[i].length}`)
    }
  }
  return len
}

/**
 * Fresh output blocks, one allocation each. (One shared allocation per call
 * was tried: above glibc's mmap threshold every call then maps and faults in
 * new pages, and encoding got several times slower and erratic.) Not
 * zero-filled: every kernel writes each byte of its outputs (the reference
 * kernel clears them first), and clearing 7 parity blocks per segment was
 * 1% of a 3-of-10 upload's client CPU.
 */
function allocBlocks (count: number, len: number): Uint8Array[] {
  return Array.from({ length: count }, () => allocUnsafe(len))
}

/**
 * Encodes k equal-length blocks into m blocks. The first k outputs are the
 * inputs themselves (not copies); the rest are fresh parity blocks.
 * `wanted`, when given, limits the output to those share numbers (in order).
 */
export function encode (k: number, m: number, blocks: readonly Uint8Array[], wanted?: readonly number[]): Uint8Array[] {
  checkParameters(k, m)
  const len = checkBlocks(blocks, k, 'encode')
  const shareNums = wanted ?? Array.from({ length: m }, (_, i) => i)
  const e = encodingMatrix(k)
  const out: Uint8Array[] = new Array(shareNums.length)
  const parityIdx: number[] = []
  for (let i = 0; i < shareNums.length; i++) {
    const s = shareNums[i]
    if (!Number.isInteger(s) || s < 0 || s >= m) throw new ShareNumberOutOfRangeError(`share number ${s} is outside 0..${m - 1}`)
    if (s < k) out[i] = blocks[s]
    else parityIdx.push(i)
  }
  if (parityIdx.length > 0) {
    const coeffs = new Uint8Array(parityIdx.length * k)
    const outs = allocBlocks(parityIdx.length, len)
    parityIdx.forEach((i, r) => {
      coeffs.set(e.subarray(shareNums[i] * k, shareNums[i] * k + k), r * k)
      out[i] = outs[r]
    })
    activeKernel.combine(coeffs, blocks, outs, len)
  }
  return out
}

const decodeMatrices = new Map<string, Uint8Array>()

function decodeMatrix (k: number, shareNums: readonly number[]): Uint8Array {
  const key = `${k}:${shareNums.join(',')}`
  let inv = decodeMatrices.get(key)
  if (inv != null) return inv
  const e = encodingMatrix(k)
  const mat = new Uint8Array(k * k)
  shareNums.forEach((s, i) => mat.set(e.subarray(s * k, s * k + k), i * k))
  const r = invert(mat, k)
  // Distinct share numbers < 256 always give an invertible matrix (MDS).
  if (r == null) throw new Error(`decode matrix for shares ${shareNums.join(',')} is singular (cannot happen)`)
  if (decodeMatrices.size > 1024) decodeMatrices.clear()
  decodeMatrices.set(key, r)
  inv = r
  return inv
}

/**
 * Decodes any k distinct shares (in any order) back to the k primary
 * blocks, returned in share-number order. Primary blocks that were given
 * are returned as they are, not copied; rebuilt ones are fresh arrays, or
 * written into `into[j]` (block-sized) when the caller gives where primary
 * j goes (a download's reused shared memory: no allocation per segment).
 */
export function decode (k: number, m: number, blocks: readonly Uint8Array[], shareNums: readonly number[], into?: readonly Uint8Array[]): Uint8Array[] {
  checkParameters(k, m)
  if (shareNums.length !== k) throw new WrongBlockCountError(`decode needs exactly ${k} share numbers, got ${shareNums.length}`)
  const len = checkBlocks(blocks, k, 'decode')
  const seen = new Set<number>()
  for (const s of shareNums) {
    if (!Number.isInteger(s) || s < 0 || s >= m) throw new ShareNumberOutOfRangeError(`share number ${s} is outside 0..${m - 1}`)
    if (seen.has(s)) throw new DuplicateShareError(`share number ${s} was given more than once; decoding needs ${k} distinct shares`)
    seen.add(s)
  }
  const out: Uint8Array[] = new Array(k)
  const missing: number[] = []
  for (let j = 0; j < k; j++) {
    const at = shareNums.indexOf(j)
    if (at >= 0) out[j] = blocks[at]
    else missing.push(j)
  }
  if (missing.length === 0) return out
  // Sort inputs by share number so equal share sets share one cached matrix.
  const order = shareNums.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0])
  const sortedNums = order.map(([s]) => s)
  const sortedBlocks = order.map(([, i]) => blocks[i])
  const inv = decodeMatrix(k, sortedNums)
  const coeffs = new Uint8Array(missing.length * k)
  if (into != null && (into.length !== k || missing.some(j => into[j].length !== len))) {
    throw new BlockLengthMismatchError(`decode into: need ${k} targets, each as long as the blocks (${len} bytes)`)
  }
  const outs = into != null ? missing.map(j => into[j]) : allocBlocks(missing.length, len)
  missing.forEach((j, r) => {
    coeffs.set(inv.subarray(j * k, j * k + k), r * k)
    out[j] = outs[r]
  })
  activeKernel.combine(coeffs, sortedBlocks, outs, len)
  return out
}
