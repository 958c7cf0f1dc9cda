/**
 * The two client operations the transfer benches time, shared by
 * bench/transfer.ts and the combined bench: an upload under a fresh
 * convergence secret, and a download hashed as it streams.
 */
import { createHash, randomBytes } from 'node:crypto'
import { download, findShares, upload } from '../../src/client/index.js'
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
  return { source: data, sha256: createHash('sha256').update(data).digest('hex'), size }
}

/** Uploads under a fresh convergence secret, so no server already holds the shares. */
export async function uploadOnce (client: Libp2p, grid: ChildGrid, pt: Plaintext, leaseSecret: Uint8Array, k: number, n: number): Promise<StoredFile> {
  const up = await upload(client, pt.source, { servers: grid.servers, leaseSecret, convergenceSecret: randomBytes(32), k, n, size: pt.size })
  const placed = [...up.placement.values()].reduce((a, s) => a + s.length, 0)
  if (placed !== n) throw new Error(`upload placed ${placed} shares, expected ${n}`)
  if (up.storageIndex == null) throw new Error('upload returned no storage index')
  return { cap: up.cap, storageIndex: up.storageIndex }
}

/** Finds the holders and streams the file back, hashing as it comes (no second copy). */
export async function downloadOnce (client: Libp2p, grid: ChildGrid, file: StoredFile, pt: Plaintext): Promise<void> {
  const { holders } = await findShares(client, file.storageIndex, grid.servers)
  const hash = createHash('sha256')
  let got = 0
  for await (const chunk of download(client, file.cap, { holders })) {
    hash.update(chunk)
    got += chunk.byteLength
  }
  if (got !== pt.size) throw new Error(`download returned ${got} of ${pt.size} bytes`)
  if (hash.digest('hex') !== pt.sha256) throw new Error('download returned different bytes (sha256 mismatch)')
}
