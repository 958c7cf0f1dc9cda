/**
 * The ceiling the transfer bench compares against: one bare libp2p stream
 * over the same TCP+Noise+Yamux stack, moving bytes with send() + drain and
 * nothing else (no framing, no storage, no crypto of ours).
 *   down: the client asks for N bytes, the server sends them and closes.
 *   up:   the client sends N bytes and closes its side; the server counts
 *         them and answers with the count, which stops the client's clock.
 */
import { randomBytes } from 'node:crypto'
import { waitDrain } from '../../src/protocols/framing/index.js'
import type { Libp2p, Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export const RAW_DOWN = '/lafs-bench/raw-down/1.0.0'
export const RAW_UP = '/lafs-bench/raw-up/1.0.0'
const CHUNK = 2 ** 20

function readU64 (b: Uint8Array): number {
  return Number(new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0))
}

function u64 (n: number): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, BigInt(n))
  return b
}

/** Collects the first `bytes` bytes that arrive on a stream (a small header). */
async function readHeader (stream: Stream, bytes: number): Promise<Uint8Array> {
  return await new Promise<Uint8Array>((resolve, reject) => {
    const got: Uint8Array[] = []
    let have = 0
    const onMessage = (evt: StreamMessageEvent): void => {
      const data: Uint8Array = evt.data.subarray()
      got.push(data)
      have += data.byteLength
      if (have >= bytes) {
        cleanup()
        resolve(Buffer.concat(got).subarray(0, bytes))
      }
    }
    const onClose = (evt: StreamCloseEvent): void => { cleanup(); reject(evt.error ?? new Error('raw stream closed before its header')) }
    const cleanup = (): void => {
      stream.removeEventListener('message', onMessage)
      stream.removeEventListener('close', onClose)
    }
    stream.addEventListener('message', onMessage)
    stream.addEventListener('close', onClose)
  })
}

async function sendBytes (stream: Stream, size: number, chunk: Uint8Array): Promise<void> {
  for (let sent = 0; sent < size; sent += chunk.byteLength) {
    const piece = size - sent >= chunk.byteLength ? chunk : chunk.subarray(0, size - sent)
    if (!stream.send(piece)) await waitDrain(stream)
  }
}

/** Serves both raw protocols on a node (the bench's child process does this). */
export async function handleRaw (node: Libp2p): Promise<void> {
  const chunk = randomBytes(CHUNK)
  await node.handle(RAW_DOWN, async stream => {
    const size = readU64(await readHeader(stream, 8))
    await sendBytes(stream, size, chunk)
    await stream.close()
  })
  await node.handle(RAW_UP, async stream => {
    let got = 0
    for await (const piece of stream) got += piece.byteLength
    stream.send(u64(got))
    await stream.close()
  })
}

/** Milliseconds to receive `size` bytes from the server on one fresh stream. */
export async function rawDown (client: Libp2p, server: Multiaddr, size: number): Promise<number> {
  const t0 = performance.now()
  const stream = await client.dialProtocol(server, RAW_DOWN)
  let got = 0
  const done = new Promise<void>((resolve, reject) => {
    stream.addEventListener('message', evt => { got += evt.data.byteLength; if (got >= size) resolve() })
    stream.addEventListener('close', evt => { if (got < size) reject(evt.error ?? new Error(`raw stream closed after ${got} of ${size} bytes`)) })
  })
  stream.send(u64(size))
  await done
  const ms = performance.now() - t0
  await stream.close()
  return ms
}

/** Milliseconds to send `size` bytes to the server and hear its byte count back. */
export async function rawUp (client: Libp2p, server: Multiaddr, size: number): Promise<number> {
  const chunk = randomBytes(CHUNK)
  const t0 = performance.now()
  const stream = await client.dialProtocol(server, RAW_UP)
  const answer = readHeader(stream, 8)
  await sendBytes(stream, size, chunk)
  await stream.close()
  const count = readU64(await answer)
  const ms = performance.now() - t0
  if (count !== size) throw new Error(`raw upload: server counted ${count} of ${size} bytes`)
  return ms
}
