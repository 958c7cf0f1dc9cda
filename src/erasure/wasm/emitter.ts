/**
 * A very small WebAssembly binary writer: just what the GF(2^8) kernel needs
 * (i32 and v128 locals, loops, loads/stores, a few SIMD ops, one exported
 * memory). Writing the bytes from TypeScript keeps the kernel readable and
 * reviewable in source form: no toolchain and no opaque binary in the repo.
 *
 * Encoding reference: the WebAssembly core spec, §5 (binary format), and the
 * fixed-width SIMD proposal for the 0xFD-prefixed opcodes.
 */

export const I32 = 0x7f
export const V128 = 0x7b
export type ValType = typeof I32 | typeof V128

/** Unsigned LEB128. */
export function uleb (n: number): number[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`uleb: ${n} is not a non-negative integer`)
  const out: number[] = []
  do {
    let byte = n & 0x7f
    n = Math.floor(n / 128)
    if (n !== 0) byte |= 0x80
    out.push(byte)
  } while (n !== 0)
  return out
}

/** Signed LEB128 for 32-bit values. */
export function sleb (n: number): number[] {
  n |= 0
  const out: number[] = []
  for (;;) {
    const byte = n & 0x7f
    n >>= 7
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)
    out.push(done ? byte : byte | 0x80)
    if (done) return out
  }
}

function vec (items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()]
}

function name (s: string): number[] {
  const bytes = [...Buffer.from(s, 'utf8')]
  return [...uleb(bytes.length), ...bytes]
}

/** Memory-access immediate: log2 alignment hint, then byte offset. */
function memarg (alignLog2: number, offset: number): number[] {
  return [...uleb(alignLog2), ...uleb(offset)]
}

/** Builds one function body instruction by instruction. Methods chain. */
export class Body {
  readonly code: number[] = []
  private readonly locals: ValType[] = []

  /** `params` is how many parameters the function type declares; new locals are numbered after them. */
  constructor (private readonly params: number) {}

  /** Declares a local and returns its index. */
  local (type: ValType): number {
    this.locals.push(type)
    return this.params + this.locals.length - 1
  }

  private op (...bytes: number[]): this { this.code.push(...bytes); return this }
  private simd (opcode: number, ...imm: number[]): this { return this.op(0xfd, ...uleb(opcode), ...imm) }

  // Control flow. Blocks and loops here carry no result value (block type 0x40).
  loop (): this { return this.op(0x03, 0x40) }
  block (): this { return this.op(0x02, 0x40) }
  end (): this { return this.op(0x0b) }
  brIf (depth: number): this { return this.op(0x0d, ...uleb(depth)) }

  // Locals.
  get (i: number): this { return this.op(0x20, ...uleb(i)) }
  set (i: number): this { return this.op(0x21, ...uleb(i)) }
  tee (i: number): this { return this.op(0x22, ...uleb(i)) }

  // i32 arithmetic.
  i32Const (n: number): this { return this.op(0x41, ...sleb(n)) }
  i32Add (): this { return this.op(0x6a) }
  i32Sub (): this { return this.op(0x6b) }
  i32Shl (): this { return this.op(0x74) }
  i32LtU (): this { return this.op(0x49) }
  i32Eqz (): this { return this.op(0x45) }
  i32Load8U (offset = 0): this { return this.op(0x2d, ...memarg(0, offset)) }

  /** local[i] += n */
  addTo (i: number, n: number): this { return this.get(i).i32Const(n).i32Add().set(i) }
  /** local[i] += local[j] */
  addLocal (i: number, j: number): this { return this.get(i).get(j).i32Add().set(i) }

  // SIMD (0xFD prefix). Buffers are 16-byte aligned, hence alignment hint 4.
  v128Load (offset = 0): this { return this.simd(0x00, ...memarg(4, offset)) }
  v128Store (offset = 0): this { return this.simd(0x0b, ...memarg(4, offset)) }
  v128Const (bytes: number[]): this {
    if (bytes.length !== 16) throw new RangeError('v128.const takes 16 bytes')
    return this.simd(0x0c, ...bytes)
  }
  i8x16Swizzle (): this { return this.simd(0x0e) }
  /** Relaxed-SIMD swizzle: same as swizzle for lane indices < 16, which is all we ever pass. */
  i8x16RelaxedSwizzle (): this { return this.simd(0x100) }
  v128And (): this { return this.simd(0x4e) }
  v128Xor (): this { return this.simd(0x51) }
  i8x16ShrU (): this { return this.simd(0x6d) }

  /** The encoded body: local declarations (grouped by runs of one type), code, end. */
  encode (): number[] {
    const groups: number[][] = []
    for (const t of this.locals) {
      const last = groups[groups.length - 1]
      if (last != null && last[1] === t) last[0]++
      else groups.push([1, t])
    }
    const body = [...vec(groups.map(([n, t]) => [...uleb(n), t])), ...this.code, 0x0b]
    return [...uleb(body.length), ...body]
  }
}

export interface FuncDef {
  name: string
  params: ValType[]
  body: Body
}

/**
 * A module with one exported memory ("memory", `initialPages` of 64 KiB,
 * growable) and the given exported functions, none returning a value.
 */
export function buildModule (funcs: FuncDef[], initialPages: number): Uint8Array {
  const section = (id: number, content: number[]): number[] => [id, ...uleb(content.length), ...content]
  // One function type per distinct parameter list.
  const sigs: string[] = []
  const typeOf = funcs.map(f => {
    const key = f.params.join(',')
    let i = sigs.indexOf(key)
    if (i < 0) { sigs.push(key); i = sigs.length - 1 }
    return i
  })
  const types = sigs.map(key => {
    const params = key === '' ? [] : key.split(',').map(Number)
    return [0x60, ...vec(params.map(p => [p])), 0x00]
  })
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, // "\0asm"
    0x01, 0x00, 0x00, 0x00, // version 1
    ...section(1, vec(types)),
    ...section(3, vec(typeOf.map(t => uleb(t)))),
    ...section(5, vec([[0x00, ...uleb(initialPages)]])), // limits: min only
    ...section(7, vec([
      [...name('memory'), 0x02, 0x00],
      ...funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])
    ])),
    ...section(10, vec(funcs.map(f => f.body.encode())))
  ]
  return Uint8Array.from(bytes)
}
