/**
 * The inner loop of the codec, kept behind one small interface so the plain
 * TypeScript version can serve as the reference that faster kernels are
 * tested against.
 */
import { MUL } from './gf256.js'

export interface GfKernel {
  readonly name: string
  /**
   * For each output row r: outs[r][t] = XOR over j of coeffs[r·k + j] · srcs[j][t],
   * for t in 0..length-1, where k = srcs.length. Outputs are overwritten.
   */
  combine: (coeffs: Uint8Array, srcs: readonly Uint8Array[], outs: readonly Uint8Array[], length: number) => void
}

/** Reference kernel: one 256-byte product-table row per coefficient. */
export const jsKernel: GfKernel = {
  name: 'js',
  combine (coeffs, srcs, outs, length) {
    const k = srcs.length
    for (let r = 0; r < outs.length; r++) {
      const out = outs[r]
      out.fill(0, 0, length)
      for (let j = 0; j < k; j++) {
        const c = coeffs[r * k + j]
        if (c === 0) continue
        const src = srcs[j]
        if (c === 1) {
          for (let t = 0; t < length; t++) out[t] ^= src[t]
        } else {
          const base = c << 8
          for (let t = 0; t < length; t++) out[t] ^= MUL[base | src[t]]
        }
      }
    }
  }
}
