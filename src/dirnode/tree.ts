/**
 * Directories over the network: opening a dircap, walking a path, and
 * changing a directory, on top of a `DirFileStore` (the node's files API).
 * A change is a mutable `modify`: the edit is re-applied to fresh bytes when
 * another writer got there first, so two clients linking different names
 * into one directory both succeed, as with Tahoe's Adder and Deleter.
 */
import { logger } from '@libp2p/logger'
import { dirCapOfFile, fileCapString, formatDirCap, parseDirCap, type DirCap, type DirReadableCap, type MutableDirWriteCap } from './caps.js'
import { Directory, newImmutableDirectoryBytes, newMutableDirectoryBytes, type NewChild } from './directory.js'
import { EmptyPathError, InvalidDirCapError, NotADirectoryError, ReadOnlyDirectoryError } from './errors.js'
import { checkChildName } from './names.js'
import type { DirEntry } from './pack.js'
import type { MutableFormat, MutableWriteCap } from '../mutable/index.js'
import type { ChkReadCap, LitCap } from '../immutable/index.js'

const log = logger('lafs-club:dirnode:tree')

/** What directories need from the file layer. One store serves one operation (its servers and club are fixed). */
export interface DirFileStore {
  readMutable: (cap: string) => Promise<Uint8Array>
  /** Read, apply `fn`, write; `fn` runs again on the fresh bytes after a collision. */
  modifyMutable: (cap: string, fn: (old: Uint8Array) => Uint8Array) => Promise<void>
  /** A new mutable file whose contents depend on its own write cap (child write caps are encrypted with its writekey). */
  createMutable: (contents: (cap: MutableWriteCap) => Uint8Array, format: MutableFormat) => Promise<MutableWriteCap>
  readImmutable: (cap: ChkReadCap) => Promise<Uint8Array>
  putImmutable: (data: Uint8Array) => Promise<ChkReadCap | LitCap>
}

/** A path as names: split on '/', empty segments dropped, each name NFC and checked. */
export function splitPath (path: string | readonly string[]): string[] {
  const parts = typeof path === 'string' ? path.split('/') : [...path]
  return parts.filter(p => p !== '').map(p => checkChildName(p))
}

/** A cap a directory can be opened with (a verify cap cannot). */
export function readableDirCap (cap: DirCap): DirReadableCap {
  if (cap.kind === 'dir-verify' || cap.kind === 'dir-immutable-verify') {
    throw new InvalidDirCapError('unknown-type', 'a directory verify cap can check a directory but not list it; use its read or write cap')
  }
  return cap
}

export async function openDirectory (store: DirFileStore, cap: DirReadableCap): Promise<Directory> {
  switch (cap.kind) {
    case 'dir-literal': return Directory.fromLiteralCap(cap)
    case 'dir-immutable': return Directory.fromBytes(cap, await store.readImmutable(cap.file))
    case 'dir-read':
    case 'dir-write': return Directory.fromBytes(cap, await store.readMutable(fileCapString(cap)))
  }
}

/** The best cap of a directory entry: its write cap when the parent gave one, else its read cap. */
export function entryDirCap (entry: DirEntry, where: string): DirReadableCap {
  if (entry.node.type !== 'dirnode') throw new NotADirectoryError(where, entry.node.type === 'filenode' ? 'a file' : 'an unknown kind of object')
  const text = entry.node.writeUri ?? entry.node.readUri
  if (text === undefined) throw new NotADirectoryError(where, 'a link without a cap')
  return readableDirCap(parseDirCap(text))
}

/** Opens the directory `names` leads to from `root`; every step must be a directory. */
export async function walk (store: DirFileStore, root: DirReadableCap, names: readonly string[]): Promise<Directory> {
  let dir = await openDirectory(store, root)
  for (let i = 0; i < names.length; i++) {
    dir = await openDirectory(store, entryDirCap(dir.get(names[i]), names.slice(0, i + 1).join('/')))
  }
  return dir
}

/** The parent directory of the last name, and that name. */
export async function walkToParent (store: DirFileStore, root: DirReadableCap, names: readonly string[], operation: string): Promise<{ parent: Directory, name: string }> {
  if (names.length === 0) throw new EmptyPathError(operation)
  return { parent: await walk(store, root, names.slice(0, -1)), name: names[names.length - 1] }
}

/**
 * Applies `change` to a writable mutable directory and publishes it; the
 * result is the one of the attempt that was written. A read-only or
 * immutable directory is refused before anything is sent.
 */
export async function changeDirectory<T> (store: DirFileStore, cap: DirReadableCap, operation: string, change: (dir: Directory) => T): Promise<T> {
  if (cap.kind !== 'dir-write') throw new ReadOnlyDirectoryError(operation, cap.kind === 'dir-read' ? 'read-only' : 'immutable')
  let result: T | undefined
  await store.modifyMutable(fileCapString(cap), old => {
    const dir = Directory.fromBytes(cap, old)
    result = change(dir)
    return dir.toBytes()
  })
  return result as T
}

/** A new directory with its initial children (Tahoe's create_new_mutable_directory / create_immutable_directory). */
export async function createDirectory (store: DirFileStore, children: readonly NewChild[], opts: { format?: MutableFormat, immutable?: boolean } = {}): Promise<DirReadableCap> {
  if (opts.immutable === true) {
    const { bytes, literalCap } = newImmutableDirectoryBytes(children)
    if (literalCap !== undefined) return literalCap
    return dirCapOfFile(await store.putImmutable(bytes)) as DirReadableCap
  }
  const format = opts.format ?? 'sdmf'
  const file = await store.createMutable(cap => newMutableDirectoryBytes({ kind: 'dir-write', format, file: cap }, children), format)
  return { kind: 'dir-write', format, file } satisfies MutableDirWriteCap
}

/**
 * Makes sure `names` below `root` is a directory (Tahoe's mkdir on a path):
 * existing directories are walked, the missing tail is built bottom-up
 * (each new directory created with its one child, so one publish each) and
 * linked with a single change of the deepest existing one. When another
 * writer created the same name meanwhile, the walk starts again and the
 * directories built for nothing stay unlinked. `dir` is the directory as
 * read, when it was already there (saves the caller a read).
 */
export async function ensureDirectory (store: DirFileStore, root: DirReadableCap, names: readonly string[], opts: { format?: MutableFormat, intermediateFormat?: MutableFormat } = {}): Promise<{ cap: DirReadableCap, created: boolean, dir?: Directory }> {
  for (let attempt = 1; ; attempt++) {
    let dir = await openDirectory(store, root)
    let i = 0
    for (; i < names.length && dir.has(names[i]); i++) {
      dir = await openDirectory(store, entryDirCap(dir.get(names[i]), names.slice(0, i + 1).join('/')))
    }
    if (i === names.length) return { cap: dir.cap, created: false, dir }
    if (dir.cap.kind !== 'dir-write') throw new ReadOnlyDirectoryError(`create '${names.slice(0, i + 1).join('/')}'`, dir.cap.kind === 'dir-read' ? 'read-only' : 'immutable')
    let below: DirReadableCap | undefined
    let deepest: DirReadableCap | undefined
    // Each new directory's one child is a new link: it gets the link times Tahoe's set_node would give it.
    const now = Date.now() / 1000
    const linked = (name: string, cap: DirReadableCap): NewChild => ({ name, caps: formatDirCap(cap), metadata: { tahoe: { linkcrtime: now, linkmotime: now } } })
    for (let j = names.length - 1; j > i; j--) {
      const kids: NewChild[] = below === undefined ? [] : [linked(names[j + 1], below)]
      below = await createDirectory(store, kids, { format: j === names.length - 1 ? opts.format : opts.intermediateFormat })
      deepest ??= below
    }
    const top = await createDirectory(store, below === undefined ? [] : [linked(names[i + 1], below)], {
      format: i === names.length - 1 ? opts.format : opts.intermediateFormat
    })
    deepest ??= top
    try {
      await changeDirectory(store, dir.cap, `create '${names[i]}'`, d => d.set(names[i], formatDirCap(top), { overwrite: false }))
      log('created %d director%s', names.length - i, names.length - i === 1 ? 'y' : 'ies')
      return { cap: deepest, created: true }
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_EXISTING_CHILD' || attempt >= 3) throw err
      log('another writer created the same directory; walking again')
    }
  }
}
