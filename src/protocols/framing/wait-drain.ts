import { StreamClosedError } from '../errors.js'
import type { MessageStream } from '@libp2p/interface'

/**
 * Waits until a stream whose send() returned false can take more data.
 *
 * Not `stream.onDrain()`: in @libp2p/utils 7.4 it caches one promise per
 * stream and returns at once after the first drain, so a writer would pile
 * everything into the unbounded write buffer (notes: libp2p-v3 §6).
 */
export async function waitDrain (stream: MessageStream, signal?: AbortSignal): Promise<void> {
  if (stream.status !== 'open') throw new StreamClosedError(`stream is ${stream.status}`)
  if (!stream.writableNeedsDrain) return
  signal?.throwIfAborted()
  await new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      stream.removeEventListener('drain', onDrain)
      stream.removeEventListener('close', onClose)
      signal?.removeEventListener('abort', onAbort)
    }
    const onDrain = (): void => { cleanup(); resolve() }
    const onClose = (evt: Event): void => {
      cleanup()
      reject(new StreamClosedError('stream closed while waiting to send', { cause: (evt as { error?: unknown }).error }))
    }
    const onAbort = (): void => { cleanup(); reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted', { cause: signal?.reason })) }
    stream.addEventListener('drain', onDrain)
    stream.addEventListener('close', onClose)
    signal?.addEventListener('abort', onAbort)
  })
}
