/**
 * `node.dirs`: Tahoe directories over this node's files API. Which servers
 * an operation uses is decided as for files (named servers, else the club:
 * named, the dircap's `@<clubId>` hint, or the node's default); every
 * directory and file one operation touches goes through the same ones.
 */
import {
  changeDirectory, createDirectory, directoryJson, ensureDirectory, fileJson, formatDirCap, InvalidDirCapError, openDirectory, parseHintedDirCap,
  readableDirCap, splitPath, toDirVerifyCap, toReadOnlyDirCap, walk, walkToParent, ExistingChildError, NotADirectoryError, ReadOnlyDirectoryError, fileCapString,
  type DirEntry, type DirFileStore, type DirReadableCap, type Directory, type JsonObject, type NewChild, type NodeJson
} from '../dirnode/index.js'
import { formatCap, parseHintedCap, type ChkReadCap, type LitCap } from '../immutable/index.js'
import { parseMutableCap, type MutableWriteCap } from '../mutable/index.js'
import type { NodeFiles } from './files.js'
import type { DirChild, DirCreated, DirLinkTarget, DirListing, DirOptions, DirsApi, MkdirOptions } from './dirs-api.js'
import type { Logger } from '@libp2p/interface'

/** Attempts of one directory change when other writers keep changing it first. */
const DIRECTORY_MODIFY_ATTEMPTS = 10

export interface DirsInit {
  files: NodeFiles
  log: Logger
}

interface Opened {
  root: DirReadableCap
  store: DirFileStore
  club?: string
}

function childOf (e: DirEntry): DirChild {
  const n = e.node
  const c: DirChild = { name: e.name, type: n.type, metadata: e.metadata }
  if (n.writeUri !== undefined) c.writeCap = n.writeUri
  if (n.readUri !== undefined) c.readCap = n.readUri
  if (n.verifyUri !== undefined) c.verifyCap = n.verifyUri
  if (n.mutable !== undefined) c.mutable = n.mutable
  if (n.format !== undefined) c.format = n.format
  if (n.size !== undefined) c.size = n.size
  return c
}

function listingOf (dir: Directory): DirListing {
  const verify = toDirVerifyCap(dir.cap)
  return {
    writeCap: dir.isReadOnly ? undefined : formatDirCap(dir.cap),
    readCap: formatDirCap(toReadOnlyDirCap(dir.cap)),
    verifyCap: verify !== undefined ? formatDirCap(verify) : undefined,
    mutable: dir.isMutable,
    format: dir.cap.format,
    readOnly: dir.isReadOnly,
    children: dir.list().map(childOf)
  }
}

function linkCaps (target: DirLinkTarget): { caps: string | { writeUri?: string, readUri?: string }, metadata?: JsonObject } {
  if (typeof target === 'string') return { caps: target.trim() }
  if (target.writeCap === undefined && target.readCap === undefined) throw new InvalidDirCapError('unknown-type', 'a link needs a cap (writeCap, readCap or both)')
  return { caps: { writeUri: target.writeCap?.trim(), readUri: target.readCap?.trim() }, metadata: target.metadata }
}

function newChildren (children: MkdirOptions['children']): NewChild[] {
  return Object.entries(children ?? {}).map(([name, t]) => {
    const { caps, metadata } = linkCaps(t)
    return { name, caps, metadata }
  })
}

async function bytesOf (data: Uint8Array | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return data
  const parts: Uint8Array[] = []
  for await (const p of data) parts.push(p)
  return Buffer.concat(parts)
}

export function createDirs ({ files, log }: DirsInit): DirsApi {
  /** One operation's store: the servers and club fixed once, for every file it reads or writes. */
  const storeFor = (opts: DirOptions, hint: string | undefined): { store: DirFileStore, club?: string } => {
    const club = opts.club ?? hint
    const where = { servers: opts.servers, club, signal: opts.signal }
    const hinted = (cap: string): string => club !== undefined ? `${cap}@${club}` : cap
    const store: DirFileStore = {
      readMutable: async cap => (await files.mutable.readMutable(cap, where)).data,
      // A directory is where writers meet (every link is a change of it); a change re-applied is cheap, so retry longer than for a file.
      modifyMutable: async (cap, fn) => { await files.mutable.modify(cap, old => fn(old), { ...where, maxAttempts: DIRECTORY_MODIFY_ATTEMPTS }) },
      createMutable: async (contents, format) => {
        const made = await files.mutable.createMutable(contents, { ...where, format })
        return parseMutableCap(made.cap) as MutableWriteCap
      },
      readImmutable: async cap => await files.get(hinted(formatCap(cap)), { servers: opts.servers, signal: opts.signal }),
      putImmutable: async data => {
        const put = await files.put(data, where)
        return parseHintedCap(put.cap).cap as ChkReadCap | LitCap
      }
    }
    return { store, club }
  }

  const open = (dircap: string, opts: DirOptions): Opened => {
    const { cap, hint } = parseHintedDirCap(dircap.trim())
    return { root: readableDirCap(cap), ...storeFor(opts, hint) }
  }

  const created = (cap: DirReadableCap, club: string | undefined, wasCreated: boolean): DirCreated => {
    const verify = toDirVerifyCap(cap)
    return {
      cap: formatDirCap(cap),
      readCap: formatDirCap(toReadOnlyDirCap(cap)),
      verifyCap: verify !== undefined ? formatDirCap(verify) : undefined,
      hintedCap: club !== undefined && cap.kind !== 'dir-literal' ? formatDirCap(cap, club) : undefined,
      created: wasCreated
    }
  }

  /** The entry `names` ends at (in its parent), or the directory itself for an empty path. */
  const lookup = async (o: Opened, names: string[]): Promise<{ dir?: Directory, entry?: DirEntry }> => {
    if (names.length === 0) return { dir: await openDirectory(o.store, o.root) }
    const { parent, name } = await walkToParent(o.store, o.root, names, 'looking up')
    const entry = parent.get(name)
    if (entry.node.type !== 'dirnode') return { entry }
    return { entry, dir: await walk(o.store, parent.cap, [name]) }
  }

  const dirs: DirsApi = {
    mkdir: async (opts = {}) => {
      const { store, club } = storeFor(opts, undefined)
      const cap = await createDirectory(store, newChildren(opts.children), { format: opts.format, immutable: opts.immutable })
      log('mkdir: a new %s directory with %d children', cap.format, Object.keys(opts.children ?? {}).length)
      return created(cap, club, true)
    },

    mkdirAt: async (dircap, path, opts = {}) => {
      const o = open(dircap, opts)
      const names = splitPath(path)
      if (names.length === 0) throw new NotADirectoryError('', 'the directory itself: name the new directory below it')
      const kids = newChildren(opts.children)
      if (kids.length > 0 || opts.immutable === true) {
        // A populated (or immutable) directory is made first, then linked; an existing name is an error here, as in Tahoe.
        const cap = await createDirectory(o.store, kids, { format: opts.format, immutable: opts.immutable })
        const { cap: parentCap } = await ensureDirectory(o.store, o.root, names.slice(0, -1))
        await changeDirectory(o.store, parentCap, `create '${names.join('/')}'`, d => d.set(names[names.length - 1], formatDirCap(cap), { overwrite: false }))
        return created(cap, o.club, true)
      }
      const res = await ensureDirectory(o.store, o.root, names, { format: opts.format })
      return created(res.cap, o.club, res.created)
    },

    list: async (dircap, path = '', opts = {}) => {
      const o = open(dircap, opts)
      return listingOf(await walk(o.store, o.root, splitPath(path)))
    },

    stat: async (dircap, path, opts = {}) => {
      const o = open(dircap, opts)
      const { dir, entry } = await lookup(o, splitPath(path))
      if (dir !== undefined) return { type: 'dirnode', listing: listingOf(dir), link: entry !== undefined ? childOf(entry) : undefined }
      const link = childOf(entry as DirEntry)
      return { type: link.type as 'filenode' | 'unknown', link }
    },

    json: async (dircap, path = '', opts = {}): Promise<NodeJson> => {
      const o = open(dircap, opts)
      const { dir, entry } = await lookup(o, splitPath(path))
      if (dir !== undefined) {
        // Tahoe's directory JSON never carries the link's metadata (its children's entries do).
        return directoryJson(dir)
      }
      const e = entry as DirEntry
      if (e.node.type !== 'filenode') return ['unknown', { metadata: e.metadata }]
      const value = fileJson((e.node.writeUri ?? e.node.readUri) as string, { metadata: e.metadata })
      // A read-only parent never shows a write cap: fileJson of the read cap has none.
      return value
    },

    link: async (dircap, path, target, opts = {}) => {
      const o = open(dircap, opts)
      const { caps, metadata } = linkCaps(target)
      const { parent, name } = await walkToParent(o.store, o.root, splitPath(path), 'linking')
      const entry = await changeDirectory(o.store, parent.cap, `link '${name}'`, d => d.set(name, caps, { overwrite: opts.replace ?? true, metadata: opts.metadata ?? metadata }))
      return childOf(entry)
    },

    unlink: async (dircap, path, opts = {}) => {
      const o = open(dircap, opts)
      const { parent, name } = await walkToParent(o.store, o.root, splitPath(path), 'unlinking')
      const removed = await changeDirectory(o.store, parent.cap, `unlink '${name}'`, d => d.delete(name, {
        mustExist: true, mustBeDirectory: opts.mustBe === 'directory', mustBeFile: opts.mustBe === 'file'
      }))
      return childOf(removed as DirEntry)
    },

    move: async (dircap, from, to, opts = {}) => {
      const o = open(dircap, opts)
      const target = opts.toDir !== undefined ? open(opts.toDir, opts) : o
      const src = await walkToParent(o.store, o.root, splitPath(from), 'moving')
      const dst = await walkToParent(target.store, target.root, splitPath(to), 'moving')
      const overwrite = opts.replace ?? true
      if (fileCapString(src.parent.cap) === fileCapString(dst.parent.cap)) {
        return childOf(await changeDirectory(o.store, src.parent.cap, `move '${src.name}'`, d => d.rename(src.name, dst.name, { overwrite })))
      }
      // Across directories: link at the new place first, so a failure in between leaves two links, never none.
      const entry = src.parent.get(src.name)
      const user = structuredClone(entry.metadata)
      delete user.tahoe
      const caps = { writeUri: entry.node.writeUri, readUri: entry.node.readUri }
      if (src.parent.cap.kind !== 'dir-write') throw new ReadOnlyDirectoryError(`move '${src.name}' away`, src.parent.cap.kind === 'dir-read' ? 'read-only' : 'immutable')
      const linked = await changeDirectory(target.store, dst.parent.cap, `move '${src.name}' here`, d => d.set(dst.name, caps, { overwrite, metadata: user }))
      await changeDirectory(o.store, src.parent.cap, `move '${src.name}' away`, d => d.delete(src.name, { mustExist: false }))
      return childOf(linked)
    },

    putFile: async (dircap, path, data, opts = {}) => {
      const o = open(dircap, opts)
      const names = splitPath(path)
      if (names.length === 0) throw new NotADirectoryError('', 'the directory itself: name the file below it')
      const name = names[names.length - 1]
      const ensured = await ensureDirectory(o.store, o.root, names.slice(0, -1))
      const parent = ensured.dir ?? await openDirectory(o.store, ensured.cap)
      const replace = opts.replace ?? true
      const old = parent.has(name) ? parent.get(name) : undefined
      if (old !== undefined && replace === false) throw new ExistingChildError(name)
      if (old !== undefined && old.node.type === 'dirnode' && replace === 'only-files') throw new ExistingChildError(name, ' and is a directory')
      const where = { servers: opts.servers, club: o.club, signal: opts.signal }
      if (old?.node.type === 'filenode' && old.node.mutable === true && old.node.writeUri !== undefined) {
        // Tahoe overwrites a mutable file in place: its cap (and every link to it) stays.
        const bytes = await bytesOf(data)
        await files.mutable.overwrite(old.node.writeUri, bytes, where)
        return { cap: old.node.writeUri, replaced: true, size: bytes.length }
      }
      let cap: string
      let size: number
      if (opts.mutable === true || opts.format !== undefined) {
        const bytes = await bytesOf(data)
        cap = (await files.mutable.createMutable(bytes, { ...where, format: opts.format ?? 'sdmf', k: opts.k, n: opts.n, happy: opts.happy })).cap
        size = bytes.length
      } else {
        const put = await files.put(data, { ...where, k: opts.k, n: opts.n, happy: opts.happy, onProgress: opts.onProgress })
        cap = put.cap
        size = put.size ?? 0
      }
      await changeDirectory(o.store, parent.cap, `link '${name}'`, d => d.set(name, cap, { overwrite: replace, metadata: opts.metadata }))
      return { cap, replaced: old !== undefined, size }
    },

    version: async (dircap, opts = {}) => {
      const { cap, hint } = parseHintedDirCap(dircap.trim())
      if (cap.format !== 'sdmf' && cap.format !== 'mdmf') return undefined
      return await files.mutable.version(fileCapString(cap), { servers: opts.servers, club: opts.club ?? hint, signal: opts.signal })
    },

    linkMany: async (dircap, path, children, opts = {}) => {
      const o = open(dircap, opts)
      const dir = await walk(o.store, o.root, splitPath(path))
      const kids = newChildren(children)
      const entries = await changeDirectory(o.store, dir.cap, `link ${kids.length} children`, d =>
        d.setMany(kids.map(k => ({ name: k.name, caps: k.caps, metadata: k.metadata })), { overwrite: opts.replace ?? true }))
      return entries.map(childOf)
    }
  }
  return dirs
}
