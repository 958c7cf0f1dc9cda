/**
 * Client of /lafs-club/storage/1.1.0 for one server. All requests share one
 * session stream (opened lazily, reopened after idle or failure), so a
 * request costs no stream negotiation. Writes are pipelined: write()
 * resolves once the data is on its way, within a window of unacknowledged
 * bytes; flush() or close(si, shnum) wait for the acknowledgements and
 * surface any write error.
 */
import { defaultLogger } from '@libp2p/logger'
import { ClientStoppedError, StreamClosedError } from '../errors.js'
import { dialUnlimited } from './limited.js'
import {
  DEFAULT_CLIENT_IDLE_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_WRITE_WINDOW,
  MAX_READ_LENGTH, MAX_WRITE_SIZE, STORAGE_PROTOCOL
} from './constants.js'
import { readRange } from './read-range.js'
import { ClientSession } from './session-client.js'
import { encodeWriteFrame } from './write-frame.js'
import { WriteWindow, shareKey, splitPieces } from './write-window.js'
import type { RequestBody } from './session-client.js'
import type {
  AllocateAnswer, LeaseSecrets, ReadVector, ServerVersion, ShareSize, SlotShareWrite, SlotWriteAnswer, StorageClientOptions, StreamOpener
} from './types.js'
import type { Response, SlotShareData } from './message/storage.js'
import type { Logger, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

function wire (bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>
}

function slotData (data: SlotShareData[]): Map<number, Uint8Array[]> {
  return new Map(data.map(d => [d.shareNumber, d.data]))
}

function wireLease (lease: LeaseSecrets): { renewSecret: Uint8Array<ArrayBuffer>, cancelSecret: Uint8Array<ArrayBuffer> } {
  return { renewSecret: wire(lease.renewSecret), cancelSecret: wire(lease.cancelSecret) }
}

/** Default size of the parts readStream asks for, two at a time. */
const STREAM_PART_SIZE = 4 * 2 ** 20

export class StorageClient {
  readonly peer: PeerId | Multiaddr
  private readonly opener: StreamOpener
  private readonly requestTimeoutMs: number
  private readonly idleTimeoutMs: number
  private readonly window: WriteWindow
  /** Aborts under way, by share: an allocation of the same share waits for them, or a late abort would drop it. */
  private readonly aborting = new Map<string, Promise<void>>()
  private readonly log: Logger
  private session?: ClientSession
  private opening?: Promise<ClientSession>
  private stopped = false

  constructor (opener: StreamOpener, peer: PeerId | Multiaddr, options: StorageClientOptions = {}) {
    this.opener = opener
    this.peer = peer
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_CLIENT_IDLE_TIMEOUT_MS
    this.window = new WriteWindow(Math.max(options.writeWindow ?? DEFAULT_WRITE_WINDOW, MAX_WRITE_SIZE))
    this.log = (opener.logger ?? defaultLogger()).forComponent('lafs-club:protocols:storage-client')
  }

  /** Write bytes sent but not yet acknowledged by the server (at most the write window plus one chunk). */
  get pendingWriteBytes (): number {
    return this.window.bytes
  }

  async version (): Promise<ServerVersion> {
    const v = (await this.request('version', { version: {} }, true)).version!
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
    const before = shareNumbers.map(sh => this.aborting.get(shareKey(storageIndex, sh))).filter(p => p != null)
    if (before.length > 0) await Promise.allSettled(before)
    const res = await this.request('allocate', { allocate: { storageIndex: wire(storageIndex), shareNumbers, shareSize, lease: wireLease(lease) } }, true)
    // a share allocated again starts clean: a write that failed after an earlier abort of it is not this upload's
    for (const sh of res.allocate!.allocated) this.window.takeError(shareKey(storageIndex, sh))
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
      const failed = this.window.errorOf(key)
      if (failed != null) throw failed
      const bytes = pieces.reduce((n, p) => n + p.byteLength, 0)
      await this.window.acquire(bytes, () => { this.throwIfStopped() })
      let session: ClientSession
      try {
        session = await this.getSession()
      } catch (err) {
        this.window.release(bytes)
        throw err
      }
      const at = offset + pos
      const { sent, response } = session.requestFrame(id => encodeWriteFrame(id, { storageIndex, shareNumber, offset: at, data: pieces }))
      this.window.track(key, response, bytes)
      pos += bytes
      await sent.catch(() => {})
    }
    const failed = this.window.errorOf(key)
    if (failed != null) throw failed
  }

  /** Wait for every write sent so far; throws the first write error (and forgets them all). */
  async flush (): Promise<void> {
    await this.window.settledAll()
    const first = this.window.takeFirstError()
    if (first != null) throw first
  }

  /** Wait for this share's writes, then finish it: it becomes readable on the server. */
  async close (storageIndex: Uint8Array, shareNumber: number): Promise<void> {
    const key = shareKey(storageIndex, shareNumber)
    await this.window.settled(key)
    const failed = this.window.takeError(key)
    if (failed != null) throw failed
    await this.request('close', { close: { storageIndex: wire(storageIndex), shareNumber } }, false)
  }

  /** Drop an unfinished upload of this share (pending write errors for it are discarded). */
  async abort (storageIndex: Uint8Array, shareNumber: number): Promise<void> {
    const key = shareKey(storageIndex, shareNumber)
    const done = (async () => {
      await this.window.settled(key)
      this.window.takeError(key)
      await this.request('abort', { abort: { storageIndex: wire(storageIndex), shareNumber } }, false)
    })()
    const tracked = done.then(() => {}, () => {})
    this.aborting.set(key, tracked)
    try {
      await done
    } finally {
      if (this.aborting.get(key) === tracked) this.aborting.delete(key)
    }
  }

  async listShares (storageIndex: Uint8Array): Promise<ShareSize[]> {
    const res = await this.request('list-shares', { listShares: { storageIndex: wire(storageIndex) } }, true)
    return res.listShares!.shares.map(s => ({ shareNumber: s.shareNumber, size: s.size }))
  }

  /** Read a range of a share into one buffer; shorter than `length` when the share ends first. */
  async read (storageIndex: Uint8Array, shareNumber: number, offset: number, length: number): Promise<Uint8Array> {
    if (length <= 0) return new Uint8Array(0)
    // pieces are copied into place as they arrive, while still in cache; a
    // final concatenation of a large read cost more than the transfer itself
    const out = Buffer.allocUnsafe(length)
    const got = await this.retryOnce('read', async session =>
      await readRange(session, storageIndex, shareNumber, offset, length, (piece, at) => { out.set(piece, at) }))
    return new Uint8Array(out.buffer, out.byteOffset, got)
  }

  /**
   * Read a range of a share as the buffers the network delivered, in order,
   * without joining them. Joining a large read means a fresh allocation as
   * big as the read, and on small VMs the first touch of that memory costs
   * more than moving it through Noise.
   */
  async readPieces (storageIndex: Uint8Array, shareNumber: number, offset: number, length: number): Promise<Uint8Array[]> {
    if (length <= 0) return []
    return await this.retryOnce('read', async session => {
      const pieces: Uint8Array[] = []
      await readRange(session, storageIndex, shareNumber, offset, length, piece => { pieces.push(piece) })
      return pieces
    })
  }

  /**
   * readPieces in parts of `partSize` bytes (default 4 MiB), two asked for
   * at a time, so memory stays bounded however slowly the caller consumes.
   * Ends early at the end of the share.
   */
  async * readStream (storageIndex: Uint8Array, shareNumber: number, offset: number, length: number, options: { partSize?: number } = {}): AsyncGenerator<Uint8Array, void, undefined> {
    const partSize = Math.max(1, Math.min(options.partSize ?? STREAM_PART_SIZE, MAX_READ_LENGTH))
    const part = (at: number): { want: number, pieces: Promise<Uint8Array[]> } => {
      const want = Math.min(partSize, length - at)
      const pieces = this.readPieces(storageIndex, shareNumber, offset + at, want)
      // read ahead: a consumer that stops early never awaits it
      pieces.catch(() => {})
      return { want, pieces }
    }
    let at = 0
    let current = length > 0 ? part(0) : undefined
    while (current != null) {
      const nextAt = at + current.want
      const next = nextAt < length ? part(nextAt) : undefined
      const pieces = await current.pieces
      yield * pieces
      if (pieces.reduce((n, p) => n + p.byteLength, 0) < current.want) return
      at = nextAt
      current = next
    }
  }

  /** Add a lease on every share of the storage index, or renew the one with the same renew secret. */
  async addLease (storageIndex: Uint8Array, lease: LeaseSecrets): Promise<void> {
    await this.request('add-lease', { addLease: { storageIndex: wire(storageIndex), lease: wireLease(lease) } }, true)
  }

  /** Tell the server a share failed verification. */
  async adviseCorrupt (storageIndex: Uint8Array, shareNumber: number, reason: string): Promise<void> {
    await this.request('advise-corrupt', { adviseCorrupt: { storageIndex: wire(storageIndex), shareNumber, reason } }, false)
  }

  // ---- mutable slots (issue 14) ----------------------------------------------

  /**
   * Tahoe's slot_testv_and_readv_and_writev. `writeEnabler` is this server's
   * (writeEnablerHash(writekey, serverIdOf(server peer ID)), src/mutable);
   * `lease` is added or renewed when the call writes. A failed test is an
   * answer, not an error: `success` false, nothing written, and `data` shows
   * what the shares hold. Refusals (ERR_BAD_WRITE_ENABLER, ERR_QUOTA_EXCEEDED,
   * ERR_LIMIT_EXCEEDED, ...) throw RemoteStorageError. Never sent twice.
   */
  async slotReadTestWrite (storageIndex: Uint8Array, writeEnabler: Uint8Array, lease: LeaseSecrets, shares: readonly SlotShareWrite[], readVector: readonly ReadVector[] = []): Promise<SlotWriteAnswer> {
    const res = await this.request('slot-read-test-write', {
      slotReadTestWrite: {
        storageIndex: wire(storageIndex),
        writeEnabler: wire(writeEnabler),
        lease: wireLease(lease),
        shares: shares.map(sh => ({
          shareNumber: sh.shareNumber,
          test: (sh.test ?? []).map(t => ({ offset: t.offset, size: t.size, specimen: wire(t.specimen) })),
          write: (sh.write ?? []).map(w => ({ offset: w.offset, data: wire(w.data) })),
          newLength: sh.newLength ?? undefined
        })),
        read: readVector.map(r => ({ offset: r.offset, size: r.size }))
      }
    }, false)
    const answer = res.slotReadTestWrite!
    return { success: answer.success, data: slotData(answer.data) }
  }

  /** Tahoe's slot_readv: the read vector from each named share the server holds (every share when `shareNumbers` is empty). */
  async slotRead (storageIndex: Uint8Array, shareNumbers: readonly number[], readVector: readonly ReadVector[]): Promise<Map<number, Uint8Array[]>> {
    const res = await this.request('slot-read', {
      slotRead: { storageIndex: wire(storageIndex), shareNumbers: [...shareNumbers], read: readVector.map(r => ({ offset: r.offset, size: r.size })) }
    }, true)
    return slotData(res.slotRead!.data)
  }

  /** The slot's shares on this server with their container sizes (not the share data length). */
  async listSlotShares (storageIndex: Uint8Array): Promise<ShareSize[]> {
    const res = await this.request('list-slot-shares', { listSlotShares: { storageIndex: wire(storageIndex) } }, true)
    return res.listShares!.shares.map(s => ({ shareNumber: s.shareNumber, size: s.size }))
  }

  /** Close the session; pending and later requests fail with ClientStoppedError. */
  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    const session = this.session ?? await this.opening?.catch(() => undefined)
    session?.close(new ClientStoppedError())
    this.session = undefined
    this.window.wakeAll()
  }

  /** One request and its answer; `idempotent` ones may be sent twice (see retryOnce). */
  private async request (what: string, body: RequestBody, idempotent: boolean): Promise<Response> {
    const send = async (session: ClientSession): Promise<Response> => await session.request(body).response
    return idempotent ? await this.retryOnce(what, send) : await send(await this.getSession())
  }

  /**
   * The client's one retry policy, for requests that may safely be sent
   * twice: when the session closes under the request (most often an idle
   * session the server closed just as it was used), one more try on a fresh
   * session. Errors the server answered, timeouts and a stopped client are
   * the caller's.
   */
  private async retryOnce<T> (what: string, attempt: (session: ClientSession) => Promise<T>): Promise<T> {
    try {
      return await attempt(await this.getSession())
    } catch (err) {
      if (!(err instanceof StreamClosedError) || this.stopped) throw err
      this.log('%s to %s: the session closed under it (%s), retrying once on a new session', what, this.peer, err.message)
      return await attempt(await this.getSession())
    }
  }

  private async getSession (): Promise<ClientSession> {
    // Every request comes through here: a stopped client dials nobody.
    this.throwIfStopped()
    if (this.session?.usable === true) return this.session
    this.opening ??= (async () => {
      try {
        const stream = await dialUnlimited(this.opener, this.peer, STORAGE_PROTOCOL, { signal: AbortSignal.timeout(this.requestTimeoutMs) })
        const session = new ClientSession(stream, {
          requestTimeoutMs: this.requestTimeoutMs,
          idleTimeoutMs: this.idleTimeoutMs,
          onDone: (s, reason) => {
            if (this.session === s) this.session = undefined
            this.log('storage session to %s ended: %s', this.peer, reason.message)
          }
        })
        this.log('storage session to %s opened', this.peer)
        if (this.stopped) session.close(new ClientStoppedError())
        else this.session = session
        return session
      } catch (err) {
        this.log('could not open a storage session to %s - %e', this.peer, err)
        throw err
      } finally {
        this.opening = undefined
      }
    })()
    return await this.opening
  }

  private throwIfStopped (): void {
    if (this.stopped) throw new ClientStoppedError()
  }
}
