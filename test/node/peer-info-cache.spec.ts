import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { createNode } from '../../src/node/index.js'

const addrsOf = (info: { multiaddrs: Array<{ toString: () => string }> }): string[] => info.multiaddrs.map(m => m.toString()).sort()

describe('node: decoded peer infos for kad-dht answers (peer-info-cache.ts)', function () {
  this.timeout(60_000)
  let dir: string
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'lafs-pic-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('reuses a decoded answer while the record is unchanged, and never serves one the store has replaced or deleted', async () => {
    const node = await createNode({ dataDir: join(dir, 'a'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], storage: { enabled: false }, gateway: false, dhtProtocol: '/lafs-pic-test/kad/1.0.0' })
    try {
      const store = node.libp2p.peerStore
      const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
      await assert.rejects(store.getInfo(other), (err: Error) => err.name === 'NotFoundError', 'an unknown peer')
      await assert.rejects(store.get(other), (err: Error) => err.name === 'NotFoundError', 'an unknown peer, known to be absent now')

      await store.merge(other, { multiaddrs: [multiaddr('/ip4/10.9.0.1/tcp/4001')] })
      const first = await store.getInfo(other)
      assert.deepEqual(addrsOf(first), ['/ip4/10.9.0.1/tcp/4001'])
      const second = await store.getInfo(other)
      assert.equal(second, first, 'the second read is the decoded answer of the first')

      await store.merge(other, { multiaddrs: [multiaddr('/ip4/10.9.0.2/tcp/4001')] })
      const third = await store.getInfo(other)
      assert.notEqual(third, first)
      assert.deepEqual(addrsOf(third), ['/ip4/10.9.0.1/tcp/4001', '/ip4/10.9.0.2/tcp/4001'], 'a merged address is seen at once')

      await store.patch(other, { multiaddrs: [multiaddr('/ip4/10.9.0.3/tcp/4001')] })
      assert.deepEqual(addrsOf(await store.getInfo(other)), ['/ip4/10.9.0.3/tcp/4001'], 'a patch replaces what was decoded')

      await store.delete(other)
      await assert.rejects(store.getInfo(other), (err: Error) => err.name === 'NotFoundError', 'a deleted peer is not answered from memory')
      await assert.rejects(store.get(other), (err: Error) => err.name === 'NotFoundError')
      await store.merge(other, { multiaddrs: [multiaddr('/ip4/10.9.0.4/tcp/4001')] })
      assert.deepEqual(addrsOf(await store.getInfo(other)), ['/ip4/10.9.0.4/tcp/4001'], 'a peer known absent and then written is found')
      assert.deepEqual((await store.get(other)).addresses.map(a => a.multiaddr.toString()), ['/ip4/10.9.0.4/tcp/4001'])
    } finally {
      await node.stop()
    }
  })
})
