/**
 * Tahoe's aliases: short names for directory caps, kept in the data folder's
 * `private/aliases` (one `name: cap` per line, as Tahoe writes it), and the
 * paths that use them: `alias:path/to/x`, a bare dircap (`URI:DIR2:…/path`
 * or Tahoe's older `URI:DIR2:…:./path`), or a plain path under the default
 * alias `tahoe:`.
 */
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { formatDirCap, isDirCapString, parseHintedDirCap, toReadOnlyDirCap } from '../node/index.js'
import { CliError, UsageError } from './errors.js'

export const DEFAULT_ALIAS = 'tahoe'

export function aliasesPath (dataDir: string): string {
  return join(dataDir, 'private', 'aliases')
}

export class UnknownAliasError extends CliError {
  constructor (name: string) {
    super('ERR_UNKNOWN_ALIAS', 2, `there is no alias "${name}:"; make one with "lafs-club create-alias ${name}" or "lafs-club add-alias ${name} <directory cap>" (list them with "lafs-club list-aliases")`)
    this.name = 'UnknownAliasError'
  }
}

export function isDirCap (text: string): boolean {
  return isDirCapString(text) && !text.startsWith('ro.') && !text.startsWith('imm.')
}

/** The read-only form of a directory cap (itself when it is one already), hint kept. */
export function readOnlyCapOf (cap: string): string {
  const h = parseHintedDirCap(cap)
  return formatDirCap(toReadOnlyDirCap(h.cap), h.hint)
}

/** A directory cap that cannot change what it names (read-only or immutable). */
export function isReadOnlyDirCap (cap: string): boolean {
  return /^URI:DIR2(-MDMF)?-RO:|^URI:DIR2-(CHK|LIT):/.test(cap)
}

/** Alias names: Tahoe's accept anything but `:`; we also refuse names that could not be written back as a line. */
export function checkAliasName (name: string): string {
  const n = name.endsWith(':') ? name.slice(0, -1) : name
  if (n === '') throw new UsageError('an alias name cannot be empty')
  if (n.includes(':')) throw new UsageError(`an alias name cannot contain ":" ("${name}")`)
  if (/[\r\n]/.test(n) || n.trim() !== n) throw new UsageError(`an alias name cannot contain line breaks or start or end with spaces ("${name}")`)
  return n.normalize('NFC')
}

/** Aliases in file order. A missing file is no aliases. */
export async function readAliases (dataDir: string): Promise<Map<string, string>> {
  let text: string
  try {
    text = await readFile(aliasesPath(dataDir), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map()
    throw err
  }
  const aliases = new Map<string, string>()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    aliases.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
  }
  return aliases
}

/** Adds `name` (refusing one that exists); the file is replaced whole (temp + rename) with mode 0600, so a crash leaves the old or the new one. */
export async function addAlias (dataDir: string, name: string, cap: string): Promise<void> {
  const n = checkAliasName(name)
  const c = cap.trim()
  if (!isDirCap(c)) throw new UsageError(`"${c.slice(0, 16)}…" is not a directory cap (URI:DIR2:…, URI:DIR2-MDMF:…, or their -RO forms)`)
  try {
    parseHintedDirCap(c)
  } catch (err) {
    throw new UsageError(`not a valid directory cap: ${(err as Error).message}`)
  }
  const aliases = await readAliases(dataDir)
  if (aliases.has(n)) throw new CliError('ERR_ALIAS_EXISTS', 2, `the alias "${n}:" exists already; pick another name (or edit ${aliasesPath(dataDir)} to change it)`)
  aliases.set(n, c)
  const file = aliasesPath(dataDir)
  await mkdir(join(dataDir, 'private'), { recursive: true, mode: 0o700 })
  const tmp = `${file}.tmp-${process.pid}`
  try {
    await writeFile(tmp, [...aliases].map(([k, v]) => `${k}: ${v}\n`).join(''), { mode: 0o600 })
    await chmod(tmp, 0o600)
    await rename(tmp, file)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}

/** Where a command argument points on the grid: a root directory cap and a path of names below it. */
export interface RemotePath {
  kind: 'remote'
  rootCap: string
  /** Names joined by `/`, without leading or trailing slashes; '' is the root. */
  path: string
  /** The argument ended with `/` (cp: "a directory"). */
  trailingSlash: boolean
  /** How the user named the root: `alias:` or the cap itself, for messages. */
  root: string
  /** The argument named an alias root or a bare cap with no path: it has no name of its own (cp). */
  unnamed: boolean
}

export interface LocalPath { kind: 'local', path: string }

function remote (rootCap: string, rest: string, root: string): RemotePath {
  const names = rest.split('/').filter(s => s !== '' && s !== '.').map(s => s.normalize('NFC'))
  return { kind: 'remote', rootCap, path: names.join('/'), trailingSlash: rest.endsWith('/'), root, unnamed: names.length === 0 }
}

/**
 * Parses a path argument, Tahoe's way. `defaultAlias` undefined is cp's
 * rule: a path with no alias is local. Otherwise a path with no alias is
 * below that alias.
 */
export function parsePath (arg: string, aliases: Map<string, string>, defaultAlias: string | undefined): RemotePath | LocalPath {
  const text = arg.trim()
  if (text.startsWith('URI:')) {
    const old = text.indexOf(':./')
    const cut = old !== -1 ? old : text.indexOf('/')
    const cap = cut === -1 ? text : text.slice(0, cut)
    const rest = cut === -1 ? '' : text.slice(cut + (old !== -1 ? 3 : 1))
    if (!isDirCap(cap)) {
      if (cut === -1) return remote(cap, '', 'the cap')
      throw new UsageError(`${cap.slice(0, 16)}… is not a directory cap, so no path can follow it`)
    }
    return remote(cap, rest, 'the directory cap')
  }
  const colon = text.indexOf(':')
  if (colon === -1 || text.slice(0, colon).includes('/')) {
    if (defaultAlias === undefined) return { kind: 'local', path: arg }
    const cap = aliases.get(defaultAlias)
    if (cap === undefined) throw new UnknownAliasError(defaultAlias)
    return remote(cap, text, `${defaultAlias}:`)
  }
  const name = text.slice(0, colon).normalize('NFC')
  const cap = aliases.get(name)
  if (cap === undefined) throw new UnknownAliasError(name)
  return remote(cap, text.slice(colon + 1), `${name}:`)
}

/** For commands that only take grid paths. */
export function parseRemote (arg: string, aliases: Map<string, string>): RemotePath {
  const p = parsePath(arg, aliases, DEFAULT_ALIAS)
  if (p.kind !== 'remote') throw new UsageError(`${arg} is not a grid path`)
  return p
}

export function describe (p: RemotePath): string {
  return p.path === '' ? p.root : p.root.endsWith(':') ? `${p.root}${p.path}` : `${p.path} (below ${p.root})`
}

export function parentOf (path: string): { dir: string, name: string } {
  const i = path.lastIndexOf('/')
  return i === -1 ? { dir: '', name: path } : { dir: path.slice(0, i), name: path.slice(i + 1) }
}

export function joinPath (...parts: string[]): string {
  return parts.filter(p => p !== '').join('/')
}
