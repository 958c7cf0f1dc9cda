/**
 * Plaintext sources. A function rather than a stream so the encoder can
 * read the plaintext twice: once for the convergent key, once to encrypt.
 */
export type PlaintextSource = Uint8Array | (() => AsyncIterable<Uint8Array>)

/** Iterates a source in chunks (a Uint8Array is one chunk). */
export async function * chunksOf (source: PlaintextSource): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source
    return
  }
  for await (const chunk of source()) {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('a plaintext source must yield Uint8Array chunks')
    if (chunk.length > 0) yield chunk
  }
}

/**
 * Regroups chunks into consecutive pieces of exactly `size` bytes (the
 * last may be shorter). The returned piece is only valid until the next
 * one is requested: a full-size piece may be a view of the caller's chunk
 * or of a buffer that is reused.
 */
export async function * fixedPieces (chunks: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let buf: Uint8Array | undefined
  let fill = 0
  for await (const chunk of chunks) {
    let at = 0
    while (at < chunk.length) {
      if (fill === 0 && chunk.length - at >= size) {
        yield chunk.subarray(at, at + size)
        at += size
        continue
      }
      buf ??= new Uint8Array(size)
      const n = Math.min(size - fill, chunk.length - at)
      buf.set(chunk.subarray(at, at + n), fill)
      fill += n
      at += n
      if (fill === size) {
        yield buf
        fill = 0
      }
    }
  }
  if (fill > 0 && buf !== undefined) yield buf.subarray(0, fill)
}
