import { randomBytes } from 'node:crypto'
import { base32Encode } from '../immutable/index.js'

/**
 * Invitation codes: 80 random bits as four dash-separated groups of four base32
 * characters (`abcd-efgh-ijkl-mnop`). URL-safe, easy to read out or type, and
 * forgiving on input: case, spaces and dashes are ignored.
 */
export function newInvitationCode (): string {
  const text = base32Encode(randomBytes(10))
  return text.match(/.{4}/g)!.join('-')
}

/** The canonical stored form (16 lower-case characters, no separators). */
export function canonicalInvitationCode (code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '')
}
