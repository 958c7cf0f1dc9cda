/**
 * explain.actual.rpcs against what the network really received: every node
 * counts, on its own side, the kad-dht requests (by type) and have-share
 * streams it gets while one locate runs, and the sum must equal what the
 * locate's explain says it cost. kad-dht's own background work is paused
 * (self-query and reprovide intervals of an hour; the table refresh runs at
 * start, then every 5 min) and whatever of it still arrives (FIND_NODE from a
 * refresh, PING checks of new routing-table contacts, ADD_PROVIDER) is
 * counted apart: a locate sends none of those.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ClubManager, rosterIpnsCheck } from '../../src/club/index.js'
import { upload } from '../../src/client/index.js'
import { provide } from '../../src/dht/index.js'
import { parseCap, storageIndexOf } from '../../src/immutable/index.js'
import { HAVE_PROTOCOL, registerStorageProtocols } from '../../src/protocols/index.js'
import { locate, type LocateResult, type LocateTarget } from '../../src/routing/index.js'
import { createStorageServer } from '../../src/storage/index.js'
import { createDhtNode, dialRetry, startCluster, stopNodes, TEST_DHT_PROTOCOL, waitForRoutingTables, type DhtNode } from '../dht/cluster.js'
import { InboundCounter, received, type InboundCounts } from '../dht/inbound-counter.js'
import { stopServer, type GridServer } from '../fixtures/grid.js'

const HOUR = 3_600_000
const SERVERS = 6
const NODES = 14
/** What a locate sends: lookups, corrections after a get, and have-share queries. */
const LOCATE_KAD = ['GET_PROVIDERS', 'GET_VALUE', 'PUT_VALUE']
/** kad-dht's own upkeep, counted apart: table refresh and self-query lookups, contact checks, reprovides. */
const BACKGROUND_KAD = ['FIND_NODE', 'PING', 'ADD_PROVIDER']
/** kad-dht's periodic self-query and reprovide wait an hour: nothing of theirs runs during the tests. */
const nodeDht = { protocol: TEST_DHT_PROTOCOL, ipnsChecks: [rosterIpnsCheck], querySelfInterval: HOUR, kadInit: { reprovide: { interval: HOUR } } }

async function until (what: string, deadlineMs: number, check: () => boolean): Promise<void> {
  const end = Date.now() + deadlineMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

function locateCost (got: InboundCounts): number {
  return LOCATE_KAD.reduce((a, t) => a + (got.kad[t] ?? 0), 0) + (got.streams[HAVE_PROTOCOL] ?? 0)
}

describe('routing/locate: explain.actual.rpcs is what the nodes received', function () {
  this.timeout(120_000)
  const counters = Array.from({ length: NODES }, () => new InboundCounter())
  let nodes: DhtNode[] = []
  const grid: GridServer[] = []
  const managers: ClubManager[] = []
  let root: string
  let clubId: string
  let target: LocateTarget

  const snapshot = (): InboundCounts[] => counters.map(c => c.snapshot())

  /** Runs `fn`, waits until the nodes received as much as explain says (or a deadline), and returns both. */
  async function measure (fn: () => Promise<LocateResult>): Promise<{ result: LocateResult, got: InboundCounts, cost: number }> {
    const before = snapshot()
    const result = await fn()
    const expected = result.explain.actual.rpcs
    // a request can still be on its way when the answer that ended the locate arrived
    await until('the nodes to receive what explain counts', 5000, () => locateCost(received(before, snapshot())) >= expected).catch(() => {})
    const got = received(before, snapshot())
    for (const type of Object.keys(got.kad)) assert.ok(LOCATE_KAD.includes(type) || BACKGROUND_KAD.includes(type), `unexpected kad-dht ${type} requests`)
    return { result, got, cost: locateCost(got) }
  }

  before(async function () {
    this.timeout(120_000)
    root = await mkdtemp(join(tmpdir(), 'lafs-locate-rpcs-'))
    nodes = await startCluster(NODES, counters.map(c => ({ metrics: c.metrics, dht: nodeDht })))
    for (const node of nodes.slice(1, 1 + SERVERS)) {
      const dir = join(root, `server-${grid.length}`)
      const storage = await createStorageServer({ dir, gcIntervalMs: 0 })
      await registerStorageProtocols(node, storage)
      grid.push({ libp2p: node, storage, dir, options: {}, running: true, info: { peerId: node.peerId.toString(), multiaddrs: [node.getMultiaddrs()[0].toString()] } })
    }
    const owner = new ClubManager({ libp2p: nodes[0], dataDir: join(root, 'owner') })
    managers.push(owner)
    clubId = (await owner.createClub({ name: 'counted', servers: grid.map(s => ({ peerId: s.info.peerId, multiaddrs: s.info.multiaddrs })) })).signed.clubId
    const up = await upload(nodes[0], randomBytes(50_000), { servers: grid.map(s => s.info), k: 3, happy: SERVERS, n: SERVERS, leaseSecret: randomBytes(32) })
    const cap = parseCap(up.cap)
    assert.equal(cap.kind, 'chk')
    if (cap.kind !== 'chk') return
    target = { storageIndex: storageIndexOf(cap), k: cap.k, n: cap.n }
    await Promise.all(nodes.slice(1, 1 + SERVERS).map(async s => { await provide(s.services.dht, target.storageIndex) }))
  })

  after(async function () {
    await Promise.all(managers.map(async m => { await m.stop() }))
    await Promise.all(grid.map(stopServer))
    await stopNodes(nodes)
    await rm(root, { recursive: true, force: true })
  })

  it('the DHT way: provider lookup plus have queries', async function () {
    const reader = nodes[NODES - 1]
    const { result, got, cost } = await measure(async () => await locate({ libp2p: reader, dht: reader.services.dht }, target, { prefer: 'dht', noFallback: true }))
    console.log(`      explain ${JSON.stringify(result.explain.runs)}; received ${JSON.stringify(got)}`)
    assert.equal(result.explain.chosen, 'dht')
    assert.ok(new Set(result.servers.flatMap(s => s.shares)).size >= target.k)
    assert.ok((got.kad.GET_PROVIDERS ?? 0) > 0 && (got.streams[HAVE_PROTOCOL] ?? 0) > 0)
    assert.equal(cost, result.explain.actual.rpcs, `received ${JSON.stringify(got)}`)
  })

  it('the club way, roster not cached yet: roster lookup plus have queries', async function () {
    const reader = nodes[NODES - 2]
    const clubs = new ClubManager({ libp2p: reader, dataDir: join(root, 'reader') })
    managers.push(clubs)
    const deps = { libp2p: reader, dht: reader.services.dht, clubs }
    const first = await measure(async () => await locate(deps, target, { club: clubId, prefer: 'club', noFallback: true }))
    console.log(`      explain ${JSON.stringify(first.result.explain.runs)}; received ${JSON.stringify(first.got)}`)
    assert.equal(first.result.explain.chosen, 'club')
    assert.equal(first.result.explain.estimates.club?.rosterCached, false)
    assert.ok((first.got.kad.GET_VALUE ?? 0) > 0)
    assert.equal(first.cost, first.result.explain.actual.rpcs, `received ${JSON.stringify(first.got)}`)

    const second = await measure(async () => await locate(deps, target, { club: clubId, prefer: 'club', noFallback: true }))
    assert.equal(second.result.explain.estimates.club?.rosterCached, true)
    assert.equal(second.got.kad.GET_VALUE ?? 0, 0, 'a cached roster needs no lookup')
    assert.equal(second.cost, second.result.explain.actual.rpcs, `received ${JSON.stringify(second.got)}`)
    assert.equal(second.cost, SERVERS, 'one have query to each roster server')
  })

  it('a hinted cap found the DHT way leaves its club roster cached: the next locate is one have-share round within 12 RPCs', async function () {
    const reader = nodes[NODES - 4]
    const clubs = new ClubManager({ libp2p: reader, dataDir: join(root, 'reader-prefetch') })
    managers.push(clubs)
    const deps = { libp2p: reader, dht: reader.services.dht, clubs }
    const first = await locate(deps, target, { club: clubId })
    assert.equal(first.explain.chosen, 'dht', 'a node without the roster takes the DHT way')
    assert.equal(first.explain.estimates.club?.rosterCached, false)
    assert.equal(first.explain.rosterFetch, 'background')
    const end = Date.now() + 20_000
    while (await clubs.cached(clubId) == null) {
      if (Date.now() > end) throw new Error('the roster was not fetched in the background within 20 s')
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    assert.deepEqual(await clubs.knownClubs(), [], 'the roster is read-cached: the club is not joined')

    const second = await measure(async () => await locate(deps, target, { club: clubId, budget: { maxRpcs: 12, deadlineMs: 20_000 } }))
    console.log(`      explain ${JSON.stringify(second.result.explain.runs)}; received ${JSON.stringify(second.got)}`)
    assert.equal(second.result.explain.estimates.club?.rosterCached, true)
    assert.equal(second.result.explain.chosen, 'club')
    assert.equal(second.result.explain.runs.length, 1)
    assert.equal(second.result.explain.rosterFetch, undefined)
    assert.equal(second.result.explain.actual.rpcs, SERVERS, 'one have-share query to each roster server')
    assert.equal(second.result.explain.actual.roundTrips, 1)
    assert.equal(second.got.kad.GET_VALUE ?? 0, 0, 'no roster lookup')
    assert.equal(second.cost, second.result.explain.actual.rpcs, `received ${JSON.stringify(second.got)}`)
  })

  it('the DHT way from a node that joined after the provides (no provider record of its own)', async function () {
    const counter = new InboundCounter()
    const fresh = await createDhtNode({ metrics: counter.metrics, dht: nodeDht })
    nodes.push(fresh)
    counters.push(counter)
    await Promise.all([dialRetry(fresh, nodes[0]), dialRetry(fresh, nodes[7])])
    await waitForRoutingTables([fresh], 2)
    const { result, got, cost } = await measure(async () => await locate({ libp2p: fresh, dht: fresh.services.dht }, target, { prefer: 'dht', noFallback: true }))
    console.log(`      explain ${JSON.stringify(result.explain.runs)}; received ${JSON.stringify(got)}`)
    assert.ok(new Set(result.servers.flatMap(s => s.shares)).size >= target.k)
    assert.equal(cost, result.explain.actual.rpcs, `received ${JSON.stringify(got)}`)
  })

  it('the club way with a roster server nobody can reach: only requests that reached a server are counted', async function () {
    const owner = managers[0]
    const unreachable = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const { signed } = await owner.createClub({
      name: 'one is offline',
      servers: [{ peerId: unreachable, multiaddrs: ['/ip4/127.0.0.1/tcp/1'] }, ...grid.slice(0, 3).map(s => ({ peerId: s.info.peerId, multiaddrs: s.info.multiaddrs }))]
    })
    const reader = nodes[NODES - 3]
    const clubs = new ClubManager({ libp2p: reader, dataDir: join(root, 'reader-offline') })
    managers.push(clubs)
    await clubs.roster(signed.clubId)
    const { result, got, cost } = await measure(async () => await locate({ libp2p: reader, dht: reader.services.dht, clubs }, target, { club: signed.clubId, prefer: 'club', noFallback: true }))
    console.log(`      explain ${JSON.stringify(result.explain.runs)}; received ${JSON.stringify(got)}`)
    assert.equal(got.streams[HAVE_PROTOCOL], 3, 'the three reachable servers were asked')
    assert.equal(cost, result.explain.actual.rpcs, `received ${JSON.stringify(got)}`)
  })
})
