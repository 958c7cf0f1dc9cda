/** The kernels every codec spec runs under: the reference one and whatever faster ones load here. */
import { jsKernel, simdKernel, type GfKernel } from '../../src/erasure/index.js'
import { createSimdKernel } from '../../src/erasure/wasm/simd-kernel.js'

let kernels: GfKernel[] | null = null

/** js, the default SIMD kernel, and plain-swizzle SIMD when the default one uses relaxed SIMD. */
export function kernelsUnderTest (): GfKernel[] {
  if (kernels != null) return kernels
  kernels = [jsKernel]
  if (simdKernel == null) {
    console.log('      NOTE: this engine has no WebAssembly SIMD; only the js kernel is tested')
    return kernels
  }
  kernels.push(simdKernel)
  const plain = createSimdKernel({ relaxed: false })
  if (plain != null && plain.name !== simdKernel.name) kernels.push(plain)
  return kernels
}
