/**
 * The WebAssembly SIMD module behind the fast GF(2^8) kernel.
 *
 * Multiplying a byte x by a constant c splits on the nibbles of x:
 * c·x = c·(x & 0x0f) ^ c·(x & 0xf0), and each half takes one of only 16
 * values. So per coefficient we keep two 16-byte tables, lo[i] = c·i and
 * hi[i] = c·(i << 4), and `i8x16.swizzle` looks up 16 bytes at once.
 *
 * Memory layout (all offsets 16-byte aligned; the JS side owns the layout
 * beyond the first 8 KiB):
 *   0 .. 8191     nibble tables for every c: lo at c·32, hi at c·32 + 16
 *   then          per call: coefficient bytes, their expanded tables,
 *                 k input strips and r output strips of `stride` bytes.
 *
 * Exports:
 *   expand(coefPtr, count, outPtr)
 *     copies the 32-byte table pair of each of `count` coefficient bytes
 *     into a contiguous run, so the hot loop walks tables linearly.
 *   combine<G>(tabPtr, k, srcPtr, dstPtr, stride, n)     for G = 1..MAX_ROWS
 *     computes G output rows in one pass over the k input strips:
 *       dst[i·stride + t] = XOR_j  c[i][j] · src[j·stride + t]
 *     for t in 0..n-1 (n a positive multiple of 16), reading the tables of
 *     row group in order [j][i] from tabPtr. Keeping G accumulators in
 *     registers loads and splits each input vector once for G rows.
 */
import { Body, I32, V128, buildModule, type FuncDef } from './emitter.js'

/** Most output rows one pass computes; more accumulators than this spill registers on x86-64. */
export const MAX_ROWS = 8
/** 16-byte vectors per input per loop step; strips are processed in multiples of 16·UNROLL bytes. */
export const UNROLL = 1
/** Bytes of nibble tables per coefficient. */
export const TABLE_BYTES = 32
/** Where the per-call area begins (after the 256 table pairs). */
export const STATIC_BYTES = 256 * TABLE_BYTES

function expandFunction (): FuncDef {
  const [coef, count, out] = [0, 1, 2]
  const b = new Body(3)
  const addr = b.local(I32)
  b.loop()
  /**/.get(coef).i32Load8U().i32Const(5).i32Shl().set(addr) // addr = c · 32
  /**/.get(out).get(addr).v128Load(0).v128Store(0)
  /**/.get(out).get(addr).v128Load(16).v128Store(16)
  /**/.addTo(coef, 1).addTo(out, TABLE_BYTES)
  /**/.get(count).i32Const(1).i32Sub().tee(count).brIf(0)
  b.end()
  return { name: 'expand', params: [I32, I32, I32], body: b }
}

function combineFunction (rows: number, unroll: number, relaxed: boolean): FuncDef {
  const [tab, k, src, dst, stride, n] = [0, 1, 2, 3, 4, 5]
  const b = new Body(6)
  const t = b.local(I32) // byte position within the strip
  const p = b.local(I32) // walks the tables
  const s = b.local(I32) // walks the input strips at position t
  const j = b.local(I32) // inputs left
  const d = b.local(I32) // walks the output strips at position t
  const mask = b.local(V128)
  // Per unrolled vector u: the input vector, its nibbles and one accumulator per row.
  const lanes = Array.from({ length: unroll }, () => ({
    v: b.local(V128),
    lo: b.local(V128),
    hi: b.local(V128),
    acc: Array.from({ length: rows }, () => b.local(V128))
  }))
  const swizzle = (): Body => relaxed ? b.i8x16RelaxedSwizzle() : b.i8x16Swizzle()

  /** One input's contribution to every row; the first input sets the accumulators instead of XORing into zero. */
  const input = (first: boolean): void => {
    lanes.forEach(({ v, lo, hi }, u) => {
      b.get(s).v128Load(u * 16).tee(v).get(mask).v128And().set(lo)
      b.get(v).i32Const(4).i8x16ShrU().set(hi)
    })
    for (let i = 0; i < rows; i++) {
      for (const { lo, hi, acc } of lanes) {
        // acc ^= lo_table[c] swizzled by the low nibbles ^ hi_table[c] by the high ones
        if (!first) b.get(acc[i])
        b.get(p).v128Load(i * 32).get(lo); swizzle()
        b.get(p).v128Load(i * 32 + 16).get(hi); swizzle()
        b.v128Xor()
        if (!first) b.v128Xor()
        b.set(acc[i])
      }
    }
    b.addTo(p, rows * TABLE_BYTES).addLocal(s, stride)
  }

  b.v128Const(new Array(16).fill(0x0f)).set(mask)
  b.i32Const(0).set(t)
  b.loop() // over positions t, 16·unroll bytes at a time
  b.get(tab).set(p)
  b.get(src).get(t).i32Add().set(s)
  input(true)
  b.block()
  b.get(k).i32Const(1).i32Sub().tee(j).i32Eqz().brIf(0) // k = 1: nothing more to add
  b.loop() // over inputs 1..k-1
  input(false)
  b.get(j).i32Const(1).i32Sub().tee(j).brIf(0)
  b.end()
  b.end()
  b.get(dst).get(t).i32Add().set(d)
  for (let i = 0; i < rows; i++) {
    lanes.forEach(({ acc }, u) => { b.get(d).get(acc[i]).v128Store(u * 16) })
    if (i < rows - 1) b.addLocal(d, stride)
  }
  b.get(t).i32Const(16 * unroll).i32Add().tee(t).get(n).i32LtU().brIf(0)
  b.end()
  return { name: `combine${rows}`, params: [I32, I32, I32, I32, I32, I32], body: b }
}

/**
 * The module bytes. `relaxed` uses relaxed-SIMD's swizzle, which skips the
 * out-of-range lane handling plain swizzle needs on x86 (our indices are
 * nibbles, always in range); engines without relaxed SIMD reject that module.
 */
export function gfModuleBytes (relaxed = false, unroll = UNROLL): Uint8Array {
  const funcs = [expandFunction()]
  for (let g = 1; g <= MAX_ROWS; g++) funcs.push(combineFunction(g, unroll, relaxed))
  return buildModule(funcs, 1)
}
