import assert from 'node:assert/strict'
import { createDhtService, DEFAULT_DHT_PROTOCOL } from '../../src/dht/index.js'
import { createTestLibp2p } from '../fixtures/libp2p.js'
import { createDhtNode, stopNodes, TEST_DHT_PROTOCOL, type DhtNode } from './cluster.js'

describe('dht: service defaults', function () {
  const nodes: Array<{ stop: () => void | Promise<void> }> = []
  after(async function () { await stopNodes(nodes) })

  it('defaults to the IPFS protocol and lets kad-dht pick the mode (client until a public address is seen)', async function () {
    const node = await createTestLibp2p({ services: { dht: createDhtService() as any } }) as unknown as DhtNode
    nodes.push(node)
    assert.equal(DEFAULT_DHT_PROTOCOL, '/ipfs/kad/1.0.0')
    assert.equal((node.services.dht as any).protocol, '/ipfs/kad/1.0.0')
    assert.equal(node.services.dht.getMode(), 'client', 'loopback only: no public address')
    assert.ok(!node.getProtocols().includes('/ipfs/kad/1.0.0'), 'a client does not answer DHT requests')
    assert.ok(typeof node.services.dht.validators.ipns === 'function' && typeof node.services.dht.selectors.ipns === 'function')
  })

  it('forced server mode serves the configured protocol', async function () {
    const node = await createDhtNode()
    nodes.push(node)
    assert.equal(node.services.dht.getMode(), 'server')
    assert.ok(node.getProtocols().includes(TEST_DHT_PROTOCOL))
  })
})
