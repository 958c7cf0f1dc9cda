/**
 * Tahoe's dirnode serialisation (dirnode.py _pack_normalized_children /
 * _unpack_contents). The contents are one netstring per child, sorted by
 * name; each holds four netstrings:
 *
 *   name (UTF-8, NFC) · ro_uri (plain) · rwcapdata · metadata (JSON)
 *
 * rwcapdata is the encrypted write cap (rwcap.ts) in a mutable directory,
 * and empty in an immutable one. An empty directory is zero bytes.
 */
import { concatBytes, netstring } from '../immutable/index.js'
import { allowedInImmutable, childFromCaps, type ChildNode } from './child.js'
import { CapConstraintError, MalformedDirectoryError } from './errors.js'
import { compareNames, normalizeName } from './names.js'
import { pythonJsonDumps, type JsonObject } from './pyjson.js'
import { decryptRwCap, encryptRwCap } from './rwcap.js'

export interface DirEntry {
  name: string
  node: ChildNode
  metadata: JsonObject
}

/** An entry as unpacked, with the bytes it came from (reused when the entry is packed again unchanged, as Tahoe does). */
export interface StoredEntry extends DirEntry {
  raw?: Uint8Array
}

export interface PackOptions {
  /** The directory's writekey: write caps are encrypted with it. Absent for an immutable directory. */
  writekey?: Uint8Array
  /** An immutable directory: every child must be immutable, and no write cap is stored. */
  deepImmutable: boolean
}

export interface UnpackOptions {
  /** Present only when the directory was opened with its write cap: then child write caps are decrypted. */
  writekey?: Uint8Array
  deepImmutable: boolean
  /** Called for a child Tahoe would drop (a cap that breaks the directory's constraints). */
  onDropped?: (name: string, reason: Error) => void
}

const encoder = new TextEncoder()
const utf8 = new TextDecoder('utf-8', { fatal: true })
const ZERO_LEN_NETSTRING = netstring(new Uint8Array(0))

function stripPrefixForRo (ro: string, deepImmutable: boolean): string {
  if (ro.startsWith('imm.')) return deepImmutable ? ro.slice(4) : ro
  if (ro.startsWith('ro.')) return ro.slice(3)
  return ro
}

export function packEntry (entry: DirEntry, opts: PackOptions): Uint8Array {
  const { node } = entry
  if (opts.deepImmutable && !allowedInImmutable(node)) {
    throw new CapConstraintError(`child '${entry.name}' is not allowed in an immutable directory (it is mutable or writable)`)
  }
  const rw = encoder.encode(node.writeUri ?? '')
  const ro = encoder.encode(stripPrefixForRo(node.readUri ?? '', opts.deepImmutable))
  const rwField = opts.writekey !== undefined ? netstring(encryptRwCap(opts.writekey, rw)) : ZERO_LEN_NETSTRING
  return netstring(concatBytes([
    netstring(encoder.encode(entry.name)),
    netstring(ro),
    rwField,
    netstring(encoder.encode(pythonJsonDumps(entry.metadata)))
  ]))
}

/** Packs children (names already normalised and unique) in Tahoe's order: sorted by code point. */
export function packChildren (entries: Iterable<StoredEntry>, opts: PackOptions): Uint8Array {
  const sorted = [...entries].sort((a, b) => compareNames(a.name, b.name))
  return concatBytes(sorted.map(e => e.raw ?? packEntry(e, opts)))
}

/** Splits `count` netstrings starting at `pos`; returns them and the position after. */
export function splitNetstrings (data: Uint8Array, count: number, pos = 0): [Uint8Array[], number] {
  const out: Uint8Array[] = []
  while (out.length < count) {
    if (pos >= data.length) throw new MalformedDirectoryError(`ran out of netstrings: expected ${count}, found ${out.length}`)
    let colon = pos
    while (colon < data.length && data[colon] !== 0x3a) colon++
    const lenText = Buffer.from(data.subarray(pos, colon)).toString('latin1')
    if (colon >= data.length || !/^[0-9]+$/.test(lenText) || lenText.length > 10) {
      throw new MalformedDirectoryError(`bad netstring length at byte ${pos}`)
    }
    const len = Number(lenText)
    const end = colon + 1 + len
    if (end >= data.length || data[end] !== 0x2c) throw new MalformedDirectoryError(`netstring at byte ${pos} is truncated or lacks its ','`)
    out.push(data.subarray(colon + 1, end))
    pos = end + 1
  }
  return [out, pos]
}

function parseMetadata (bytes: Uint8Array, name: string): JsonObject {
  let v: unknown
  try {
    v = JSON.parse(utf8.decode(bytes))
  } catch (err) {
    throw new MalformedDirectoryError(`the metadata of child '${name}' is not JSON`, { cause: err })
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new MalformedDirectoryError(`the metadata of child '${name}' is not a JSON object`)
  return v as JsonObject
}

function decodeCap (b: Uint8Array, name: string, which: string): string {
  try {
    return utf8.decode(b)
  } catch (err) {
    throw new MalformedDirectoryError(`the ${which} cap of child '${name}' is not valid UTF-8`, { cause: err })
  }
}

function trimSpaces (b: Uint8Array): Uint8Array {
  let end = b.length
  while (end > 0 && b[end - 1] === 0x20) end--
  return b.subarray(0, end)
}

/**
 * Unpacks a directory's plaintext. Names are NFC-normalised; when a name
 * appears twice the later entry wins (it keeps the first one's place in
 * the listing order), as with Tahoe's dict. Children whose caps break the
 * directory's constraints are dropped (reported through onDropped), as
 * Tahoe drops them; malformed bytes fail the whole directory.
 */
export function unpackChildren (data: Uint8Array, opts: UnpackOptions): Map<string, StoredEntry> {
  const children = new Map<string, StoredEntry>()
  let pos = 0
  while (pos < data.length) {
    const [[entry], next] = splitNetstrings(data, 1, pos)
    pos = next
    const [[nameBytes, roBytes, rwData, metaBytes]] = splitNetstrings(entry, 4)
    if (opts.deepImmutable && rwData.length > 0) {
      throw new MalformedDirectoryError('a child of an immutable directory has a write-cap field: immutable directories store none')
    }
    let name: string
    try {
      name = normalizeName(utf8.decode(nameBytes))
    } catch (err) {
      throw new MalformedDirectoryError('a child name is not valid UTF-8', { cause: err })
    }
    // CTR leaks the cap's length, so Tahoe ≥ 1.6 may pad caps with spaces; both are trimmed.
    const rw = opts.writekey !== undefined ? decodeCap(trimSpaces(decryptRwCap(opts.writekey, rwData)), name, 'write') : ''
    const ro = decodeCap(trimSpaces(roBytes), name, 'read-only')
    let node: ChildNode
    try {
      node = childFromCaps(rw, ro, opts.deepImmutable, name)
      if (opts.deepImmutable && !allowedInImmutable(node)) throw new CapConstraintError(`child '${name}' is mutable and cannot be in an immutable directory`)
    } catch (err) {
      if (err instanceof CapConstraintError) { opts.onDropped?.(name, err); continue }
      throw err
    }
    const metadata = parseMetadata(metaBytes, name)
    // Re-packing may reuse the stored bytes only when they are what we would hold: a read-only view never packs.
    children.set(name, { name, node, metadata, raw: netstring(entry) })
  }
  return children
}
