import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatCap } from '../../src/immutable/index.js'
import { createNode, type LafsNode } from '../../src/node/index.js'
import { LocateError } from '../../src/routing/index.js'

const LISTEN = ['/ip4/127.0.0.1/tcp/0']

async function until (what: string, deadlineMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + deadlineMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

const tcpAddr = (n: LafsNode): string => n.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws')) as string
const tableSize = (n: LafsNode): number => (n.libp2p.services.dht as any).routingTable?.size ?? 0

describe('locate planner and clubs on 20 real nodes', function () {
  this.timeout(240_000)
  const dirs: string[] = []
  const nodes: LafsNode[] = []
  let owner: LafsNode
  let servers: LafsNode[]
  let clubId: string
  let emptyClubId: string
  const data = randomBytes(400_000)
  let cap: string
  let hintedCap: string

  const start = async (storage: boolean, bootstrap: string[]): Promise<LafsNode> => {
    const dir = await mkdtemp(join(tmpdir(), 'lafs-locate-'))
    dirs.push(dir)
    const node = await createNode({ dataDir: dir, listen: LISTEN, bootstrap, storage: { enabled: storage }, gateway: false, dhtProtocol: '/lafs-club-test/kad/1.0.0' })
    nodes.push(node)
    return node
  }

  before(async () => {
    owner = await start(true, [])
    const boot = [tcpAddr(owner)]
    servers = []
    for (let batch = 0; batch < 2; batch++) {
      servers.push(...await Promise.all(Array.from({ length: 9 }, async () => await start(true, boot))))
    }
    await Promise.all(nodes.map(async n => await n.bootstrapped))
    // Under load kad-dht's admission pings time out and tables fill slowly; 3 peers each is enough to route.
    await until('routing tables to fill', 150_000, () => nodes.every(n => tableSize(n) >= 3))
    clubId = await owner.createClub({ name: 'test club' })
    for (const s of servers.slice(0, 10)) await owner.clubAdd(clubId, tcpAddr(s))
    emptyClubId = await owner.createClub({ name: 'holds nothing' })
    for (const s of servers.slice(10, 13)) await owner.clubAdd(emptyClubId, tcpAddr(s))
    const uploader = await start(false, boot)
    await until('the uploader to know DHT peers', 30_000, () => tableSize(uploader) >= 3)
    const roster = await uploader.joinClub(clubId)
    assert.equal(roster.servers.length, 10)
    const up = await uploader.put(data, { club: clubId })
    cap = up.cap
    assert.equal(up.hintedCap, `${cap}@${clubId}`)
    hintedCap = up.hintedCap
    // Wait for every server's provider records to go out.
    await Promise.all(servers.map(async s => { await (s.announcer as any)?.onIdle?.() }))
  })

  after(async () => {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  it('a fresh node that knows one bootstrap peer resolves and validates the roster', async () => {
    const fresh = await start(false, [tcpAddr(servers[17])])
    await until('the fresh node to know DHT peers', 30_000, () => tableSize(fresh) >= 3)
    const roster = await fresh.joinClub(clubId)
    assert.equal(roster.name, 'test club')
    assert.deepEqual(new Set(roster.servers.map(s => s.peerId)), new Set(servers.slice(0, 10).map(s => s.peerId)))
  })

  it('locates a cap without a hint through provider records, and downloads it', async () => {
    const reader = await start(false, [tcpAddr(servers[15])])
    await until('the reader to know DHT peers', 30_000, () => tableSize(reader) >= 3)
    const { servers: found, explain } = await reader.locate(cap)
    assert.equal(explain.chosen, 'dht')
    assert.equal(explain.fellBack, false)
    assert.ok(explain.actual.rpcs > 0, 'the DHT query cost was counted')
    assert.ok(new Set(found.flatMap(s => s.shares)).size >= 3)
    assert.ok(Buffer.from(await reader.get(cap)).equals(data))
  })

  it('uses the club hint when the budget is too small for a DHT query, and says what it cost', async () => {
    const reader = await start(false, [tcpAddr(servers[16])])
    await until('the reader to know DHT peers', 30_000, () => tableSize(reader) >= 3)
    await reader.joinClub(clubId)
    const { servers: found, explain } = await reader.locate(hintedCap, { budget: { maxRpcs: 12, deadlineMs: 20_000 } })
    assert.equal(explain.estimates.dht?.fitsBudget, false)
    assert.equal(explain.estimates.club?.fitsBudget, true)
    assert.equal(explain.estimates.club?.rosterCached, true)
    assert.equal(explain.chosen, 'club')
    assert.equal(explain.runs.length, 1)
    assert.equal(explain.actual.rpcs, 10, 'one have-share query to each of the 10 roster servers')
    assert.equal(explain.actual.roundTrips, 1)
    assert.equal(new Set(found.flatMap(s => s.shares)).size, 10)
    assert.ok(Buffer.from(await reader.get(hintedCap)).equals(data))
  })

  it('falls back to the DHT when the hinted club holds nothing', async () => {
    const reader = await start(false, [tcpAddr(servers[14])])
    await until('the reader to know DHT peers', 30_000, () => tableSize(reader) >= 3)
    await reader.joinClub(emptyClubId)
    const { servers: found, explain } = await reader.locate(`${cap}@${emptyClubId}`)
    assert.deepEqual(explain.runs.map(r => r.way), ['club', 'dht'])
    assert.equal(explain.fellBack, true)
    assert.equal(explain.runs[0].rpcs, 3)
    assert.equal(explain.runs[0].distinctShares, 0)
    assert.equal(explain.chosen, 'dht')
    assert.ok(new Set(found.flatMap(s => s.shares)).size >= 3)
  })

  it('a cap nobody holds fails with "not found" within its deadline', async () => {
    const missing = formatCap({ kind: 'chk', key: randomBytes(16), uebHash: randomBytes(32), k: 3, n: 10, size: 100_000 })
    const t0 = Date.now()
    await assert.rejects(owner.locate(`${missing}@${clubId}`, { budget: { deadlineMs: 4000 } }),
      // the club way, the DHT way, and (when the deadline leaves time after the pause) the DHT walked once more
      (err: any) => err instanceof LocateError && err.code === 'ERR_NOT_FOUND' && err.explain != null &&
        err.explain.runs.slice(0, 2).map((r: any) => r.way).join() === 'club,dht' && err.explain.runs.slice(2).every((r: any) => r.way === 'dht' && r.again === true) &&
        err.explain.runs.length <= 3)
    assert.ok(Date.now() - t0 < 4000 + 2000, `took ${Date.now() - t0} ms`)
    const t1 = Date.now()
    await assert.rejects(owner.get(missing), (err: any) => err.code === 'ERR_NOT_FOUND')
    assert.ok(Date.now() - t1 < 30_000 + 2000)
  })
})
