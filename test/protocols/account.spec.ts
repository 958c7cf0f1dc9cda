import assert from 'node:assert/strict'
import { AccountClient, RemoteStorageError, StorageClient } from '../../src/protocols/index.js'
import { Grid, lease, storageIndex } from './helpers.js'

describe('protocols: account', () => {
  const grid = new Grid()
  afterEach(async () => { await grid.cleanup() })

  it('tells the terms: free quota, invitation and payment methods with URL and explanation', async () => {
    const { node: serverNode } = await grid.server({
      freeQuota: 5000,
      paymentMethods: [{ name: 'monthly', url: 'https://example.org/pay', explanation: 'Pay 2 EUR a month for 100 GiB.' }]
    })
    const account = new AccountClient(await grid.node(), serverNode.getMultiaddrs()[0])
    const terms = await account.terms()
    assert.equal(terms.freeQuota, 5000)
    const byName = new Map(terms.methods.map(m => [m.name, m]))
    assert.ok(byName.get('invitation')?.explanation.length)
    assert.equal(byName.get('invitation')?.url, undefined)
    assert.deepEqual(byName.get('monthly'), { name: 'monthly', url: 'https://example.org/pay', explanation: 'Pay 2 EUR a month for 100 GiB.' })
  })

  it('reports the caller\'s own usage, keyed by its peer ID', async () => {
    const { node: serverNode } = await grid.server({ freeQuota: 10_000 })
    const node = await grid.node()
    const account = new AccountClient(node, serverNode.getMultiaddrs()[0])
    const storage = new StorageClient(node, serverNode.getMultiaddrs()[0])
    const si = storageIndex()
    await storage.allocate(si, [0, 1], 300, lease())
    await storage.write(si, 0, 0, new Uint8Array(300))
    await storage.close(si, 0)
    const usage = await account.usage()
    assert.equal(usage.account, node.peerId.toString())
    // Charged sizes: each share counts one 4096-byte disk block at least.
    assert.equal(usage.bytes, 4096)
    assert.equal(usage.shares, 1)
    assert.equal(usage.reserved, 4096)
    assert.equal(usage.quota, 10_000)
    assert.ok(usage.leases >= 1)
    // someone else's usage is their own
    const other = await new AccountClient(await grid.node(), serverNode.getMultiaddrs()[0]).usage()
    assert.equal(other.bytes, 0)
    await storage.stop()
  })

  it('redeeming an invitation raises the quota so a refused allocation now fits; codes are single-use', async () => {
    const { node: serverNode, server } = await grid.server({ freeQuota: 100 })
    const node = await grid.node()
    const account = new AccountClient(node, serverNode.getMultiaddrs()[0])
    const storage = new StorageClient(node, serverNode.getMultiaddrs()[0])
    await assert.rejects(storage.allocate(storageIndex(), [0], 1000, lease()), (err: Error) => err instanceof RemoteStorageError && err.code === 'ERR_QUOTA_EXCEEDED')
    const code = server.createInvitation({ quota: 1_000_000 })
    assert.deepEqual(await account.redeem(code), { quota: 1_000_000 })
    assert.equal((await account.usage()).quota, 1_000_000)
    assert.deepEqual((await storage.allocate(storageIndex(), [0], 1000, lease())).allocated, [0])

    const stranger = new AccountClient(await grid.node(), serverNode.getMultiaddrs()[0])
    await assert.rejects(stranger.redeem(code), (err: Error) => err instanceof RemoteStorageError && err.code === 'ERR_INVITATION_USED')
    await assert.rejects(stranger.redeem('no-such-code'), (err: Error) => err instanceof RemoteStorageError && err.code === 'ERR_INVITATION_UNKNOWN')
    await assert.rejects(stranger.redeem(''), (err: Error) => err instanceof RemoteStorageError && err.code === 'ERR_MALFORMED')
    assert.equal((await stranger.usage()).quota, 100)
    await storage.stop()
  })
})
