import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode, type LafsNode } from '../../src/node/index.js'

const LISTEN = ['/ip4/127.0.0.1/tcp/0']
const tcp = (n: LafsNode): string => n.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws')) as string

describe('node: a club server that uploads keeps its own share', function () {
  this.timeout(120_000)
  const dirs: string[] = []
  const nodes: LafsNode[] = []
  const fresh = async (storage: boolean, bootstrap: string[] = []): Promise<LafsNode> => {
    const dir = await mkdtemp(join(tmpdir(), 'lafs-self-'))
    dirs.push(dir)
    const node = await createNode({ dataDir: dir, listen: LISTEN, bootstrap, storage: { enabled: storage }, gateway: false })
    nodes.push(node)
    return node
  }
  after(async () => {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  it('uploads with happy = every server of the club, itself included, and downloads, checks and reads its own share back', async () => {
    const owner = await fresh(true)
    const [a, b] = await Promise.all([fresh(true, [tcp(owner)]), fresh(true, [tcp(owner)])])
    await Promise.all([a.bootstrapped, b.bootstrapped])
    const club = await owner.clubs.create({ name: 'self', servers: [tcp(owner), tcp(a), tcp(b)] })
    const data = randomBytes(700_000)
    const put = await owner.put(data, { club: club.clubId, k: 2, happy: 3, n: 3 })
    assert.equal(put.happiness, 3, 'the owner counted its own server')
    const ownShares = owner.storage?.stats().shares ?? 0
    assert.ok(ownShares >= 1, `the owner keeps a share on its own disk (has ${ownShares})`)
    assert.ok(owner.leases.list()[0].servers.some(s => s.endsWith(`/p2p/${owner.peerId}`)), 'its own server is in the lease book')

    // The owner's own server is one of the sources of its download.
    await a.stop()
    const got = await owner.get(put.hintedCap as string)
    assert.ok(Buffer.from(got).equals(data))
    const fromServers = await owner.get(put.cap, { servers: [tcp(owner), tcp(b)] })
    assert.ok(Buffer.from(fromServers).equals(data))
    const report = await owner.check(put.cap, { servers: [tcp(owner), tcp(b)] })
    assert.equal(report.sharesFound, 2, 'check asks its own server too')
  })

  it('a node without a storage server counts itself unreachable, with a reason', async () => {
    const [server, client] = await Promise.all([fresh(true), fresh(false)])
    await assert.rejects(client.put(randomBytes(100_000), { servers: [tcp(server), `${tcp(server).split('/p2p/')[0].replace(/tcp\/\d+/, 'tcp/1')}/p2p/${client.peerId}`], k: 1, happy: 2, n: 2 }),
      (err: Error) => /happ/i.test(err.message) && /does not serve|storage server is off/.test(err.message))
  })
})
