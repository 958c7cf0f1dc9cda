export { encode, decode, checkParameters, getKernel, setKernel, simdKernel } from './codec.js'
export type { GfKernel } from './kernel.js'
export { jsKernel } from './kernel.js'
export * from './errors.js'

import { encode, decode, checkParameters } from './codec.js'
import { encodingMatrix } from './matrix.js'

/**
 * zfec's m×k encoding matrix as m rows of k coefficients (rows 0..k-1 are
 * the identity). For inspection and tests; encode/decode cache it themselves.
 */
export function zfecEncodingMatrix (k: number, m: number): Uint8Array[] {
  checkParameters(k, m)
  const e = encodingMatrix(k)
  return Array.from({ length: m }, (_, r) => e.slice(r * k, r * k + k))
}

/** Interop surface: k equal-length blocks in, all m blocks out. */
export function zfecEncode (k: number, m: number, blocks: Uint8Array[]): Uint8Array[] {
  return encode(k, m, blocks)
}

/** Interop surface: any k blocks with their share numbers in, the k primary blocks out. */
export function zfecDecode (k: number, m: number, blocks: Uint8Array[], shareNums: number[]): Uint8Array[] {
  return decode(k, m, blocks, shareNums)
}
