/**
 * The two client operations the transfer benches time, shared by
 * bench/transfer.ts and the combined bench: an upload under a fresh
 * convergence secret, and a download hashed as it streams.
 *
 * As a LafsNode does (node/files.ts), every operation of one client node
 * goes over one StorageClientPool, and the holders are asked on its
 * sessions: a node that keeps running opens no stream per server and file.
 * A fresh pool per operation made every 64 MiB download open and close
 * three streams per server (a have question, two session lanes), which the
 * servers' CPU per GiB counted and the product does not pay.
 */
import { createHash, randomBytes } from 'node:crypto'
import { download, findSharesOnSessions, StorageClientPool, upload } from '../../src/client/index.js'
import { generatedSource } from './transfer-source.js'
import type { ChildGrid } from './transfer-grid.js'
import type { PlaintextSource } from '../../src/immutable/index.js'
import type { Libp2p } from '@libp2p/interface'

export interface Plaintext { source: PlaintextSource, sha256: string, size: number }
export interface StoredFile { cap: string, storageIndex: Uint8Array }

/** Random bytes held in memory, or a generated source never held (`generate`). */
export async function plaintext (size: number, generate: boolean): Promise<Plaintext> {
  if (generate) {
    const g = generatedSource(size)
    return { source: g.read, sha256: await g.sha256(), size }
  }
  const data = randomBytes(size)
  // two: a bench may time a second download before it checks the first
  warmSinks(size, 2)
  return { source: data, sha256: createHash('sha256').update(data).digest('hex'), size }
}

const pools = new WeakMap<Libp2p, StorageClientPool>()

/** The client node's one pool of storage sessions, as a LafsNode keeps one. */
function poolOf (client: Libp2p): StorageClientPool {
  let pool = pools.get(client)
  if (pool === undefined) {
    pool = new StorageClientPool(client)
    pools.set(client, pool)
  }
  return pool
}

/** Stops a client node, closing its storage sessions first. */
export async function stopClient (client: Libp2p): Promise<void> {
  await pools.get(client)?.stop()
  pools.delete(client)
  await client.stop()
}

/** Uploads under a fresh convergence secret, so no server already holds the shares. */
export async function uploadOnce (client: Libp2p, grid: ChildGrid, pt: Plaintext, leaseSecret: Uint8Array, k: number, n: number): Promise<StoredFile> {
  const up = await upload(client, pt.source, { servers: grid.servers, leaseSecret, convergenceSecret: randomBytes(32), k, n, size: pt.size, pool: poolOf(client) })
  const placed = [...up.placement.values()].reduce((a, s) => a + s.length, 0)
  if (placed !== n) throw new Error(`upload placed ${placed} shares, expected ${n}`)
  if (up.storageIndex == null) throw new Error('upload returned no storage index')
  return { cap: up.cap, storageIndex: up.storageIndex }
}

/**
 * Finds the holders and streams the file back. By default the bytes are
 * hashed as they come (a 1 GiB stream is never held). With `checkLater`,
 * the chunks are copied into a reused buffer (see consume) and the returned
 * function checks it: call it after stopping the clock, so the timing holds
 * what the download does and not the bench's own sha256 of the result,
 * which the raw-stream baseline does not pay either.
 */
export async function downloadOnce (client: Libp2p, grid: ChildGrid, file: StoredFile, pt: Plaintext, options: { checkLater?: boolean, spread?: boolean } = {}): Promise<() => void> {
  const pool = poolOf(client)
  const { holders } = await findSharesOnSessions(pool, file.storageIndex, grid.servers)
  return await consume(download(client, file.cap, { holders, spread: options.spread, pool }), pt, 'download', options.checkLater === true)
}

/**
 * Buffers the size of a plaintext, reused by every download checked after
 * its clock. Until 12-06 the chunks themselves were kept until the check:
 * 64 MiB the reader held to the end, which no streaming reader (a file, an
 * HTTP response) and not the raw stream does, and which made V8 run a full
 * collection in every download (bench:serve-perf counts the collector). The
 * copy into memory already mapped is one memcpy of the file, which writing
 * it to a file would cost too.
 */
const sinks = new Map<number, Uint8Array[]>()

/** Makes sure `count` sinks of `size` bytes wait, each written once so its pages are mapped before any clock runs. */
export function warmSinks (size: number, count: number): void {
  const free = sinks.get(size) ?? []
  sinks.set(size, free)
  while (free.length < count) free.push(new Uint8Array(Buffer.allocUnsafeSlow(size).fill(0).buffer))
}

function takeSink (size: number): Uint8Array {
  warmSinks(size, 1)
  return sinks.get(size)!.pop()!
}

/**
 * Reads a stream of the plaintext and returns its size-and-sha256 check
 * (run at once unless `later`). With `later` the bytes go into a sink,
 * which the check hashes and gives back.
 */
export async function consume (chunks: AsyncIterable<Uint8Array>, pt: { size: number, sha256: string }, what: string, later: boolean): Promise<() => void> {
  const hash = createHash('sha256')
  let sink = later ? takeSink(pt.size) : undefined
  let got = 0
  for await (const chunk of chunks) {
    // a stream longer than the plaintext fails the check by its length; only what fits is kept
    if (sink !== undefined && got < pt.size) sink.set(chunk.subarray(0, pt.size - got), got)
    else if (sink === undefined) hash.update(chunk)
    got += chunk.byteLength
  }
  let digest: string | undefined
  // Idempotent: a streamed check already ran when the caller calls it again.
  const check = (): void => {
    if (sink !== undefined) {
      hash.update(sink.subarray(0, Math.min(got, pt.size)))
      sinks.get(pt.size)!.push(sink)
      sink = undefined
    }
    if (got !== pt.size) throw new Error(`${what} returned ${got} of ${pt.size} bytes`)
    digest ??= hash.digest('hex')
    if (digest !== pt.sha256) throw new Error(`${what} returned different bytes (sha256 mismatch)`)
  }
  if (!later) check()
  return check
}
