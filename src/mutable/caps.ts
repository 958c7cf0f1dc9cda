/**
 * Mutable-file caps (Tahoe's uri.py): write, read and verify caps of SDMF
 * (`URI:SSK…`) and MDMF (`URI:MDMF…`) files. Every parsed cap carries the
 * keys it implies (a write cap also knows its read key and storage index),
 * so callers never re-derive them.
 */
import { base32Encode, decodeCapField } from '../immutable/index.js'
import { InvalidMutableCapError } from './errors.js'
import { fingerprintHash, HASH_LENGTH, KEY_LENGTH, mutableStorageIndexHash, readkeyHash, writekeyHash } from './hashes.js'
import { importMutablePrivateKey, type MutableKeyPair } from './keys.js'

export type MutableFormat = 'sdmf' | 'mdmf'

export interface MutableWriteCap {
  kind: 'mutable-write'
  format: MutableFormat
  writekey: Uint8Array
  readkey: Uint8Array
  storageIndex: Uint8Array
  fingerprint: Uint8Array
}

export interface MutableReadCap {
  kind: 'mutable-read'
  format: MutableFormat
  readkey: Uint8Array
  storageIndex: Uint8Array
  fingerprint: Uint8Array
}

export interface MutableVerifyCap {
  kind: 'mutable-verify'
  format: MutableFormat
  storageIndex: Uint8Array
  fingerprint: Uint8Array
}

export type MutableCap = MutableWriteCap | MutableReadCap | MutableVerifyCap

export interface HintedMutableCap {
  cap: MutableCap
  /** The club ID after '@', when present. Never needed for correctness. */
  hint?: string
}

const PREFIXES: Record<MutableFormat, Record<MutableCap['kind'], string>> = {
  sdmf: { 'mutable-write': 'URI:SSK:', 'mutable-read': 'URI:SSK-RO:', 'mutable-verify': 'URI:SSK-Verifier:' },
  mdmf: { 'mutable-write': 'URI:MDMF:', 'mutable-read': 'URI:MDMF-RO:', 'mutable-verify': 'URI:MDMF-Verifier:' }
}

const HINT = /^[0-9A-Za-z]+$/

export function writeCapFromKey (writekey: Uint8Array, fingerprint: Uint8Array, format: MutableFormat): MutableWriteCap {
  const readkey = readkeyHash(writekey)
  return { kind: 'mutable-write', format, writekey, readkey, storageIndex: mutableStorageIndexHash(readkey), fingerprint }
}

export function readCapFromKey (readkey: Uint8Array, fingerprint: Uint8Array, format: MutableFormat): MutableReadCap {
  return { kind: 'mutable-read', format, readkey, storageIndex: mutableStorageIndexHash(readkey), fingerprint }
}

/** The write cap of a key pair: writekey from the PKCS#8 DER, fingerprint from the SPKI DER. */
export function writeCapFromKeyPair (pair: MutableKeyPair, format: MutableFormat): MutableWriteCap {
  return writeCapFromKey(writekeyHash(pair.privateDer), fingerprintHash(pair.publicDer), format)
}

export function toReadCap (cap: MutableWriteCap | MutableReadCap): MutableReadCap {
  if (cap.kind === 'mutable-read') return cap
  return { kind: 'mutable-read', format: cap.format, readkey: cap.readkey, storageIndex: cap.storageIndex, fingerprint: cap.fingerprint }
}

export function toMutableVerifyCap (cap: MutableCap): MutableVerifyCap {
  if (cap.kind === 'mutable-verify') return cap
  return { kind: 'mutable-verify', format: cap.format, storageIndex: cap.storageIndex, fingerprint: cap.fingerprint }
}

function decodeField (text: string, bytes: number, what: string): Uint8Array {
  return decodeCapField(text, bytes, what, (fault, message) => new InvalidMutableCapError(fault, message))
}

function matchPrefix (s: string): { format: MutableFormat, kind: MutableCap['kind'], prefix: string } | undefined {
  for (const format of ['sdmf', 'mdmf'] as const) {
    for (const kind of ['mutable-write', 'mutable-read', 'mutable-verify'] as const) {
      const prefix = PREFIXES[format][kind]
      if (s.startsWith(prefix)) return { format, kind, prefix }
    }
  }
  return undefined
}

/** True when the text starts like a mutable-file cap (so callers can route it here). */
export function isMutableCapString (text: string): boolean {
  const s = text.startsWith('ro.') ? text.slice(3) : text
  return matchPrefix(s) !== undefined
}

/**
 * Parses a mutable cap without a hint. Accepts Tahoe's `ro.` marker on read
 * and verify caps (directories write it); a write cap behind `ro.`, or any
 * mutable cap behind `imm.`, is refused, as Tahoe treats those as unknown.
 * MDMF caps may carry extra ':'-separated fields (old Tahoe wrote hints
 * there; Tahoe ignores them): they are dropped, so formatting gives the
 * canonical form.
 */
export function parseMutableCap (text: string): MutableCap {
  let s = text
  let readonlyMarked = false
  if (s.startsWith('ro.')) { s = s.slice(3); readonlyMarked = true }
  if (s.startsWith('imm.') && matchPrefix(s.slice(4)) !== undefined) {
    throw new InvalidMutableCapError('readonly-prefix', 'a mutable-file cap cannot be marked immutable (imm.)')
  }
  const m = matchPrefix(s)
  if (m === undefined) {
    throw new InvalidMutableCapError('unknown-type', `'${text.slice(0, 20)}…' is not a mutable-file cap (expected URI:SSK:, URI:SSK-RO:, URI:SSK-Verifier:, URI:MDMF:, URI:MDMF-RO: or URI:MDMF-Verifier:)`)
  }
  if (readonlyMarked && m.kind === 'mutable-write') {
    throw new InvalidMutableCapError('readonly-prefix', 'a write cap cannot be marked read-only (ro.); use its read cap instead')
  }
  const fields = s.slice(m.prefix.length).split(':')
  if (fields.length !== 2 && !(m.format === 'mdmf' && fields.length > 2)) {
    throw new InvalidMutableCapError('field-count', `a ${m.prefix} cap has 2 fields after the prefix, got ${fields.length}`)
  }
  const fingerprint = decodeField(fields[1], HASH_LENGTH, 'fingerprint')
  switch (m.kind) {
    case 'mutable-write':
      return writeCapFromKey(decodeField(fields[0], KEY_LENGTH, 'write key'), fingerprint, m.format)
    case 'mutable-read':
      return readCapFromKey(decodeField(fields[0], KEY_LENGTH, 'read key'), fingerprint, m.format)
    case 'mutable-verify':
      return { kind: 'mutable-verify', format: m.format, storageIndex: decodeField(fields[0], KEY_LENGTH, 'storage index'), fingerprint }
  }
}

/** Parses `<cap>` or `<cap>@<clubId>`. */
export function parseHintedMutableCap (text: string): HintedMutableCap {
  const at = text.indexOf('@')
  if (at < 0) return { cap: parseMutableCap(text) }
  const hint = text.slice(at + 1)
  if (!HINT.test(hint)) throw new InvalidMutableCapError('field-count', `the club hint after '@' must be a non-empty club ID of letters and digits, got '${hint}'`)
  return { cap: parseMutableCap(text.slice(0, at)), hint }
}

export function formatMutableCap (cap: MutableCap, hint?: string): string {
  const prefix = PREFIXES[cap.format][cap.kind]
  const first = cap.kind === 'mutable-write' ? cap.writekey : cap.kind === 'mutable-read' ? cap.readkey : cap.storageIndex
  let s = `${prefix}${base32Encode(first)}:${base32Encode(cap.fingerprint)}`
  if (hint !== undefined) {
    if (!HINT.test(hint)) throw new InvalidMutableCapError('field-count', `a club hint must be a non-empty club ID of letters and digits, got '${hint}'`)
    s += `@${hint}`
  }
  return s
}

export interface MutableCapStrings {
  writeCap: string
  readCap: string
  verifyCap: string
  /** Tahoe's base32 of the 16-byte storage index. */
  storageIndex: string
}

/** All three caps and the storage index of a write cap, as strings. */
export function capStrings (cap: MutableWriteCap): MutableCapStrings {
  return {
    writeCap: formatMutableCap(cap),
    readCap: formatMutableCap(toReadCap(cap)),
    verifyCap: formatMutableCap(toMutableVerifyCap(cap)),
    storageIndex: base32Encode(cap.storageIndex)
  }
}

/** Interop surface: the caps Tahoe derives from a signature key (PEM, PKCS#1 or PKCS#8). */
export function mutableCapsFromKey (pem: string, format: MutableFormat): MutableCapStrings {
  if (format !== 'sdmf' && format !== 'mdmf') throw new TypeError(`format must be 'sdmf' or 'mdmf', got '${String(format)}'`)
  return capStrings(writeCapFromKeyPair(importMutablePrivateKey(pem), format))
}
