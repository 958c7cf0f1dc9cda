import { importMutablePrivateKey, type MutableKeyPair } from '../../src/mutable/index.js'
import { loadVector } from '../immutable/helpers.js'

export { pseudoRandom, equalBytes } from '../immutable/helpers.js'

interface SskVector { id: number, format: 'sdmf' | 'mdmf', key_pem: string, expected: string }

let cached: SskVector[] | undefined
export function sskVectors (): SskVector[] {
  return (cached ??= loadVector<{ cases: SskVector[] }>('tahoe-ssk.json').cases)
}

/** A fixed key from Tahoe's vectors, so tests do not spend time generating RSA keys. */
export function vectorKey (i = 0): MutableKeyPair {
  return importMutablePrivateKey(sskVectors()[i].key_pem)
}

/** Deterministic 16-byte salts. */
export function fixedSalts (count: number, seed = 1): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => new Uint8Array(16).fill((seed * 31 + i) & 0xff))
}

export function sharesMap (shares: readonly Uint8Array[], pick?: readonly number[]): Map<number, Uint8Array> {
  return new Map((pick ?? shares.map((_, i) => i)).map(i => [i, shares[i]]))
}
