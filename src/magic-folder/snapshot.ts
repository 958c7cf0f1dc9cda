/**
 * Snapshots, laid out as Tahoe's magic-folder lays them out: an immutable
 * directory with a `metadata` child (an immutable JSON file) and, unless the
 * snapshot records a deletion, a `content` child (the file's bytes). The JSON
 * carries magic-folder's keys (`snapshot_version`, `relpath`, `author`,
 * `modification_time`, `parents`) plus ours, under `lafs_club`: the size,
 * the mtime in ms and an explicit deletion flag. Parents are the caps of the
 * snapshots this one follows; none for a new file.
 */
import { InvalidSnapshotError } from './errors.js'
import type { MagicGrid } from './grid.js'

export const SNAPSHOT_VERSION = 1

export interface SnapshotInfo {
  cap: string
  relpath: string
  author: string
  parents: string[]
  deleted: boolean
  /** Absent for a deletion. */
  contentCap?: string
  size: number
  mtimeMs: number
}

export interface NewSnapshot {
  relpath: string
  author: string
  parents: string[]
  /** Absent: a deletion snapshot. */
  content?: { cap: string, size: number, mtimeMs: number }
}

const encoder = new TextEncoder()

/** The snapshot's metadata JSON, as uploaded. A deletion takes the time it is recorded as its mtime. */
export function snapshotMetadata (s: NewSnapshot, mtimeMs = s.content?.mtimeMs ?? Date.now()): Uint8Array {
  const meta = {
    snapshot_version: SNAPSHOT_VERSION,
    relpath: s.relpath,
    author: { name: s.author },
    modification_time: Math.floor(mtimeMs / 1000),
    parents: s.parents,
    lafs_club: { size: s.content?.size ?? 0, mtime_ms: mtimeMs, deleted: s.content === undefined }
  }
  return encoder.encode(JSON.stringify(meta))
}

/**
 * Uploads the metadata, then the snapshot directory; the content was uploaded by the caller. A caller
 * that uploaded the metadata itself (beside the content, see uploader.ts) passes its cap.
 */
export async function writeSnapshot (grid: MagicGrid, s: NewSnapshot, signal?: AbortSignal, metadataCap?: string): Promise<SnapshotInfo> {
  const mtimeMs = s.content?.mtimeMs ?? Date.now()
  metadataCap ??= await grid.upload(snapshotMetadata(s, mtimeMs), signal)
  const children: Record<string, { cap: string, metadata?: Record<string, unknown> }> = { metadata: { cap: metadataCap } }
  if (s.content !== undefined) children.content = { cap: s.content.cap, metadata: { size: s.content.size, mtime: mtimeMs / 1000 } }
  const cap = await grid.mkdirImmutable(children, signal)
  return { cap, relpath: s.relpath, author: s.author, parents: [...s.parents], deleted: s.content === undefined, contentCap: s.content?.cap, size: s.content?.size ?? 0, mtimeMs }
}

function field<T> (ok: boolean, value: T, what: string): T {
  if (!ok) throw new InvalidSnapshotError(what)
  return value
}

/** Reads a snapshot directory and its metadata JSON. */
export async function readSnapshot (grid: MagicGrid, cap: string, signal?: AbortSignal): Promise<SnapshotInfo> {
  const children = await grid.list(cap, signal)
  const metaLink = children.find(c => c.name === 'metadata')
  if (metaLink === undefined) throw new InvalidSnapshotError('no metadata entry')
  const contentLink = children.find(c => c.name === 'content')
  let meta: any
  try {
    meta = JSON.parse(new TextDecoder().decode(await grid.read(metaLink.readCap, signal)))
  } catch (err) {
    throw new InvalidSnapshotError(`metadata is not JSON (${(err as Error).message})`)
  }
  field(meta !== null && typeof meta === 'object', 0, 'metadata is not an object')
  field(Number.isInteger(meta.snapshot_version) && meta.snapshot_version >= 1, 0, 'no snapshot_version')
  const relpath = field(typeof meta.relpath === 'string', meta.relpath as string, 'no relpath')
  const parents = field(Array.isArray(meta.parents) && meta.parents.every((p: unknown) => typeof p === 'string'), meta.parents as string[], 'parents is not a list of caps')
  const author = typeof meta.author?.name === 'string' ? meta.author.name as string : ''
  const ours = meta.lafs_club ?? {}
  const mtimeMs = typeof ours.mtime_ms === 'number' ? ours.mtime_ms as number : (typeof meta.modification_time === 'number' ? meta.modification_time * 1000 : 0)
  const contentSize = typeof contentLink?.metadata.size === 'number' ? contentLink.metadata.size : undefined
  const size = typeof ours.size === 'number' ? ours.size as number : (contentSize ?? 0)
  return { cap, relpath, author, parents, deleted: contentLink === undefined, contentCap: contentLink?.readCap, size, mtimeMs }
}
