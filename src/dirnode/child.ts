/**
 * What a directory entry points at, decided from its caps as Tahoe's
 * nodemaker and UnknownNode do: a known cap becomes a file or directory
 * child with canonical cap strings (a write cap implies its read cap); an
 * unknown cap is kept opaque, its read cap marked 'ro.' (mutable
 * directory) or 'imm.' (immutable directory) so nobody mistakes it for
 * less authority than it may carry. Caps that break the directory's
 * constraints (a write or mutable cap in an immutable directory, a write
 * cap behind 'ro.') are refused with CapConstraintError.
 */
import { base32Decode, formatCap, InvalidCapError, parseCap, toVerifyCap, type ChkReadCap, type LitCap } from '../immutable/index.js'
import {
  formatMutableCap, InvalidMutableCapError, isMutableCapString, parseMutableCap, toMutableVerifyCap, toReadCap, type MutableCap
} from '../mutable/index.js'
import { formatDirCap, isDirCapString, parseDirCap, toDirVerifyCap, toReadOnlyDirCap, type DirCap } from './caps.js'
import { CapConstraintError, InvalidDirCapError } from './errors.js'

export type ChildType = 'filenode' | 'dirnode' | 'unknown'
export type FileFormat = 'CHK' | 'LIT' | 'SDMF' | 'MDMF'

export interface ChildNode {
  type: ChildType
  /** Write cap, only for a writable child (and never shown by a read-only directory). */
  writeUri?: string
  /** Read-only cap; for unknown children with Tahoe's 'ro.'/'imm.' marker. */
  readUri?: string
  /** Verify cap, when the child kind has one (not for literal files or directories, or unknown caps). */
  verifyUri?: string
  /** Undefined for unknown children. */
  mutable?: boolean
  /** File children: the format Tahoe's ?t=json reports. */
  format?: FileFormat
  /** Immutable file children: the size the cap states (LIT: its data length). */
  size?: number
}

const ALLEGED_RO = 'ro.'
const ALLEGED_IMM = 'imm.'

type Known = { kind: 'file', cap: MutableCap | ChkReadCap | LitCap } | { kind: 'dir', cap: DirCap } | { kind: 'unknown' }

const MUTABLE_WRITE = ['URI:SSK:', 'URI:MDMF:', 'URI:DIR2:', 'URI:DIR2-MDMF:']
const MUTABLE_READ = ['URI:SSK-RO:', 'URI:MDMF-RO:', 'URI:DIR2-RO:', 'URI:DIR2-MDMF-RO:']
const VERIFIERS = ['URI:CHK-Verifier:', 'URI:SSK-Verifier:', 'URI:MDMF-Verifier:', 'URI:DIR2-Verifier:', 'URI:DIR2-MDMF-Verifier:', 'URI:DIR2-CHK-Verifier:']

/**
 * src/immutable refuses a CHK cap for 55 bytes or fewer (such a file is a
 * literal cap) and a literal cap of more, but Tahoe's uri.py accepts both,
 * and directories Tahoe wrote hold them (its own test_dirnode known_tree
 * does): a child keeps such a cap.
 */
function parseFileCap (s: string): ChkReadCap | LitCap {
  try {
    return parseCap(s) as ChkReadCap | LitCap
  } catch (err) {
    if (!(err instanceof InvalidCapError && err.reason === 'size-mismatch')) throw err
    if (s.startsWith('URI:LIT:')) return { kind: 'lit', data: base32Decode(s.slice('URI:LIT:'.length)) }
    const f = s.slice('URI:CHK:'.length).split(':')
    const key = base32Decode(f[0])
    const uebHash = base32Decode(f[1])
    // The strict parser got past every other field check before the size one.
    return { kind: 'chk', key, uebHash, k: Number(f[2]), n: Number(f[3]), size: Number(f[4]) }
  }
}

/** Tahoe's uri.from_string with its constraints, reduced to what a directory needs. */
function classify (text: string, deepImmutable: boolean, name: string): Known {
  let s = text
  let canBeMutable = !deepImmutable
  let canBeWriteable = !deepImmutable
  if (s.startsWith(ALLEGED_IMM)) { canBeMutable = canBeWriteable = false; s = s.slice(ALLEGED_IMM.length) } else if (s.startsWith(ALLEGED_RO)) { canBeWriteable = false; s = s.slice(ALLEGED_RO.length) }
  // Verify caps are not children a directory can open; Tahoe keeps most of them as unknown nodes.
  if (VERIFIERS.some(p => s.startsWith(p))) return { kind: 'unknown' }
  if (MUTABLE_WRITE.some(p => s.startsWith(p)) && !canBeWriteable) {
    throw new CapConstraintError(canBeMutable
      ? `child '${name}': a write cap cannot be used in a read-only context (it is marked 'ro.')`
      : `child '${name}': a mutable write cap cannot be a child of an immutable directory`)
  }
  if (MUTABLE_READ.some(p => s.startsWith(p)) && !canBeMutable) {
    throw new CapConstraintError(`child '${name}': a read cap of a mutable file or directory cannot be a child of an immutable directory`)
  }
  try {
    if (isDirCapString(s)) return { kind: 'dir', cap: parseDirCap(s) }
    if (isMutableCapString(s)) return { kind: 'file', cap: parseMutableCap(s) }
    if (s.startsWith('URI:CHK:') || s.startsWith('URI:LIT:')) return { kind: 'file', cap: parseFileCap(s) }
  } catch (err) {
    if (err instanceof InvalidDirCapError || err instanceof InvalidMutableCapError || err instanceof InvalidCapError) {
      throw new CapConstraintError(`child '${name}': ${err.message}`)
    }
    throw err
  }
  return { kind: 'unknown' }
}

function knownFile (cap: MutableCap | ChkReadCap | LitCap): ChildNode {
  switch (cap.kind) {
    case 'lit':
      return { type: 'filenode', readUri: formatCap(cap), mutable: false, format: 'LIT', size: cap.data.length }
    case 'chk':
      return { type: 'filenode', readUri: formatCap(cap), verifyUri: formatCap(toVerifyCap(cap)), mutable: false, format: 'CHK', size: cap.size }
    case 'mutable-write':
    case 'mutable-read': {
      const node: ChildNode = {
        type: 'filenode',
        readUri: formatMutableCap(toReadCap(cap)),
        verifyUri: formatMutableCap(toMutableVerifyCap(cap)),
        mutable: true,
        format: cap.format === 'mdmf' ? 'MDMF' : 'SDMF'
      }
      if (cap.kind === 'mutable-write') node.writeUri = formatMutableCap(cap)
      return node
    }
    case 'mutable-verify':
      return { type: 'unknown' }
  }
}

function knownDir (cap: DirCap): ChildNode {
  const verify = toDirVerifyCap(cap)
  const node: ChildNode = {
    type: 'dirnode',
    readUri: formatDirCap(toReadOnlyDirCap(cap)),
    mutable: cap.format === 'sdmf' || cap.format === 'mdmf'
  }
  if (cap.kind === 'dir-write') node.writeUri = formatDirCap(cap)
  if (verify !== undefined) node.verifyUri = formatDirCap(verify)
  return node
}

/** Tahoe's UnknownNode: keeps caps it cannot interpret, with the prefix the context demands. */
function unknownNode (rw: string | undefined, ro: string | undefined, deepImmutable: boolean, name: string): ChildNode {
  if (rw !== undefined) {
    if (deepImmutable) {
      if (!(rw.startsWith(ALLEGED_IMM) && ro === undefined)) {
        throw new CapConstraintError(`child '${name}': cannot attach an unknown write cap as a child of an immutable directory`)
      }
    }
    if (ro === undefined) {
      // A lone unprefixed cap might be a write cap we cannot diminish: refuse it rather than hand out authority.
      if (!(rw.startsWith(ALLEGED_RO) || rw.startsWith(ALLEGED_IMM))) {
        throw new CapConstraintError(`child '${name}': cannot attach an unknown cap with no read-only form (give its read cap, or prefix it with 'ro.')`)
      }
      ro = rw
      rw = undefined
    } else if (ro.startsWith(ALLEGED_IMM)) {
      throw new CapConstraintError(`child '${name}': an entry cannot have both a write cap and a read cap marked immutable ('imm.')`)
    }
  }
  const node: ChildNode = { type: 'unknown' }
  if (deepImmutable) {
    if (ro !== undefined) node.readUri = ro.startsWith(ALLEGED_IMM) ? ro : ALLEGED_IMM + (ro.startsWith(ALLEGED_RO) ? ro.slice(ALLEGED_RO.length) : ro)
  } else {
    if (rw !== undefined) node.writeUri = rw
    if (ro !== undefined) node.readUri = ro.startsWith(ALLEGED_RO) || ro.startsWith(ALLEGED_IMM) ? ro : ALLEGED_RO + ro
  }
  return node
}

/**
 * The child a (write cap, read cap) pair describes, as Tahoe's
 * nodemaker.create_from_cap: the stronger cap decides; for a known cap the
 * other is derived, for an unknown one both are kept. Empty strings count
 * as absent. Throws CapConstraintError for caps the context forbids.
 */
export function childFromCaps (writeUri: string | undefined, readUri: string | undefined, deepImmutable: boolean, name = '<unknown name>'): ChildNode {
  const rw = writeUri === '' ? undefined : writeUri
  const ro = readUri === '' ? undefined : readUri
  const big = rw ?? ro
  if (big === undefined) return { type: 'unknown' }
  const known = classify(big, deepImmutable, name)
  if (known.kind === 'file') {
    const node = knownFile(known.cap)
    if (node.type !== 'unknown') return node
  } else if (known.kind === 'dir') {
    return knownDir(known.cap)
  }
  if (ro !== undefined && ro !== big) classify(ro, deepImmutable, name) // a known read cap must still meet the constraints
  return unknownNode(rw, ro, deepImmutable, name)
}

/** The read-only form of a child (Tahoe's _create_readonly_node, used for 'no-write' links). */
export function readOnlyChild (node: ChildNode, deepImmutable: boolean, name: string): ChildNode {
  if (node.type !== 'unknown' && node.writeUri === undefined) return node
  return childFromCaps(undefined, node.readUri, deepImmutable, name)
}

/** True when the child may live in an immutable directory (Tahoe's is_allowed_in_immutable_directory). */
export function allowedInImmutable (node: ChildNode): boolean {
  if (node.type === 'unknown') return node.writeUri === undefined
  return node.mutable === false
}
