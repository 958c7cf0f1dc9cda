import { readFileSync } from 'node:fs'
import { concatBytes } from '../../src/immutable/hashes.js'

export function loadVector<T = any> (name: string): T {
  return JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8')) as T
}

/** The vectors' plaintext recipe: repeat the seed and cut to length. */
export function repeatSeed (seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let at = 0; at < length; at += seed.length) out.set(seed.subarray(0, Math.min(seed.length, length - at)), at)
  return out
}

export function b64 (s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64'))
}

export function hex (s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'hex'))
}

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
export function pseudoRandom (n: number, seed = 0x5eed0001): Uint8Array {
  const out = new Uint8Array(n)
  let s = seed >>> 0
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5; s >>>= 0
    out[i] = s & 0xff
  }
  return out
}

export async function collect (it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const c of it) parts.push(c)
  return concatBytes(parts)
}

export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0
}
