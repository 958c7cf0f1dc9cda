import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { registerStorageProtocols, type StorageProtocolsOptions } from '../../src/protocols/index.js'
import { createStorageServer, type StorageServer, type StorageServerOptions } from '../../src/storage/index.js'
import { createTestLibp2p, stopAll } from '../fixtures/libp2p.js'
import type { Libp2p } from '@libp2p/interface'

export const storageIndex = (): Uint8Array => randomBytes(16)
export const lease = (): { renewSecret: Uint8Array, cancelSecret: Uint8Array } => ({ renewSecret: randomBytes(32), cancelSecret: randomBytes(32) })

/** Real nodes, real storage servers in temp dirs; everything is torn down by cleanup(). */
export class Grid {
  private readonly nodes: Libp2p[] = []
  private readonly servers: StorageServer[] = []
  private readonly dirs: string[] = []

  async node (): Promise<Libp2p> {
    const node = await createTestLibp2p()
    this.nodes.push(node)
    return node
  }

  async server (storage: Partial<StorageServerOptions> = {}, protocols: StorageProtocolsOptions = {}): Promise<{ node: Libp2p, server: StorageServer }> {
    const dir = await mkdtemp(join(tmpdir(), 'lafs-protocols-'))
    this.dirs.push(dir)
    const server = await createStorageServer({ dir, gcIntervalMs: 0, ...storage })
    this.servers.push(server)
    const node = await this.node()
    await registerStorageProtocols(node, server, protocols)
    return { node, server }
  }

  async cleanup (): Promise<void> {
    await stopAll(this.nodes.splice(0).map(n => ({ stop: async () => { await n.stop() } })))
    for (const s of this.servers.splice(0)) await s.stop().catch(() => {})
    for (const d of this.dirs.splice(0)) await rm(d, { recursive: true, force: true })
  }
}

/** Polls `check` until it returns true or the deadline passes. */
export async function eventually (check: () => boolean | Promise<boolean>, timeoutMs = 5000, message = 'condition not met in time'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(message)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}
