/**
 * What a magic folder needs from the network, and nothing more: the node
 * layer implements it over `node.files` and `node.dirs` with the folder's
 * servers or club (src/node/magic-folders-api.ts), as directories do with
 * their DirFileStore. Caps cross it as strings.
 */
export interface GridChild {
  name: string
  /** The child's read cap (a directory's read-only cap). */
  readCap: string
  type: 'dirnode' | 'filenode' | 'unknown'
  /** The link's user metadata (without Tahoe's own `tahoe` key). */
  metadata: Record<string, unknown>
}

export interface MagicGrid {
  /** Uploads an immutable file; resolves to its read cap (CHK, or LIT when small). */
  upload: (data: Uint8Array | AsyncIterable<Uint8Array>, signal?: AbortSignal) => Promise<string>
  /** Reads an immutable file whole (small things: snapshot metadata). */
  read: (cap: string, signal?: AbortSignal) => Promise<Uint8Array>
  /** Streams an immutable file (contents). */
  cat: (cap: string, signal?: AbortSignal) => AsyncIterable<Uint8Array>
  /** A new immutable directory with these children (caps of immutable files). */
  mkdirImmutable: (children: Record<string, { cap: string, metadata?: Record<string, unknown> }>, signal?: AbortSignal) => Promise<string>
  /** A new mutable directory with these children; its write cap is the caller's to keep. */
  mkdirMutable: (children: Record<string, string>, signal?: AbortSignal) => Promise<{ writeCap: string, readCap: string }>
  /** The children of a directory (mutable: the newest version). */
  list: (dircap: string, signal?: AbortSignal) => Promise<GridChild[]>
  /**
   * A mutable directory's current version as an opaque string (seqnum and root hash), read
   * without reading the directory (one round trip of small reads); undefined when unknown.
   * Equal to the one seen before means the directory is unchanged. Optional: without it every poll lists.
   */
  version?: (dircap: string, signal?: AbortSignal) => Promise<string | undefined>
  /** Links (or replaces) several children of a mutable directory in one publish. */
  linkMany: (dircap: string, children: Record<string, string>, signal?: AbortSignal) => Promise<void>
}
