/**
 * A share on a remote server as a ShareSource for the CHK decoder, with
 * read-ahead: the decoder asks for one block per segment, and waiting a
 * round trip for each would leave the link idle most of the time. When a
 * read looks like the next block of a sequential scan, the following blocks
 * are requested before they are needed, up to a byte budget per share.
 */
import type { ShareSource } from '../immutable/index.js'
import type { StorageClient } from '../protocols/index.js'

/** Reads shorter than this (hash tree nodes, headers) are never read ahead. */
const MIN_READ_AHEAD_LENGTH = 4096

export interface RemoteShareOptions {
  /** Bytes of read-ahead per share (default 8 MiB). */
  readAheadBytes?: number
}

export class RemoteShare implements ShareSource {
  readonly shnum: number
  readonly serverId: string
  readonly storageIndex: Uint8Array
  bytesRead = 0
  private readonly client: StorageClient
  private readonly readAheadBytes: number
  private readonly pending = new Map<number, { length: number, data: Promise<Uint8Array> }>()

  constructor (client: StorageClient, serverId: string, storageIndex: Uint8Array, shnum: number, options: RemoteShareOptions = {}) {
    this.client = client
    this.serverId = serverId
    this.storageIndex = storageIndex
    this.shnum = shnum
    this.readAheadBytes = options.readAheadBytes ?? 8 * 1024 * 1024
  }

  async read (offset: number, length: number): Promise<Uint8Array> {
    if (length < MIN_READ_AHEAD_LENGTH) return await this.fetch(offset, length)
    const ahead = this.pending.get(offset)
    let data: Promise<Uint8Array>
    if (ahead != null && ahead.length >= length) {
      this.pending.delete(offset)
      data = ahead.data
    } else {
      // A jump elsewhere: what was read ahead is of no use any more.
      this.pending.clear()
      data = this.fetch(offset, length)
    }
    this.readAhead(offset + length, length)
    const got = await data
    return got.length > length ? got.subarray(0, length) : got
  }

  private readAhead (from: number, length: number): void {
    const depth = Math.max(1, Math.floor(this.readAheadBytes / length))
    for (let i = 0; i < depth; i++) {
      const at = from + i * length
      if (this.pending.has(at)) continue
      const data = this.fetch(at, length)
      // Errors surface when (and if) the block is really read.
      data.catch(() => {})
      this.pending.set(at, { length, data })
    }
  }

  private async fetch (offset: number, length: number): Promise<Uint8Array> {
    const got = await this.client.read(this.storageIndex, this.shnum, offset, length)
    this.bytesRead += got.length
    return got
  }

  /** Forget read-ahead (the download finished or moved on). */
  discard (): void {
    this.pending.clear()
  }
}
