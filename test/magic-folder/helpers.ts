/** A small grid of real nodes on loopback for magic-folder tests, and waiting with a deadline. */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode, type LafsNode } from '../../src/node/index.js'

const LISTEN = ['/ip4/127.0.0.1/tcp/0']
/** Few servers, so the shares parameters fit them: k=2 of n=4, happy with 3. */
export const CLIENT = { k: 2, happy: 3, n: 4 }

export class MagicGridFixture {
  readonly tmp: string[] = []
  readonly nodes: LafsNode[] = []
  servers: string[] = []

  async dir (prefix: string): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), prefix))
    this.tmp.push(d)
    return d
  }

  async node (dataDir: string, storage: boolean): Promise<LafsNode> {
    const node = await createNode({ dataDir, listen: LISTEN, bootstrap: [], storage: { enabled: storage }, gateway: false, config: { client: CLIENT } })
    this.nodes.push(node)
    return node
  }

  async start (storageNodes: number): Promise<void> {
    const s = await Promise.all(Array.from({ length: storageNodes }, async () => await this.node(await this.dir('lafs-mf-srv-'), true)))
    this.servers = s.map(n => n.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws')) as string)
  }

  /** A client node; `dataDir` again restarts one. */
  async client (dataDir?: string): Promise<{ node: LafsNode, dataDir: string }> {
    const d = dataDir ?? await this.dir('lafs-mf-cli-')
    return { node: await this.node(d, false), dataDir: d }
  }

  async stop (): Promise<void> {
    await Promise.all(this.nodes.map(async n => { await n.stop() }))
    await Promise.all(this.tmp.map(async d => { await rm(d, { recursive: true, force: true }) }))
  }
}

/** Checks `probe` every 100 ms until it answers something other than undefined, or fails after `ms` naming `what`. */
export async function waitFor<T> (what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + ms
  let last: unknown
  for (;;) {
    try {
      const v = await probe()
      if (v !== undefined) return v
    } catch (err) { last = err }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last !== undefined ? ` (last error: ${(last as Error).message})` : ''}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/** The file's contents once it holds `expected`. */
export async function contentsIs (path: string, expected: string): Promise<true | undefined> {
  try {
    return (await readFile(path, 'utf8')) === expected ? true : undefined
  } catch { return undefined }
}

export async function gone (path: string): Promise<true | undefined> {
  try { await readFile(path); return undefined } catch (err) { return (err as NodeJS.ErrnoException).code === 'ENOENT' ? true : undefined }
}

/** Names in a folder (not recursive), the staging folder left out. */
export async function names (dir: string): Promise<string[]> {
  return (await readdir(dir)).filter(n => n !== '.lafs-tmp').sort()
}
