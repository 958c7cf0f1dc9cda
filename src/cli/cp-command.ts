/**
 * `cp [-r] SRC… DEST`, with Tahoe's rules: local → grid, grid → local and
 * grid → grid (by linking caps; nothing is uploaded again). A directory
 * copied to the grid is built bottom-up: its files are uploaded unlinked
 * (a few at a time; files of 55 bytes or less become literal caps here,
 * as the node would make them), then each directory is made with all its children in
 * one request (`POST /uri?t=mkdir-with-children`), so a directory of 1000
 * files costs one directory write, not 1000. Only the top one is linked;
 * into an existing directory, its new children go in one `t=set_children`.
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { formatCap, LIT_SIZE_THRESHOLD, parseHintedCap } from '../node/index.js'
import { describe, isDirCap, joinPath, parentOf, parsePath, type RemotePath } from './aliases.js'
import { checkFormat, dirContextOf, NoSuchPathError, requireWritable } from './dir-commands.js'
import type { ChildJson, DirClient, DirInfo } from './dir-client.js'
import { CliError, UsageError } from './errors.js'
import { formatBytes } from './output.js'
import type { Command } from 'commander'

interface TreeFile {
  name: string
  /** A local file to upload… */
  local?: { path: string, size: number }
  /** …or a grid file to link (write cap of a mutable file when known, else the read cap). */
  cap?: string
  size?: number
}

interface Tree { files: TreeFile[], dirs: Array<{ name: string, tree: Tree }> }

type Source =
  | { kind: 'file', name?: string, file: TreeFile, spec: string }
  | { kind: 'dir', name?: string, tree: Tree, spec: string }

type Exists = 'missing' | 'dir' | 'file'
type Target = { kind: 'local', path: string, exists: Exists } | { kind: 'grid', at: RemotePath, exists: Exists }

/** At most `n` at a time. */
function limiter (n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0
  const waiting: Array<() => void> = []
  const full = (): boolean => active >= n
  return async fn => {
    while (full()) await new Promise<void>(resolve => waiting.push(resolve))
    active++
    try {
      return await fn()
    } finally {
      active--
      waiting.shift()?.()
    }
  }
}

class Progress {
  files = 0
  bytes = 0
  dirs = 0
  total = 0
  private last = 0
  constructor (private readonly enabled: boolean, private readonly tty: boolean) {}
  file (bytes: number): void { this.files++; this.bytes += bytes; this.draw(false) }
  dir (): void { this.dirs++ }
  draw (force: boolean): void {
    if (!this.enabled) return
    const now = Date.now()
    if (!force && now - this.last < (this.tty ? 100 : 1000)) return
    this.last = now
    const line = `copied ${this.files}/${this.total} files, ${formatBytes(this.bytes)}`
    process.stderr.write(this.tty ? `\r${line}\x1b[K` : line + '\n')
  }
  done (): void {
    if (!this.enabled) return
    this.draw(true)
    if (this.tty) process.stderr.write('\n')
  }
}

function countFiles (t: Tree): number {
  return t.files.length + t.dirs.reduce((n, d) => n + countFiles(d.tree), 0)
}

/** A name from a grid directory must not leave the local folder it is written into. */
function safeLocalName (name: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new CliError('ERR_UNSAFE_NAME', 1, `a grid directory holds the name ${JSON.stringify(name)}, which cannot be a local file name; nothing was written for it`)
  }
  return name
}

/** Symlinks are followed, as Tahoe's cp does; `ancestors` (device:inode) stops a link that loops back up the tree. */
async function walkLocal (dir: string, note: (t: string) => void, ancestors: Set<string> = new Set()): Promise<Tree> {
  const tree: Tree = { files: [], dirs: [] }
  const self = await stat(dir)
  const id = `${self.dev}:${self.ino}`
  if (ancestors.has(id)) {
    note(`skipping ${dir}: a symbolic link back to a folder above it`)
    return tree
  }
  const below = new Set(ancestors).add(id)
  const entries = await readdir(dir, { withFileTypes: true })
  for (const e of entries.sort((a, b) => a.name < b.name ? -1 : 1)) {
    const path = join(dir, e.name)
    const st = e.isSymbolicLink() ? await stat(path).catch(() => undefined) : undefined
    if (e.isDirectory() || st?.isDirectory() === true) tree.dirs.push({ name: e.name.normalize('NFC'), tree: await walkLocal(path, note, below) })
    else if (e.isFile() || st?.isFile() === true) tree.files.push({ name: e.name.normalize('NFC'), local: { path, size: st?.size ?? (await stat(path)).size } })
    else note(`skipping ${path}: not a regular file or directory`)
  }
  return tree
}

async function walkGrid (dirs: DirClient, info: DirInfo, limit: ReturnType<typeof limiter>): Promise<Tree> {
  const tree: Tree = { files: [], dirs: [] }
  const subdirs: Array<Promise<{ name: string, tree: Tree }>> = []
  for (const name of Object.keys(info.children).sort()) {
    const [type, child] = info.children[name]
    const cap = child.rw_uri ?? child.ro_uri
    if (cap === undefined) continue
    if (type === 'dirnode') {
      subdirs.push(limit(async () => await dirs.json(cap)).then(async got => {
        if (got === undefined || got.node[0] !== 'dirnode') throw new CliError('ERR_UNREADABLE_DIRECTORY', 1, `the directory ${name} could not be read`)
        return { name, tree: await walkGrid(dirs, got.node[1], limit) }
      }))
    } else {
      tree.files.push({ name, cap, size: typeof child.size === 'number' ? child.size : undefined })
    }
  }
  tree.dirs = await Promise.all(subdirs)
  return tree
}

interface CopyOptions { format?: 'sdmf' | 'mdmf', mutable?: boolean }

export function addCpCommand (program: Command): void {
  program.command('cp')
    .description('copy files and directories between this computer and the grid, or within the grid (Tahoe\'s cp)')
    .argument('<paths...>', 'SOURCE… DEST; grid paths are alias:path or a cap, anything else is local')
    .option('-r, --recursive', 'copy directories too')
    .option('--mutable', 'new grid files are mutable (SDMF unless --format mdmf)')
    .option('--format <format>', 'new grid files are mutable files of this format: sdmf or mdmf')
    .option('--progress', 'print progress on stderr even when it is not a terminal')
    .action(async (paths: string[], o: { recursive?: boolean, mutable?: boolean, format?: string, progress?: boolean }, cmd: Command) => {
      if (paths.length < 2) throw new UsageError('cp needs a source and a destination')
      const c = await dirContextOf(cmd)
      const format = checkFormat(o.format)
      const opts: CopyOptions = { format, mutable: o.mutable === true || format !== undefined }
      const destSpec = paths[paths.length - 1]
      const specs = paths.slice(0, -1)
      const parsed = specs.map(s => parsePath(s, c.aliases, undefined))
      const destParsed = parsePath(destSpec, c.aliases, undefined)
      const anyGrid = destParsed.kind === 'remote' || parsed.some(p => p.kind === 'remote')
      if (!anyGrid) throw new UsageError('cp copies to or from the grid: name a grid path (alias:path or a cap) as a source or the destination; for local copies use your system\'s cp')
      const dirs = await c.dirs()
      const walkLimit = limiter(4)

      const sources: Source[] = []
      for (const [i, p] of parsed.entries()) {
        if (p.kind === 'local') {
          const abs = resolve(p.path)
          const st = await stat(abs).catch(() => undefined)
          if (st === undefined) throw new UsageError(`${p.path}: no such file or directory`)
          if (st.isDirectory()) sources.push({ kind: 'dir', name: basename(abs).normalize('NFC'), tree: await walkLocal(abs, t => { c.out.note(t) }), spec: specs[i] })
          else sources.push({ kind: 'file', name: basename(abs).normalize('NFC'), file: { name: basename(abs).normalize('NFC'), local: { path: abs, size: st.size } }, spec: specs[i] })
          continue
        }
        const name = p.path === '' ? undefined : parentOf(p.path).name
        if (!isDirCap(p.rootCap) && p.path === '') {
          sources.push({ kind: 'file', file: { name: p.rootCap, cap: p.rootCap }, spec: specs[i] })
          continue
        }
        const got = await dirs.json(p.rootCap, p.path)
        if (got === undefined) throw new NoSuchPathError(describe(p))
        const [type, info] = got.node
        if (type === 'dirnode') {
          if (o.recursive !== true) throw new UsageError(`cannot copy directories without --recursive (-r): ${specs[i]}`)
          sources.push({ kind: 'dir', name, tree: await walkGrid(dirs, info, walkLimit), spec: specs[i] })
        } else {
          const cap = info.rw_uri ?? info.ro_uri
          if (cap === undefined) throw new CliError('ERR_NO_CAP', 1, `${specs[i]} has no cap this node can read`)
          sources.push({ kind: 'file', name, file: { name: name ?? cap, cap, size: typeof info.size === 'number' ? info.size : undefined }, spec: specs[i] })
        }
      }
      const dirSource = sources.find(s => s.kind === 'dir')
      if (dirSource !== undefined && o.recursive !== true) throw new UsageError(`cannot copy directories without --recursive (-r): ${dirSource.spec}`)

      let target: Target
      if (destParsed.kind === 'local') {
        const abs = resolve(destParsed.path)
        const st = await stat(abs).catch(() => undefined)
        target = { kind: 'local', path: abs, exists: st === undefined ? 'missing' : st.isDirectory() ? 'dir' : 'file' }
      } else {
        if (!isDirCap(destParsed.rootCap)) throw new UsageError(`${destSpec} is a file cap; copy to a directory path (alias:path)`)
        requireWritable(destParsed, `copy to ${describe(destParsed)}`)
        const got = await dirs.json(destParsed.rootCap, destParsed.path)
        target = { kind: 'grid', at: destParsed, exists: got === undefined ? 'missing' : got.node[0] === 'dirnode' ? 'dir' : 'file' }
      }
      const trailingSlash = destSpec.endsWith('/')
      const targetIsFile = target.exists === 'file' || (target.exists === 'missing' && sources.length === 1 && sources[0].kind === 'file')
      if (targetIsFile && trailingSlash) throw new UsageError('the destination is not a directory, but ends with a slash')
      if (targetIsFile && sources.length > 1) throw new UsageError('copying several things needs a directory as the destination')
      if (targetIsFile && sources[0].kind === 'dir') throw new UsageError('cannot copy a directory into a file')
      if (!targetIsFile) {
        const unnamed = sources.find(s => s.kind === 'file' && s.name === undefined)
        if (unnamed !== undefined) throw new UsageError(`when copying into a directory every source file needs a name, and ${unnamed.spec} has none (name the destination file)`)
      }

      const progress = new Progress(!c.out.json && (o.progress === true || process.stderr.isTTY), process.stderr.isTTY)
      progress.total = sources.reduce((n, s) => n + (s.kind === 'file' ? 1 : countFiles(s.tree)), 0)
      const limit = limiter(4)
      const copier = new Copier(dirs, opts, progress, limit)
      try {
        if (targetIsFile) {
          const file = (sources[0] as Extract<Source, { kind: 'file' }>).file
          if (target.kind === 'local') await copier.fileToLocal(file, target.path)
          else await copier.fileToGrid(file, target.at.rootCap, target.at.path)
        } else if (target.kind === 'local') {
          await mkdir(target.path, { recursive: true })
          for (const s of sources) {
            if (s.kind === 'file') await copier.fileToLocal(s.file, join(target.path, safeLocalName(s.name ?? s.file.name)))
            else await copier.treeToLocal(s.tree, s.name === undefined ? target.path : join(target.path, safeLocalName(s.name)))
          }
        } else {
          const { rootCap, path } = target.at
          if (target.exists === 'missing') { await dirs.mkdirAt(rootCap, path); progress.dir() }
          for (const s of sources) {
            if (s.kind === 'file') await copier.fileToGrid(s.file, rootCap, joinPath(path, s.name ?? s.file.name))
            else if (s.name === undefined) await copier.mergeIntoGrid(s.tree, rootCap, path)
            else await copier.treeToGrid(s.tree, rootCap, joinPath(path, s.name))
          }
        }
      } finally {
        progress.done()
      }
      c.out.result({ files: progress.files, directories: progress.dirs, bytes: progress.bytes }, v =>
        `copied ${v.files} file${v.files === 1 ? '' : 's'} (${formatBytes(v.bytes)}) and made ${v.directories} director${v.directories === 1 ? 'y' : 'ies'}`)
    })
}

class Copier {
  constructor (
    private readonly dirs: DirClient,
    private readonly opts: CopyOptions,
    private readonly progress: Progress,
    private readonly limit: ReturnType<typeof limiter>
  ) {}

  /** The entry of a file in a new directory: uploaded (local) or the cap it has (grid). */
  async entry (f: TreeFile): Promise<ChildJson> {
    if (f.local !== undefined) {
      const local = f.local
      if (!this.opts.mutable && local.size <= LIT_SIZE_THRESHOLD) {
        // A small file is its own cap (what the daemon would answer): no request for it.
        const data = await readFile(local.path)
        if (data.length <= LIT_SIZE_THRESHOLD) {
          this.progress.file(data.length)
          return ['filenode', { ro_uri: formatCap({ kind: 'lit', data }) }]
        }
      }
      const cap = await this.limit(async () => await this.dirs.upload(createReadStream(local.path), local.size, { format: this.opts.format, mutable: this.opts.mutable ? true : undefined }))
      this.progress.file(local.size)
      return ['filenode', this.opts.mutable ? { rw_uri: cap } : { ro_uri: cap }]
    }
    const cap = f.cap as string
    this.progress.file(f.size ?? 0)
    return ['filenode', /^URI:(SSK|MDMF):/.test(cap) ? { rw_uri: cap } : { ro_uri: cap }]
  }

  /** Makes a new grid directory holding `tree` (bottom-up); answers its write cap. */
  async build (tree: Tree): Promise<string> {
    const children: Record<string, ChildJson> = {}
    const files = tree.files.map(async f => { children[f.name] = await this.entry(f) })
    const subdirs = tree.dirs.map(async d => { children[d.name] = ['dirnode', { rw_uri: await this.build(d.tree) }] })
    await Promise.all([...files, ...subdirs])
    const cap = await this.dirs.mkdirWithChildren(children)
    this.progress.dir()
    return cap
  }

  async fileToGrid (f: TreeFile, rootCap: string, path: string): Promise<void> {
    if (f.local !== undefined) {
      await this.dirs.putFile(rootCap, path, createReadStream(f.local.path), f.local.size, { format: this.opts.format, mutable: this.opts.mutable ? true : undefined })
      this.progress.file(f.local.size)
      return
    }
    await this.dirs.link(rootCap, path, f.cap as string)
    this.progress.file(f.size ?? 0)
  }

  /** `tree` at `path`: a new directory when nothing is there, merged into the one that is. */
  async treeToGrid (tree: Tree, rootCap: string, path: string): Promise<void> {
    const there = await this.dirs.json(rootCap, path)
    if (there?.node[0] === 'dirnode') {
      await this.mergeIntoGrid(tree, rootCap, path, there.node[1])
      return
    }
    await this.dirs.link(rootCap, path, await this.build(tree))
  }

  /**
   * The children of `tree` into the existing directory at `path`: new files
   * and new subtrees in one `t=set_children`, existing subdirectories merged
   * the same way (an existing file of the same name is replaced, as Tahoe's cp does).
   */
  async mergeIntoGrid (tree: Tree, rootCap: string, path: string, known?: DirInfo): Promise<void> {
    let info = known
    if (info === undefined) {
      const got = await this.dirs.json(rootCap, path)
      info = got?.node[0] === 'dirnode' ? got.node[1] : { children: {} }
    }
    const children: Record<string, ChildJson> = {}
    const existingDirs: Array<{ name: string, tree: Tree }> = []
    await Promise.all([
      ...tree.files.map(async f => { children[f.name] = await this.entry(f) }),
      ...tree.dirs.map(async d => {
        if (info.children[d.name]?.[0] === 'dirnode') existingDirs.push(d)
        else children[d.name] = ['dirnode', { rw_uri: await this.build(d.tree) }]
      })
    ])
    if (Object.keys(children).length > 0) await this.dirs.setChildren(rootCap, path, children)
    for (const d of existingDirs) await this.mergeIntoGrid(d.tree, rootCap, joinPath(path, d.name))
  }

  async fileToLocal (f: TreeFile, path: string): Promise<void> {
    if (f.local !== undefined) throw new UsageError('a local file cannot be copied to a local path with lafs-club cp')
    const cap = f.cap as string
    let bytes = 0
    const parsed = cap.startsWith('URI:LIT:') ? parseHintedCap(cap).cap : undefined
    if (parsed?.kind === 'lit') {
      // the bytes are in the cap
      await writeFile(path, parsed.data)
      bytes = parsed.data.length
    } else {
      await this.limit(async () => {
        const res = await this.dirs.read(cap)
        res.on('data', (d: Buffer) => { bytes += d.length })
        await pipeline(res, createWriteStream(path))
      })
    }
    this.progress.file(bytes)
  }

  async treeToLocal (tree: Tree, path: string): Promise<void> {
    await mkdir(path, { recursive: true })
    this.progress.dir()
    await Promise.all([
      ...tree.files.map(async f => { await this.fileToLocal(f, join(path, safeLocalName(f.name))) }),
      ...tree.dirs.map(async d => { await this.treeToLocal(d.tree, join(path, safeLocalName(d.name))) })
    ])
  }
}
