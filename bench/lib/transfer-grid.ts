/**
 * The transfer bench's storage grid: ten real storage servers (their own
 * temporary folders, real SQLite, the real storage protocols) plus one node
 * serving the raw-stream baseline, all in ONE child process, so the client
 * measured in the parent never shares an event loop with the servers.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance, type EventLoopUtilization } from 'node:perf_hooks'
import { registerStorageProtocols } from '../../src/protocols/index.js'
import { createStorageServer, type StorageServer } from '../../src/storage/index.js'
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

interface Ready { type: 'ready', grid: GridAddresses }
interface Failed { type: 'failed', message: string }
interface Elu { type: 'elu', elu: EventLoopUtilization }

/** Child side: starts the grid, reports its addresses, and tears it all down on 'stop' or when the parent goes away. */
export async function serveGrid (count: number): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'lafs-bench-transfer-'))
  const nodes: Libp2p[] = []
  const stores: StorageServer[] = []
  let stopping: Promise<void> | undefined
  const stop = async (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.allSettled(nodes.map(async n => { await n.stop() }))
      await Promise.allSettled(stores.map(async s => { await s.close() }))
      await rm(root, { recursive: true, force: true })
    })()
    await stopping
  }
  process.on('message', msg => {
    if (msg === 'stop') void stop().finally(() => process.exit(0))
    // Busy share of the servers' event loop since start; the parent diffs two readings.
    if (msg === 'elu') { const reply: Elu = { type: 'elu', elu: performance.eventLoopUtilization() }; process.send?.(reply) }
  })
  process.on('disconnect', () => { void stop().finally(() => process.exit(0)) })
  // A reset stream can leave an internal drain promise rejected with nobody awaiting it.
  process.on('unhandledRejection', () => {})
  try {
    const servers: ServerInfo[] = []
    for (let i = 0; i < count; i++) {
      const storage = await createStorageServer({ dir: join(root, `server-${i}`), gcIntervalMs: 0, freeQuota: 2 ** 42 })
      stores.push(storage)
      const node = await createBenchNode()
      nodes.push(node)
      await registerStorageProtocols(node, storage)
      servers.push({ peerId: node.peerId.toString(), multiaddrs: [node.getMultiaddrs()[0].toString()] })
    }
    const raw = await createBenchNode()
    nodes.push(raw)
    await handleRaw(raw)
    const ready: Ready = { type: 'ready', grid: { servers, raw: raw.getMultiaddrs()[0].toString(), dir: root } }
    process.send?.(ready)
  } catch (err) {
    const failed: Failed = { type: 'failed', message: (err as Error).stack ?? String(err) }
    process.send?.(failed)
    await stop()
    process.exit(1)
  }
}

export interface ChildGrid extends GridAddresses {
  pid: number
  /** The server process's cumulative event loop utilization (pass two readings to performance.eventLoopUtilization to diff). */
  elu: () => Promise<EventLoopUtilization>
  stop: () => Promise<void>
}

/**
 * Parent side: forks the child entry next to this file, with the same
 * execArgv (so it also runs under tsx), and waits for its addresses.
 */
export async function startChildGrid (count: number, childExecArgv: string[] = []): Promise<ChildGrid> {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
  const entry = fileURLToPath(new URL(`./transfer-child${ext}`, import.meta.url))
  const child: ChildProcess = fork(entry, [String(count)], { execArgv: [...process.execArgv, ...childExecArgv], stdio: 'inherit' })
  const exited = new Promise<number | null>(resolve => child.once('exit', code => { resolve(code) }))
  const grid = await new Promise<GridAddresses>((resolve, reject) => {
    child.on('message', (msg: Ready | Failed | Elu) => {
      if (msg.type === 'ready') resolve(msg.grid)
      else if (msg.type === 'failed') reject(new Error(`storage grid failed to start: ${msg.message}`))
    })
    void exited.then(code => { reject(new Error(`storage grid process exited with ${code} before it was ready`)) })
  })
  return {
    ...grid,
    pid: child.pid ?? -1,
    elu: async () => await new Promise<EventLoopUtilization>((resolve, reject) => {
      const onMessage = (msg: Ready | Failed | Elu): void => {
        if (msg.type !== 'elu') return
        child.off('message', onMessage)
        resolve(msg.elu)
      }
      if (!child.connected) { reject(new Error('storage grid process is gone')); return }
      child.on('message', onMessage)
      child.send('elu')
    }),
    stop: async () => {
      if (child.exitCode != null) return
      child.send('stop')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    }
  }
}
