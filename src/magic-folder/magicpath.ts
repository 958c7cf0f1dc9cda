/**
 * Names: a relative path (always '/'-separated, Unicode NFC) is flattened into
 * one personal-directory entry name as Tahoe's magic-folder does ('@' → '@@',
 * '/' → '@_'), so a participant's whole folder is one directory listing and
 * '@metadata' can never clash with a user's file (that one becomes '@@metadata').
 */
import { InvalidFolderInputError, InvalidMangledNameError } from './errors.js'

/** The special entry of collective and personal directories: `{"version":1}`. */
export const METADATA_NAME = '@metadata'
/** Downloads are staged here, inside the folder (same filesystem, so the final rename is atomic); the scanner skips it. */
export const TMP_DIR = '.lafs-tmp'

export function mangle (relpath: string): string {
  return relpath.normalize('NFC').replace(/[/@]/g, c => c === '/' ? '@_' : '@@')
}

export function unmangle (name: string): string {
  return name.replace(/@(.?)/g, (_m, c: string) => {
    if (c === '@') return '@'
    if (c === '_') return '/'
    throw new InvalidMangledNameError(name)
  })
}

/** A relative path as the grid sees it: NFC, '/'-separated, no empty, '.' or '..' segment. */
export function checkRelpath (relpath: string): string {
  const n = relpath.normalize('NFC')
  const parts = n.split('/')
  if (n === '' || parts.some(p => p === '' || p === '.' || p === '..')) throw new InvalidFolderInputError(`path '${relpath}'`, 'must be relative, without empty, "." or ".." segments')
  if (parts[0] === TMP_DIR) throw new InvalidFolderInputError(`path '${relpath}'`, `${TMP_DIR} is the folder's staging area`)
  return n
}

/** A participant name: the collective's entry name, and part of conflict file names. */
export function checkParticipantName (name: string): string {
  const n = name.normalize('NFC')
  if (n === '' || n.length > 64 || /[/\\\0]/.test(n) || n.startsWith('@') || n.startsWith('.')) {
    throw new InvalidFolderInputError(`participant name '${name}'`, "must be 1–64 characters without '/', '\\', or a leading '@' or '.'")
  }
  return n
}

/** `yyyymmddThhmmssZ`: sortable, no ':' (refused by some filesystems). */
export function stamp (at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
}

/** Where the other side's version goes when both changed: `name.conflict-<participant>-<time>`, next to the file. */
export function conflictName (relpath: string, participant: string, at: Date): string {
  return `${relpath}.conflict-${participant}-${stamp(at)}`
}

const CONFLICT_RE = /\.conflict-[^/]+-\d{8}T\d{6}Z$/

/** Conflict copies are local only: never uploaded. */
export function isConflictName (relpath: string): boolean {
  return CONFLICT_RE.test(relpath)
}
