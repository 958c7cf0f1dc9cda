export { encode, decode, checkParameters, getKernel, setKernel } from './codec.js'
export type { GfKernel } from './kernel.js'
export { jsKernel } from './kernel.js'
export * from './errors.js'

import { encode, decode } from './codec.js'

/** Interop surface: k equal-length blocks in, all m blocks out. */
export function zfecEncode (k: number, m: number, blocks: Uint8Array[]): Uint8Array[] {
  return encode(k, m, blocks)
}

/** Interop surface: any k blocks with their share numbers in, the k primary blocks out. */
export function zfecDecode (k: number, m: number, blocks: Uint8Array[], shareNums: number[]): Uint8Array[] {
  return decode(k, m, blocks, shareNums)
}
