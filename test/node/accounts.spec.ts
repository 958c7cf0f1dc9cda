import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { createNode, type LafsNode } from '../../src/node/index.js'
import { StorageClient } from '../../src/protocols/index.js'

const GiB = 2 ** 30

describe('node: the operator grants, lists and revokes accounts on its storage server', function () {
  this.timeout(60_000)
  let base: string
  const nodes: LafsNode[] = []
  const start = async (name: string, storage: boolean): Promise<LafsNode> => {
    const node = await createNode({ dataDir: join(base, name), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], gateway: false, storage: { enabled: storage } })
    nodes.push(node)
    return node
  }
  before(async () => { base = await mkdtemp(join(tmpdir(), 'lafs-accounts-')) })
  after(async () => {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await rm(base, { recursive: true, force: true })
  })

  it('a granted friend sees the granted quota over the account protocol; revoked, the free quota again', async () => {
    const server = await start('server', true)
    const friend = await start('friend', false)
    const at = server.multiaddrs[0]
    const quotaOf = async (): Promise<number | undefined> => (await friend.accounts.usage(at))[0].result?.quota

    const free = await quotaOf()
    assert.equal(free, server.config.storage.freeQuota)
    const granted = await server.accounts.grant(friend.peerId, { quota: 50 * GiB, note: 'my sister' })
    assert.equal(granted.account, friend.peerId)
    assert.equal(await quotaOf(), 50 * GiB)
    const listed = await server.accounts.list()
    assert.equal(listed.total, 1)
    assert.deepEqual(listed.accounts.map(a => [a.account, a.quota, a.note]), [[friend.peerId, 50 * GiB, 'my sister']])

    assert.deepEqual(await server.accounts.revoke(friend.peerId), { revoked: true })
    assert.deepEqual(await server.accounts.revoke(friend.peerId), { revoked: false })
    assert.equal((await server.accounts.list()).total, 0)
    assert.equal(await quotaOf(), free)
  })

  it('refuses what is not a peer ID, and a node without storage says it has none', async () => {
    const server = nodes[0]
    await assert.rejects(server.accounts.grant('not-a-peer', { quota: GiB }), (e: Error & { code?: string }) => e.code === 'ERR_INVALID_PEER_ID')
    await assert.rejects(nodes[1].accounts.grant(server.peerId, { quota: GiB }), (e: Error & { code?: string }) => e.code === 'ERR_STORAGE_DISABLED')
  })

  it('an upload in progress outlives a short disconnect and is aborted after the grace period with no connection', async () => {
    const server = await createNode({
      dataDir: join(base, 'graceful'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], gateway: false,
      storage: { enabled: true }, config: { storage: { disconnectGraceSeconds: 1 } }
    })
    nodes.push(server)
    const client = await start('uploader', false)
    const storage = new StorageClient(client.libp2p, multiaddr(server.multiaddrs[0]))
    const lease = { renewSecret: randomBytes(32), cancelSecret: randomBytes(32) }
    await storage.allocate(randomBytes(16), [0], 10_000, lease)
    await storage.stop()
    assert.equal(server.storage!.stats().incoming, 1)

    // Still connected past the grace period: the upload stays.
    await new Promise(resolve => setTimeout(resolve, 1500))
    assert.equal(server.storage!.stats().incoming, 1, 'a connected account keeps its uploads')

    await client.libp2p.hangUp(server.libp2p.peerId)
    const deadline = Date.now() + 8000
    while (server.storage!.stats().incoming > 0) {
      assert.ok(Date.now() < deadline, 'the upload was not aborted within 8 s of the disconnect (grace 1 s)')
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  })
})
