/**
 * GfKernel on WebAssembly SIMD (see gf-module.ts for the arithmetic).
 *
 * Inputs live in JS memory, so each call works in strips: copy a strip of
 * every input into the module's memory, compute every output row for it,
 * copy the output strips out. The strip width is chosen so one strip of all
 * inputs and outputs stays in cache; the copies are plain memcpy and cost far
 * less than the arithmetic.
 */
import { setFlagsFromString } from 'node:v8'
import { mulRow } from '../gf256.js'
import type { GfKernel } from '../kernel.js'
import { MAX_ROWS, STATIC_BYTES, TABLE_BYTES, UNROLL, gfModuleBytes } from './gf-module.js'
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

/**
 * Relaxed SIMD's swizzle is about 1.5× faster for us on x86-64 (plain swizzle
 * must saturate every index first). V8 ships it from Node 22 on, and we use
 * it whenever the engine validates it. Node 20's V8 has it behind a flag;
 * Node documents that changing V8 flags after start-up may behave
 * unpredictably, so a library does not do that by default: set
 * LAFS_ERASURE_RELAXED_SIMD=1 to opt in on Node 20 (every variant is tested
 * against the reference kernel), or run node with
 * --experimental-wasm-relaxed-simd.
 */
function relaxedSimdAvailable (validate: (bytes: Uint8Array) => boolean, probe: Uint8Array): boolean {
  if (validate(probe)) return true
  if (process.env.LAFS_ERASURE_RELAXED_SIMD !== '1') return false
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd')
  } catch {
    return false
  }
  return validate(probe)
}

function instantiate (unroll: number, allowRelaxed: boolean): { exports: Exports, relaxed: boolean } | null {
  const api = wasmApi()
  if (api == null) return null
  const validate = (bytes: Uint8Array): boolean => api.validate(bytes)
  const relaxedBytes = gfModuleBytes(true, unroll)
  const relaxed = allowRelaxed && relaxedSimdAvailable(validate, relaxedBytes)
  const bytes = relaxed ? relaxedBytes : gfModuleBytes(false, unroll)
  if (!validate(bytes)) return null
  const instance = new api.Instance(new api.Module(bytes))
  return { exports: instance.exports as unknown as Exports, relaxed }
}

/** Groups of output rows, each done in one pass; balanced so no pass is tiny (at most 8 per pass: 10 rows → 5 + 5, not 8 + 2). */
function rowGroups (rows: number, maxRows: number): number[] {
  const passes = Math.ceil(rows / maxRows)
  const groups: number[] = []
  let left = rows
  for (let i = passes; i > 0; i--) {
    const g = Math.ceil(left / i)
    groups.push(g)
    left -= g
  }
  return groups
}

export interface SimdKernelOptions {
  /** Bytes of input + output strips per pass (default 192 KiB). */
  stripBudget?: number
  /** Most output rows per pass, 1..MAX_ROWS. */
  maxRows?: number
  /** 16-byte vectors per input per loop step (default UNROLL). */
  unroll?: number
  /** Use relaxed SIMD's swizzle where the engine has it (default true). */
  relaxed?: boolean
}

/** Builds the SIMD kernel, or returns null when this engine lacks WebAssembly SIMD. */
export function createSimdKernel (options: SimdKernelOptions = {}): GfKernel | null {
  const stripBudget = options.stripBudget ?? STRIP_BUDGET
  const maxRows = Math.max(1, Math.min(MAX_ROWS, options.maxRows ?? MAX_ROWS))
  const unroll = options.unroll ?? UNROLL
  // Strips and the bytes each combine call covers are multiples of one loop step.
  const step = 16 * unroll
  const roundUpStep = (n: number): number => Math.ceil(n / step) * step
  const loaded = instantiate(unroll, options.relaxed ?? true)
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
      const groups = rowGroups(rows, maxRows)
      const stride = Math.min(roundUpStep(length), Math.max(step, Math.floor(stripBudget / (k + rows) / step) * step))

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
        const nv = roundUpStep(n)
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
