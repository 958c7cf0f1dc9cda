/**
 * RFC 4648 base32, lower case, no padding: Tahoe's alphabet (spec §2). Kept
 * private to this folder so storage does not depend on src/immutable.
 */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'
const VALUES = new Map([...ALPHABET].map((c, i) => [c, i]))

export function base32Encode (bytes: Uint8Array): string {
  let out = ''
  let buffer = 0
  let bits = 0
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += ALPHABET[(buffer >> bits) & 31]
    }
    buffer &= (1 << bits) - 1
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31]
  return out
}

/** Strict decoder: lower case only, no padding, unused trailing bits must be zero. Returns undefined if invalid. */
export function base32Decode (text: string): Uint8Array | undefined {
  if (![0, 2, 4, 5, 7].includes(text.length % 8)) return undefined
  const out = new Uint8Array(Math.floor(text.length * 5 / 8))
  let buffer = 0
  let bits = 0
  let n = 0
  for (const c of text) {
    const v = VALUES.get(c)
    if (v === undefined) return undefined
    buffer = (buffer << 5) | v
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out[n++] = (buffer >> bits) & 0xff
    }
    buffer &= (1 << bits) - 1
  }
  if (buffer !== 0) return undefined
  return out
}

/** The 26-character folder name of a 16-byte storage index. */
export function encodeStorageIndex (storageIndex: Uint8Array): string {
  return base32Encode(storageIndex)
}

export function decodeStorageIndex (text: string): Uint8Array | undefined {
  const bytes = base32Decode(text)
  return bytes?.length === 16 ? bytes : undefined
}
