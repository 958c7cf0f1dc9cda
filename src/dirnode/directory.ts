/**
 * A directory in memory: Tahoe's dirnode operations (list, get, set,
 * delete, rename, set metadata) on the unpacked children, and the bytes to
 * store back. Pure: fetching and publishing the backing file is the
 * caller's job (a mutable file for URI:DIR2/DIR2-MDMF, a CHK or literal
 * file for immutable directories).
 *
 * A directory opened with a read-only or immutable cap refuses every write
 * with ReadOnlyDirectoryError, and never holds a child write cap: without
 * the writekey they cannot be decrypted.
 */
import { logger } from '@libp2p/logger'
import { childFromCaps, readOnlyChild, type ChildNode } from './child.js'
import { dirWritekey, formatDirCap, toReadOnlyDirCap, type DirReadableCap, type LiteralDirCap } from './caps.js'
import { ExistingChildError, NoSuchChildError, ReadOnlyDirectoryError } from './errors.js'
import { checkChildName, normalizeName } from './names.js'
import { packChildren, unpackChildren, type DirEntry, type StoredEntry } from './pack.js'
import { type JsonObject, type JsonValue } from './pyjson.js'
import { LIT_SIZE_THRESHOLD } from '../immutable/index.js'

const log = logger('lafs-club:dirnode:directory')

/** A child given by its caps: a single cap string (Tahoe's set_uri with only a write cap), or both. */
export type ChildCaps = string | { writeUri?: string, readUri?: string }

export interface SetChildOptions {
  /**
   * User metadata for the link. Replaces the link's user metadata; the
   * 'tahoe' part (link timestamps) is always kept or set by the directory.
   * Omitted: an existing link keeps its metadata.
   */
  metadata?: JsonObject
  /** true (default): replace; false: refuse an existing name; 'only-files': refuse replacing a directory. */
  overwrite?: boolean | 'only-files'
  /** The time to stamp, in seconds since the epoch (Tahoe's time.time()). */
  now?: number
}

export interface DeleteOptions {
  /** Default true: deleting a missing child throws NoSuchChildError. */
  mustExist?: boolean
  mustBeDirectory?: boolean
  mustBeFile?: boolean
}

export interface OpenOptions {
  /** A child Tahoe would drop on reading (a cap breaking the directory's constraints). */
  onDropped?: (name: string, reason: Error) => void
}

/** Python truthiness, as Tahoe tests metadata.get('no-write'): empty lists and objects are false. */
function pyTruthy (v: JsonValue | undefined): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false
  if (Array.isArray(v)) return v.length > 0
  if (typeof v === 'object') return Object.keys(v).length > 0
  return true
}

function nowSeconds (): number {
  return Date.now() / 1000
}

function clone (md: JsonObject): JsonObject {
  return structuredClone(md)
}

/**
 * Tahoe's update_metadata: new user metadata replaces the old (its own
 * 'tahoe' key ignored, the old 'tahoe' kept), then linkcrtime is set if
 * missing (from a pre-1.4 'ctime' if there was one) and linkmotime is set.
 */
export function updateMetadata (old: JsonObject | undefined, next: JsonObject | undefined, now: number): JsonObject {
  let md: JsonObject = old === undefined ? {} : clone(old)
  const oldCtime = md.ctime
  if (next !== undefined) {
    const fresh = clone(next)
    delete fresh.tahoe
    if ('tahoe' in md) fresh.tahoe = md.tahoe
    md = fresh
  }
  const existing = md.tahoe
  const sys: JsonObject = existing !== null && typeof existing === 'object' && !Array.isArray(existing) ? existing : {}
  if (!('linkcrtime' in sys)) sys.linkcrtime = oldCtime !== undefined ? oldCtime : now
  sys.linkmotime = now
  md.tahoe = sys
  return md
}

function copyEntry (e: StoredEntry): DirEntry {
  return { name: e.name, node: { ...e.node }, metadata: clone(e.metadata) }
}

export class Directory {
  readonly cap: DirReadableCap
  private readonly children: Map<string, StoredEntry>

  private constructor (cap: DirReadableCap, children: Map<string, StoredEntry>) {
    this.cap = cap
    this.children = children
  }

  /** An empty directory (a new mutable directory before its first publish, or an empty immutable one). */
  static empty (cap: DirReadableCap): Directory {
    return new Directory(cap, new Map())
  }

  /** Opens a directory from the plaintext of its backing file. */
  static fromBytes (cap: DirReadableCap, data: Uint8Array, opts: OpenOptions = {}): Directory {
    const deepImmutable = cap.kind === 'dir-immutable' || cap.kind === 'dir-literal'
    const children = unpackChildren(data, {
      writekey: dirWritekey(cap),
      deepImmutable,
      onDropped: (name, reason) => {
        log('dropped a child of a %s directory: %s (%s)', cap.format, reason.name, (reason as { code?: string }).code)
        opts.onDropped?.(name, reason)
      }
    })
    return new Directory(cap, children)
  }

  get isReadOnly (): boolean {
    return this.cap.kind !== 'dir-write'
  }

  get isMutable (): boolean {
    return this.cap.format === 'sdmf' || this.cap.format === 'mdmf'
  }

  get size (): number {
    return this.children.size
  }

  /** A literal directory needs no fetch: its bytes are in the cap. */
  static fromLiteralCap (cap: LiteralDirCap, opts: OpenOptions = {}): Directory {
    return Directory.fromBytes(cap, cap.file.data, opts)
  }

  /** The cap string the directory was opened with. */
  get uri (): string {
    return formatDirCap(this.cap)
  }

  get readOnlyUri (): string {
    return formatDirCap(toReadOnlyDirCap(this.cap))
  }

  /** Names in listing order (Tahoe's: the order in the stored bytes, i.e. sorted when written by Tahoe or by us). */
  names (): string[] {
    return [...this.children.keys()]
  }

  /** Copies of every entry; callers cannot change the directory through them. */
  list (): DirEntry[] {
    return [...this.children.values()].map(copyEntry)
  }

  has (name: string): boolean {
    return this.children.has(normalizeName(name))
  }

  get (name: string): DirEntry {
    const e = this.children.get(normalizeName(name))
    if (e === undefined) throw new NoSuchChildError(normalizeName(name))
    return copyEntry(e)
  }

  private checkWritable (operation: string): void {
    if (this.cap.kind === 'dir-write') return
    throw new ReadOnlyDirectoryError(operation, this.cap.kind === 'dir-read' ? 'read-only' : 'immutable')
  }

  /**
   * Links a child (Tahoe's set_uri / set_node): a new link gets
   * linkcrtime = linkmotime = now; replacing a link keeps its linkcrtime
   * (and its user metadata unless `metadata` is given). A link whose
   * metadata says "no-write": true is diminished to the read-only cap.
   */
  set (name: string, caps: ChildCaps, opts: SetChildOptions = {}): DirEntry {
    this.checkWritable(`link '${name}'`)
    const n = checkChildName(name)
    const pair = typeof caps === 'string' ? { writeUri: caps } : caps
    const node = childFromCaps(pair.writeUri, pair.readUri, false, n)
    return this.link(n, node, opts.metadata, opts.overwrite ?? true, opts.now ?? nowSeconds())
  }

  /**
   * Links several children at once (Tahoe's set_children): every name and
   * cap is checked before any is linked, so a refusal changes nothing.
   */
  setMany (children: ReadonlyArray<{ name: string, caps: ChildCaps, metadata?: JsonObject }>, opts: Omit<SetChildOptions, 'metadata'> = {}): DirEntry[] {
    this.checkWritable('link children')
    const overwrite = opts.overwrite ?? true
    const now = opts.now ?? nowSeconds()
    const planned = children.map(c => {
      const name = checkChildName(c.name)
      const pair = typeof c.caps === 'string' ? { writeUri: c.caps } : c.caps
      const existing = this.children.get(name)
      if (existing !== undefined && overwrite === false) throw new ExistingChildError(name)
      if (existing !== undefined && overwrite === 'only-files' && existing.node.type === 'dirnode') throw new ExistingChildError(name, ' as a directory')
      return { name, node: childFromCaps(pair.writeUri, pair.readUri, false, name), metadata: c.metadata }
    })
    return planned.map(p => this.link(p.name, p.node, p.metadata, true, now))
  }

  private link (name: string, node: ChildNode, metadata: JsonObject | undefined, overwrite: boolean | 'only-files', now: number): DirEntry {
    const existing = this.children.get(name)
    if (existing !== undefined) {
      if (overwrite === false) throw new ExistingChildError(name)
      if (overwrite === 'only-files' && existing.node.type === 'dirnode') throw new ExistingChildError(name, ' as a directory')
    }
    const md = updateMetadata(existing?.metadata, metadata, now)
    const linked = pyTruthy(md['no-write']) ? readOnlyChild(node, false, name) : node
    const entry: StoredEntry = { name, node: linked, metadata: md }
    this.children.set(name, entry)
    return copyEntry(entry)
  }

  /** Replaces a link's user metadata (Tahoe's set_metadata_for); timestamps as for set. */
  setMetadata (name: string, metadata: JsonObject, now = nowSeconds()): DirEntry {
    this.checkWritable(`set metadata of '${name}'`)
    const n = normalizeName(name)
    const e = this.children.get(n)
    if (e === undefined) throw new NoSuchChildError(n)
    const md = updateMetadata(e.metadata, metadata, now)
    const node = pyTruthy(md['no-write']) ? readOnlyChild(e.node, false, n) : e.node
    const entry: StoredEntry = { name: n, node, metadata: md }
    this.children.set(n, entry)
    return copyEntry(entry)
  }

  /** Unlinks a child; returns it, or undefined when it was absent and mustExist is false. */
  delete (name: string, opts: DeleteOptions = {}): DirEntry | undefined {
    this.checkWritable(`unlink '${name}'`)
    const n = normalizeName(name)
    const e = this.children.get(n)
    if (e === undefined) {
      if (opts.mustExist ?? true) throw new NoSuchChildError(n)
      return undefined
    }
    if (opts.mustBeDirectory === true && e.node.type === 'filenode') throw new ExistingChildError(n, ' but it is a file, not a directory')
    if (opts.mustBeFile === true && e.node.type === 'dirnode') throw new ExistingChildError(n, ' but it is a directory, not a file')
    this.children.delete(n)
    return copyEntry(e)
  }

  /**
   * Renames a link within this directory (Tahoe's move_child_to with the
   * same parent): the child and its user metadata move; the link is new,
   * so its timestamps are those of a new link (or of the replaced one).
   */
  rename (from: string, to: string, opts: { overwrite?: boolean | 'only-files', now?: number } = {}): DirEntry {
    this.checkWritable(`rename '${from}'`)
    const src = normalizeName(from)
    const dst = checkChildName(to)
    const e = this.children.get(src)
    if (e === undefined) throw new NoSuchChildError(src)
    if (src === dst) return copyEntry(e)
    const moved = this.link(dst, e.node, e.metadata, opts.overwrite ?? true, opts.now ?? nowSeconds())
    this.children.delete(src)
    return moved
  }

  /** The plaintext to store in the backing file. Unchanged children keep their stored bytes, as Tahoe does. */
  toBytes (): Uint8Array {
    if (this.cap.kind === 'dir-read') throw new ReadOnlyDirectoryError('write the directory back', 'read-only')
    const deepImmutable = !this.isMutable
    return packChildren(this.children.values(), { writekey: dirWritekey(this.cap), deepImmutable })
  }

  /** The same directory seen through its read-only cap: no write caps, no writes. */
  readOnlyView (): Directory {
    if (this.cap.kind !== 'dir-write') return this
    return Directory.fromBytes(toReadOnlyDirCap(this.cap) as DirReadableCap, this.toBytes())
  }
}

/**
 * A modifier for a mutable file's modify(fn): opens the current contents
 * with the write cap, applies the change, returns the new contents. On a
 * collision the mutable layer calls it again with the fresh contents, so
 * the change is re-applied rather than overwriting another writer's, as
 * Tahoe's Adder/Deleter do.
 */
export function directoryModifier (cap: DirReadableCap & { kind: 'dir-write' }, change: (dir: Directory) => void): (old: Uint8Array) => Uint8Array {
  return (old) => {
    const dir = Directory.fromBytes(cap, old)
    change(dir)
    return dir.toBytes()
  }
}

export interface NewChild {
  name: string
  caps: ChildCaps
  /** Stored as given (Tahoe adds no timestamps to the initial children of a new directory). */
  metadata?: JsonObject
}

function initialEntries (children: readonly NewChild[], deepImmutable: boolean): StoredEntry[] {
  const byName = new Map<string, StoredEntry>()
  for (const c of children) {
    const name = checkChildName(c.name)
    const pair = typeof c.caps === 'string' ? { writeUri: c.caps } : c.caps
    byName.set(name, { name, node: childFromCaps(pair.writeUri, pair.readUri, deepImmutable, name), metadata: clone(c.metadata ?? {}) })
  }
  return [...byName.values()]
}

/**
 * The plaintext of a new mutable directory with initial children (Tahoe's
 * create_new_mutable_directory), encrypted for the directory's write cap.
 */
export function newMutableDirectoryBytes (cap: DirReadableCap & { kind: 'dir-write' }, children: readonly NewChild[]): Uint8Array {
  return packChildren(initialEntries(children, false), { writekey: cap.file.writekey, deepImmutable: false })
}

/**
 * The plaintext of a new immutable directory (Tahoe's create_immutable_directory):
 * every child must be immutable. When it is small enough for a literal cap
 * (≤ 55 bytes: in practice only the empty directory) `literalCap` is that
 * URI:DIR2-LIT: cap; otherwise the caller stores the bytes as a CHK file
 * and wraps its cap with dirCapOfFile.
 */
export function newImmutableDirectoryBytes (children: readonly NewChild[]): { bytes: Uint8Array, literalCap?: LiteralDirCap } {
  const bytes = packChildren(initialEntries(children, true), { deepImmutable: true })
  if (bytes.length <= LIT_SIZE_THRESHOLD) return { bytes, literalCap: { kind: 'dir-literal', format: 'lit', file: { kind: 'lit', data: bytes } } }
  return { bytes }
}
