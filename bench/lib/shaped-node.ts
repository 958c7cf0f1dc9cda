/**
 * One lafs-club node of the shaped-link bench, in its own process inside its
 * host's namespace: `createNode` (src/index.ts) on the namespace's address,
 * no bootstrap peers (every transfer names its servers), no gateway, plus the
 * raw-stream baseline (transfer-raw.ts) served by the same libp2p node, so
 * the raw stream crosses the same stack, connection and shaped link.
 *
 * Calls (shaped-rpc.ts): put, cat, rawDown, rawUp (timed here, in the node's
 * own process), and connect (a helper's servers).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { createNode, type ConfigInput, type LafsNode, type PutOptions } from '../../src/index.js'
import { STORAGE_PROTOCOL } from '../../src/protocols/index.js'
import { serveAsChild } from './bench-child.js'
import { answerCalls } from './shaped-rpc.js'
import { consume, warmSinks } from './transfer-ops.js'
import { handleRaw, rawDown, rawUp } from './transfer-raw.js'
import { generatedSource } from './transfer-source.js'

/** A private DHT protocol: the bench's nodes never look for anyone else. */
const BENCH_DHT = '/lafs-club-bench/shaped-kad/1.0.0'
export const NODE_PORT = 4001

export interface NodeRole {
  /** Runs a storage server (the ten servers) or not (client, reader, helper). */
  storage: boolean
  /** Config keys for this role beyond the bench's own (the helper: `helper.enabled`). */
  config?: Record<string, unknown>
}

export type NodeInfo =
  | { started: true, peerId: string, addr: string, pid: number }
  /** createNode refused the role's config (a key this build does not know): the role is not available. */
  | { started: false, why: string, pid: number }

export interface PutArg { seedHex: string, size: number, servers: string[], k: number, n: number, happy: number, helper?: string }
/** What a put through a helper says about it (issue 17's PutResult.helper). */
export interface HelperPutResult { peerId: string, alreadyStored: boolean, sentBytes: number }
export interface PutReply { ms: number, cap: string, happiness?: number, helper?: HelperPutResult }
export interface CatArg { cap: string, servers: string[], size: number, sha256: string }

/** Config keys of the bench node: a lab that plays the internet (interop/netlab/README.md), nothing that looks for peers. */
function benchConfig (role: NodeRole): ConfigInput {
  return {
    network: { publicRanges: ['11.0.0.0/8'] },
    nat: { upnp: false, autonat: false },
    relay: { client: false, server: false },
    dht: { clientMode: 'server', lan: false },
    repair: { intervalSeconds: 0 },
    ...(role.config as ConfigInput | undefined)
  }
}

function isConfigRefusal (err: unknown, role: NodeRole): boolean {
  const e = err as { code?: string, key?: string }
  if (e?.code !== 'ERR_INVALID_CONFIG' || typeof e.key !== 'string') return false
  return Object.keys(role.config ?? {}).some(top => e.key === top || (e.key as string).startsWith(`${top}.`))
}

/** The whole plaintext, made from the parent's seed (the Helia providers make the same bytes). */
async function heldBytes (seedHex: string, size: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const c of generatedSource(size, Buffer.from(seedHex, 'hex')).read()) parts.push(c)
  return Buffer.concat(parts)
}

/** Child side: called by shaped-child.ts with the host's address and the role. */
export async function serveShapedNode (ip: string, role: NodeRole): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lafs-bench-shaped-'))
  let node: LafsNode | undefined
  await serveAsChild<NodeInfo>(async () => {
    try {
      node = await createNode({
        dataDir: dir,
        listen: [`/ip4/${ip}/tcp/${NODE_PORT}`],
        bootstrap: [],
        dhtProtocol: BENCH_DHT,
        gateway: false,
        storage: { enabled: role.storage },
        config: benchConfig(role),
        bootstrapTimeoutMs: 1000,
        logger: { info: () => {}, warn: m => { console.error(`[node ${ip}] warning: ${m}`) }, error: m => { console.error(`[node ${ip}] error: ${m}`) } }
      })
    } catch (err) {
      if (isConfigRefusal(err, role)) return { started: false, why: (err as Error).message, pid: process.pid }
      throw err
    }
    const n = node
    await handleRaw(n.libp2p)
    answerCalls({
      put: async (a: PutArg): Promise<PutReply> => {
        const data = await heldBytes(a.seedHex, a.size)
        // Through a helper the servers are the helper's to choose (a put that names servers goes
        // direct). `helper` is issue 17's put option: a build without it ignores the key, which
        // the bench notices from the bytes on the client's link (shaped-helper.ts).
        const opts = (a.helper !== undefined ? { helper: a.helper, k: a.k, n: a.n, happy: a.happy } : { servers: a.servers, k: a.k, n: a.n, happy: a.happy }) as PutOptions
        const t0 = performance.now()
        const r = await n.files.put(data, opts)
        const ms = performance.now() - t0
        const via = (r as { helper?: HelperPutResult }).helper
        return { ms, cap: r.cap, happiness: r.happiness, ...(via !== undefined ? { helper: via } : {}) }
      },
      // the helper places shares on the storage servers it is connected to: dial them and wait for identify to say they serve storage
      connect: async (a: { addrs: string[], timeoutMs: number }): Promise<{ ms: number }> => {
        const t0 = performance.now()
        const peers = await Promise.all(a.addrs.map(async addr => (await n.libp2p.dial(multiaddr(addr))).remotePeer))
        const deadline = Date.now() + a.timeoutMs
        for (const peer of peers) {
          while (!(await n.libp2p.peerStore.get(peer).then(p => p.protocols.includes(STORAGE_PROTOCOL), () => false))) {
            if (Date.now() > deadline) throw new Error(`${peer.toString()} did not say it serves storage within ${a.timeoutMs} ms of connecting`)
            await new Promise(resolve => setTimeout(resolve, 100))
          }
        }
        return { ms: performance.now() - t0 }
      },
      cat: async (a: CatArg): Promise<{ ms: number }> => {
        warmSinks(a.size, 1)
        const t0 = performance.now()
        // copied into a reused buffer and hashed after the clock stops, as the transfer bench does
        const check = await consume(n.files.cat(a.cap, { servers: a.servers }), a, 'download', true)
        const ms = performance.now() - t0
        check()
        return { ms }
      },
      rawDown: async (a: { addr: string, size: number }): Promise<{ ms: number }> => ({ ms: await rawDown(n.libp2p, multiaddr(a.addr), a.size) }),
      rawUp: async (a: { addr: string, size: number }): Promise<{ ms: number }> => ({ ms: await rawUp(n.libp2p, multiaddr(a.addr), a.size) })
    })
    return { started: true, peerId: n.libp2p.peerId.toString(), addr: `/ip4/${ip}/tcp/${NODE_PORT}/p2p/${n.libp2p.peerId.toString()}`, pid: process.pid }
  }, async () => {
    try { await node?.stop() } finally { await rm(dir, { recursive: true, force: true }) }
  })
}
