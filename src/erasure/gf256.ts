/**
 * Arithmetic in GF(2^8) with the primitive polynomial x^8+x^4+x^3+x^2+1
 * (0x11D) and generator 2 — the field zfec uses.
 */
const POLY = 0x11d

/** exp[i] = 2^i, doubled so exp[log a + log b] needs no reduction. */
export const EXP = new Uint8Array(510)
/** log[a] for a != 0; log[0] is unused. */
export const LOG = new Uint8Array(256)

{
  let x = 1
  for (let i = 0; i < 255; i++) {
    EXP[i] = x
    LOG[x] = i
    x <<= 1
    if ((x & 0x100) !== 0) x ^= POLY
  }
  for (let i = 255; i < 510; i++) EXP[i] = EXP[i - 255]
}

/** Full 256×256 product table: MUL[a << 8 | b] = a·b. 64 KiB. */
export const MUL = new Uint8Array(65536)
for (let a = 1; a < 256; a++) {
  for (let b = 1; b < 256; b++) MUL[(a << 8) | b] = EXP[LOG[a] + LOG[b]]
}

export function gfMul (a: number, b: number): number {
  return MUL[(a << 8) | b]
}

export function gfInv (a: number): number {
  if (a === 0) throw new RangeError('0 has no inverse in GF(2^8)')
  return EXP[255 - LOG[a]]
}

/** The 256-byte row of the product table for multiplier c. */
export function mulRow (c: number): Uint8Array {
  return MUL.subarray(c << 8, (c << 8) + 256)
}
