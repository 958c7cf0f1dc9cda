/**
 * A share on a remote server as a ShareSource for the CHK decoder, with
 * read-ahead. The decoder asks for one block per segment; a round trip per
 * block would leave the link idle most of the time, and many small requests
 * cost the server a file read each. So block reads are served from aligned
 * chunks of the share (1 MiB), and when a read moves forward the following
 * chunks are requested before they are needed, up to a byte budget. Small
 * reads (hash tree nodes, headers) go on a separate session so they never
 * queue behind read-ahead. A chunk is kept as the pieces the network
 * delivered: a block inside one piece is a view of it, and only a block
 * that straddles two pieces is copied (into a block-sized buffer, which the
 * allocator serves from its heap; a chunk-sized one it would map afresh).
 *
 * A download that spreads its segments over every server reads only some
 * blocks of each share: read-ahead would fetch the others for nothing, so
 * there it is off (readAheadBytes 0) and every read is exact: a run of the
 * blocks the spread schedule gave this share (immutable/block-runs.ts);
 * the decoder keeps enough segments in flight to keep every server busy.
 */
import type { ReadKind, ShareSource } from '../immutable/index.js'
import type { StorageClient } from '../protocols/index.js'

/** Reads shorter than this (and hash tree and header reads) are never read ahead. */
const MIN_READ_AHEAD_LENGTH = 4096
const CHUNK = 1024 * 1024
/**
 * Two chunks ahead keep a loopback link busy now that the decoder keeps
 * several segments in flight of its own; more only holds memory (k shares
 * are read at once, and a 1 GiB round trip must stay under 250 MB).
 */
const DEFAULT_READ_AHEAD = 2 * CHUNK

export interface RemoteShareOptions {
  /** Bytes of read-ahead per share (default 2 MiB; 0: none, every block is read as asked). */
  readAheadBytes?: number
  /** What the client knows of the server's read throughput (ShareSource.bytesPerSecond). */
  bytesPerSecond?: number
  /** Session for small reads; defaults to the bulk one. */
  smallReads?: StorageClient
  /** Lower is read first (ShareSource.preference); from the server's reputation. */
  preference?: number
}

export class RemoteShare implements ShareSource {
  readonly shnum: number
  readonly serverId: string
  readonly storageIndex: Uint8Array
  readonly preference: number
  readonly bytesPerSecond?: number
  bytesRead = 0
  /** When the first read was asked for and the last one answered (ms): the span the throughput is measured over. */
  firstReadAt?: number
  lastReadAt?: number
  private readonly client: StorageClient
  private readonly small: StorageClient
  /** Chunks read ahead; 0: exact reads. */
  private readonly aheadChunks: number
  private readonly chunks = new Map<number, Promise<Chunk>>()

  constructor (client: StorageClient, serverId: string, storageIndex: Uint8Array, shnum: number, options: RemoteShareOptions = {}) {
    this.client = client
    this.small = options.smallReads ?? client
    this.serverId = serverId
    this.storageIndex = storageIndex
    this.shnum = shnum
    this.preference = options.preference ?? 0
    this.bytesPerSecond = options.bytesPerSecond
    const ahead = options.readAheadBytes ?? DEFAULT_READ_AHEAD
    this.aheadChunks = ahead <= 0 ? 0 : Math.max(1, Math.floor(ahead / CHUNK))
  }

  /** The server holding the share (ShareSource.server). */
  get server (): string {
    return this.serverId
  }

  async read (offset: number, length: number, kind: ReadKind = 'data'): Promise<Uint8Array> {
    if (kind === 'meta' || length < MIN_READ_AHEAD_LENGTH) {
      this.firstReadAt ??= Date.now()
      const got = await this.small.read(this.storageIndex, this.shnum, offset, length)
      this.bytesRead += got.length
      this.lastReadAt = Date.now()
      return got
    }
    const views = await this.readPieces(offset, length)
    return joinViews(views, views.reduce((n, v) => n + v.byteLength, 0))
  }

  async readPieces (offset: number, length: number): Promise<Uint8Array[]> {
    if (length <= 0) return []
    this.firstReadAt ??= Date.now()
    if (this.aheadChunks === 0) {
      const pieces = await this.client.readPieces(this.storageIndex, this.shnum, offset, length)
      this.bytesRead += pieces.reduce((n, p) => n + p.byteLength, 0)
      this.lastReadAt = Date.now()
      return pieces
    }
    const first = Math.floor(offset / CHUNK)
    const last = Math.floor((offset + length - 1) / CHUNK)
    // Chunks behind this read will not be asked for again by a forward scan.
    for (const index of this.chunks.keys()) if (index < first) this.chunks.delete(index)
    const parts: Array<Promise<Chunk>> = []
    for (let i = first; i <= last; i++) parts.push(this.chunk(i))
    for (let i = last + 1; i <= last + this.aheadChunks; i++) this.chunk(i).catch(() => {})
    const got = await Promise.all(parts)
    const views: Uint8Array[] = []
    let filled = 0
    for (let i = 0; i < got.length && filled < length; i++) {
      const start = i === 0 ? offset - first * CHUNK : 0
      filled += got[i].slice(start, length - filled, views)
      if (got[i].length < CHUNK) break // the share ends in this chunk
    }
    this.bytesRead += filled
    this.lastReadAt = Date.now()
    return views
  }

  private chunk (index: number): Promise<Chunk> {
    let p = this.chunks.get(index)
    if (p == null) {
      p = this.client.readPieces(this.storageIndex, this.shnum, index * CHUNK, CHUNK).then(pieces => new Chunk(pieces))
      this.chunks.set(index, p)
      // A failed chunk may be retried by a later read.
      p.catch(() => { if (this.chunks.get(index) === p) this.chunks.delete(index) })
    }
    return p
  }

  /** Forget read-ahead (the download finished or moved on). */
  discard (): void {
    this.chunks.clear()
  }
}

/** One chunk of a share as the buffers it arrived in. */
class Chunk {
  readonly length: number
  private readonly pieces: Uint8Array[]
  /** Offset of each piece within the chunk. */
  private readonly starts: number[]

  constructor (pieces: Uint8Array[]) {
    this.pieces = pieces
    this.starts = []
    let at = 0
    for (const p of pieces) { this.starts.push(at); at += p.byteLength }
    this.length = at
  }

  /** Appends views of up to `length` bytes from `offset` to `out`; returns how many bytes. */
  slice (offset: number, length: number, out: Uint8Array[]): number {
    const end = Math.min(this.length, offset + length)
    let taken = 0
    // Find the first piece by bisection: a chunk holds a few dozen pieces.
    let lo = 0
    let hi = this.pieces.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.starts[mid] <= offset) lo = mid
      else hi = mid - 1
    }
    for (let i = lo; i < this.pieces.length && offset + taken < end; i++) {
      const p = this.pieces[i]
      const from = offset + taken - this.starts[i]
      const to = Math.min(p.byteLength, end - this.starts[i])
      if (to <= from) continue
      out.push(p.subarray(from, to))
      taken += to - from
    }
    return taken
  }
}

function joinViews (views: Uint8Array[], total: number): Uint8Array {
  if (views.length === 1) return views[0]
  const out = new Uint8Array(total)
  let at = 0
  for (const v of views) { out.set(v, at); at += v.byteLength }
  return out
}
