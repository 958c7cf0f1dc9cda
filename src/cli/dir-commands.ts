/**
 * Tahoe's directory commands: aliases, `mkdir`, `ls`, `ln`, `mv`,
 * `unlink`/`rm`, and the grid side of `put` and `get`. They need the
 * daemon and talk to its gateway as Tahoe's CLI talks to its web API.
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { rename, rm, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { addAlias, aliasesPath, checkAliasName, describe, isReadOnlyDirCap, joinPath, parentOf, parseRemote, readAliases, readOnlyCapOf, UnknownAliasError, type RemotePath } from './aliases.js'
import { contextOf, type CommandContext } from './context.js'
import { dirClient, type ChildJson, type DirClient, type NodeJson, type Replace } from './dir-client.js'
import { CliError, RemoteError, UsageError } from './errors.js'
import { formatBytes } from './output.js'
import type { Command } from 'commander'

export interface DirContext extends CommandContext {
  aliases: Map<string, string>
  dirs: () => Promise<DirClient>
}

export async function dirContextOf (cmd: Command): Promise<DirContext> {
  const c = contextOf(cmd)
  const aliases = await readAliases(c.dataDir)
  return { ...c, aliases, dirs: async () => dirClient(await c.daemon()) }
}

export function checkFormat (format: string | undefined): 'sdmf' | 'mdmf' | undefined {
  if (format === undefined) return undefined
  const f = format.toLowerCase()
  if (f !== 'sdmf' && f !== 'mdmf') throw new UsageError(`--format must be sdmf or mdmf, not "${format}"`)
  return f
}

/** Refuses, before asking the daemon, a change below a root that is read-only. */
export function requireWritable (p: RemotePath, what: string): void {
  if (isReadOnlyDirCap(p.rootCap)) {
    throw new CliError('ERR_READ_ONLY_DIRECTORY', 1, `cannot ${what}: ${p.root} is a read-only directory cap (it can list and read, not change). Use the directory's write cap (URI:DIR2:… or URI:DIR2-MDMF:…) instead.`)
  }
}

export class NoSuchPathError extends CliError {
  constructor (what: string) {
    super('ERR_NO_SUCH_CHILD', 1, `no such file or directory: ${what}`)
    this.name = 'NoSuchPathError'
  }
}

/** Where a link lands: inside DEST when DEST is a directory (a trailing `/`, an alias root, or an existing directory), else at DEST. */
async function linkTarget (dirs: DirClient, dest: RemotePath, sourceName: string | undefined): Promise<string> {
  let intoDir = dest.trailingSlash || dest.path === ''
  if (!intoDir) intoDir = (await dirs.json(dest.rootCap, dest.path))?.node[0] === 'dirnode'
  if (!intoDir) return dest.path
  if (sourceName === undefined) throw new UsageError(`${describe(dest)} is a directory and the source has no name to give the new link; name it (e.g. ${dest.root}${joinPath(dest.path, 'NAME')})`)
  return joinPath(dest.path, sourceName)
}

function capOfChild ([, info]: ChildJson | NodeJson): string {
  const cap = info.rw_uri ?? info.ro_uri
  if (cap === undefined) throw new CliError('ERR_NO_CAP', 1, 'the gateway answered an entry without a cap')
  return cap
}

export async function readStdin (): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c)
  return Buffer.concat(chunks)
}

/** `put FILE|- alias:path`: upload and link (parents are made as needed). */
export async function putToPath (cmd: Command, file: string, to: string, o: { mutable?: boolean, format?: string }): Promise<void> {
  const c = await dirContextOf(cmd)
  const dest = parseRemote(to, c.aliases)
  if (dest.path === '') throw new UsageError(`give the new file a name: ${dest.root}NAME`)
  requireWritable(dest, `put ${dest.path}`)
  const format = checkFormat(o.format)
  const dirs = await c.dirs()
  let body: AsyncIterable<Uint8Array> | Uint8Array
  let size: number
  if (file === '-') {
    body = await readStdin()
    size = body.length
  } else {
    const st = await stat(file).catch(() => undefined)
    if (st === undefined || !st.isFile()) throw new UsageError(`cannot read ${file}: not a regular file`)
    size = st.size
    body = createReadStream(file)
  }
  const cap = await dirs.putFile(dest.rootCap, dest.path, body, size, { format, mutable: o.mutable === true || format !== undefined ? true : undefined })
  c.out.result({ cap, path: describe(dest), size }, v => v.cap)
}

/** Whether a `get` argument names a grid path (an alias path or a dircap path) rather than a file cap. */
export function isGridPathArg (arg: string): boolean {
  return !arg.startsWith('URI:') || arg.startsWith('URI:DIR2')
}

/** `get alias:path [LOCAL]`: a file by its path, to LOCAL (written whole, then renamed) or stdout. */
export async function getFromPath (cmd: Command, from: string, local: string | undefined): Promise<void> {
  const c = await dirContextOf(cmd)
  let src: RemotePath
  try {
    src = parseRemote(from, c.aliases)
  } catch (err) {
    if (err instanceof UnknownAliasError && !from.includes(':')) throw new UsageError(`"${from}" is not a cap (URI:…), nor a path below an alias: ${err.message}`)
    throw err
  }
  if (c.out.json && local === undefined) throw new UsageError('with --json the file cannot go to stdout: give a local file name')
  const dirs = await c.dirs()
  let res
  try {
    res = await dirs.read(src.rootCap, src.path)
  } catch (err) {
    if (err instanceof RemoteError && err.status === 404) throw new NoSuchPathError(describe(src))
    throw err
  }
  let bytes = 0
  res.on('data', (d: Buffer) => { bytes += d.length })
  if (local === undefined) {
    await pipeline(res, process.stdout, { end: false })
    return
  }
  const target = resolve(local)
  const part = `${target}.part-${process.pid}`
  try {
    await pipeline(res, createWriteStream(part, { mode: 0o644 }))
    await rename(part, target)
  } catch (err) {
    await rm(part, { force: true })
    throw err
  }
  c.out.result({ path: describe(src), file: target, bytes }, v => `${formatBytes(v.bytes)} written to ${v.file}`)
}

function lsDate (seconds: number | undefined): string {
  if (seconds === undefined) return ''.padEnd(12)
  const d = new Date(seconds * 1000)
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' })
  const day = String(d.getUTCDate()).padStart(2, ' ')
  // as `ls -l`: the time for the last six months, the year for older links
  const recent = Date.now() - d.getTime() < 182 * 86400_000 && d.getTime() <= Date.now() + 86400_000
  const tail = recent ? `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}` : ` ${d.getUTCFullYear()}`
  return `${month} ${day} ${tail}`
}

interface LsRow { name: string, type: string, size: string, date: string, cap: string, readCap: string }

function lsRow (name: string, [type, info]: ChildJson | NodeJson): LsRow {
  const dir = type === 'dirnode'
  const kind = dir ? 'd' : type === 'filenode' ? '-' : '?'
  const perms = `${info.ro_uri !== undefined || info.rw_uri !== undefined ? 'r' : '-'}${info.rw_uri !== undefined ? 'w' : '-'}${dir ? 'x' : '-'}`
  const size = dir ? '-' : typeof info.size === 'number' ? String(info.size) : '?'
  const motime = (info.metadata?.tahoe as { linkmotime?: unknown } | undefined)?.linkmotime ?? info.metadata?.mtime
  return { name, type: kind + perms, size, date: lsDate(typeof motime === 'number' ? motime : undefined), cap: info.rw_uri ?? info.ro_uri ?? '', readCap: info.ro_uri ?? '' }
}

export function addDirCommands (program: Command): void {
  program.command('create-alias')
    .description('make a new directory and an alias for it (Tahoe\'s create-alias)')
    .argument('<name>', 'the alias, with or without the trailing ":"')
    .option('--format <format>', 'directory format: sdmf (default) or mdmf')
    .action(async (name: string, o: { format?: string }, cmd: Command) => {
      const c = await dirContextOf(cmd)
      const n = checkAliasName(name)
      const format = checkFormat(o.format)
      if (c.aliases.has(n)) throw new CliError('ERR_ALIAS_EXISTS', 2, `the alias "${n}:" exists already; pick another name`)
      const cap = await (await c.dirs()).mkdir(format)
      await addAlias(c.dataDir, n, cap)
      c.out.result({ alias: n, cap }, v => `Alias '${v.alias}' created`)
    })

  program.command('add-alias')
    .description('give an existing directory cap a short name')
    .argument('<name>', 'the alias, with or without the trailing ":"')
    .argument('<dircap>', 'a directory cap (write or read-only)')
    .action(async (name: string, cap: string, _o: unknown, cmd: Command) => {
      const c = contextOf(cmd)
      await addAlias(c.dataDir, name, cap)
      c.out.result({ alias: checkAliasName(name), cap: cap.trim() }, v => `Alias '${v.alias}' added`)
    })

  program.command('list-aliases')
    .description(`the aliases (kept in <data>/private/aliases); read-only caps unless --readwrite`)
    .option('--readwrite', 'show the write caps')
    .action(async (o: { readwrite?: boolean }, cmd: Command) => {
      const c = contextOf(cmd)
      const aliases = await readAliases(c.dataDir)
      const rows = [...aliases].map(([name, cap]) => {
        let readonly = cap
        try { readonly = readOnlyCapOf(cap) } catch { /* a cap we cannot parse is shown as stored */ }
        return { name, readwrite: isReadOnlyDirCap(cap) ? undefined : cap, readonly }
      })
      if (c.out.json) {
        c.out.result(Object.fromEntries(rows.map(r => [r.name, { readwrite: r.readwrite ?? null, readonly: r.readonly }])), () => '')
        return
      }
      const width = Math.max(0, ...rows.map(r => r.name.length + 1))
      c.out.result(rows, rs => rs.length === 0
        ? `no aliases yet (${aliasesPath(c.dataDir)}); make one with "lafs-club create-alias tahoe"`
        : rs.map(r => `${(r.name + ':').padStart(width)} ${o.readwrite === true ? r.readwrite ?? r.readonly : r.readonly}`))
    })

  program.command('mkdir')
    .description('make a directory: with no path an unlinked one (prints its cap), else at alias:path, parents included')
    .argument('[path]', 'where, e.g. tahoe:photos/2024')
    .option('--format <format>', 'directory format: sdmf (default) or mdmf')
    .action(async (path: string | undefined, o: { format?: string }, cmd: Command) => {
      const c = await dirContextOf(cmd)
      const format = checkFormat(o.format)
      if (path === undefined) {
        const cap = await (await c.dirs()).mkdir(format)
        c.out.result({ cap }, v => v.cap)
        return
      }
      const p = parseRemote(path, c.aliases)
      if (p.path === '') throw new UsageError(`${p.root} exists already; name a directory below it`)
      requireWritable(p, `make ${p.path}`)
      const cap = await (await c.dirs()).mkdirAt(p.rootCap, p.path, format)
      c.out.result({ cap, path: describe(p) }, v => v.cap)
    })

  program.command('ls')
    .description('list a directory (default the tahoe: alias); --json prints Tahoe\'s t=json')
    .argument('[path]', 'alias:path, a dircap, or a path below tahoe:')
    .option('-l, --long', 'type and permissions, size, link time')
    .option('--uri', 'show each child\'s cap')
    .option('--readonly-uri', 'show read-only caps')
    .action(async (path: string | undefined, o: { long?: boolean, uri?: boolean, readonlyUri?: boolean }, cmd: Command) => {
      const c = await dirContextOf(cmd)
      const p = parseRemote(path ?? 'tahoe:', c.aliases)
      const got = await (await c.dirs()).json(p.rootCap, p.path)
      if (got === undefined) throw new NoSuchPathError(describe(p))
      if (c.out.json) {
        process.stdout.write(got.text.endsWith('\n') ? got.text : got.text + '\n')
        return
      }
      const node = got.node
      const rows = node[0] === 'dirnode'
        ? Object.keys(node[1].children).sort().map(name => lsRow(name, node[1].children[name]))
        : [lsRow(parentOf(p.path).name, node)]
      const sizeWidth = Math.max(0, ...rows.map(r => r.size.length))
      c.out.result(rows, rs => rs.map(r => {
        const cap = o.readonlyUri === true ? ` ${r.readCap}` : o.uri === true ? ` ${r.cap}` : ''
        const name = o.long === true && r.type.startsWith('d') ? `${r.name}/` : r.name
        return o.long === true ? `${r.type} ${r.size.padStart(sizeWidth)} ${r.date} ${name}${cap}` : `${name}${cap}`
      }))
    })

  program.command('ln')
    .description('link the file or directory at SOURCE (a path or a cap) at DEST as well (nothing is copied)')
    .argument('<source>', 'alias:path or a cap')
    .argument('<dest>', 'alias:path (into it when it is a directory)')
    .action(async (source: string, destArg: string, _o: unknown, cmd: Command) => {
      const c = await dirContextOf(cmd)
      const src = parseRemote(source, c.aliases)
      const dest = parseRemote(destArg, c.aliases)
      requireWritable(dest, `link at ${describe(dest)}`)
      const dirs = await c.dirs()
      const got = await dirs.json(src.rootCap, src.path)
      if (got === undefined) throw new NoSuchPathError(describe(src))
      const cap = capOfChild(got.node)
      const at = await linkTarget(dirs, dest, src.path === '' ? undefined : parentOf(src.path).name)
      await dirs.link(dest.rootCap, at, cap, 'only-files')
      c.out.result({ cap, path: describe({ ...dest, path: at }) }, v => `linked ${v.path}`)
    })

  program.command('mv')
    .description('move or rename a link (Tahoe\'s relink); across aliases: link at DEST, then unlink SOURCE')
    .argument('<source>', 'alias:path')
    .argument('<dest>', 'alias:path (into it when it is a directory)')
    .action(async (source: string, destArg: string, _o: unknown, cmd: Command) => {
      const c = await dirContextOf(cmd)
      const src = parseRemote(source, c.aliases)
      const dest = parseRemote(destArg, c.aliases)
      if (src.path === '') throw new UsageError(`${src.root} is a root; only a path below it can be moved`)
      requireWritable(src, `move ${describe(src)}`)
      requireWritable(dest, `move to ${describe(dest)}`)
      const dirs = await c.dirs()
      const from = parentOf(src.path)
      const at = await linkTarget(dirs, dest, from.name)
      const to = parentOf(at)
      const replace: Replace = 'only-files'
      try {
        if (src.rootCap === dest.rootCap) {
          await dirs.relink(src.rootCap, from.dir, from.name, to.name, { toDir: joinPath(dest.rootCap, to.dir), replace })
        } else {
          const got = await dirs.json(src.rootCap, src.path)
          if (got === undefined) throw new NoSuchPathError(describe(src))
          await dirs.link(dest.rootCap, at, capOfChild(got.node), replace)
          await dirs.unlink(src.rootCap, src.path)
        }
      } catch (err) {
        if (err instanceof RemoteError && err.status === 404) throw new NoSuchPathError(`${describe(src)} (or the directory of ${describe({ ...dest, path: at })})`)
        throw err
      }
      c.out.result({ from: describe(src), to: describe({ ...dest, path: at }) }, v => `moved ${v.from} to ${v.to}`)
    })

  for (const name of ['unlink', 'rm']) {
    program.command(name)
      .description(name === 'rm' ? 'the same as unlink' : 'remove the link at PATH (the file or directory stays on the grid for whoever holds its cap)')
      .argument('<paths...>', 'alias:path')
      .action(async (paths: string[], _o: unknown, cmd: Command) => {
        const c = await dirContextOf(cmd)
        const ps = paths.map(p => parseRemote(p, c.aliases))
        for (const p of ps) {
          if (p.path === '') throw new UsageError(`${p.root} is a root; give a path below it`)
          requireWritable(p, `unlink ${describe(p)}`)
        }
        const dirs = await c.dirs()
        for (const p of ps) {
          try {
            await dirs.unlink(p.rootCap, p.path)
          } catch (err) {
            if (err instanceof RemoteError && err.status === 404) throw new NoSuchPathError(describe(p))
            throw err
          }
        }
        c.out.result({ unlinked: ps.map(describe) }, () => '')
      })
  }
}
