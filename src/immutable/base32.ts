/**
 * Tahoe's base32 (spec §2): RFC 4648 alphabet in lower case, no `=`
 * padding. Decoding is strict so every byte string has exactly one text
 * form: lower case only, a possible length, and zero unused trailing bits.
 */
import { InvalidBase32Error } from './errors.js'

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'
const VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i

export function base32Encode (bytes: Uint8Array): string {
  let out = ''
  let acc = 0
  let bits = 0
  for (let i = 0; i < bytes.length; i++) {
    acc = ((acc << 8) | bytes[i]) & 0xfff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += ALPHABET[(acc >> bits) & 31]
    }
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31]
  return out
}

/** Length in characters of the base32 form of `n` bytes. */
export function base32Length (n: number): number {
  return Math.ceil(n * 8 / 5)
}

export function base32Decode (text: string): Uint8Array {
  if (![0, 2, 4, 5, 7].includes(text.length % 8)) {
    throw new InvalidBase32Error('bad-length', `base32 text of ${text.length} characters cannot encode whole bytes`)
  }
  const out = new Uint8Array(Math.floor(text.length * 5 / 8))
  let acc = 0
  let bits = 0
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const v = c < 128 ? VALUE[c] : -1
    if (v < 0) {
      throw new InvalidBase32Error('bad-char', `'${text[i]}' at position ${i} is not in Tahoe's base32 alphabet (a-z, 2-7, lower case)`)
    }
    acc = ((acc << 5) | v) & 0xfff
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out[n++] = (acc >> bits) & 0xff
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) {
    throw new InvalidBase32Error('trailing-bits', `base32 text '${text}' is not canonical: its last character carries non-zero unused bits`)
  }
  return out
}
