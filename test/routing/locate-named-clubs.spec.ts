/**
 * A plain cap whose provider records have not spread yet: only one server of
 * six announced the file, so the DHT way alone finds one share of the three
 * needed. That holder's have answer names its club; the planner asks the
 * club (roster, then one have round) and finds the rest. Without club names
 * in the answers the same locate fails: the scale run's failed downloads.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { ClubManager, clubIdFromPublicKey, rosterIpnsCheck } from '../../src/club/index.js'
import { upload } from '../../src/client/index.js'
import { provide } from '../../src/dht/index.js'
import { parseCap, storageIndexOf } from '../../src/immutable/index.js'
import { registerStorageProtocols } from '../../src/protocols/index.js'
import { locate, type LocateTarget } from '../../src/routing/index.js'
import { createStorageServer } from '../../src/storage/index.js'
import { startCluster, stopNodes, TEST_DHT_PROTOCOL, type DhtNode } from '../dht/cluster.js'
import { stopServer, type GridServer } from '../fixtures/grid.js'

const HOUR = 3_600_000
const SERVERS = 6
const nodeDht = { protocol: TEST_DHT_PROTOCOL, ipnsChecks: [rosterIpnsCheck], querySelfInterval: HOUR, kadInit: { reprovide: { interval: HOUR } } }

describe('routing/locate: holders found through the DHT name their clubs', function () {
  this.timeout(120_000)
  let nodes: DhtNode[] = []
  const grid: GridServer[] = []
  const managers: ClubManager[] = []
  let root: string
  let clubId: string
  let bogusClub: string
  /** What the one announcing server names in its have answers; changed per test. */
  let named: string[] = []
  let target: LocateTarget

  before(async function () {
    root = await mkdtemp(join(tmpdir(), 'lafs-locate-named-'))
    nodes = await startCluster(SERVERS + 6, Array.from({ length: SERVERS + 6 }, () => ({ dht: nodeDht })))
    for (const [i, node] of nodes.slice(1, 1 + SERVERS).entries()) {
      const dir = join(root, `server-${i}`)
      const storage = await createStorageServer({ dir, gcIntervalMs: 0 })
      // only server 0 will have announced the file; it is the one the reader finds
      await registerStorageProtocols(node, storage, i === 0 ? { servedClubs: () => named } : {})
      grid.push({ libp2p: node, storage, dir, options: {}, running: true, info: { peerId: node.peerId.toString(), multiaddrs: [node.getMultiaddrs()[0].toString()] } })
    }
    const owner = new ClubManager({ libp2p: nodes[0], dataDir: join(root, 'owner') })
    managers.push(owner)
    clubId = (await owner.createClub({ name: 'named', servers: grid.map(s => ({ peerId: s.info.peerId, multiaddrs: s.info.multiaddrs })) })).signed.clubId
    bogusClub = clubIdFromPublicKey((await generateKeyPair('Ed25519')).publicKey)
    const up = await upload(nodes[0], randomBytes(30_000), { servers: grid.map(s => s.info), k: 3, happy: SERVERS, n: SERVERS, leaseSecret: randomBytes(32) })
    const cap = parseCap(up.cap)
    if (cap.kind !== 'chk') throw new Error('expected a CHK cap')
    target = { storageIndex: storageIndexOf(cap), k: cap.k, n: cap.n }
    await provide(nodes[1].services.dht, target.storageIndex)
  })

  after(async function () {
    await Promise.all(managers.map(async m => { await m.stop() }))
    await Promise.all(grid.map(stopServer))
    await stopNodes(nodes)
    await rm(root, { recursive: true, force: true })
  })

  function reader (i: number): { libp2p: DhtNode, dht: DhtNode['services']['dht'], clubs: ClubManager } {
    const libp2p = nodes[SERVERS + i]
    const clubs = new ClubManager({ libp2p, dataDir: join(root, `reader-${i}`) })
    managers.push(clubs)
    return { libp2p, dht: libp2p.services.dht, clubs }
  }

  it('without club names, one provider record is one share: the plain cap is not found', async function () {
    named = []
    await assert.rejects(locate(reader(1), target, { budget: { deadlineMs: 8_000 } }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_NOT_FOUND', err.message)
      assert.match(err.message, /dht: found 1 distinct share\(s\), 3 needed/)
      return true
    })
  })

  it('with the holder naming its club, the club finds the other shares within the deadline', async function () {
    named = [clubId]
    const t0 = Date.now()
    const result = await locate(reader(2), target, { budget: { deadlineMs: 20_000 } })
    console.log(`      ${Date.now() - t0} ms; explain ${JSON.stringify(result.explain.runs)}`)
    assert.equal(result.explain.chosen, 'dht')
    assert.deepEqual(result.explain.runs[0].namedClubs, [clubId])
    assert.equal(new Set(result.servers.flatMap(s => s.shares)).size, SERVERS, 'every share, from the whole club')
    assert.equal(new Set(result.servers.map(s => s.peerId)).size, result.servers.length, 'each server listed once')
  })

  it('a hinted cap read the DHT way asks its hint club within that way (beside a lookup short of k after a second, or once the lookup ends short), even with no fallback', async function () {
    named = []
    const deps = reader(5)
    const t0 = Date.now()
    // no fallback: before, the hint club was asked only by the club way after the DHT way, and here it never is
    const result = await locate(deps, target, { club: clubId, prefer: 'dht', noFallback: true, budget: { deadlineMs: 20_000 } })
    console.log(`      ${Date.now() - t0} ms; explain ${JSON.stringify(result.explain.runs)}`)
    assert.equal(result.explain.runs.length, 1)
    assert.equal(result.explain.chosen, 'dht')
    assert.deepEqual(result.explain.runs[0].namedClubs, [clubId])
    assert.equal(new Set(result.servers.flatMap(s => s.shares)).size, SERVERS, 'every share, from the hint club')
  })

  it('a cap without a hint is also looked for in the other clubs this node holds a roster of (one have round each)', async function () {
    named = []
    const owner = managers[0]
    // the node's default club lists only the one server with provider records; the file's club is another it belongs to
    const defaultClub = (await owner.createClub({ name: 'default', servers: [{ peerId: grid[0].info.peerId, multiaddrs: grid[0].info.multiaddrs }] })).signed.clubId
    const deps = reader(4)
    await deps.clubs.roster(clubId)
    await deps.clubs.roster(defaultClub)
    const result = await locate(deps, target, { club: defaultClub, otherClubs: [bogusClub, clubId], prefer: 'club', noFallback: true })
    console.log(`      explain ${JSON.stringify(result.explain.runs)}`)
    assert.equal(result.explain.runs.length, 1)
    assert.equal(result.explain.chosen, 'club')
    assert.deepEqual(result.explain.runs[0].otherClubs, [clubId], 'the club without a cached roster is not asked')
    assert.equal(new Set(result.servers.flatMap(s => s.shares)).size, SERVERS)
    assert.equal(result.explain.actual.rpcs, 1 + SERVERS, 'one have query to each server of both rosters, nothing else')
  })

  it('a club the holder names falsely costs one try, not the locate', async function () {
    named = [bogusClub, clubId]
    const result = await locate(reader(3), target, { budget: { deadlineMs: 25_000 } })
    console.log(`      explain ${JSON.stringify(result.explain.runs)}`)
    assert.deepEqual(result.explain.runs[0].namedClubs, [bogusClub, clubId])
    assert.ok(new Set(result.servers.flatMap(s => s.shares)).size >= target.k)
  })
})
