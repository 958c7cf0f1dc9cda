/**
 * GfKernel on WebAssembly SIMD (see gf-module.ts for the arithmetic).
 *
 * Inputs live in JS memory, so each call works in strips: copy a strip of
 * every input into the module's memory, compute every output row for it,
 * copy the output strips out. The strip width is chosen so one strip of all
 * inputs and outputs stays in cache; the copies are plain memcpy and cost far
 * less than the arithmetic.
 */
import { mulRow } from '../gf256.js'
import type { GfKernel } from '../kernel.js'
import { MAX_ROWS, STATIC_BYTES, TABLE_BYTES, gfModuleBytes } from './gf-module.js'
import { wasmApi, type WasmMemory } from './wasm-api.js'

interface Exports {
  memory: WasmMemory
  expand: (coefPtr: number, count: number, outPtr: number) => void
  [combine: `combine${number}`]: (tabPtr: number, k: number, srcPtr: number, dstPtr: number, stride: number, n: number) => void
}

/** Bytes of input + output strips per pass: sized for a per-core L2 cache. */
const STRIP_BUDGET = 192 * 1024
const PAGE = 65536

const roundUp16 = (n: number): number => (n + 15) & ~15

function instantiate (): { exports: Exports, relaxed: boolean } | null {
  const api = wasmApi()
  if (api == null) return null
  for (const relaxed of [true, false]) {
    const bytes = gfModuleBytes(relaxed)
    if (!api.validate(bytes)) continue
    const instance = new api.Instance(new api.Module(bytes))
    return { exports: instance.exports as unknown as Exports, relaxed }
  }
  return null
}

/** Groups of output rows, each done in one pass; balanced so no pass is tiny (7 rows → 4 + 3). */
function rowGroups (rows: number): number[] {
  const passes = Math.ceil(rows / MAX_ROWS)
  const groups: number[] = []
  let left = rows
  for (let i = passes; i > 0; i--) {
    const g = Math.ceil(left / i)
    groups.push(g)
    left -= g
  }
  return groups
}

/** Builds the SIMD kernel, or returns null when this engine lacks WebAssembly SIMD. */
export function createSimdKernel (): GfKernel | null {
  const loaded = instantiate()
  if (loaded == null) return null
  const { exports: wasm, relaxed } = loaded
  const combineFns = Array.from({ length: MAX_ROWS + 1 }, (_, g) => g === 0 ? null : wasm[`combine${g}`])
  let mem = new Uint8Array(wasm.memory.buffer)

  // The nibble tables of every coefficient, written once.
  for (let c = 0; c < 256; c++) {
    const row = mulRow(c)
    for (let x = 0; x < 16; x++) {
      mem[c * TABLE_BYTES + x] = row[x]
      mem[c * TABLE_BYTES + 16 + x] = row[x << 4]
    }
  }

  function ensureMemory (bytes: number): void {
    const have = wasm.memory.buffer.byteLength
    if (bytes <= have) return
    wasm.memory.grow(Math.ceil((bytes - have) / PAGE))
    // Growing detaches the old ArrayBuffer.
    mem = new Uint8Array(wasm.memory.buffer)
  }

  return {
    name: relaxed ? 'wasm-simd-relaxed' : 'wasm-simd',
    combine (coeffs, srcs, outs, length) {
      const k = srcs.length
      const rows = outs.length
      if (rows === 0 || length === 0) return
      const groups = rowGroups(rows)
      const stride = Math.min(roundUp16(length), Math.max(64, Math.floor(STRIP_BUDGET / (k + rows) / 16) * 16))

      const coefBase = STATIC_BYTES
      const tabBase = roundUp16(coefBase + rows * k)
      const srcBase = tabBase + rows * k * TABLE_BYTES
      const dstBase = srcBase + k * stride
      ensureMemory(dstBase + rows * stride)

      // Coefficients in the order the passes read them: per group, [input][row].
      let w = coefBase
      let g0 = 0
      for (const g of groups) {
        for (let j = 0; j < k; j++) {
          for (let i = 0; i < g; i++) mem[w++] = coeffs[(g0 + i) * k + j]
        }
        g0 += g
      }
      wasm.expand(coefBase, rows * k, tabBase)

      for (let off = 0; off < length; off += stride) {
        const n = Math.min(stride, length - off)
        for (let j = 0; j < k; j++) mem.set(srcs[j].subarray(off, off + n), srcBase + j * stride)
        // Bytes past n in the last vector are stale; they only reach output bytes we do not copy out.
        const nv = roundUp16(n)
        let row = 0
        let tab = tabBase
        for (const g of groups) {
          combineFns[g]!(tab, k, srcBase, dstBase + row * stride, stride, nv)
          tab += g * k * TABLE_BYTES
          row += g
        }
        for (let r = 0; r < rows; r++) {
          const at = dstBase + r * stride
          outs[r].set(mem.subarray(at, at + n), off)
        }
      }
    }
  }
}
