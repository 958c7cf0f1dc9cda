/**
 * A node whose kad-dht does not wait for its first self-lookup
 * (`allowQueryWithZeroPeers`, as lafs-club nodes run): our calls still wait
 * for a first routing-table peer instead of ending empty-handed, start as
 * soon as there is one, and a first self-lookup that found the table empty
 * is run again once a peer arrives.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createIPNSRecord, marshalIPNSRecord, multihashToIPNSRoutingKey } from 'ipns'
import { getRecord, putRecord } from '../../src/dht/index.js'
import { createDhtNode, dialRetry, routingTableSize, startCluster, stopNodes, type DhtNode } from './cluster.js'

const HOUR = 3_600_000

async function until (what: string, deadlineMs: number, check: () => boolean): Promise<void> {
  const end = Date.now() + deadlineMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

describe('dht: queries that do not wait for the first self-lookup', function () {
  this.timeout(120_000)
  let cluster: DhtNode[] = []
  const extra: DhtNode[] = []

  before(async function () {
    cluster = await startCluster(8)
  })

  after(async function () {
    await stopNodes([...cluster, ...extra])
  })

  it('a get started with an empty routing table waits for the first peer, then finds the record', async function () {
    const key = await generateKeyPair('Ed25519')
    const routingKey = multihashToIPNSRoutingKey(key.publicKey.toMultihash())
    const record = marshalIPNSRecord(await createIPNSRecord(key, '/ipfs/bafkqaaa', 1, 48 * HOUR, { v1Compatible: false }))
    await putRecord(cluster[2].services.dht, routingKey, record)

    // self-lookup an hour away: only the wait for a peer stands between the get and the network
    const fresh = await createDhtNode({ dht: { allowQueryWithZeroPeers: true, initialQuerySelfInterval: HOUR } })
    extra.push(fresh)
    assert.equal(routingTableSize(fresh), 0)
    const got = getRecord(fresh.services.dht, routingKey, { signal: AbortSignal.timeout(30_000) })
    let settled = false
    void got.then(() => { settled = true }, () => { settled = true })
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.equal(settled, false, 'with no peer the get waits rather than ending with nothing')
    await dialRetry(fresh, cluster[5])
    assert.equal(Buffer.from(await got).toString('hex'), Buffer.from(record).toString('hex'))
  })

  it("libp2p's own peer routing waits for a first peer too: its random walk (relay discovery) loops on it and would spin on an empty table", async function () {
    const fresh = await createDhtNode({ dht: { allowQueryWithZeroPeers: true, initialQuerySelfInterval: HOUR } })
    extra.push(fresh)
    assert.equal(routingTableSize(fresh), 0)
    // kad-dht alone would end this at once with nothing, in microtasks: a caller looping on it never lets a timer run
    const walk = (async () => {
      let found = 0
      for await (const _ of fresh.peerRouting.getClosestPeers(new Uint8Array(32).fill(7), { signal: AbortSignal.timeout(30_000) })) found++
      return found
    })()
    let settled = false
    void walk.then(() => { settled = true }, () => { settled = true })
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.equal(settled, false, 'with no peer the call waits rather than ending with nothing')
    await dialRetry(fresh, cluster[3])
    assert.ok(await walk > 0, 'once a peer is in the table the walk finds peers')
  })

  it('a first self-lookup that found no peer runs again once one arrives, and fills the table beyond that peer', async function () {
    const fresh = await createDhtNode({ dht: { allowQueryWithZeroPeers: true, initialQuerySelfInterval: 20 } })
    extra.push(fresh)
    // the first self-lookup has run, on an empty table
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.equal(routingTableSize(fresh), 0)
    await dialRetry(fresh, cluster[3])
    // one peer comes from the connection itself; more only from a lookup
    await until('the redone self-lookup to add peers', 30_000, () => routingTableSize(fresh) >= 3)
  })
})
