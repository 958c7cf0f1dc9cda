/**
 * Directory caps (Tahoe's uri.py): a directory cap is the cap of the file
 * that holds the directory, with a `URI:DIR2…` prefix in place of the
 * file's prefix. Mutable directories live in SDMF or MDMF files, immutable
 * ones in CHK files, tiny immutable ones in literal caps.
 */
import {
  formatCap, InvalidCapError, parseCap, storageIndexOf, toVerifyCap, type ChkReadCap, type ChkVerifyCap, type LitCap
} from '../immutable/index.js'
import {
  formatMutableCap, InvalidMutableCapError, parseMutableCap, toMutableVerifyCap, toReadCap, type MutableFormat, type MutableReadCap,
  type MutableVerifyCap, type MutableWriteCap
} from '../mutable/index.js'
import { InvalidDirCapError } from './errors.js'

export type DirFormat = MutableFormat | 'chk' | 'lit'

export interface MutableDirWriteCap { kind: 'dir-write', format: MutableFormat, file: MutableWriteCap }
export interface MutableDirReadCap { kind: 'dir-read', format: MutableFormat, file: MutableReadCap }
export interface MutableDirVerifyCap { kind: 'dir-verify', format: MutableFormat, file: MutableVerifyCap }
export interface ImmutableDirCap { kind: 'dir-immutable', format: 'chk', file: ChkReadCap }
export interface ImmutableDirVerifyCap { kind: 'dir-immutable-verify', format: 'chk', file: ChkVerifyCap }
export interface LiteralDirCap { kind: 'dir-literal', format: 'lit', file: LitCap }

export type DirCap = MutableDirWriteCap | MutableDirReadCap | MutableDirVerifyCap | ImmutableDirCap | ImmutableDirVerifyCap | LiteralDirCap
/** The caps a directory can be opened (read) with. */
export type DirReadableCap = MutableDirWriteCap | MutableDirReadCap | ImmutableDirCap | LiteralDirCap
export type DirVerifyCap = MutableDirVerifyCap | ImmutableDirVerifyCap

export interface HintedDirCap {
  cap: DirCap
  /** The club ID after '@', when present. Never needed for correctness. */
  hint?: string
}

interface Form {
  prefix: string
  inner: string
  kind: DirCap['kind']
  format: DirFormat
  /** Allowed behind 'ro.' (not a write cap). */
  readonly: boolean
  /** Allowed behind 'imm.' (neither mutable nor writeable, or a verify cap). */
  immutable: boolean
}

// Each prefix ends with ':', so none is a prefix of another.
const FORMS: readonly Form[] = [
  { prefix: 'URI:DIR2:', inner: 'URI:SSK:', kind: 'dir-write', format: 'sdmf', readonly: false, immutable: false },
  { prefix: 'URI:DIR2-RO:', inner: 'URI:SSK-RO:', kind: 'dir-read', format: 'sdmf', readonly: true, immutable: false },
  { prefix: 'URI:DIR2-Verifier:', inner: 'URI:SSK-Verifier:', kind: 'dir-verify', format: 'sdmf', readonly: true, immutable: true },
  { prefix: 'URI:DIR2-MDMF:', inner: 'URI:MDMF:', kind: 'dir-write', format: 'mdmf', readonly: false, immutable: false },
  { prefix: 'URI:DIR2-MDMF-RO:', inner: 'URI:MDMF-RO:', kind: 'dir-read', format: 'mdmf', readonly: true, immutable: false },
  { prefix: 'URI:DIR2-MDMF-Verifier:', inner: 'URI:MDMF-Verifier:', kind: 'dir-verify', format: 'mdmf', readonly: true, immutable: true },
  { prefix: 'URI:DIR2-CHK:', inner: 'URI:CHK:', kind: 'dir-immutable', format: 'chk', readonly: true, immutable: true },
  { prefix: 'URI:DIR2-CHK-Verifier:', inner: 'URI:CHK-Verifier:', kind: 'dir-immutable-verify', format: 'chk', readonly: true, immutable: true },
  { prefix: 'URI:DIR2-LIT:', inner: 'URI:LIT:', kind: 'dir-literal', format: 'lit', readonly: true, immutable: true }
]

const HINT = /^[0-9A-Za-z]+$/

function formOf (s: string): Form | undefined {
  return FORMS.find(f => s.startsWith(f.prefix))
}

function formFor (cap: DirCap): Form {
  return FORMS.find(f => f.kind === cap.kind && f.format === cap.format) as Form
}

/** True when the text (optionally behind 'ro.' or 'imm.') starts like a directory cap. */
export function isDirCapString (text: string): boolean {
  const s = text.startsWith('ro.') ? text.slice(3) : text.startsWith('imm.') ? text.slice(4) : text
  return formOf(s) !== undefined
}

/**
 * Parses a directory cap without a hint. Tahoe's markers are honoured as in
 * uri.from_string: 'ro.' refuses write caps, 'imm.' refuses write caps and
 * mutable read caps (verify caps pass both).
 */
export function parseDirCap (text: string): DirCap {
  let s = text
  let marker: 'ro.' | 'imm.' | undefined
  if (s.startsWith('imm.')) { marker = 'imm.'; s = s.slice(4) } else if (s.startsWith('ro.')) { marker = 'ro.'; s = s.slice(3) }
  const form = formOf(s)
  if (form === undefined) {
    throw new InvalidDirCapError('unknown-type', `'${text.slice(0, 24)}…' is not a directory cap (expected URI:DIR2:, URI:DIR2-RO:, URI:DIR2-MDMF:, URI:DIR2-CHK:, URI:DIR2-LIT: or a verify form)`)
  }
  if (marker === 'ro.' && !form.readonly) {
    throw new InvalidDirCapError('readonly-prefix', `a directory write cap (${form.prefix}) cannot be marked read-only (ro.); use its read-only cap instead`)
  }
  if (marker === 'imm.' && !form.immutable) {
    throw new InvalidDirCapError('readonly-prefix', `a mutable directory cap (${form.prefix}) cannot be marked immutable (imm.)`)
  }
  const innerText = form.inner + s.slice(form.prefix.length)
  try {
    // The inner parser chooses by prefix, so the parsed kind matches the form.
    if (form.format === 'sdmf' || form.format === 'mdmf') return { kind: form.kind, format: form.format, file: parseMutableCap(innerText) } as DirCap
    return { kind: form.kind, format: form.format, file: parseCap(innerText) } as DirCap
  } catch (err) {
    if (err instanceof InvalidMutableCapError || err instanceof InvalidCapError) {
      throw new InvalidDirCapError('bad-inner-cap', `the ${form.prefix} cap is not valid: ${err.message}`, { cause: err })
    }
    throw err
  }
}

/** Parses `<dircap>` or `<dircap>@<clubId>`. */
export function parseHintedDirCap (text: string): HintedDirCap {
  const at = text.indexOf('@')
  if (at < 0) return { cap: parseDirCap(text) }
  const hint = text.slice(at + 1)
  if (!HINT.test(hint)) throw new InvalidDirCapError('bad-hint', `the club hint after '@' must be a non-empty club ID of letters and digits, got '${hint}'`)
  return { cap: parseDirCap(text.slice(0, at)), hint }
}

export function formatDirCap (cap: DirCap, hint?: string): string {
  const form = formFor(cap)
  const inner = cap.format === 'sdmf' || cap.format === 'mdmf'
    ? formatMutableCap(cap.file)
    : formatCap(cap.file as ChkReadCap | ChkVerifyCap | LitCap)
  let s = form.prefix + inner.slice(form.inner.length)
  if (hint !== undefined) {
    if (!HINT.test(hint)) throw new InvalidDirCapError('bad-hint', `a club hint must be a non-empty club ID of letters and digits, got '${hint}'`)
    s += `@${hint}`
  }
  return s
}

/** Wraps a file cap as the directory it holds (Tahoe's wrap_dirnode_cap, plus the verify forms). */
export function dirCapOfFile (file: MutableWriteCap | MutableReadCap | MutableVerifyCap | ChkReadCap | ChkVerifyCap | LitCap): DirCap {
  switch (file.kind) {
    case 'mutable-write': return { kind: 'dir-write', format: file.format, file }
    case 'mutable-read': return { kind: 'dir-read', format: file.format, file }
    case 'mutable-verify': return { kind: 'dir-verify', format: file.format, file }
    case 'chk': return { kind: 'dir-immutable', format: 'chk', file }
    case 'chk-verifier': return { kind: 'dir-immutable-verify', format: 'chk', file }
    case 'lit': return { kind: 'dir-literal', format: 'lit', file }
  }
}

/** The cap string of the file that holds the directory's bytes. */
export function fileCapString (cap: DirCap): string {
  return cap.format === 'sdmf' || cap.format === 'mdmf'
    ? formatMutableCap(cap.file)
    : formatCap(cap.file as ChkReadCap | ChkVerifyCap | LitCap)
}

/** The read-only form: a write cap's read cap; every other cap is its own read-only form. */
export function toReadOnlyDirCap (cap: DirCap): Exclude<DirCap, MutableDirWriteCap> {
  if (cap.kind === 'dir-write') return { kind: 'dir-read', format: cap.format, file: toReadCap(cap.file) }
  return cap
}

/** The verify cap, or undefined for a literal directory (nothing is stored, as in Tahoe). */
export function toDirVerifyCap (cap: DirCap): DirVerifyCap | undefined {
  switch (cap.kind) {
    case 'dir-write':
    case 'dir-read':
    case 'dir-verify':
      return { kind: 'dir-verify', format: cap.format, file: toMutableVerifyCap(cap.file) }
    case 'dir-immutable':
    case 'dir-immutable-verify':
      return { kind: 'dir-immutable-verify', format: 'chk', file: toVerifyCap(cap.file) }
    case 'dir-literal':
      return undefined
  }
}

export function isWritableDirCap (cap: DirCap): cap is MutableDirWriteCap {
  return cap.kind === 'dir-write'
}

export function isMutableDirCap (cap: DirCap): cap is MutableDirWriteCap | MutableDirReadCap | MutableDirVerifyCap {
  return cap.format === 'sdmf' || cap.format === 'mdmf'
}

/** The storage index of the backing file, or undefined for a literal directory. */
export function dirStorageIndex (cap: DirCap): Uint8Array | undefined {
  if (cap.format === 'sdmf' || cap.format === 'mdmf') return (cap.file as MutableVerifyCap).storageIndex
  if (cap.format === 'chk') return storageIndexOf(cap.file)
  return undefined
}

/** The writekey that encrypts child write caps, for a write cap only. */
export function dirWritekey (cap: DirCap): Uint8Array | undefined {
  return cap.kind === 'dir-write' ? cap.file.writekey : undefined
}
