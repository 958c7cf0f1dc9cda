/**
 * The first-byte bench's grid, in ONE child process so the reader measured
 * in the parent never shares an event loop with the servers: six full
 * lafs-club nodes on loopback (the first is the club owner; all six are
 * storage servers), one club of all six, files uploaded through it with
 * k=3, N=6 and announced in the DHT. One of the servers also answers the raw
 * baseline protocol: a bare stream on which the server writes one byte.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode, silentLogger, type LafsNode } from '../../src/node/index.js'
import { serveAsChild, startBenchChild } from './bench-child.js'

export const FIRST_BYTE_DHT_PROTOCOL = '/lafs-club-bench/kad/1.0.0'
/** The baseline: open a stream, the server writes one byte and closes. */
export const RAW_FIRST_BYTE = '/lafs-bench/first-byte/1.0.0'
export const LISTEN = ['/ip4/127.0.0.1/tcp/0']

export interface FirstByteGridInfo {
  /** The address readers bootstrap from (a storage server, not the owner). */
  bootstrap: string
  clubId: string
  caps: string[]
  fileBytes: number
}

export const tcpAddr = (n: LafsNode): string => {
  const addr = n.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws'))
  if (addr == null) throw new Error(`node ${n.peerId} has no TCP address`)
  return addr
}

const tableSize = (n: LafsNode): number => (n.libp2p.services.dht as any).routingTable?.size ?? 0

async function until (deadlineMs: number, check: () => boolean): Promise<boolean> {
  const end = Date.now() + deadlineMs
  while (!check()) {
    if (Date.now() > end) return false
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return true
}

/** Child side: builds the grid, reports what readers need, removes it all on 'stop' or when the parent goes. */
export async function serveFirstByteGrid (files: number, fileBytes: number): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'lafs-bench-first-byte-'))
  const nodes: LafsNode[] = []
  const start = async (i: number, bootstrap: string[]): Promise<LafsNode> => {
    const node = await createNode({
      dataDir: join(root, `server-${i}`), listen: LISTEN, bootstrap, gateway: false, storage: { enabled: true }, dhtProtocol: FIRST_BYTE_DHT_PROTOCOL, logger: silentLogger
    })
    nodes.push(node)
    return node
  }
  await serveAsChild<FirstByteGridInfo>(async () => {
    const owner = await start(0, [])
    const boot = [tcpAddr(owner)]
    await Promise.all([1, 2, 3, 4, 5].map(async i => await start(i, boot)))
    await Promise.all(nodes.map(async n => await n.bootstrapped))
    await until(60_000, () => nodes.every(n => tableSize(n) >= 3))
    const clubId = await owner.createClub({ name: 'first byte' })
    for (const s of nodes) await owner.clubAdd(clubId, tcpAddr(s))
    const caps: string[] = []
    for (let f = 0; f < files; f++) caps.push((await owner.put(randomBytes(fileBytes), { club: clubId, k: 3, happy: 6, n: 6 })).cap)
    await Promise.all(nodes.map(async s => { await (s.announcer as any)?.onIdle?.() }))
    const raw = nodes[3]
    await raw.libp2p.handle(RAW_FIRST_BYTE, async stream => {
      stream.send(new Uint8Array([1]))
      await stream.close()
    })
    return { bootstrap: tcpAddr(raw), clubId, caps, fileBytes }
  }, async () => {
    await Promise.allSettled(nodes.map(async n => { await n.stop() }))
    await rm(root, { recursive: true, force: true })
  })
}

export interface FirstByteChild extends FirstByteGridInfo {
  stop: () => Promise<void>
}

/** Parent side: forks first-byte-child (under tsx or built, as the parent runs) and waits for the grid. */
export async function startFirstByteGrid (files: number, fileBytes: number): Promise<FirstByteChild> {
  const child = await startBenchChild<FirstByteGridInfo>(import.meta.url, 'first-byte-child', [String(files), String(fileBytes)], 'first-byte grid process')
  return { ...child.info, stop: child.stop }
}
