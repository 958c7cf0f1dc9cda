/**
 * Case-insensitive filesystems (macOS, Windows by default): `README.md` and
 * `readme.md` are one file there. Whether the local folder's filesystem is one
 * is found at run time with a probe file; on such a folder a remote name that
 * differs from a local or known one only in case is kept apart (written as a
 * conflict-style copy) instead of overwriting the other.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { TMP_DIR } from './magicpath.js'
import type { FolderState } from './state.js'

/** Answers whether names in `dir` are compared without case. Injectable, so a test can simulate one on Linux. */
export type CaseCheck = (dir: string) => Promise<boolean>

/** Creates `<dir>/.lafs-tmp/case-probe-…-aB` and asks for `…-Ab`: found means the filesystem ignores case. */
export const detectCaseInsensitive: CaseCheck = async dir => {
  const staging = join(dir, TMP_DIR)
  // Not recursive: a folder that vanished (an unmounted disk) must not be made again here.
  await mkdir(staging).catch((err: unknown) => { if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err })
  const base = `case-probe-${randomBytes(6).toString('hex')}-`
  const probe = join(staging, `${base}aB`)
  await writeFile(probe, '', { flag: 'wx' })
  try {
    await stat(join(staging, `${base}Ab`))
    return true
  } catch {
    return false
  } finally {
    await rm(probe, { force: true })
  }
}

/** The key under which two names are one file on a case-insensitive filesystem. */
export function foldPath (relpath: string): string {
  return relpath.normalize('NFC').toUpperCase().toLowerCase()
}

/**
 * Another name (on disk, or in the state and not deleted) that is the same as
 * `relpath` once case is ignored, or a folder of `relpath` spelled otherwise
 * (`docs/b.txt` when `Docs/` exists: it would land in `Docs/`, answered as
 * `Docs/b.txt`); undefined when there is none.
 */
export async function caseTwin (root: string, state: FolderState, relpath: string): Promise<string | undefined> {
  const key = foldPath(relpath)
  const parts = relpath.split('/')
  const folders = parts.slice(0, -1).map((_, i) => foldPath(parts.slice(0, i + 1).join('/')))
  for (const row of state.files()) {
    if (row.deleted || row.relpath === relpath) continue
    if (foldPath(row.relpath) === key) return row.relpath
    if (folders.length === 0) continue
    const theirs = row.relpath.split('/')
    for (let i = 0; i < folders.length && i < theirs.length - 1; i++) {
      const mine = parts.slice(0, i + 1).join('/')
      const other = theirs.slice(0, i + 1).join('/')
      if (foldPath(other) !== folders[i]) break
      if (other !== mine) return [other, ...parts.slice(i + 1)].join('/')
    }
  }
  // On disk, segment by segment: a local file not uploaded yet counts too, and so does a folder.
  let dir = root
  const found: string[] = []
  for (const part of parts) {
    let names: string[]
    try { names = await readdir(dir) } catch { break }
    const exact = names.find(n => n.normalize('NFC') === part)
    const hit = exact ?? names.find(n => foldPath(n) === foldPath(part))
    if (hit === undefined) break
    found.push(hit.normalize('NFC'))
    dir = join(dir, hit)
  }
  const onDisk = [...found, ...parts.slice(found.length)].join('/')
  return onDisk !== relpath ? onDisk : undefined
}
