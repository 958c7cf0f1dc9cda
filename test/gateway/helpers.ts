/**
 * A gateway over a real node and a real storage grid. The node owns a club
 * of the grid's servers and uses it as its default club, as a user's node
 * does after `lafs-club club join`: plain `PUT /uri` goes to the club, and
 * `GET /uri/<cap>` of a cap without a hint asks the club first. A second,
 * storage-less node gives the club's roster a DHT peer to be published to.
 */
import { request } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { startGateway, type Gateway } from '../../src/gateway/index.js'
import { createNode, silentLogger, type LafsNode } from '../../src/node/index.js'
import { startGrid, stopGrid, type GridServer } from '../fixtures/grid.js'

export interface GatewayHarness {
  grid: GridServer[]
  node: LafsNode
  /** The node's club of the grid's servers (its default club). */
  clubId: string
  gateway: Gateway
  dir: string
  stop: () => Promise<void>
}

const NODE_CONFIG = { client: { k: 2, happy: 3, n: 4 }, connections: { allow: ['/ip4/127.0.0.0/ipcidr/8'] } }

export async function startHarness (opts: { servers?: number, locateTimeoutMs?: number } = {}): Promise<GatewayHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'lafs-gw-'))
  const grid = await startGrid(opts.servers ?? 4)
  const started: Array<{ stop: () => Promise<void> }> = []
  try {
    const peer = await createNode({ dataDir: join(dir, 'dht-peer'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], gateway: false, storage: { enabled: false }, config: NODE_CONFIG, logger: silentLogger })
    started.push(peer)
    const node = await createNode({
      dataDir: join(dir, 'node'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [peer.multiaddrs[0]],
      gateway: false,
      storage: { enabled: true },
      config: NODE_CONFIG,
      logger: silentLogger
    })
    started.push(node)
    await node.bootstrapped
    const club = await node.clubs.create({ name: 'gateway test grid', servers: grid.map(s => s.info.multiaddrs[0]) })
    await node.clubs.setDefault(club.clubId)
    const gateway = await startGateway({ node, port: 0, locateTimeoutMs: opts.locateTimeoutMs ?? 3000 })
    started.push({ stop: async () => { await gateway.close() } })
    return {
      grid,
      node,
      clubId: club.clubId,
      gateway,
      dir,
      stop: async () => {
        for (const s of started.reverse()) await s.stop()
        await stopGrid(grid)
        await rm(dir, { recursive: true, force: true })
      }
    }
  } catch (err) {
    for (const s of started.reverse()) await s.stop().catch(() => {})
    await stopGrid(grid)
    await rm(dir, { recursive: true, force: true })
    throw err
  }
}

/**
 * A storage "server" that accepts TCP connections and never speaks: a download
 * told to use it (`?server=`) stays in progress until the locate deadline, long
 * enough for a status poll to see it.
 */
export async function startSilentServer (): Promise<{ multiaddr: string, close: () => Promise<void> }> {
  const sockets: Socket[] = []
  const silent = createServer(socket => { sockets.push(socket) })
  await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve))
  const port = (silent.address() as AddressInfo).port
  const stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  return {
    multiaddr: `/ip4/127.0.0.1/tcp/${port}/p2p/${stranger}`,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>(resolve => { silent.close(() => { resolve() }) })
    }
  }
}

export interface Answer { status: number, headers: Record<string, string | string[] | undefined>, body: Buffer }

/** One HTTP request to the gateway, the whole answer read. */
export async function http (base: string, method: string, path: string, body?: Uint8Array | string, headers: Record<string, string> = {}): Promise<Answer> {
  return await new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, headers }, res => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }) })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}
