import { rmdirSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { dirname } from 'node:path'

/** rmdir each folder up to (not including) `stop` while they are empty. */
export function removeEmptyDirs (from: string, stop: string): void {
  let dir = from
  while (dir.startsWith(stop) && dir !== stop) {
    try {
      rmdirSync(dir)
    } catch {
      return
    }
    dir = dirname(dir)
  }
}

/** Makes a rename into `dir` durable. */
export async function fsyncDir (dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
