/**
 * Encryption keys (spec §4): convergent (hash of parameters, secret and
 * whole plaintext, so the same file uploads to the same storage index) or
 * random.
 */
import { randomBytes } from 'node:crypto'
import { concatBytes, netstring, plain, TaggedHasher, TAGS, toBytes } from './hashes.js'
import { checkShareCounts } from './params.js'

/** The composite tag the convergent hash is keyed with (uses the computed S). */
export function convergenceTag (secret: Uint8Array, k: number, n: number, segmentSize: number): Uint8Array {
  checkShareCounts(k, n)
  return concatBytes([toBytes(TAGS.convergentKeyPrefix), netstring(secret), netstring(`${k},${n},${segmentSize}`)])
}

/** Streaming convergent key: update() with every plaintext byte in order, then key(). */
export class ConvergentKeyHasher {
  private readonly h: TaggedHasher
  constructor (secret: Uint8Array, k: number, n: number, segmentSize: number) {
    this.h = new TaggedHasher(convergenceTag(secret, k, n, segmentSize))
  }

  update (chunk: Uint8Array): this { this.h.update(chunk); return this }

  key (): Uint8Array { return this.h.digest(16) }
}

export function convergentKey (secret: Uint8Array, k: number, n: number, segmentSize: number, plaintext: Uint8Array): Uint8Array {
  return new ConvergentKeyHasher(secret, k, n, segmentSize).update(plaintext).key()
}

export function randomKey (): Uint8Array {
  return plain(randomBytes(16))
}
