import { Uint8ArrayList } from 'uint8arraylist'
import { encodeVarint } from './varint.js'
import { waitDrain } from './wait-drain.js'
import type { MessageStream } from '@libp2p/interface'

/** Length prefix + body, without copying the body. */
export function encodeFrame (body: Uint8Array): Uint8ArrayList {
  return new Uint8ArrayList(encodeVarint(body.byteLength), body)
}

/**
 * Queues one frame on the stream. Returns false when the caller must wait
 * for a drain (waitDrain) before queueing more.
 */
export function sendFrame (stream: MessageStream, body: Uint8Array): boolean {
  return stream.send(encodeFrame(body))
}

/** Queues one frame and waits, if needed, until the stream can take more. */
export async function writeFrame (stream: MessageStream, body: Uint8Array, signal?: AbortSignal): Promise<void> {
  if (!sendFrame(stream, body)) await waitDrain(stream, signal)
}
