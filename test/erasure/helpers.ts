/**
 * Shared pieces of the erasure specs: the vector file, its input recipes,
 * and a seeded random source so failures reproduce.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

export interface Recipe {
  recipe: 'xorshift32' | 'affine' | 'fill'
  length: number
  seed?: number
  mul?: number
  add?: number
  value?: number
}

export interface DecodeCheck {
  label: string
  sharenums: number[]
  recovered_concat_sha256?: string
  output_sha256?: string
}

export interface CodecCase {
  id: string
  k: number
  m: number
  blocksize: number
  input: Recipe
  input_sha256: string
  input_hex?: string
  shares_sha256: string[]
  shares_hex?: string[]
  decode: DecodeCheck[]
}

export interface EasyfecCase extends CodecCase {
  datalen: number
  padlen: number
}

export interface ZfecVectors {
  format: string
  gf: { poly: number, generator: number, exp_hex: string }
  matrices: Array<{ k: number, m: number, rows_hex: string[] }>
  cases: CodecCase[]
  easyfec: EasyfecCase[]
}

export function loadZfecVectors (): ZfecVectors {
  const text = readFileSync(new URL('../vectors/zfec.json', import.meta.url), 'utf8')
  return JSON.parse(text) as ZfecVectors
}

export function xorshift32 (seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n)
  let s = seed >>> 0
  for (let i = 0; i < n; i++) {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    out[i] = s & 0xff
  }
  return out
}

export function makeInput (r: Recipe): Uint8Array {
  switch (r.recipe) {
    case 'xorshift32': return xorshift32(r.seed ?? 0, r.length)
    case 'affine': {
      const out = new Uint8Array(r.length)
      for (let i = 0; i < r.length; i++) out[i] = ((r.mul ?? 0) * i + (r.add ?? 0)) & 0xff
      return out
    }
    case 'fill': return new Uint8Array(r.length).fill(r.value ?? 0)
    default: throw new Error(`unknown input recipe ${JSON.stringify(r)}`)
  }
}

export function sha256Hex (...parts: Uint8Array[]): string {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest('hex')
}

export function hex (b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
}

export function concat (parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts))
}

/** Cuts `data` (already k·B bytes) into k blocks of B bytes. */
export function splitBlocks (data: Uint8Array, k: number): Uint8Array[] {
  const b = data.length / k
  if (!Number.isInteger(b)) throw new Error(`input of ${data.length} bytes does not split into ${k} blocks`)
  return Array.from({ length: k }, (_, j) => data.subarray(j * b, (j + 1) * b))
}

/** Small seeded PRNG (mulberry32): random tests print their seed and can be replayed. */
export function seededRandom (seed: number): { int: (n: number) => number, bytes: (n: number) => Uint8Array, pick: (n: number, count: number) => number[] } {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number): number => Math.floor(next() * n)
  return {
    int,
    bytes (n) {
      const out = new Uint8Array(n)
      for (let i = 0; i < n; i++) out[i] = int(256)
      return out
    },
    /** `count` distinct numbers from 0..n-1, in random order. */
    pick (n, count) {
      const all = Array.from({ length: n }, (_, i) => i)
      for (let i = 0; i < count; i++) {
        const j = i + int(n - i)
        const t = all[i]; all[i] = all[j]; all[j] = t
      }
      return all.slice(0, count)
    }
  }
}

/** Seed for random tests: fixed by default, overridable to explore (ERASURE_SEED=123). */
export function testSeed (): number {
  const env = process.env.ERASURE_SEED
  return env != null && env !== '' ? Number(env) >>> 0 : 0x5eed
}
