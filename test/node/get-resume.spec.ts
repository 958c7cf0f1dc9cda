/**
 * A download whose holders go away part way through locates again and goes
 * on from the byte it reached: the servers a locate (or the caller) named can
 * all be gone before the file is read, while others still hold its shares.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode, type LafsNode } from '../../src/node/index.js'

const LISTEN = ['/ip4/127.0.0.1/tcp/0']
const tcpAddr = (n: LafsNode): string => n.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws')) as string
const tableSize = (n: LafsNode): number => (n.libp2p.services.dht as any).routingTable?.size ?? 0

async function until (what: string, deadlineMs: number, check: () => boolean): Promise<void> {
  const end = Date.now() + deadlineMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

describe('node: a download whose holders go away locates again and resumes', function () {
  this.timeout(180_000)
  const dirs: string[] = []
  const nodes: LafsNode[] = []
  const start = async (storage: boolean, bootstrap: string[]): Promise<LafsNode> => {
    const dir = await mkdtemp(join(tmpdir(), 'lafs-resume-'))
    dirs.push(dir)
    const node = await createNode({ dataDir: dir, listen: LISTEN, bootstrap, storage: { enabled: storage }, gateway: false, dhtProtocol: '/lafs-club-test/kad/1.0.0' })
    nodes.push(node)
    return node
  }
  after(async () => {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  it('two named servers with one share each (k 2); one stops after the first bytes; the rest comes from servers the DHT names', async () => {
    const first = await start(true, [])
    const servers = [first, ...await Promise.all(Array.from({ length: 5 }, async () => await start(true, [tcpAddr(first)])))]
    await until('routing tables to fill', 60_000, () => servers.every(s => tableSize(s) >= 3))
    // Each share is 8 MiB: well beyond what a read-ahead fetched before the stop.
    const data = randomBytes(16 * 1024 * 1024)
    const { cap } = await servers[5].put(data, { servers: servers.map(tcpAddr), k: 2, happy: 6, n: 6 })
    await Promise.all(servers.map(async s => { await (s.announcer as any)?.onIdle?.() }))
    const reader = await start(false, [tcpAddr(servers[4])])
    await until('the reader to know DHT peers', 30_000, () => tableSize(reader) >= 3)

    const [a, b] = servers
    const parts: Uint8Array[] = []
    const stream = reader.cat(cap, { servers: [tcpAddr(a), tcpAddr(b)], onExplain: e => { assert.equal(e.way, 'servers') } })
    for await (const part of stream) {
      parts.push(part)
      // The first bytes came from a and b alone; now a goes away for good.
      if (parts.length === 1) await a.stop()
    }
    const got = Buffer.concat(parts)
    assert.equal(got.length, data.length)
    assert.ok(got.equals(data), 'the bytes after the resume continue the file')
  })
})
