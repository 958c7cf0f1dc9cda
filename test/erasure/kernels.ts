/** The kernels every codec spec runs under: the reference one and whatever faster ones load here. */
import { jsKernel, type GfKernel } from '../../src/erasure/index.js'

export function kernelsUnderTest (): GfKernel[] {
  return [jsKernel]
}
