import assert from 'node:assert/strict'
import { estimateLookupCost } from '../../src/dht/index.js'
import { plannedNetworkSize } from '../../src/routing/index.js'

describe('routing/locate estimates', () => {
  it('a near-empty routing table does not make the DHT look free when a roster shows a bigger network', () => {
    // The fit from a one-peer table says two nodes: a lookup of almost nothing.
    const size = plannedNetworkSize(2, { rosterServers: 10, connectedPeers: 1 })
    assert.equal(size, 11)
    assert.ok(estimateLookupCost(size).rpcs > estimateLookupCost(2).rpcs)
  })

  it('connected peers are a floor too, and a good fit wins over both floors', () => {
    assert.equal(plannedNetworkSize(1, { rosterServers: 0, connectedPeers: 24 }), 25)
    assert.equal(plannedNetworkSize(300, { rosterServers: 10, connectedPeers: 24 }), 300)
  })
})
