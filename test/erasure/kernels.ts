/** The kernels every codec spec runs under: the reference one and whatever faster ones load here. */
import { jsKernel, simdKernel, type GfKernel } from '../../src/erasure/index.js'

export function kernelsUnderTest (): GfKernel[] {
  if (simdKernel == null) console.log('      NOTE: this engine has no WebAssembly SIMD; only the js kernel is tested')
  return simdKernel == null ? [jsKernel] : [jsKernel, simdKernel]
}
