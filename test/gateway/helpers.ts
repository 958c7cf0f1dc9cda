/**
 * A gateway over a real node and a real storage grid.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { backendFromNode, startGateway, type Gateway } from '../../src/gateway/index.js'
import { createNode, defaultClientFactory, silentLogger, type ClientFactory, type LafsNode } from '../../src/node/index.js'
import { startGrid, stopGrid, type GridServer } from '../fixtures/grid.js'

/**
 * The node's own client (defaultClientFactory), with the grid's servers as the
 * default server list, so plain `PUT /uri` and `GET /uri/<cap>` work without
 * a club or DHT.
 */
export function gridClient (defaultServers: () => string[]): ClientFactory {
  return async (core) => {
    const client = await defaultClientFactory(core)
    const withServers = <T extends { servers?: string[] }>(o: T | undefined): T => ({ ...(o ?? {}), servers: o?.servers ?? defaultServers() }) as T
    return {
      ...client,
      put: async (data, o) => await client.put(data, withServers(o)),
      get: async (cap, o) => await client.get(cap, withServers(o)),
      cat: (cap, o) => client.cat(cap, withServers(o))
    }
  }
}

export interface GatewayHarness {
  grid: GridServer[]
  node: LafsNode
  gateway: Gateway
  dir: string
  stop: () => Promise<void>
}

export async function startHarness (opts: { servers?: number, locateTimeoutMs?: number } = {}): Promise<GatewayHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'lafs-gw-'))
  const grid = await startGrid(opts.servers ?? 4)
  const node = await createNode({
    dataDir: join(dir, 'node'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [],
    gateway: false,
    storage: { enabled: true },
    config: { client: { k: 2, happy: 3, n: 4 }, connections: { allow: ['/ip4/127.0.0.0/ipcidr/8'] } },
    logger: silentLogger,
    client: gridClient(() => grid.map(s => s.info.multiaddrs[0]))
  })
  const gateway = await startGateway({ backend: backendFromNode(node), port: 0, locateTimeoutMs: opts.locateTimeoutMs ?? 3000 })
  return {
    grid,
    node,
    gateway,
    dir,
    stop: async () => {
      await gateway.close()
      await node.stop()
      await stopGrid(grid)
      await rm(dir, { recursive: true, force: true })
    }
  }
}
