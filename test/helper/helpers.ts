/** A grid, an upload helper on its own node, and clients, all real libp2p nodes on loopback. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { createUploadHelper, type UploadHelper, type UploadHelperOptions } from '../../src/helper/index.js'
import { startGrid, stopGrid, type GridServer } from '../fixtures/grid.js'
import { createTestLibp2p } from '../fixtures/libp2p.js'
import { uploadViaHelper, type HelperUploadResult } from '../../src/client/index.js'
import type { HelperProtocolOptions } from '../../src/protocols/index.js'
import type { Libp2p } from '@libp2p/interface'

/** Small files, several segments: k=2, happy=3, N=5, 64 KiB segments. */
export const PARAMS = { k: 2, happy: 3, n: 5, maxSegmentSize: 64 * 1024 }
export const SECRET = new Uint8Array(32).fill(7)

export interface HelperNode {
  libp2p: Libp2p
  helper: UploadHelper
  dir: string
  addr: string
  /** Crypttext bytes the helper's protocol handler received, in all. */
  received: () => number
}

export async function startHelper (grid: GridServer[], options: Partial<UploadHelperOptions> = {}, protocol: HelperProtocolOptions = {}): Promise<HelperNode> {
  const dir = await mkdtemp(join(tmpdir(), 'lafs-helper-'))
  const libp2p = await createTestLibp2p()
  let received = 0
  const helper = createUploadHelper({
    opener: libp2p,
    dir,
    leaseSecret: randomBytes(32),
    servers: async () => grid.map(s => s.info),
    ...options
  })
  await helper.start(libp2p, { ...protocol, onData: (peer, bytes) => { received += bytes; protocol.onData?.(peer, bytes) } })
  return { libp2p, helper, dir, addr: `${libp2p.getMultiaddrs()[0].toString()}`, received: () => received }
}

export async function stopHelper (h: HelperNode | undefined): Promise<void> {
  if (h == null) return
  await h.helper.stop()
  await h.libp2p.stop()
  await rm(h.dir, { recursive: true, force: true })
}

/** Uploads `data` through the helper and hangs up on it once, when `dropAt` bytes went out. */
export async function uploadDroppedAt (client: Libp2p, h: HelperNode, data: Uint8Array, dropAt: number): Promise<{ res: HelperUploadResult, dropped: boolean }> {
  let dropped = false
  const res = await uploadViaHelper(client, data, {
    helper: h.addr,
    ...PARAMS,
    convergenceSecret: SECRET,
    leaseSecret: randomBytes(32),
    retryDelayMs: 50,
    onProgress: p => {
      if (!dropped && p.phase === 'uploading' && p.bytesDone >= dropAt) {
        dropped = true
        void client.hangUp(h.libp2p.peerId)
      }
    }
  }) as HelperUploadResult
  return { res, dropped }
}

export { startGrid, stopGrid, createTestLibp2p }
