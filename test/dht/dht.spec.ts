import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { LevelDatastore } from 'datastore-level'
import { createIPNSRecord, createIPNSRecordWithExpiration, marshalIPNSRecord, multihashToIPNSRoutingKey, unmarshalIPNSRecord } from 'ipns'
import {
  findProviders, getRecord, provide, putRecord, readStoredIpnsRecord, storageIndexToCid, estimateLookupCost, estimateNetworkSize,
  NotFoundError, PutRejectedError, QueryBudgetExceededError, QueryCostMeter, ProviderAnnouncer, type QueryCost
} from '../../src/dht/index.js'
import { createDhtNode, datastoreOf, dialRetry, routingTableSize, startCluster, stopNodes, type DhtNode } from './cluster.js'
import type { PrivateKey } from '@libp2p/interface'

const N = 20
const HOUR = 3_600_000

async function ipnsRecord (key: PrivateKey, seq: number, value = '/ipfs/bafkqaaa'): Promise<Uint8Array> {
  return marshalIPNSRecord(await createIPNSRecord(key, value, seq, 48 * HOUR, { v1Compatible: false }))
}

function routingKeyOf (key: PrivateKey): Uint8Array {
  return multihashToIPNSRoutingKey(key.publicKey.toMultihash())
}

function randomSi (): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(16))
}

function assertPlausible (cost: QueryCost): void {
  assert.ok(cost.rpcs > 0, 'a network query sends RPCs')
  const byType = Object.values(cost.rpcsByType).reduce((a, b) => a + (b ?? 0), 0)
  assert.equal(byType, cost.rpcs, 'per-type counts add up')
  assert.ok(cost.peersContacted > 0 && cost.peersContacted <= cost.rpcs)
  assert.ok(cost.responses <= cost.rpcs, 'no more answers than requests')
  assert.ok(cost.roundTrips >= 1 && cost.roundTrips <= cost.rpcs)
  assert.ok(cost.ms >= 0)
}

describe('dht: records and providers on 20 loopback nodes', function () {
  this.timeout(60_000)
  let nodes: DhtNode[] = []
  const extra: DhtNode[] = []
  const measured: Record<string, QueryCost> = {}

  before(async function () {
    this.timeout(120_000) // about 9 s on an idle box; a busy one (parallel suites) can take several times that
    const t0 = Date.now()
    nodes = await startCluster(N)
    console.log(`      cluster of ${N} ready in ${Date.now() - t0} ms`)
  })

  after(async function () {
    await stopNodes([...nodes, ...extra])
    console.log('      measured costs:', JSON.stringify(measured))
  })

  it('a record put on one node is read by a fresh node that knows one bootstrap peer', async function () {
    const key = await generateKeyPair('Ed25519')
    const record = await ipnsRecord(key, 1)
    const putMeter = new QueryCostMeter()
    const put = await putRecord(nodes[3].services.dht, routingKeyOf(key), record, { onProgress: putMeter.onProgress })
    measured.put = putMeter.finish()
    assert.ok(put.accepted >= 5, `accepted by ${put.accepted} peers`)
    assert.equal(put.accepted, measured.put.responsesByType.PUT_VALUE)
    assertPlausible(measured.put)

    const fresh = await createDhtNode()
    extra.push(fresh)
    await dialRetry(fresh, nodes[11])
    const getMeter = new QueryCostMeter()
    const got = await getRecord(fresh.services.dht, routingKeyOf(key), { onProgress: getMeter.onProgress, signal: AbortSignal.timeout(20_000) })
    measured.getFresh = getMeter.finish()
    assert.equal(Buffer.from(got).toString('hex'), Buffer.from(record).toString('hex'))
    assertPlausible(measured.getFresh)
    assert.ok((measured.getFresh.rpcsByType.GET_VALUE ?? 0) >= 1)
  })

  it('peers refuse records signed by another key, expired or oversized, and the put says so', async function () {
    const owner = await generateKeyPair('Ed25519')
    const other = await generateKeyPair('Ed25519')
    const cases: Record<string, Uint8Array> = {
      'signed by another key': await ipnsRecord(other, 1),
      expired: marshalIPNSRecord(await createIPNSRecordWithExpiration(owner, '/ipfs/bafkqaaa', 1, new Date(Date.now() - HOUR).toISOString(), { v1Compatible: false })),
      oversized: await ipnsRecord(owner, 1, '/lafs-club/' + 'x'.repeat(11 * 1024))
    }
    for (const [name, record] of Object.entries(cases)) {
      const meter = new QueryCostMeter()
      await assert.rejects(putRecord(nodes[5].services.dht, routingKeyOf(owner), record, { onProgress: meter.onProgress }),
        (err: any) => {
          assert.ok(err instanceof PutRejectedError, `${name}: ${err}`)
          assert.equal(err.code, 'ERR_DHT_PUT_REJECTED')
          assert.equal(err.accepted, 0)
          assert.ok(err.rejected >= 5, `${name}: ${err.rejected} peers refused`)
          return true
        })
      const cost = meter.finish()
      assert.equal(cost.responsesByType.PUT_VALUE ?? 0, 0, `${name}: nobody stored it`)
      assert.ok((cost.rpcsByType.PUT_VALUE ?? 0) >= 5, `${name}: PUT_VALUE was sent`)
    }
    // the publisher keeps its local copy unvalidated, but nobody else serves it
    await assert.rejects(getRecord(nodes[14].services.dht, routingKeyOf(owner)), NotFoundError)
  })

  it('a forged record a node put itself does not lock the real owner out of that replica', async function () {
    const owner = await generateKeyPair('Ed25519')
    const forger = await generateKeyPair('Ed25519')
    const rk = routingKeyOf(owner)
    await assert.rejects(putRecord(nodes[10].services.dht, rk, await ipnsRecord(forger, 99)), PutRejectedError)
    assert.equal((await readStoredIpnsRecord(datastoreOf(nodes[10]), rk))!.sequence, 99n, 'the forger kept its own unvalidated copy')
    const good = await ipnsRecord(owner, 1)
    const put = await putRecord(nodes[12].services.dht, rk, good)
    assert.ok(put.accepted >= 5)
    const onForger = await readStoredIpnsRecord(datastoreOf(nodes[10]), rk)
    assert.equal(onForger!.sequence, 1n, 'the owner\'s record replaced the forgery')
  })

  it('a replayed older sequence is refused and does not roll replicas back', async function () {
    const key = await generateKeyPair('Ed25519')
    const rk = routingKeyOf(key)
    const seq1 = await ipnsRecord(key, 1)
    const seq2 = await ipnsRecord(key, 2)
    await putRecord(nodes[2].services.dht, rk, seq1)
    const second = await putRecord(nodes[7].services.dht, rk, seq2)
    assert.ok(second.accepted >= 5)

    const holdersOf2 = new Set<DhtNode>()
    for (const n of nodes) {
      if ((await readStoredIpnsRecord(datastoreOf(n), rk))?.sequence === 2n) holdersOf2.add(n)
    }
    assert.ok(holdersOf2.size >= 5, `${holdersOf2.size} replicas hold seq 2`)

    // minAccepted 0: peers that never got seq 2 may legitimately take seq 1; we want the counts
    const replay = await putRecord(nodes[9].services.dht, rk, seq1, { minAccepted: 0 })
    assert.ok(replay.rejected >= 5, `${replay.rejected} refusals, ${holdersOf2.size} holders of seq 2`)
    for (const n of holdersOf2) {
      if (n === nodes[9]) continue // the replaying node wrote its own copy unchecked
      assert.equal((await readStoredIpnsRecord(datastoreOf(n), rk))!.sequence, 2n, `${n.peerId.toString()} was rolled back`)
    }
    const read = unmarshalIPNSRecord(await getRecord(nodes[16].services.dht, rk))
    assert.equal(read.sequence, 2n)
  })

  it('provider records for a storage index are found by another node, at the cost the lookup model gives', async function () {
    // Every DHT node in the network: with N-1 <= k (20), the model says a lookup's first
    // wave holds every other node, so it costs at most N-1 RPCs in one round, plus one
    // round per node the asker's routing table lacks (each can add at most one hop).
    const size = N + extra.length
    const model = estimateLookupCost(size)
    assert.equal(model.rpcs, size - 1, 'the model: one RPC to each other node')
    assert.equal(model.roundTrips, 1, 'the model: one round')
    const lookupBounds = (name: string, cost: QueryCost, rpcs: number, table: number): void => {
      assert.ok(rpcs <= model.rpcs, `${name}: ${rpcs} lookup RPCs, the model allows ${model.rpcs}`)
      // every starting peer (the whole table) was sent the request, or failed before it was
      assert.ok(rpcs + cost.errors >= table, `${name}: ${rpcs} lookup RPCs and ${cost.errors} errors from a table of ${table}`)
      const missing = Math.max(0, size - 1 - table)
      assert.ok(cost.roundTrips >= 1 && cost.roundTrips <= model.roundTrips + missing + (cost.rpcs > rpcs ? 1 : 0),
        `${name}: ${cost.roundTrips} round trips with ${missing} node(s) missing from the table`)
    }

    const si = randomSi()
    assert.equal(storageIndexToCid(si).toString(), storageIndexToCid(Uint8Array.from(si)).toString(), 'deterministic')
    const provMeter = new QueryCostMeter()
    const provTable = routingTableSize(nodes[4])
    const { accepted } = await provide(nodes[4].services.dht, si, { onProgress: provMeter.onProgress })
    measured.provide = provMeter.finish()
    assert.ok(accepted >= 5, `ADD_PROVIDER accepted by ${accepted}`)
    assert.deepEqual(Object.keys(measured.provide.rpcsByType).sort(), ['ADD_PROVIDER', 'FIND_NODE'])
    const findNode = measured.provide.rpcsByType.FIND_NODE ?? 0
    const addProvider = measured.provide.rpcsByType.ADD_PROVIDER ?? 0
    lookupBounds('provide', measured.provide, findNode, provTable)
    // one ADD_PROVIDER to each of the k closest peers the lookup found: at most the first wave
    assert.ok(addProvider >= accepted && addProvider <= Math.min(20, size - 1), `${addProvider} ADD_PROVIDER`)
    assert.equal(addProvider, measured.provide.responsesByType.ADD_PROVIDER)

    const findMeter = new QueryCostMeter()
    const findTable = routingTableSize(nodes[17])
    const found = []
    for await (const p of findProviders(nodes[17].services.dht, si, { onProgress: findMeter.onProgress, signal: AbortSignal.timeout(20_000) })) found.push(p)
    measured.findProviders = findMeter.finish()
    assert.ok(found.some(p => p.id.equals(nodes[4].peerId)), 'the provider is found')
    assert.deepEqual(Object.keys(measured.findProviders.rpcsByType), ['GET_PROVIDERS'])
    lookupBounds('findProviders', measured.findProviders, measured.findProviders.rpcs, findTable)
    assert.equal(measured.findProviders.peersContacted, measured.findProviders.rpcs, 'no node is asked twice')
  })

  it('a budgeted findProviders stops near its RPC budget', async function () {
    const budget = 3
    const meter = new QueryCostMeter()
    await assert.rejects(async () => {
      for await (const _ of findProviders(nodes[8].services.dht, randomSi(), { maxRpcs: budget, onProgress: meter.onProgress })) { /* none */ }
    }, (err: any) => {
      assert.ok(err instanceof QueryBudgetExceededError, String(err))
      assert.equal(err.code, 'ERR_DHT_BUDGET_EXCEEDED')
      return true
    })
    measured.budgeted = meter.finish()
    assert.ok(measured.budgeted.rpcs > budget && measured.budgeted.rpcs <= budget + 3, `sent ${measured.budgeted.rpcs} RPCs with budget ${budget}`)

    const unbudgeted = new QueryCostMeter()
    for await (const _ of findProviders(nodes[8].services.dht, randomSi(), { onProgress: unbudgeted.onProgress })) { /* none */ }
    measured.missingSi = unbudgeted.finish()
    assert.ok(measured.missingSi.rpcs > measured.budgeted.rpcs, 'an unbudgeted miss costs more')
    assertPlausible(measured.missingSi)
  })

  it('estimates the network size from the routing table', function () {
    const estimates = nodes.map(n => estimateNetworkSize(n.services.dht, n.peerId).size)
    const sorted = [...estimates].sort((a, b) => a - b)
    const median = sorted[Math.floor(sorted.length / 2)]
    console.log(`      network size estimates (N=${N}): median ${median}, min ${sorted[0]}, max ${sorted[sorted.length - 1]}`)
    assert.ok(median >= N / 3 && median <= N * 3, `median estimate ${median} for ${N} nodes`)
  })

  it('the provider announcer works through a backlog with bounded concurrency and warns when behind', async function () {
    const announcer = new ProviderAnnouncer(nodes[6].services.dht, { concurrency: 2, warnBacklog: 2 })
    const warnings: string[] = []
    announcer.addEventListener('warning', (e) => { warnings.push((e as CustomEvent).detail.reason) })
    const sis = Array.from({ length: 3 }, randomSi)
    for (const si of sis) announcer.announce(si)
    assert.equal(announcer.backlog, 3, 'nothing runs before start')
    assert.deepEqual(warnings, ['backlog'])
    announcer.start()
    assert.equal(announcer.backlog, 3)
    await announcer.reprovideNow() // all three are still queued or running: nothing new is added
    assert.equal(announcer.backlog, 3)
    await announcer.onIdle()
    assert.equal(announcer.backlog, 0)
    assert.equal(announcer.stats.announced, 3)
    await announcer.reprovideNow()
    assert.equal(announcer.backlog, 3, 'a round re-queues everything')
    await announcer.reprovideNow()
    assert.ok(warnings.includes('round-overrun'), `warnings: ${warnings.join(',')}`)
    await announcer.onIdle()
    announcer.stop()
    const found = []
    for await (const p of findProviders(nodes[13].services.dht, sis[2])) found.push(p)
    assert.ok(found.some(p => p.id.equals(nodes[6].peerId)))
  })
})

describe('dht: a restarted node keeps serving what it held', function () {
  this.timeout(60_000)
  let nodes: DhtNode[] = []
  let dir: string

  after(async function () {
    await stopNodes(nodes)
    if (dir != null) await rm(dir, { recursive: true, force: true })
  })

  it('records and provider records survive a restart with the same key and datastore-level dir', async function () {
    dir = await mkdtemp(join(tmpdir(), 'lafs-dht-'))
    const key = await generateKeyPair('Ed25519')
    let ds = new LevelDatastore(join(dir, 'ds'))
    await ds.open()
    nodes = await startCluster(6, [{ privateKey: key, datastore: ds }])
    let keeper = nodes[0]

    const owner = await generateKeyPair('Ed25519')
    const record = await ipnsRecord(owner, 7)
    await putRecord(nodes[2].services.dht, routingKeyOf(owner), record)
    const si = randomSi()
    await provide(nodes[3].services.dht, si)
    assert.ok(await readStoredIpnsRecord(ds, routingKeyOf(owner)) != null, 'with 6 nodes every node holds the record')

    // everyone goes away; only the restarted keeper can answer now
    const keeperId = keeper.peerId
    const providerId = nodes[3].peerId
    await stopNodes(nodes)
    await ds.close()
    ds = new LevelDatastore(join(dir, 'ds'))
    await ds.open()
    keeper = await createDhtNode({ privateKey: key, datastore: ds })
    nodes = [keeper]
    assert.ok(keeper.peerId.equals(keeperId), 'same identity after restart')

    const fresh = await createDhtNode()
    nodes.push(fresh)
    await dialRetry(fresh, keeper)
    const fromKeeper: string[] = []
    const onProgress = (e: Event): void => {
      const d = (e as CustomEvent).detail
      if (d?.name === 'PEER_RESPONSE' && d.from.equals(keeper.peerId)) {
        if (d.record != null) fromKeeper.push('record')
        if (d.providers.length > 0) fromKeeper.push('providers')
      }
    }
    const got = await getRecord(fresh.services.dht, routingKeyOf(owner), { onProgress })
    assert.equal(Buffer.from(got).toString('hex'), Buffer.from(record).toString('hex'))
    const found = []
    for await (const p of findProviders(fresh.services.dht, si, { onProgress })) found.push(p)
    assert.ok(found.some(p => p.id.equals(providerId)), 'the provider record survived')
    assert.ok(fromKeeper.includes('record'), 'the restarted node answered GET_VALUE with the record')
    assert.ok(fromKeeper.includes('providers'), 'the restarted node answered GET_PROVIDERS with the provider')
    await keeper.stop()
    await ds.close()
  })
})
