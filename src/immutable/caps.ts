/**
 * Cap strings (spec §10.1): read-caps, verify-caps, literal caps, and the
 * hinted form `<cap>@<clubId>` (DESIGN §2). Parsing is strict so that one
 * file has exactly one cap string per kind.
 */
import { base32Decode, base32Encode, decodeCapField } from './base32.js'
import { InvalidBase32Error, InvalidCapError } from './errors.js'
import { storageIndexHash } from './hashes.js'
import { LIT_SIZE_THRESHOLD, MAX_SHARES } from './params.js'

export interface ChkReadCap {
  kind: 'chk'
  key: Uint8Array
  uebHash: Uint8Array
  k: number
  n: number
  size: number
}

export interface ChkVerifyCap {
  kind: 'chk-verifier'
  storageIndex: Uint8Array
  uebHash: Uint8Array
  k: number
  n: number
  size: number
}

export interface LitCap {
  kind: 'lit'
  data: Uint8Array
}

export type Cap = ChkReadCap | ChkVerifyCap | LitCap

export interface HintedCap {
  cap: Cap
  /** The club ID after '@', when present. Never needed for correctness. */
  hint?: string
}

const READ_PREFIX = 'URI:CHK:'
const VERIFY_PREFIX = 'URI:CHK-Verifier:'
const LIT_PREFIX = 'URI:LIT:'

function decodeField (text: string, bytes: number, what: string): Uint8Array {
  return decodeCapField(text, bytes, what, (fault, message) => new InvalidCapError(fault, message))
}

function decodeNumber (text: string, what: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new InvalidCapError('bad-number', `the ${what} in the cap must be a plain decimal number, got '${text}'`)
  }
  return Number(text)
}

function checkKN (k: number, n: number): void {
  if (k < 1 || n < 1 || k > MAX_SHARES || n > MAX_SHARES) {
    throw new InvalidCapError('k-out-of-range', `k and N must be from 1 to ${MAX_SHARES} (the cap says k=${k}, N=${n})`)
  }
  if (k > n) throw new InvalidCapError('k-exceeds-n', `the cap needs k=${k} shares out of only N=${n}`)
}

function checkChkSize (size: number): void {
  if (size <= LIT_SIZE_THRESHOLD) {
    throw new InvalidCapError('size-mismatch', `a CHK cap for ${size} bytes is impossible: files of ${LIT_SIZE_THRESHOLD} bytes or fewer are literal (URI:LIT:) caps`)
  }
}

function parseChkFields (rest: string, prefix: string): [Uint8Array, Uint8Array, number, number, number] {
  const f = rest.split(':')
  if (f.length !== 5) throw new InvalidCapError('field-count', `a ${prefix} cap has 5 fields after the prefix, got ${f.length}`)
  const a = decodeField(f[0], 16, prefix === READ_PREFIX ? 'key' : 'storage index')
  const b = decodeField(f[1], 32, 'UEB hash')
  const k = decodeNumber(f[2], 'k')
  const n = decodeNumber(f[3], 'N')
  const size = decodeNumber(f[4], 'size')
  checkKN(k, n)
  checkChkSize(size)
  return [a, b, k, n, size]
}

/** Parses a cap without a hint. Accepts the `imm.`/`ro.` prefixes Tahoe uses inside directories. */
export function parseCap (text: string): Cap {
  let s = text
  if (s.startsWith('imm.')) s = s.slice(4)
  else if (s.startsWith('ro.')) s = s.slice(3)
  if (s.startsWith(READ_PREFIX)) {
    const [key, uebHash, k, n, size] = parseChkFields(s.slice(READ_PREFIX.length), READ_PREFIX)
    return { kind: 'chk', key, uebHash, k, n, size }
  }
  if (s.startsWith(VERIFY_PREFIX)) {
    const [storageIndex, uebHash, k, n, size] = parseChkFields(s.slice(VERIFY_PREFIX.length), VERIFY_PREFIX)
    return { kind: 'chk-verifier', storageIndex, uebHash, k, n, size }
  }
  if (s.startsWith(LIT_PREFIX)) {
    const rest = s.slice(LIT_PREFIX.length)
    if (rest.includes(':')) throw new InvalidCapError('field-count', 'a URI:LIT: cap has exactly one field')
    let data: Uint8Array
    try {
      data = base32Decode(rest)
    } catch (err) {
      if (err instanceof InvalidBase32Error) {
        throw new InvalidCapError(err.reason === 'trailing-bits' ? 'trailing-bits' : 'bad-base32', `the data in the literal cap is not valid: ${err.message}`)
      }
      throw err
    }
    if (data.length > LIT_SIZE_THRESHOLD) {
      throw new InvalidCapError('size-mismatch', `a literal cap holds at most ${LIT_SIZE_THRESHOLD} bytes, this one decodes to ${data.length}`)
    }
    return { kind: 'lit', data }
  }
  throw new InvalidCapError('unknown-type', `'${text.slice(0, 24)}…' is not an immutable-file cap (expected URI:CHK:, URI:CHK-Verifier: or URI:LIT:)`)
}

/** Parses `<cap>` or `<cap>@<clubId>`. */
export function parseHintedCap (text: string): HintedCap {
  const at = text.indexOf('@')
  if (at < 0) return { cap: parseCap(text) }
  const hint = text.slice(at + 1)
  if (!/^[0-9A-Za-z]+$/.test(hint)) throw new InvalidCapError('bad-hint', `the club hint after '@' must be a non-empty club ID of letters and digits, got '${hint}'`)
  return { cap: parseCap(text.slice(0, at)), hint }
}

export function formatCap (cap: Cap, hint?: string): string {
  let s: string
  switch (cap.kind) {
    case 'chk':
      s = `${READ_PREFIX}${base32Encode(cap.key)}:${base32Encode(cap.uebHash)}:${cap.k}:${cap.n}:${cap.size}`
      break
    case 'chk-verifier':
      s = `${VERIFY_PREFIX}${base32Encode(cap.storageIndex)}:${base32Encode(cap.uebHash)}:${cap.k}:${cap.n}:${cap.size}`
      break
    case 'lit':
      s = `${LIT_PREFIX}${base32Encode(cap.data)}`
      break
  }
  if (hint !== undefined) {
    if (!/^[0-9A-Za-z]+$/.test(hint)) throw new InvalidCapError('bad-hint', `a club hint must be a non-empty club ID of letters and digits, got '${hint}'`)
    s += `@${hint}`
  }
  return s
}

export function toVerifyCap (cap: ChkReadCap | ChkVerifyCap): ChkVerifyCap {
  if (cap.kind === 'chk-verifier') return cap
  return { kind: 'chk-verifier', storageIndex: storageIndexHash(cap.key), uebHash: cap.uebHash, k: cap.k, n: cap.n, size: cap.size }
}

export function storageIndexOf (cap: ChkReadCap | ChkVerifyCap): Uint8Array {
  return cap.kind === 'chk' ? storageIndexHash(cap.key) : cap.storageIndex
}

/** Accepts a cap string (with or without hint) or an already parsed cap. */
export function toCap (cap: string | Cap): Cap {
  return typeof cap === 'string' ? parseHintedCap(cap).cap : cap
}
