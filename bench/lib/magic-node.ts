/**
 * A magic-folder node of the magic bench in its own process, so its CPU,
 * RSS and descriptors are its own: a LafsNode (no storage, no gateway) on
 * 127.0.0.1 whose folders sync through the bench's storage grid. The parent
 * drives it through `call` (the `node.magicFolders` door, nothing else) and
 * reads its usage from /proc without waking it (proc-usage.ts).
 *
 * The child records when each folder's scans and polls start and end and how
 * many uploads and downloads each did, by wrapping MagicFolder's two steps
 * (bench instrumentation: the engine has no such events); without those
 * methods the windows list stays empty and the reports say so.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { serveAsChild } from './bench-child.js'

/** One scan or poll of one folder, in ms since the epoch. */
export interface ActivityWindow {
  kind: 'scan' | 'poll'
  folder: string
  start: number
  end: number
  /** Snapshots made (scan) and remote versions placed (poll) during the step. */
  uploads: number
  downloads: number
}

export interface MagicNodeInfo { peerId: string, dataDir: string }

type Call = { type: 'call', id: number, op: string, args: unknown[] }
type Reply = { type: 'reply', id: number, value?: unknown, error?: string }

/** Child side (magic-node-child.ts). */
export async function serveMagicNode (dataDir: string, clientJson: string): Promise<void> {
  const { createNode } = await import('../../src/node/index.js')
  const { MagicFolder } = await import('../../src/magic-folder/folder.js')
  const windows: ActivityWindow[] = []
  const proto = MagicFolder.prototype as unknown as Record<string, unknown>
  for (const [method, kind] of [['scanOnce', 'scan'], ['pollOnce', 'poll']] as const) {
    const original = proto[method]
    if (typeof original !== 'function') continue
    proto[method] = async function (this: InstanceType<typeof MagicFolder>): Promise<void> {
      const before = this.status()
      const start = Date.now()
      try {
        await (original as () => Promise<void>).call(this)
      } finally {
        const after = this.status()
        windows.push({ kind, folder: this.name, start, end: Date.now(), uploads: after.uploads + after.deletionsSent - before.uploads - before.deletionsSent, downloads: after.downloads + after.deletionsApplied - before.downloads - before.deletionsApplied })
        if (windows.length > 100_000) windows.splice(0, 50_000)
      }
    }
  }
  let node: Awaited<ReturnType<typeof createNode>> | undefined
  await serveAsChild<MagicNodeInfo>(async () => {
    node = await createNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], storage: { enabled: false }, gateway: false, config: { client: JSON.parse(clientJson) } })
    const n = node
    const mf = n.magicFolders as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
    process.on('message', (msg: Call) => {
      if (typeof msg !== 'object' || msg?.type !== 'call') return
      const answer = async (): Promise<unknown> => {
        if (msg.op === 'activity') return windows.splice(0, windows.length)
        if (typeof mf[msg.op] !== 'function') throw new Error(`no magicFolders.${msg.op}`)
        return await mf[msg.op](...msg.args)
      }
      answer().then(value => { process.send?.({ type: 'reply', id: msg.id, value } satisfies Reply) },
        (err: unknown) => { process.send?.({ type: 'reply', id: msg.id, error: (err as Error).stack ?? String(err) } satisfies Reply) })
    })
    return { peerId: n.peerId.toString(), dataDir }
  }, async () => { await node?.stop() })
}

export interface MagicNode {
  info: MagicNodeInfo
  pid: number
  /** Calls `node.magicFolders[op](...args)` in the child ('activity' drains the recorded windows). */
  call: <T = unknown>(op: string, ...args: unknown[]) => Promise<T>
  stop: () => Promise<void>
}

/** Parent side: forks a node child with this process's execArgv (tsx or built) plus `extraExecArgv` (e.g. --cpu-prof). */
export async function startMagicNode (dataDir: string, client: { k: number, happy: number, n: number }, extraExecArgv: string[] = []): Promise<MagicNode> {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
  const child = fork(fileURLToPath(new URL(`./magic-node-child${ext}`, import.meta.url)), [dataDir, JSON.stringify(client)], { execArgv: [...process.execArgv, ...extraExecArgv], stdio: 'inherit' })
  const exited = new Promise<number | null>(resolve => child.once('exit', code => { resolve(code) }))
  const pending = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()
  let nextId = 1
  const info = await new Promise<MagicNodeInfo>((resolve, reject) => {
    child.on('message', (msg: { type: string, info?: MagicNodeInfo, message?: string, id?: number, value?: unknown, error?: string }) => {
      if (msg.type === 'ready') resolve(msg.info as MagicNodeInfo)
      else if (msg.type === 'failed') reject(new Error(`magic node failed to start: ${msg.message ?? ''}`))
      else if (msg.type === 'reply' && msg.id !== undefined) {
        const p = pending.get(msg.id)
        pending.delete(msg.id)
        if (msg.error !== undefined) p?.reject(new Error(msg.error))
        else p?.resolve(msg.value)
      }
    })
    void exited.then(code => {
      reject(new Error(`magic node exited with ${code} before it was ready`))
      for (const p of pending.values()) p.reject(new Error(`magic node exited with ${code}`))
    })
  })
  return {
    info,
    pid: child.pid ?? -1,
    call: async <T>(op: string, ...args: unknown[]): Promise<T> => await new Promise<T>((resolve, reject) => {
      if (!child.connected) { reject(new Error('magic node is gone')); return }
      const id = nextId++
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      child.send({ type: 'call', id, op, args } satisfies Call)
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
