/**
 * The local half of a scan: every regular file below the folder, by its NFC
 * relative path, with size and mtime. The staging folder, conflict copies,
 * symlinks and special files are left out. Problems (a folder that cannot be
 * read, two names that are one in NFC) are collected, never thrown.
 */
import { lstat, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { isConflictName, TMP_DIR } from './magicpath.js'

export interface LocalFile {
  relpath: string
  /** The path on disk (its names as the filesystem spells them, maybe NFD). */
  path: string
  size: number
  mtimeMs: number
}

export interface ScanProblem {
  relpath: string
  code: string
  message: string
}

export interface ScanResult {
  files: Map<string, LocalFile>
  problems: ScanProblem[]
}

function problemOf (relpath: string, err: unknown): ScanProblem {
  const e = err as NodeJS.ErrnoException
  return { relpath, code: e.code ?? 'ERR_SCAN', message: e.message ?? String(err) }
}

export async function scanFolder (root: string): Promise<ScanResult> {
  const files = new Map<string, LocalFile>()
  const problems: ScanProblem[] = []
  const walk = async (dir: string, prefix: string): Promise<void> => {
    let names: string[]
    try {
      names = await readdir(dir)
    } catch (err) {
      // A vanished subfolder is a deletion the comparison will see; anything else is reported.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || prefix === '') problems.push(problemOf(prefix === '' ? '.' : prefix.slice(0, -1), err))
      return
    }
    for (const name of names) {
      if (prefix === '' && name === TMP_DIR) continue
      const relpath = (prefix + name).normalize('NFC')
      const path = join(dir, name)
      let st
      try {
        st = await lstat(path)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(problemOf(relpath, err))
        continue
      }
      if (st.isDirectory()) {
        await walk(path, relpath + '/')
      } else if (st.isFile() && !isConflictName(relpath)) {
        if (files.has(relpath)) {
          problems.push({ relpath, code: 'ERR_NFC_COLLISION', message: `two names in ${prefix === '' ? 'the folder' : prefix} are the same in Unicode NFC; only '${files.get(relpath)?.path ?? ''}' is synced — rename the other` })
          continue
        }
        files.set(relpath, { relpath, path, size: st.size, mtimeMs: st.mtimeMs })
      }
    }
  }
  await walk(root, '')
  return { files, problems }
}
