import { join } from 'node:path'
import { base32Decode, base32Encode, InvalidBase32Error } from '../immutable/index.js'
import { STORAGE_INDEX_LENGTH } from './constants.js'

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

/** The 26-character folder name of a 16-byte storage index (also its name in the database and the logs). */
export function encodeStorageIndex (storageIndex: Uint8Array): string {
  return base32Encode(storageIndex)
}

/** The storage index a folder name stands for, or undefined if the name is not one (recovery skips such folders). */
export function decodeStorageIndex (text: string): Uint8Array | undefined {
  let bytes: Uint8Array
  try {
    bytes = base32Decode(text)
  } catch (err) {
    if (err instanceof InvalidBase32Error) return undefined
    throw err
  }
  return bytes.length === STORAGE_INDEX_LENGTH ? bytes : undefined
}
