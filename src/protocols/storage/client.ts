/**
 * Client of /lafs-club/storage/1.0.0 for one server. All requests share one
 * session stream (opened lazily, reopened after idle or failure), so a
 * request costs no stream negotiation. Writes are pipelined: write()
 * resolves once the data is on its way, within a window of unacknowledged
 * bytes; flush() or close(si, shnum) wait for the acknowledgements and
 * surface any write error.
 */
import { ClientStoppedError, StreamClosedError } from '../errors.js'
import {
  DEFAULT_CLIENT_IDLE_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_WRITE_WINDOW,
  MAX_READ_LENGTH, MAX_WRITE_SIZE, STORAGE_PROTOCOL
} from './constants.js'
import { ClientSession } from './session-client.js'
import { encodeWriteFrame } from './write-frame.js'
import type { RequestBody } from './session-client.js'
import type { Response } from './message/storage.js'
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface StorageClientOptions {
  /** Fail the session when pending requests see no answer for this long (default 30 s). */
  requestTimeoutMs?: number
  /** Close the session stream after this long without requests (default 60 s). */
  idleTimeoutMs?: number
  /** Unacknowledged write bytes allowed in flight (default 8 MiB). */
  writeWindow?: number
}

export interface ServerVersion {
  maximumImmutableShareSize: number
  availableSpace: number
  applicationVersion: string
  /** Largest write the server takes in one request (the client splits bigger ones). */
  maxWriteSize: number
  /** Largest read range per request (the client splits bigger ones). */
  maxReadSize: number
}

export interface LeaseSecrets { renewSecret: Uint8Array, cancelSecret: Uint8Array }

export interface AllocateAnswer {
  /** Share numbers this client may now write. */
  allocated: number[]
  /** Every share number the server already holds for this storage index. */
  alreadyHave: number[]
}

export interface ShareSize { shareNumber: number, size: number }

/** Anything that can open a stream to a peer: a libp2p node. */
export type StreamOpener = Pick<Libp2p, 'dialProtocol'>

function shareKey (si: Uint8Array, shnum: number): string {
  return `${Buffer.from(si.buffer, si.byteOffset, si.byteLength).toString('hex')}/${shnum}`
}

function wire (bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>
}

export class StorageClient {
  readonly peer: PeerId | Multiaddr
  private readonly opener: StreamOpener
  private readonly requestTimeoutMs: number
  private readonly idleTimeoutMs: number
  private readonly writeWindow: number
  private session?: ClientSession
  private opening?: Promise<ClientSession>
  private stopped = false
  private inFlightBytes = 0
  private windowWaiters: Array<() => void> = []
  private readonly outstanding = new Map<string, Set<Promise<void>>>()
  private readonly writeErrors = new Map<string, Error>()

  constructor (opener: StreamOpener, peer: PeerId | Multiaddr, options: StorageClientOptions = {}) {
    this.opener = opener
    this.peer = peer
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_CLIENT_IDLE_TIMEOUT_MS
    this.writeWindow = Math.max(options.writeWindow ?? DEFAULT_WRITE_WINDOW, MAX_WRITE_SIZE)
  }

  /** Write bytes sent but not yet acknowledged by the server (at most the write window plus one chunk). */
  get pendingWriteBytes (): number {
    return this.inFlightBytes
  }

  async version (): Promise<ServerVersion> {
    const res = await this.call({ version: {} }, true)
    const v = res.version!
    return {
      maximumImmutableShareSize: v.maximumImmutableShareSize,
      availableSpace: v.availableSpace,
      applicationVersion: v.applicationVersion,
      maxWriteSize: v.maxWriteSize,
      maxReadSize: v.maxReadSize
    }
  }

  /** Reserve space for shares and add/renew this client's lease on the storage index. */
  async allocate (storageIndex: Uint8Array, shareNumbers: number[], shareSize: number, lease: LeaseSecrets): Promise<AllocateAnswer> {
    const res = await this.call({
      allocate: { storageIndex: wire(storageIndex), shareNumbers, shareSize, lease: { renewSecret: wire(lease.renewSecret), cancelSecret: wire(lease.cancelSecret) } }
    }, true)
    return { allocated: res.allocate!.allocated, alreadyHave: res.allocate!.alreadyHave }
  }

  /**
   * Queue share bytes for writing at `offset`. Resolves once the bytes are
   * sent (the caller must not change them until the write is acknowledged);
   * waits while the write window is full. `data` may be several buffers,
   * written back to back without being joined. A failure of an earlier
   * write to the same share is thrown here; others surface in flush() or
   * close().
   */
  async write (storageIndex: Uint8Array, shareNumber: number, offset: number, data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    this.throwIfStopped()
    const key = shareKey(storageIndex, shareNumber)
    let pos = 0
    for (const pieces of splitPieces(data instanceof Uint8Array ? [data] : data, MAX_WRITE_SIZE)) {
      const failed = this.writeErrors.get(key)
      if (failed != null) throw failed
      const bytes = pieces.reduce((n, p) => n + p.byteLength, 0)
      await this.acquireWindow(bytes)
      let session: ClientSession
      try {
        session = await this.getSession()
      } catch (err) {
        this.releaseWindow(bytes)
        throw err
      }
      const at = offset + pos
      const { sent, response } = session.requestFrame(id => encodeWriteFrame(id, { storageIndex, shareNumber, offset: at, data: pieces }))
      this.track(key, response, bytes)
      pos += bytes
      await sent.catch(() => {})
    }
    const failed = this.writeErrors.get(key)
    if (failed != null) throw failed
  }

  /** Wait for every write sent so far; throws the first write error (and forgets them all). */
  async flush (): Promise<void> {
    const all = [...this.outstanding.values()].flatMap(s => [...s])
    await Promise.all(all)
    const first = this.writeErrors.values().next().value
    this.writeErrors.clear()
    if (first != null) throw first
  }

  /** Wait for this share's writes, then finish it: it becomes readable on the server. */
  async close (storageIndex: Uint8Array, shareNumber: number): Promise<void> {
    const key = shareKey(storageIndex, shareNumber)
    await this.settled(key)
    const failed = this.writeErrors.get(key)
    if (failed != null) {
      this.writeErrors.delete(key)
      throw failed
    }
    await this.call({ close: { storageIndex: wire(storageIndex), shareNumber } }, false)
  }

  /** Drop an unfinished upload of this share (pending write errors for it are discarded). */
  async abort (storageIndex: Uint8Array, shareNumber: number): Promise<void> {
    const key = shareKey(storageIndex, shareNumber)
    await this.settled(key)
    this.writeErrors.delete(key)
    await this.call({ abort: { storageIndex: wire(storageIndex), shareNumber } }, false)
  }

  async listShares (storageIndex: Uint8Array): Promise<ShareSize[]> {
    const res = await this.call({ listShares: { storageIndex: wire(storageIndex) } }, true)
    return res.listShares!.shares.map(s => ({ shareNumber: s.shareNumber, size: s.size }))
  }

  /** Read a range of a share; shorter than `length` when the share ends first. */
  async read (storageIndex: Uint8Array, shareNumber: number, offset: number, length: number): Promise<Uint8Array> {
    try {
      return await this.readOnce(storageIndex, shareNumber, offset, length)
    } catch (err) {
      if (!(err instanceof StreamClosedError) || this.stopped) throw err
      return await this.readOnce(storageIndex, shareNumber, offset, length)
    }
  }

  /**
   * Read a range of a share as the buffers the network delivered, in order,
   * without joining them (at most MAX_READ_LENGTH bytes). Joining a large
   * read means a fresh allocation as big as the read, and on small VMs the
   * first touch of that memory costs more than moving it through Noise.
   */
  async readPieces (storageIndex: Uint8Array, shareNumber: number, offset: number, length: number): Promise<Uint8Array[]> {
    try {
      return await this.readPiecesOnce(storageIndex, shareNumber, offset, length)
    } catch (err) {
      if (!(err instanceof StreamClosedError) || this.stopped) throw err
      return await this.readPiecesOnce(storageIndex, shareNumber, offset, length)
    }
  }

  private async readPiecesOnce (storageIndex: Uint8Array, shareNumber: number, offset: number, length: number): Promise<Uint8Array[]> {
    if (length <= 0) return []
    if (length > MAX_READ_LENGTH) throw new RangeError(`readPieces takes at most ${MAX_READ_LENGTH} bytes, got ${length}`)
    const session = await this.getSession()
    const pieces: Uint8Array[] = []
    let got = 0
    await session.request(
      { read: { storageIndex: wire(storageIndex), shareNumber, offset, length } },
      data => {
        for (const piece of data instanceof Uint8Array ? [data] : data) {
          const take = Math.min(piece.byteLength, length - got)
          if (take <= 0) break
          pieces.push(new Uint8Array(piece.buffer, piece.byteOffset, take))
          got += take
        }
      }
    ).response
    return pieces
  }

  /**
   * Read a range of a share as a sequence of buffers, without joining them:
   * the buffers are the ones the network delivered. Parts of `partSize`
   * bytes (default 4 MiB) are requested two at a time, so memory stays
   * bounded however slowly the caller consumes. Ends early at the end of the share.
   */
  async * readStream (storageIndex: Uint8Array, shareNumber: number, offset: number, length: number, options: { partSize?: number } = {}): AsyncGenerator<Uint8Array, void, undefined> {
    const partSize = Math.max(1, Math.min(options.partSize ?? 4 * 2 ** 20, MAX_READ_LENGTH))
    const session = await this.getSession()
    const requestPart = (at: number): { want: number, pieces: Uint8Array[], got: number, done: Promise<Response> } => {
      const part = { want: Math.min(partSize, length - at), pieces: [] as Uint8Array[], got: 0, done: Promise.resolve({} as unknown as Response) }
      part.done = session.request(
        { read: { storageIndex: wire(storageIndex), shareNumber, offset: offset + at, length: part.want } },
        data => {
          for (const piece of data instanceof Uint8Array ? [data] : data) {
            part.pieces.push(new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength))
            part.got += piece.byteLength
          }
        }
      ).response
      return part
    }
    let at = 0
    let current = length > 0 ? requestPart(0) : undefined
    while (current != null) {
      const nextAt = at + current.want
      const next = nextAt < length ? requestPart(nextAt) : undefined
      next?.done.catch(() => {})
      await current.done
      yield * current.pieces
      if (current.got < current.want) return
      at = nextAt
      current = next
    }
  }

  /** Add a lease on every share of the storage index, or renew the one with the same renew secret. */
  async addLease (storageIndex: Uint8Array, lease: LeaseSecrets): Promise<void> {
    await this.call({ addLease: { storageIndex: wire(storageIndex), lease: { renewSecret: wire(lease.renewSecret), cancelSecret: wire(lease.cancelSecret) } } }, true)
  }

  /** Tell the server a share failed verification. */
  async adviseCorrupt (storageIndex: Uint8Array, shareNumber: number, reason: string): Promise<void> {
    await this.call({ adviseCorrupt: { storageIndex: wire(storageIndex), shareNumber, reason } }, false)
  }

  /** Close the session; pending and later requests fail with ClientStoppedError. */
  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    const session = this.session ?? await this.opening?.catch(() => undefined)
    session?.close(new ClientStoppedError())
    this.session = undefined
    for (const wake of this.windowWaiters.splice(0)) wake()
  }

  private async readOnce (storageIndex: Uint8Array, shareNumber: number, offset: number, length: number): Promise<Uint8Array> {
    if (length <= 0) return new Uint8Array(0)
    const session = await this.getSession()
    // chunks are copied into place as they arrive, while still in cache; a
    // final concatenation of a large read cost more than the transfer itself
    const out = Buffer.allocUnsafe(length)
    const parts: Array<{ base: number, want: number, got: number, done: Promise<Response> }> = []
    for (let pos = 0; pos < length; pos += MAX_READ_LENGTH) {
      const part = { base: pos, want: Math.min(MAX_READ_LENGTH, length - pos), got: 0, done: Promise.resolve({} as unknown as Response) }
      part.done = session.request(
        { read: { storageIndex: wire(storageIndex), shareNumber, offset: offset + pos, length: part.want } },
        data => {
          for (const piece of data instanceof Uint8Array ? [data] : data) {
            const take = Math.min(piece.byteLength, part.want - part.got)
            out.set(take < piece.byteLength ? piece.subarray(0, take) : piece, part.base + part.got)
            part.got += take
          }
        }
      ).response
      parts.push(part)
    }
    await Promise.all(parts.map(async p => await p.done))
    let total = 0
    for (const part of parts) {
      total += part.got
      if (part.got < part.want) break
    }
    return new Uint8Array(out.buffer, out.byteOffset, total)
  }

  private async call (body: RequestBody, retryOnClosedSession: boolean): Promise<Response> {
    const session = await this.getSession()
    try {
      return await session.request(body).response
    } catch (err) {
      // an idle session the server closed just as we used it: one fresh try
      if (!retryOnClosedSession || !(err instanceof StreamClosedError) || this.stopped) throw err
      const fresh = await this.getSession()
      return await fresh.request(body).response
    }
  }

  private async getSession (): Promise<ClientSession> {
    // Every request comes through here: a stopped client dials nobody.
    this.throwIfStopped()
    if (this.session?.usable === true) return this.session
    this.opening ??= (async () => {
      try {
        const stream = await this.opener.dialProtocol(this.peer, STORAGE_PROTOCOL, { signal: AbortSignal.timeout(this.requestTimeoutMs) })
        const session = new ClientSession(stream, {
          requestTimeoutMs: this.requestTimeoutMs,
          idleTimeoutMs: this.idleTimeoutMs,
          onDone: s => { if (this.session === s) this.session = undefined }
        })
        if (this.stopped) session.close(new ClientStoppedError())
        else this.session = session
        return session
      } finally {
        this.opening = undefined
      }
    })()
    return await this.opening
  }

  private track (key: string, response: Promise<Response>, bytes: number): void {
    let set = this.outstanding.get(key)
    if (set == null) {
      set = new Set()
      this.outstanding.set(key, set)
    }
    const tracked: Promise<void> = response.then(
      () => {},
      (err: Error) => { if (!this.writeErrors.has(key)) this.writeErrors.set(key, err) }
    ).finally(() => {
      this.releaseWindow(bytes)
      set.delete(tracked)
      if (set.size === 0 && this.outstanding.get(key) === set) this.outstanding.delete(key)
    })
    set.add(tracked)
  }

  private async settled (key: string): Promise<void> {
    const set = this.outstanding.get(key)
    if (set != null) await Promise.all([...set])
  }

  private async acquireWindow (bytes: number): Promise<void> {
    while (this.inFlightBytes > 0 && this.inFlightBytes + bytes > this.writeWindow) {
      this.throwIfStopped()
      await new Promise<void>(resolve => { this.windowWaiters.push(resolve) })
    }
    this.inFlightBytes += bytes
  }

  private releaseWindow (bytes: number): void {
    this.inFlightBytes -= bytes
    for (const wake of this.windowWaiters.splice(0)) wake()
  }

  private throwIfStopped (): void {
    if (this.stopped) throw new ClientStoppedError()
  }
}

/** A client for one storage server (one session stream, opened on first use). */
export function createStorageClient (libp2p: StreamOpener, peer: PeerId | Multiaddr, options?: StorageClientOptions): StorageClient {
  return new StorageClient(libp2p, peer, options)
}

/** Cuts a run of buffers into groups of at most `max` bytes (views, no copies). */
function splitPieces (pieces: readonly Uint8Array[], max: number): Uint8Array[][] {
  const groups: Uint8Array[][] = []
  let group: Uint8Array[] = []
  let size = 0
  for (const piece of pieces) {
    let at = 0
    while (at < piece.byteLength) {
      const take = Math.min(piece.byteLength - at, max - size)
      group.push(at === 0 && take === piece.byteLength ? piece : piece.subarray(at, at + take))
      size += take
      at += take
      if (size === max) { groups.push(group); group = []; size = 0 }
    }
  }
  if (group.length > 0) groups.push(group)
  return groups
}
