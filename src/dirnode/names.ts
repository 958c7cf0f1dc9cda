/**
 * Child names: Tahoe normalises every name to Unicode NFC on the way in
 * and on the way out (encodingutil.normalize), so "é" typed as one code
 * point or as e + combining accent is one entry. Names are compared and
 * sorted by code point, as Python sorts str (UTF-8 byte order is the same).
 */
import { InvalidChildNameError } from './errors.js'

export function normalizeName (name: string): string {
  return name.normalize('NFC')
}

/**
 * A name a directory may hold: a non-empty string without '/'. Tahoe's
 * dirnode layer itself does not check, but its web API and CLI refuse '/'
 * in a name (it separates path segments), and an empty name cannot be
 * addressed by a path; we refuse both wherever a name enters.
 */
export function checkChildName (name: unknown): string {
  if (typeof name !== 'string') throw new InvalidChildNameError('not-a-string', `a child name must be a string, got ${typeof name}`)
  const n = normalizeName(name)
  if (n.length === 0) throw new InvalidChildNameError('empty', 'a child name cannot be empty')
  if (n.includes('/')) throw new InvalidChildNameError('slash', `a child name cannot contain '/' (got '${n}'); '/' separates path segments`)
  return n
}

const encoder = new TextEncoder()

export function compareNames (a: string, b: string): number {
  return Buffer.compare(encoder.encode(a), encoder.encode(b))
}
