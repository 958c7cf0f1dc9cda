/**
 * The transfer bench's storage grid: ten real storage servers (their own
 * temporary folders, real SQLite, the real storage protocols) plus one node
 * serving the raw-stream baseline, all in ONE child process, so the client
 * measured in the parent never shares an event loop with the servers.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { registerStorageProtocols } from '../../src/protocols/index.js'
import { createStorageServer, type StorageServer } from '../../src/storage/index.js'
import { serveAsChild, startBenchChild, type ChildUsage } from './bench-child.js'
import { createBenchNode } from './transfer-node.js'
import { handleRaw } from './transfer-raw.js'
import type { ServerInfo } from '../../src/client/index.js'
import type { Libp2p } from '@libp2p/interface'

export interface GridAddresses {
  servers: ServerInfo[]
  /** Multiaddr (with /p2p) of the node serving the raw baseline. */
  raw: string
  /** The child's temporary root, for the report. */
  dir: string
}

/** Child side: starts the grid, reports its addresses, and tears it all down on 'stop' or when the parent goes away. */
export async function serveGrid (count: number): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'lafs-bench-transfer-'))
  const nodes: Libp2p[] = []
  const stores: StorageServer[] = []
  await serveAsChild<GridAddresses>(async () => {
    const servers: ServerInfo[] = []
    for (let i = 0; i < count; i++) {
      const storage = await createStorageServer({ dir: join(root, `server-${i}`), gcIntervalMs: 0, freeQuota: 2 ** 42 })
      stores.push(storage)
      // both channels, as a lafs-club node: the client's own choice decides which is used
      const node = await createBenchNode('both')
      nodes.push(node)
      await registerStorageProtocols(node, storage)
      servers.push({ peerId: node.peerId.toString(), multiaddrs: [node.getMultiaddrs()[0].toString()] })
    }
    const raw = await createBenchNode('both')
    nodes.push(raw)
    await handleRaw(raw)
    return { servers, raw: raw.getMultiaddrs()[0].toString(), dir: root }
  }, async () => {
    await Promise.allSettled(nodes.map(async n => { await n.stop() }))
    await Promise.allSettled(stores.map(async s => { await s.stop() }))
    await rm(root, { recursive: true, force: true })
  })
}

export interface ChildGrid extends GridAddresses {
  pid: number
  /** The server process's cumulative event loop utilization (pass two readings to performance.eventLoopUtilization to diff) and CPU time. */
  usage: () => Promise<ChildUsage>
  stop: () => Promise<void>
}

/** Parent side: forks transfer-child with the same execArgv (so it also runs under tsx) and waits for its addresses. */
export async function startChildGrid (count: number, childExecArgv: string[] = []): Promise<ChildGrid> {
  const child = await startBenchChild<GridAddresses>(import.meta.url, 'transfer-child', [String(count)], 'storage grid process', childExecArgv)
  return { ...child.info, pid: child.pid, usage: child.usage, stop: child.stop }
}
