/**
 * Tahoe's base32 (spec §2): RFC 4648 alphabet in lower case, no `=`
 * padding. The codec is multiformats' (its `base32` is exactly this alphabet,
 * unpadded); this module only makes decoding strict, so every byte string has
 * exactly one text form. multiformats alone would accept upper case and `=`
 * padding (the multibase spec asks it to) and report every other fault as
 * "Unexpected end of data"; the checks below come first and say which fault.
 */
import { base32 } from 'multiformats/bases/base32'
import { InvalidBase32Error } from './errors.js'

/** Remainders of length mod 8 that end on a whole byte (0, 1, 2, 3, 4 bytes). */
const WHOLE_BYTE_LENGTHS = new Set([0, 2, 4, 5, 7])
const OUTSIDE_ALPHABET = /[^a-z2-7]/

export function base32Encode (bytes: Uint8Array): string {
  return base32.baseEncode(bytes)
}

/** Length in characters of the base32 form of `n` bytes. */
export function base32Length (n: number): number {
  return Math.ceil(n * 8 / 5)
}

export function base32Decode (text: string): Uint8Array {
  if (!WHOLE_BYTE_LENGTHS.has(text.length % 8)) {
    throw new InvalidBase32Error('bad-length', `base32 text of ${text.length} characters cannot encode whole bytes`)
  }
  const bad = text.search(OUTSIDE_ALPHABET)
  if (bad >= 0) {
    throw new InvalidBase32Error('bad-char', `'${text[bad]}' at position ${bad} is not in Tahoe's base32 alphabet (a-z, 2-7, lower case)`)
  }
  try {
    return base32.baseDecode(text)
  } catch {
    // Length and alphabet are already checked: the one fault left is non-zero unused bits.
    // The text is not quoted whole: it may be a cap's read key.
    throw new InvalidBase32Error('trailing-bits', `base32 text of ${text.length} characters is not canonical: its last character '${text[text.length - 1]}' carries non-zero unused bits`)
  }
}

/** Why a cap field did not decode: its base32 ('bad-base32', 'trailing-bits') or its byte count ('bad-length'). */
export type CapFieldFault = 'bad-base32' | 'trailing-bits' | 'bad-length'

/**
 * A fixed-size base32 field of a cap, or the caller's own error (each cap
 * family throws its own class) naming the field and the fault.
 */
export function decodeCapField (text: string, bytes: number, what: string, error: (fault: CapFieldFault, message: string) => Error): Uint8Array {
  let out: Uint8Array
  try {
    out = base32Decode(text)
  } catch (err) {
    if (err instanceof InvalidBase32Error) {
      throw error(err.reason === 'trailing-bits' ? 'trailing-bits' : 'bad-base32', `the ${what} in the cap is not valid: ${err.message}`)
    }
    throw err
  }
  if (out.length !== bytes) throw error('bad-length', `the ${what} in the cap must encode ${bytes} bytes, got ${out.length}`)
  return out
}
