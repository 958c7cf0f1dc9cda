import { Uint8ArrayList } from 'uint8arraylist'
import { MessageTooLargeError, RequestTimeoutError, StreamClosedError, TruncatedFrameError } from '../errors.js'
import { decodeVarint } from './varint.js'
import type { MessageStream, StreamMessageEvent } from '@libp2p/interface'

/**
 * Memory shared with other readers. Every byte received is taken from it;
 * length prefixes are given back at once, frame bodies when the consumer
 * calls release(). The reader pauses its stream while the budget says so.
 */
export interface ReadBudget {
  /** True while this reader must not take more from its stream. */
  readonly exhausted: boolean
  take(bytes: number): void
  give(bytes: number): void
  /** Calls `wake` whenever bytes are given back (by anyone); returns a function that stops it. */
  onRoom(wake: () => void): () => void
}

export interface FrameReaderOptions {
  /** Largest frame body accepted; a longer length prefix fails the reader with MessageTooLargeError. */
  maxFrameLength: number
  /**
   * Pause the stream while more than this many bytes wait to be read (decoded
   * frames plus the partial one). Unset: never pause (the consumer keeps up).
   */
  highWaterMark?: number
  /** A frame whose first byte has arrived must be complete within this time. */
  frameTimeoutMs?: number
  /** Shared memory budget; frames read must then be release()d once handled. */
  budget?: ReadBudget
}

/** While paused, yamux still accepts up to its window (16 MiB), so the read buffer must hold that. */
const PAUSED_READ_BUFFER_LIMIT = 32 * 2 ** 20

/**
 * Splits a stream's bytes into length-prefixed frames, on 'message' events
 * (never for-await, which buffers without limit), with real backpressure:
 * the stream is paused while too much is waiting and resumed once the
 * consumer catches up. Queued frames are handed out before any failure.
 */
export class FrameReader {
  private readonly stream: MessageStream
  private maxFrameLength: number
  private readonly highWaterMark: number
  private readonly frameTimeoutMs: number
  private readonly budget?: ReadBudget
  private unwatch?: () => void
  private readonly partial = new Uint8ArrayList()
  private readonly frames: Uint8ArrayList[] = []
  private queuedBytes = 0
  /** With a budget: bytes of frames handed out and not yet released. */
  private outstandingBytes = 0
  private paused = false
  private resuming = false
  private ended = false
  private failure?: Error
  private frameTimer?: ReturnType<typeof setTimeout>
  private waiter?: { resolve: (frame: Uint8ArrayList | undefined) => void, reject: (err: Error) => void }

  constructor (stream: MessageStream, options: FrameReaderOptions) {
    this.stream = stream
    this.maxFrameLength = options.maxFrameLength
    this.highWaterMark = options.highWaterMark ?? Infinity
    this.frameTimeoutMs = options.frameTimeoutMs ?? 0
    this.budget = options.budget
    if ((Number.isFinite(this.highWaterMark) || this.budget != null) && stream.maxReadBufferLength < PAUSED_READ_BUFFER_LIMIT) {
      stream.maxReadBufferLength = PAUSED_READ_BUFFER_LIMIT
    }
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('end', this.onEnd)
    stream.addEventListener('close', this.onClose)
  }

  /**
   * Changes the largest frame accepted from the next one read on: a protocol
   * whose first message is small reads it under a small limit, so a peer not
   * yet checked cannot make the reader hold a large frame.
   */
  setMaxFrameLength (bytes: number): void {
    this.maxFrameLength = bytes
  }

  /** Bytes received but not yet handed out. */
  get bufferedBytes (): number {
    return this.queuedBytes + this.partial.byteLength
  }

  /** True while part of a frame has arrived and the rest has not. */
  get hasPartialFrame (): boolean {
    return this.partial.byteLength > 0
  }

  /** With a budget: the consumer is done with `frame`, its bytes go back. */
  release (frame: Uint8ArrayList): void {
    if (this.budget == null) return
    this.outstandingBytes -= frame.byteLength
    this.budget.give(frame.byteLength)
    this.maybeResume()
  }

  /** The next frame body, or undefined once the remote closed its side cleanly. */
  async read (): Promise<Uint8ArrayList | undefined> {
    const frame = this.frames.shift()
    if (frame != null) {
      this.queuedBytes -= frame.byteLength
      if (this.budget != null) this.outstandingBytes += frame.byteLength
      this.maybeResume()
      return frame
    }
    if (this.failure != null) throw this.failure
    if (this.ended) return undefined
    if (this.waiter != null) throw new Error('FrameReader.read() called while another read is pending')
    return await new Promise((resolve, reject) => { this.waiter = { resolve, reject } })
  }

  /** Fails the reader (and any pending read) with `err`; queued frames are dropped. */
  cancel (err: Error): void {
    this.frames.length = 0
    this.queuedBytes = 0
    this.fail(err)
  }

  /** Stops listening to the stream. */
  dispose (): void {
    this.clearFrameTimer()
    this.unwatch?.()
    this.unwatch = undefined
    this.stream.removeEventListener('message', this.onMessage)
    this.stream.removeEventListener('end', this.onEnd)
    this.stream.removeEventListener('close', this.onClose)
  }

  private readonly onMessage = (evt: StreamMessageEvent): void => {
    if (this.failure != null || this.ended) return
    this.budget?.take(evt.data.byteLength)
    this.partial.append(evt.data)
    try {
      this.splitFrames()
    } catch (err) {
      this.fail(err as Error)
      return
    }
    if (this.partial.byteLength > 0) this.startFrameTimer()
    else this.clearFrameTimer()
    this.deliver()
    this.maybePause()
  }

  private maybePause (): void {
    // Not from inside resume(): it hands out the buffered data first and
    // then re-opens the yamux window, which would undo a pause made here
    // while the stream stays paused, letting the sender fill the read
    // buffer without limit (@libp2p/utils 7.4). maybeResume() checks again.
    if (this.paused || this.resuming) return
    if (this.bufferedBytes > this.highWaterMark || this.overBudget()) {
      // a stream that is already closing cannot pause; it delivers no more data anyway
      try { this.stream.pause(); this.paused = true } catch { /* closing */ }
      if (this.paused && this.budget != null && this.unwatch == null) this.unwatch = this.budget.onRoom(this.wake)
    }
  }

  private splitFrames (): void {
    while (this.partial.byteLength > 0) {
      const prefix = decodeVarint(this.partial)
      if (prefix == null) return
      if (!(prefix.value <= this.maxFrameLength)) {
        throw new MessageTooLargeError(`message of ${Number.isNaN(prefix.value) ? 'unbounded' : prefix.value} bytes exceeds the limit of ${this.maxFrameLength} bytes`)
      }
      const end = prefix.bytes + prefix.value
      if (this.partial.byteLength < end) return
      const frame = this.partial.sublist(prefix.bytes, end)
      this.partial.consume(end)
      this.budget?.give(prefix.bytes)
      this.frames.push(frame)
      this.queuedBytes += frame.byteLength
      // a new frame started: its own deadline starts now
      this.clearFrameTimer()
    }
  }

  private deliver (): void {
    if (this.waiter == null) return
    const frame = this.frames.shift()
    if (frame != null) {
      this.queuedBytes -= frame.byteLength
      if (this.budget != null) this.outstandingBytes += frame.byteLength
      const { resolve } = this.waiter
      this.waiter = undefined
      this.maybeResume()
      resolve(frame)
    } else if (this.failure != null) {
      const { reject } = this.waiter
      this.waiter = undefined
      reject(this.failure)
    } else if (this.ended) {
      const { resolve } = this.waiter
      this.waiter = undefined
      resolve(undefined)
    }
  }

  private readonly wake = (): void => { this.maybeResume() }

  /**
   * A reader holding no whole frame (only the start of the next one) may
   * always read on: otherwise readers that each hold part of a frame while
   * the budget is spent would wait for each other forever.
   */
  private overBudget (): boolean {
    return this.budget?.exhausted === true && (this.queuedBytes > 0 || this.outstandingBytes > 0)
  }

  private maybeResume (): void {
    if (this.paused && this.bufferedBytes <= this.highWaterMark / 2 && !this.overBudget()) {
      this.paused = false
      this.unwatch?.()
      this.unwatch = undefined
      this.resuming = true
      // a stream that is already closing cannot resume; nothing more will arrive
      try { this.stream.resume() } catch { /* closing */ } finally { this.resuming = false }
      if (this.failure == null && !this.ended) this.maybePause()
    }
  }

  private fail (err: Error): void {
    if (this.failure != null || this.ended) return
    this.failure = err
    this.dispose()
    this.deliver()
  }

  private finish (): void {
    if (this.failure != null || this.ended) return
    if (this.partial.byteLength > 0) {
      this.fail(new TruncatedFrameError())
      return
    }
    this.ended = true
    this.dispose()
    this.deliver()
  }

  private readonly onEnd = (): void => {
    // 'end' also fires just before the 'close' of a reset or abort
    if (this.stream.status === 'reset' || this.stream.status === 'aborted') {
      this.fail(new StreamClosedError(`stream ${this.stream.status}`))
    } else {
      this.finish()
    }
  }

  private readonly onClose = (evt: Event): void => {
    const error = (evt as { error?: unknown }).error
    if (error != null) this.fail(new StreamClosedError(`stream ${this.stream.status}`, { cause: error }))
    else this.finish()
  }

  private startFrameTimer (): void {
    if (this.frameTimeoutMs <= 0 || this.frameTimer != null) return
    this.frameTimer = setTimeout(() => {
      this.frameTimer = undefined
      this.fail(new RequestTimeoutError(`a message started but did not finish within ${this.frameTimeoutMs} ms`))
    }, this.frameTimeoutMs)
  }

  private clearFrameTimer (): void {
    if (this.frameTimer != null) {
      clearTimeout(this.frameTimer)
      this.frameTimer = undefined
    }
  }
}
