/**
 * The local half of a scan: every regular file below the folder, by its NFC
 * relative path, with size and mtime. The staging folder, conflict copies,
 * symlinks and special files are left out. Problems (a folder that cannot be
 * read, two names that are one in NFC) are collected, never thrown.
 *
 * Folders are listed asynchronously, but entries are stat'ed synchronously,
 * handing the event loop back every STAT_BATCH entries: a scan repeats every
 * minute over folders of tens of thousands of files, and a promise lstat
 * costs about five times the CPU of a synchronous one (a thread-pool round
 * trip and two allocations per file), which made the periodic scan most of
 * an idle node's CPU. A batch of local lstat calls blocks the loop for about
 * a millisecond.
 */
import { lstatSync, statSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
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

/** Entries stat'ed between two returns to the event loop. */
const STAT_BATCH = 200

function problemOf (relpath: string, err: unknown): ScanProblem {
  const e = err as NodeJS.ErrnoException
  return { relpath, code: e.code ?? 'ERR_SCAN', message: e.message ?? String(err) }
}

const yieldToLoop = async (): Promise<void> => { await new Promise<void>(resolve => setImmediate(resolve)) }

export async function scanFolder (root: string): Promise<ScanResult> {
  const files = new Map<string, LocalFile>()
  const problems: ScanProblem[] = []
  let sinceYield = 0
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
      if (++sinceYield >= STAT_BATCH) {
        sinceYield = 0
        await yieldToLoop()
      }
      const relpath = (prefix + name).normalize('NFC')
      const path = join(dir, name)
      let st
      try {
        // undefined: the entry went away since the listing.
        st = lstatSync(path, { throwIfNoEntry: false })
      } catch (err) {
        problems.push(problemOf(relpath, err))
        continue
      }
      if (st === undefined) continue
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
  // The folder went away during the walk (an unmounted disk, a rename): what it had not listed yet is not deleted.
  if (!problems.some(p => p.relpath === '.')) {
    try {
      // stat, not lstat: the folder may be a symlink to one.
      if (!statSync(root).isDirectory()) problems.push({ relpath: '.', code: 'ENOTDIR', message: `${root} is no longer a folder` })
    } catch (err) {
      problems.push(problemOf('.', err))
    }
  }
  return { files, problems }
}
