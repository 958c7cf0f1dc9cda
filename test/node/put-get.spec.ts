import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode, type LafsNode } from '../../src/node/index.js'

const LISTEN = ['/ip4/127.0.0.1/tcp/0']

describe('node: put/get/cat through the programmatic API', function () {
  this.timeout(120_000)
  const dirs: string[] = []
  const nodes: LafsNode[] = []
  const fresh = async (storage: boolean): Promise<LafsNode> => {
    const dir = await mkdtemp(join(tmpdir(), 'lafs-node-'))
    dirs.push(dir)
    const node = await createNode({ dataDir: dir, listen: LISTEN, bootstrap: [], storage: { enabled: storage }, gateway: false })
    nodes.push(node)
    return node
  }
  after(async () => {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  it('uploads to servers by multiaddr and another node downloads by cap', async () => {
    const servers = await Promise.all(Array.from({ length: 10 }, async () => await fresh(true)))
    const addrs = servers.map(s => s.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws')) as string)
    const uploader = await fresh(false)
    const data = randomBytes(3_000_000)
    const { cap, hintedCap } = await uploader.put(data, { servers: addrs })
    assert.match(cap, /^URI:CHK:/)
    assert.equal(hintedCap, undefined)
    const lease = uploader.leases.list()
    assert.equal(lease.length, 1, 'the upload is remembered for lease renewal')
    assert.equal(lease[0].servers.length, 10)
    const reader = await fresh(false)
    const got = await reader.get(cap, { servers: addrs })
    assert.ok(Buffer.from(got).equals(data))
    const parts: Uint8Array[] = []
    for await (const p of reader.cat(cap, { servers: addrs, offset: 1_000_000, length: 10 })) parts.push(p)
    assert.ok(Buffer.concat(parts).equals(data.subarray(1_000_000, 1_000_010)))
    const small = await uploader.put(Buffer.from('tiny'), {})
    assert.equal(small.cap, 'URI:LIT:oruw46i')
    assert.equal(Buffer.from(await reader.get(small.cap)).toString(), 'tiny')
  })

  it('uploads a stream (spooled, nothing left behind), and check/verify/repair restore lost shares', async () => {
    const servers = await Promise.all(Array.from({ length: 10 }, async () => await fresh(true)))
    const addrs = servers.map(s => s.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws')) as string)
    const node = await fresh(false)
    const data = randomBytes(1_500_000)
    async function * chunks (): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < data.length; i += 100_000) yield data.subarray(i, i + 100_000)
    }
    const { cap } = await node.put(chunks(), { servers: addrs })
    assert.equal(cap, (await node.put(data, { servers: addrs })).cap, 'a stream and a buffer of the same bytes give the same convergent cap')
    const { readdir } = await import('node:fs/promises')
    assert.deepEqual(await readdir(join(node.dataDir, 'tmp')), [], 'the spool file is removed')
    let report = await node.check(cap, { servers: addrs })
    assert.equal(report.sharesFound, 10)
    assert.equal(report.healthy, true)
    // Lose four shares: four of the servers holding them go offline for good.
    const extra = await Promise.all(Array.from({ length: 2 }, async () => await fresh(true)))
    const all = [...addrs, ...extra.map(s => s.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws')) as string)]
    await Promise.all(servers.slice(0, 4).map(async s => { await s.stop() }))
    report = await node.check(cap, { servers: all, verify: true })
    assert.equal(report.sharesFound, 6, JSON.stringify(report.unreachableErrors))
    assert.equal(report.healthy, false)
    assert.equal(report.unreachable.length, 4)
    report = await node.check(cap, { servers: all, repair: true })
    assert.equal(report.repaired?.sharesUploaded, 4)
    assert.equal(report.repaired?.sharesFoundAfter, 10)
    assert.ok(Buffer.from(await node.get(cap, { servers: all.slice(4) })).equals(data))
  })

  it('many transfers at once from one node share its storage sessions: a server allows 4 per connection, 6 downloads and 3 uploads all succeed', async () => {
    // Each transfer once opened its own sessions (a download: two), so the third concurrent download reset streams.
    const servers = await Promise.all(Array.from({ length: 3 }, async () => await fresh(true)))
    const addrs = servers.map(s => s.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws')) as string)
    const node = await fresh(false)
    const files = Array.from({ length: 6 }, () => randomBytes(200_000))
    const caps = await Promise.all(files.map(async f => (await node.put(f, { servers: addrs, k: 2, happy: 3, n: 3 })).cap))
    const more = Array.from({ length: 3 }, () => randomBytes(150_000))
    const [got] = await Promise.all([
      Promise.all(caps.map(async cap => await node.get(cap, { servers: addrs }))),
      Promise.all(more.map(async f => await node.put(f, { servers: addrs, k: 2, happy: 3, n: 3 })))
    ])
    got.forEach((g, i) => { assert.ok(Buffer.from(g).equals(files[i]), `download ${i}`) })
  })

  it('refuses a put with no servers and no club, and a bad cap, with typed errors', async () => {
    const node = await fresh(false)
    await assert.rejects(node.put(randomBytes(1000), {}), (e: any) => e.code === 'ERR_NO_SERVERS')
    await assert.rejects(node.get('URI:CHK:nope'), (e: any) => e.code != null && /cap|CHK/i.test(e.message))
  })
})
