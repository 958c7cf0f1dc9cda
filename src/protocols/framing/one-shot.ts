/**
 * One request, one answer, one stream: the shape of the have-share and
 * account protocols. Both sides use length-prefixed frames with limits and
 * deadlines; the server side never throws.
 */
import { RequestTimeoutError, StreamClosedError, wireError } from '../errors.js'
import { scopedSignal } from '../scoped-signal.js'
import { FrameReader } from './frame-reader.js'
import { sendFrame, writeFrame } from './frame-writer.js'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface AskOptions {
  maxAnswerLength: number
  timeoutMs: number
  signal?: AbortSignal
}

/** Opens a stream, sends `request`, and returns the single answer frame. */
export async function ask (opener: Pick<Libp2p, 'dialProtocol'>, peer: PeerId | Multiaddr, protocol: string, request: Uint8Array, options: AskOptions): Promise<Uint8ArrayList> {
  const scope = scopedSignal(options.signal, { ms: options.timeoutMs, error: () => new RequestTimeoutError(`no answer within ${options.timeoutMs} ms`) })
  const signal = scope.signal
  try {
    // small enough for a relayed (limited) connection, which is all a NATed peer may have
    const stream = await opener.dialProtocol(peer, protocol, { signal, runOnLimitedConnection: true })
    const reader = new FrameReader(stream, { maxFrameLength: options.maxAnswerLength })
    const onAbort = (): void => { reader.cancel(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      signal.throwIfAborted()
      await writeFrame(stream, request, signal)
      await stream.close({ signal })
      const answer = await reader.read()
      if (answer == null) throw new StreamClosedError('the server closed the stream without answering')
      return answer
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    } finally {
      signal.removeEventListener('abort', onAbort)
      reader.dispose()
    }
  } finally {
    scope.dispose()
  }
}

export interface AnswerOptions {
  maxRequestLength: number
  timeoutMs: number
  /** Encodes an error answer for this protocol. */
  encodeError: (code: string, message: string) => Uint8Array
  onError?: (err: unknown) => void
}

/**
 * Reads one request frame, answers it with `handle`'s bytes (or an encoded
 * error when anything fails) and closes the stream.
 */
export async function answer (stream: Stream, options: AnswerOptions, handle: (request: Uint8ArrayList) => Promise<Uint8Array>): Promise<void> {
  const reader = new FrameReader(stream, { maxFrameLength: options.maxRequestLength, frameTimeoutMs: options.timeoutMs })
  const timer = setTimeout(() => {
    reader.cancel(new RequestTimeoutError(`no request within ${options.timeoutMs} ms`))
  }, options.timeoutMs)
  const signal = AbortSignal.timeout(options.timeoutMs)
  try {
    const request = await reader.read()
    clearTimeout(timer)
    if (request == null) {
      await stream.close({ signal })
      return
    }
    const reply = await handle(request)
    await writeFrame(stream, reply, signal)
    await stream.close({ signal })
  } catch (err) {
    options.onError?.(err)
    try {
      if (stream.status === 'open' && stream.writeStatus === 'writable') {
        const { code, message } = wireError(err)
        sendFrame(stream, options.encodeError(code, message))
        await stream.close({ signal })
      }
      await stream.closeRead()
    } catch {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  } finally {
    clearTimeout(timer)
    reader.dispose()
  }
}
