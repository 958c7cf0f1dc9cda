/**
 * A gateway over a real node and a real storage grid. Until node.put/get are
 * wired to src/client, the node gets a client built here from src/client's
 * upload/download (the ClientFactory hook of createNode), sending to the
 * grid's servers by default: real parts, wired for the test.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { download, findShares, serversFromMultiaddrs, upload } from '../../src/client/index.js'
import { backendFromNode, startGateway, type Gateway } from '../../src/gateway/index.js'
import { parseHintedCap, storageIndexOf } from '../../src/immutable/index.js'
import { createNode, silentLogger, type ClientFactory, type LafsNode } from '../../src/node/index.js'
import { startGrid, stopGrid, type GridServer } from '../fixtures/grid.js'

async function collect (data: Uint8Array | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return data
  const parts: Uint8Array[] = []
  for await (const c of data) parts.push(c)
  return Buffer.concat(parts)
}

export function gridClient (defaultServers: () => string[]): ClientFactory {
  return (core) => {
    const cat = (cap: string, o: { servers?: string[], signal?: AbortSignal } = {}): AsyncIterable<Uint8Array> => ({
      async * [Symbol.asyncIterator] () {
        const parsed = parseHintedCap(cap).cap
        if (parsed.kind === 'lit') {
          yield * download(core.libp2p, parsed, { holders: [], signal: o.signal })
          return
        }
        const si = storageIndexOf(parsed)
        const { holders } = await findShares(core.libp2p, si, serversFromMultiaddrs(o.servers ?? defaultServers()), { signal: o.signal })
        yield * download(core.libp2p, parsed, { holders, signal: o.signal })
      }
    })
    return {
      put: async (data, o = {}) => {
        const bytes = await collect(data)
        const r = await upload(core.libp2p, bytes, {
          servers: serversFromMultiaddrs(o.servers ?? defaultServers()),
          k: core.config.client.k,
          happy: core.config.client.happy,
          n: core.config.client.n,
          convergenceSecret: core.convergenceSecret,
          leaseSecret: core.leaseSecret,
          signal: o.signal
        })
        return { cap: r.cap, ...(o.club !== undefined ? { hintedCap: `${r.cap}@${o.club}` } : {}) }
      },
      get: async (cap, o) => await collect(cat(cap, o)),
      cat
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
