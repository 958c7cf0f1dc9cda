/**
 * Issue #12, items 7 and 9: reading a club never joins it (only clubs this
 * node belongs to are known, other rosters sit in a short-lived memory cache),
 * and an open club throttles automatic acceptance and probes a joining
 * server's listed address before publishing it.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import {
  ClubManager, ReadRosterCache, RosterCache, clubIdFromPublicKey, rosterIpnsCheck, signRoster, verifyRosterRecord,
  type Roster
} from '../../src/club/index.js'
import { QueryCostMeter } from '../../src/dht/index.js'
import { createTestLibp2p } from '../fixtures/libp2p.js'
import { dialRetry, startCluster, stopNodes, type DhtNode } from '../dht/cluster.js'

const clubDht = { ipnsChecks: [rosterIpnsCheck] }
const MINUTE = 60_000

async function listOrEmpty (dir: string): Promise<string[]> {
  try { return await readdir(dir) } catch { return [] }
}

describe('club: membership, the read cache, and open-club join guards', function () {
  this.timeout(90_000)
  let nodes: DhtNode[] = []
  const extra: DhtNode[] = []
  const managers: ClubManager[] = []
  let root: string
  let owner: ClubManager
  let now = Date.now()
  const clock = (): number => now

  async function manager (node: DhtNode, name: string, more: Partial<ConstructorParameters<typeof ClubManager>[0]> = {}): Promise<ClubManager> {
    const m = new ClubManager({ libp2p: node, dataDir: join(root, name), now: clock, ...more })
    await m.start()
    managers.push(m)
    return m
  }

  before(async function () {
    this.timeout(120_000)
    root = await mkdtemp(join(tmpdir(), 'lafs-membership-'))
    nodes = await startCluster(8, Array.from({ length: 8 }, () => ({ dht: clubDht })))
    owner = await manager(nodes[0], 'owner')
  })

  after(async function () {
    await Promise.all(managers.map(async m => { await m.stop() }))
    await stopNodes([...nodes, ...extra])
    await rm(root, { recursive: true, force: true })
  })

  it('reading a club (roster with refresh, as show and a hinted cap do) keeps it in memory only, is not "known", and is forgotten after 10 min', async function () {
    const { signed } = await owner.createClub({ name: 'read me', servers: [nodes[3].getMultiaddrs()[0].toString()] })
    const reader = await manager(nodes[5], 'reader')
    const roster = await reader.roster(signed.clubId, { refresh: true })
    assert.equal(roster.sequence, 1n)

    assert.deepEqual(await reader.knownClubs(), [], 'a club read is not a club joined')
    assert.deepEqual(await reader.joinedClubs(), [])
    assert.equal(await reader.isMember(signed.clubId), false)
    assert.deepEqual(reader.readCachedClubs(), [signed.clubId])
    assert.deepEqual(await listOrEmpty(join(root, 'reader', 'clubs', 'cache')), [], 'nothing written to the disk cache')
    const round = await reader.republishNow()
    assert.deepEqual(round, { republished: [], reput: [], failed: [] }, 'the republisher leaves a read club alone')

    // within the TTL a second read costs nothing
    const meter = new QueryCostMeter()
    await reader.roster(signed.clubId, { onProgress: meter.onProgress })
    assert.equal(meter.finish().rpcs, 0)
    assert.equal((await reader.cached(signed.clubId))?.sequence, 1n)

    now += 10 * MINUTE
    assert.equal(await reader.cached(signed.clubId), undefined, 'forgotten after 10 minutes')
    assert.deepEqual(reader.readCachedClubs(), [])
    assert.deepEqual(await reader.knownClubs(), [])
  })

  it('the read cache is bounded in entries and refuses a lower sequence than it holds', async function () {
    const key = await generateKeyPair('Ed25519')
    const id = clubIdFromPublicKey(key.publicKey)
    const roster: Roster = { name: 'r', description: '', policy: 'open', servers: [], updatedAt: 1 }
    const cache = new ReadRosterCache({ maxEntries: 3, ttlMs: MINUTE, now: clock })
    cache.put(await verifyRosterRecord(id, await signRoster(key, roster, 2)))
    const stale = await verifyRosterRecord(id, await signRoster(key, roster, 1))
    assert.throws(() => { cache.put(stale) }, { code: 'ERR_ROSTER_STALE' })
    assert.equal(cache.get(id)?.sequence, 2n)
    const others: string[] = []
    for (let i = 0; i < 3; i++) {
      const k = await generateKeyPair('Ed25519')
      others.push(clubIdFromPublicKey(k.publicKey))
      cache.put(await verifyRosterRecord(others[i], await signRoster(k, roster, 1)))
    }
    assert.equal(cache.get(id), undefined, 'the oldest entry made room')
    assert.deepEqual(cache.list(), [...others].sort())
  })

  it('joining records the membership on disk (replay guard and keeper survive a restart); an older folder\'s cached rosters count as joined', async function () {
    const { signed } = await owner.createClub({ name: 'join me' })
    const user = await manager(nodes[6], 'user')
    await user.joinAsUser(signed.clubId)
    assert.deepEqual(await user.knownClubs(), [signed.clubId])
    assert.deepEqual((await user.joinedClubs()).map(m => [m.clubId, m.role]), [[signed.clubId, 'user']])
    const restarted = new ClubManager({ libp2p: nodes[6], dataDir: join(root, 'user') })
    assert.deepEqual(await restarted.knownClubs(), [signed.clubId])
    assert.equal((await restarted.cached(signed.clubId))?.sequence, 1n)
    // the owner's own clubs are known without a membership entry
    assert.ok((await owner.knownClubs()).includes(signed.clubId))

    // a data folder from before joined.json: one cached roster, no membership file
    const legacy = join(root, 'legacy')
    await new RosterCache(legacy).put(signed)
    const upgraded = new ClubManager({ libp2p: nodes[7], dataDir: legacy })
    assert.deepEqual(await upgraded.knownClubs(), [signed.clubId])
    assert.deepEqual((await upgraded.joinedClubs()).map(m => m.role), ['migrated'])
    const written = JSON.parse(await readFile(join(legacy, 'clubs', 'joined.json'), 'utf8')) as { clubs: Array<{ clubId: string }> }
    assert.deepEqual(written.clubs.map(c => c.clubId), [signed.clubId])
  })

  it('an open club refuses a server that does not answer on its listed address, throttles a burst of fresh peer IDs, and accepts an honest server', async function () {
    const guarded = await manager(nodes[1], 'guarded-owner', { openJoinsPerMinute: 5, joinProbeTimeoutMs: 15_000 })
    const { signed } = await guarded.createClub({ name: 'open to all', policy: 'open', local: true })
    const ownerAddr = nodes[1].getMultiaddrs()[0]

    // lists a port nobody listens on: refused, and nothing published
    const liar = await manager(nodes[2], 'liar')
    await assert.rejects(liar.askToJoin(signed.clubId, { owner: ownerAddr, multiaddrs: ['/ip4/127.0.0.1/tcp/1'] }),
      (err: any) => err.code === 'ERR_JOIN_SERVER_UNREACHABLE' && /could not reach server/.test(err.message))
    assert.equal((await guarded.cached(signed.clubId))!.sequence, 1n, 'no roster published for an unreachable server')
    assert.deepEqual(await liar.knownClubs(), [])

    const honest = await manager(nodes[3], 'honest')
    assert.equal((await honest.askToJoin(signed.clubId, { owner: ownerAddr })).status, 'accepted')
    assert.deepEqual((await honest.joinedClubs()).map(m => [m.clubId, m.role]), [[signed.clubId, 'server']])

    // 20 fresh identities, each a real listening node (identify and ping, no DHT: the cost of 20 more
    // DHT nodes in this process would only slow handshakes), all at once
    const sybils: DhtNode[] = []
    for (let i = 0; i < 20; i++) sybils.push(await createTestLibp2p() as unknown as DhtNode)
    extra.push(...sybils)
    await Promise.all(sybils.map(async s => { await dialRetry(s, nodes[1]) }))
    const started = Date.now()
    const answers = await Promise.allSettled(sybils.map(async (s, i) => await (await manager(s, `sybil-${i}`)).askToJoin(signed.clubId, { owner: ownerAddr, signal: AbortSignal.timeout(30_000) })))
    const accepted = answers.filter(a => a.status === 'fulfilled' && a.value.status === 'accepted').length
    const limited = answers.filter(a => a.status === 'rejected' && a.reason.code === 'ERR_JOIN_RATE_LIMITED')
    const other = answers.filter(a => a.status === 'rejected' && a.reason.code !== 'ERR_JOIN_RATE_LIMITED').map(a => String(a.status === 'rejected' ? a.reason : ''))
    console.log(`      burst of 20: ${accepted} accepted, ${limited.length} rate-limited in ${Date.now() - started} ms${other.length > 0 ? `; other failures: ${other.join(' / ')}` : ''}`)
    assert.equal(accepted, 3, 'five a minute: the liar and the honest server took two slots')
    assert.equal(limited.length, 17)
    assert.match((limited[0] as PromiseRejectedResult).reason.message, /at most 5 new servers a minute.*ask again in \d+ s/)
    assert.equal((await guarded.cached(signed.clubId))!.roster.servers.length, 4)

    // a minute later the club takes servers again
    now += MINUTE + 1
    const later = await manager(nodes[4], 'later')
    assert.equal((await later.askToJoin(signed.clubId, { owner: ownerAddr })).status, 'accepted')
    assert.ok((await guarded.cached(signed.clubId))!.roster.servers.some(s => s.peerId === nodes[4].peerId.toString()))
  })
})
