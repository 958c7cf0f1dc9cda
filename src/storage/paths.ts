import { join } from 'node:path'

/**
 * Tahoe's share tree (spec §15): `shares/<first 2 chars of SI>/<SI>/<shnum>`,
 * with uploads in progress under `shares/incoming/` and renamed into place.
 */
export interface SharePaths {
  root: string
  incomingRoot: string
  database: string
}

export function sharePaths (dir: string): SharePaths {
  return {
    root: join(dir, 'shares'),
    incomingRoot: join(dir, 'shares', 'incoming'),
    database: join(dir, 'storage.sqlite')
  }
}

export function shareDir (root: string, si: string): string {
  return join(root, si.slice(0, 2), si)
}

export function shareFile (root: string, si: string, shareNumber: number): string {
  return join(shareDir(root, si), String(shareNumber))
}
