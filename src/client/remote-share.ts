/**
 * A share on a remote server as a ShareSource for the CHK decoder, with
 * read-ahead. The decoder asks for one block per segment; a round trip per
 * block would leave the link idle most of the time, and many small requests
 * cost the server a file read each. So block reads are served from aligned
 * chunks of the share (1 MiB), and when a read moves forward the following
 * chunks are requested before they are needed, up to a byte budget. Small
 * reads (hash tree nodes, headers) go on a separate session so they never
 * queue behind read-ahead.
 */
import type { ShareSource } from '../immutable/index.js'
import type { StorageClient } from '../protocols/index.js'

/** Reads shorter than this are never read ahead. */
const MIN_READ_AHEAD_LENGTH = 4096
const CHUNK = 1024 * 1024

export interface RemoteShareOptions {
  /** Bytes of read-ahead per share (default 8 MiB). */
  readAheadBytes?: number
  /** Session for small reads; defaults to the bulk one. */
  smallReads?: StorageClient
}

export class RemoteShare implements ShareSource {
  readonly shnum: number
  readonly serverId: string
  readonly storageIndex: Uint8Array
  bytesRead = 0
  private readonly client: StorageClient
  private readonly small: StorageClient
  private readonly aheadChunks: number
  private readonly chunks = new Map<number, Promise<Uint8Array>>()

  constructor (client: StorageClient, serverId: string, storageIndex: Uint8Array, shnum: number, options: RemoteShareOptions = {}) {
    this.client = client
    this.small = options.smallReads ?? client
    this.serverId = serverId
    this.storageIndex = storageIndex
    this.shnum = shnum
    this.aheadChunks = Math.max(1, Math.floor((options.readAheadBytes ?? 8 * 1024 * 1024) / CHUNK))
  }

  async read (offset: number, length: number): Promise<Uint8Array> {
    if (length < MIN_READ_AHEAD_LENGTH) {
      const got = await this.small.read(this.storageIndex, this.shnum, offset, length)
      this.bytesRead += got.length
      return got
    }
    const first = Math.floor(offset / CHUNK)
    const last = Math.floor((offset + length - 1) / CHUNK)
    // Chunks behind this read will not be asked for again by a forward scan.
    for (const index of this.chunks.keys()) if (index < first) this.chunks.delete(index)
    const parts: Array<Promise<Uint8Array>> = []
    for (let i = first; i <= last; i++) parts.push(this.chunk(i))
    for (let i = last + 1; i <= last + this.aheadChunks; i++) this.chunk(i).catch(() => {})
    const got = await Promise.all(parts)
    if (got.length === 1) {
      const piece = got[0].subarray(offset - first * CHUNK, offset - first * CHUNK + length)
      this.bytesRead += piece.length
      return piece
    }
    const out = new Uint8Array(length)
    let filled = 0
    for (let i = 0; i < got.length; i++) {
      const start = i === 0 ? offset - first * CHUNK : 0
      const piece = got[i].subarray(start, start + (length - filled))
      out.set(piece, filled)
      filled += piece.length
      if (got[i].length < CHUNK) break // the share ends in this chunk
    }
    this.bytesRead += filled
    return filled === length ? out : out.subarray(0, filled)
  }

  private chunk (index: number): Promise<Uint8Array> {
    let p = this.chunks.get(index)
    if (p == null) {
      p = this.client.read(this.storageIndex, this.shnum, index * CHUNK, CHUNK)
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
