/**
 * The client side of one storage session: one stream carrying many requests.
 * Requests are sent as soon as they are made (pipelined); answers are routed
 * back by request id. The session fails as a whole when its stream dies,
 * when pending requests see no progress for `requestTimeoutMs`, or when one
 * request sees none for STUCK_FACTOR times that while the server answers
 * others (a server that withholds one answer would otherwise hold its caller
 * for ever); it closes itself after `idleTimeoutMs` without requests; the
 * StorageClient then opens a new one on demand.
 */
import { encodeFrame, FrameReader, waitDrain } from '../framing/index.js'
import { MalformedMessageError, RemoteStorageError, RequestTimeoutError, StreamClosedError, errorMessage } from '../errors.js'
import { MAX_RESPONSE_FRAME } from './constants.js'
import { Request, Response } from './message/storage.js'
import { decodeReadChunkFast } from './read-chunk-frame.js'
import type { Uint8ArrayList } from 'uint8arraylist'
import type { Stream } from '@libp2p/interface'

export type RequestBody = Omit<Partial<Request>, 'id'>

export interface ClientSessionOptions {
  requestTimeoutMs: number
  idleTimeoutMs: number
  /** Called once when the session stops taking requests (closed, idle, failed), with the reason. */
  onDone: (session: ClientSession, reason: Error) => void
}

interface Pending {
  resolve: (res: Response) => void
  reject: (err: Error) => void
  onChunk?: OnChunk
  /** When it was sent or last received a piece of its answer. */
  since: number
}

/**
 * One request may wait this many times `requestTimeoutMs` for its answer
 * while others are answered: answers come in order of the server's work, and
 * a slow link (Tor) may take a while to deliver the reads queued before it.
 */
const STUCK_FACTOR = 4

/** Receives the pieces of a read answer in order; `data` may be split over several buffers. */
export type OnChunk = (data: Uint8ArrayList | Uint8Array, last: boolean) => void

export interface SentRequest {
  /** Settles once the request is handed to the stream (rejects if the stream closed). */
  sent: Promise<void>
  /** The answer, or a RemoteStorageError / StreamClosedError / RequestTimeoutError. */
  response: Promise<Response>
}

export class ClientSession {
  private readonly stream: Stream
  private readonly options: ClientSessionOptions
  private readonly reader: FrameReader
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private failure?: Error
  private done = false
  private progressTimer?: ReturnType<typeof setTimeout>
  private stuckTimer?: ReturnType<typeof setTimeout>
  private idleTimer?: ReturnType<typeof setTimeout>

  constructor (stream: Stream, options: ClientSessionOptions) {
    this.stream = stream
    this.options = options
    this.reader = new FrameReader(stream, { maxFrameLength: MAX_RESPONSE_FRAME })
    this.startIdleTimer()
    void this.readLoop()
  }

  /** False once the session takes no more requests. */
  get usable (): boolean {
    return !this.done && this.stream.status === 'open' && this.stream.writeStatus === 'writable'
  }

  /** Sends one request. `onChunk` receives read answers frame by frame. */
  request (body: RequestBody, onChunk?: OnChunk): SentRequest {
    return this.requestFrame(id => encodeFrame(Request.encode({ ...body, id })), onChunk)
  }

  /** Sends one request that `frameFor` encodes (length prefix included) for the id it is given. */
  requestFrame (frameFor: (id: number) => Uint8ArrayList, onChunk?: OnChunk): SentRequest {
    if (!this.usable) {
      const err = this.failure ?? new StreamClosedError('storage session is closed')
      const sent = Promise.reject(err)
      const response = Promise.reject(err)
      // As below: the caller awaits one of the two, and the other must not go unhandled.
      sent.catch(() => {})
      response.catch(() => {})
      return { sent, response }
    }
    const id = this.nextId++
    let pending!: Pending
    const response = new Promise<Response>((resolve, reject) => { pending = { resolve, reject, onChunk, since: Date.now() } })
    // the caller may only await `sent`; a failure is still reported through `response`
    response.catch(() => {})
    if (this.pending.size === 0) this.restartProgressTimer()
    this.pending.set(id, pending)
    this.armStuckTimer()
    this.stopIdleTimer()
    let sent: Promise<void>
    try {
      sent = this.stream.send(frameFor(id)) ? Promise.resolve() : waitDrain(this.stream)
    } catch (err) {
      const failure = new StreamClosedError(`could not send: ${errorMessage(err)}`, { cause: err })
      this.fail(failure)
      sent = Promise.reject(this.failure ?? failure)
    }
    sent.catch(() => {})
    return { sent, response }
  }

  /** Closes the stream; pending requests fail with `reason`. */
  close (reason: Error = new StreamClosedError('storage session closed')): void {
    this.fail(reason)
  }

  private async readLoop (): Promise<void> {
    try {
      while (true) {
        const frame = await this.reader.read()
        if (frame == null) break
        const chunk = decodeReadChunkFast(frame)
        if (chunk != null) {
          this.onResponse({ id: chunk.id }, chunk)
          continue
        }
        let res: Response
        try {
          res = Response.decode(frame)
        } catch (err) {
          throw new MalformedMessageError(`undecodable answer from the server: ${errorMessage(err)}`)
        }
        this.onResponse(res)
      }
      this.fail(new StreamClosedError('the server closed the storage session'))
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)))
    }
  }

  private onResponse (res: Response, fastChunk?: { data: Uint8ArrayList, last: boolean }): void {
    const pending = this.pending.get(res.id)
    if (res.error?.fatal === true) {
      const remote = new RemoteStorageError(res.error.code, res.error.message, true)
      if (pending != null) {
        this.pending.delete(res.id)
        pending.reject(remote)
      }
      this.fail(new StreamClosedError(`the server closed the storage session after ${remote.code}: ${remote.message}`, { cause: remote }))
      return
    }
    if (pending == null) throw new MalformedMessageError(`answer for unknown request ${res.id}`)
    this.restartProgressTimer()
    const chunk = fastChunk ?? res.read
    if (chunk != null && res.error == null) {
      pending.since = Date.now()
      pending.onChunk?.(chunk.data, chunk.last)
      if (!chunk.last) return
    }
    this.pending.delete(res.id)
    if (res.error != null) pending.reject(new RemoteStorageError(res.error.code, res.error.message, false))
    else pending.resolve(res)
    if (this.pending.size === 0) {
      this.stopProgressTimer()
      this.startIdleTimer()
    }
  }

  private fail (err: Error): void {
    if (this.done) return
    this.done = true
    this.failure = err
    this.stopProgressTimer()
    if (this.stuckTimer != null) clearTimeout(this.stuckTimer)
    this.stuckTimer = undefined
    this.stopIdleTimer()
    this.reader.dispose()
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
    if (this.stream.status === 'open') {
      if (err instanceof RequestTimeoutError) this.stream.abort(err)
      else void this.closeOrAbort()
    }
    this.options.onDone(this, err)
  }

  /** Ends our side politely; a stream that will not close is aborted instead. */
  private async closeOrAbort (): Promise<void> {
    try {
      await this.stream.close()
    } catch (err) {
      this.stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }

  private restartProgressTimer (): void {
    this.stopProgressTimer()
    this.progressTimer = setTimeout(() => {
      this.fail(new RequestTimeoutError(`the storage server sent nothing for ${this.options.requestTimeoutMs} ms`))
    }, this.options.requestTimeoutMs)
    // a deadline alone must not keep a process alive; the stream it guards does while it is in use
    this.progressTimer.unref?.()
  }

  /** Checks, by the oldest request's clock, that no request has waited STUCK_FACTOR x requestTimeoutMs without a piece of its answer. */
  private armStuckTimer (): void {
    if (this.stuckTimer != null || this.done) return
    let oldest = Infinity
    for (const p of this.pending.values()) oldest = Math.min(oldest, p.since)
    if (oldest === Infinity) return
    const limit = STUCK_FACTOR * this.options.requestTimeoutMs
    this.stuckTimer = setTimeout(() => {
      this.stuckTimer = undefined
      for (const [id, p] of this.pending) {
        if (Date.now() - p.since >= limit) {
          this.fail(new RequestTimeoutError(`the storage server answered other requests but not request ${id} for ${limit} ms`))
          return
        }
      }
      this.armStuckTimer()
    }, Math.max(0, oldest + limit - Date.now()))
    this.stuckTimer.unref?.()
  }

  private stopProgressTimer (): void {
    if (this.progressTimer != null) clearTimeout(this.progressTimer)
    this.progressTimer = undefined
  }

  private startIdleTimer (): void {
    this.stopIdleTimer()
    this.idleTimer = setTimeout(() => { this.fail(new StreamClosedError('storage session closed after being idle')) }, this.options.idleTimeoutMs)
    this.idleTimer.unref?.()
  }

  private stopIdleTimer (): void {
    if (this.idleTimer != null) clearTimeout(this.idleTimer)
    this.idleTimer = undefined
  }
}
