/**
 * The one read path of the storage client: a range of a share, asked for in
 * requests of at most MAX_READ_LENGTH bytes, all pipelined on one session.
 * The server answers them in order, so the pieces reach the sink in order,
 * as the buffers the network delivered; where they go (copied into place,
 * kept as views) is the caller's choice.
 */
import { MAX_READ_LENGTH } from './constants.js'
import type { Response } from './message/storage.js'
import type { ClientSession } from './session-client.js'

/** Receives a read's bytes in order; `at` is the piece's offset from the start of the range. */
export type PieceSink = (piece: Uint8Array, at: number) => void

/** Reads `length` bytes at `offset` into `sink`; resolves to the bytes read (fewer when the share ends first). */
export async function readRange (session: ClientSession, storageIndex: Uint8Array, shareNumber: number, offset: number, length: number, sink: PieceSink): Promise<number> {
  const parts: Array<{ want: number, got: number, done: Promise<Response> }> = []
  for (let base = 0; base < length; base += MAX_READ_LENGTH) {
    const part = { want: Math.min(MAX_READ_LENGTH, length - base), got: 0, done: undefined as unknown as Promise<Response> }
    part.done = session.request(
      { read: { storageIndex: storageIndex as Uint8Array<ArrayBuffer>, shareNumber, offset: offset + base, length: part.want } },
      data => {
        for (const piece of data instanceof Uint8Array ? [data] : data) {
          const take = Math.min(piece.byteLength, part.want - part.got)
          if (take <= 0) break
          sink(new Uint8Array(piece.buffer, piece.byteOffset, take), base + part.got)
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
  return total
}
