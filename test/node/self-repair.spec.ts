import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { createNode, formatCap, silentLogger, type ConfigInput, type FileCheckEvent, type LafsNode } from '../../src/node/index.js'
import { formatCap as formatAnyCap, parseCap, toVerifyCap } from '../../src/immutable/index.js'
import { startGrid, stopGrid, stopServer, type GridServer } from '../fixtures/grid.js'

const LISTEN = ['/ip4/127.0.0.1/tcp/0']
/** k=2, happy=4, N=5: a file at happy − 2 has shares on 2 servers. Passes run only when asked. */
const CONFIG: ConfigInput = {
  client: { k: 2, happy: 4, n: 5 },
  repair: { intervalSeconds: 0 },
  connections: { allow: ['/ip4/127.0.0.0/ipcidr/8'] }
}

describe('node: self-repair and keep', function () {
  this.timeout(60_000)
  let base: string
  let grid: GridServer[]
  const nodes: LafsNode[] = []

  const start = async (name: string, opts: { storage?: boolean, bootstrap?: string[], config?: ConfigInput } = {}): Promise<LafsNode> => {
    const node = await createNode({
      dataDir: join(base, name),
      listen: LISTEN,
      bootstrap: opts.bootstrap ?? [],
      storage: { enabled: opts.storage ?? false },
      gateway: false,
      config: { ...CONFIG, ...opts.config },
      logger: silentLogger
    })
    nodes.push(node)
    return node
  }

  /** A DHT peer (for the club's roster), an uploader that owns a club of the grid's servers. */
  const setup = async (servers: number, config?: ConfigInput): Promise<{ dht: LafsNode, uploader: LafsNode, clubId: string }> => {
    grid = await startGrid(servers)
    const dht = await start('dht')
    const uploader = await start('uploader', { bootstrap: [dht.multiaddrs[0]], config })
    await uploader.bootstrapped
    const club = await uploader.clubs.create({ name: 'repair club', servers: grid.map(s => s.info.multiaddrs[0]), local: true })
    return { dht, uploader, clubId: club.clubId }
  }

  /** Stops `count` of the servers holding shares of the file, as servers that leave for good. */
  const loseServers = async (node: LafsNode, cap: string, count: number): Promise<string[]> => {
    const report = await node.check(cap)
    const holders = [...new Set(Object.values(report.sharemap).flat())]
    assert.equal(holders.length, 5, 'one share on each of five servers after the upload')
    const gone = holders.slice(0, count)
    await Promise.all(grid.filter(s => gone.includes(s.info.peerId)).map(stopServer))
    return gone
  }

  beforeEach(async () => { base = await mkdtemp(join(tmpdir(), 'lafs-repair-')) })
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async n => { await n.stop() }))
    await stopGrid(grid ?? [])
    grid = []
    await rm(base, { recursive: true, force: true })
  })

  it('a file at happy − 2 is back at N after one pass of its uploader, on servers of its club; the pass is counted and verifies a sample', async () => {
    const { uploader, clubId } = await setup(8, { repair: { intervalSeconds: 0, verifyBytesPerPass: 1 } })
    const data = randomBytes(200_000)
    const put = await uploader.put(data, { club: clubId })
    const other = await uploader.put(randomBytes(100_000), { club: clubId })
    assert.equal(put.happiness, 5)

    // Two storage servers outside the club, connected to the uploader: repair must not place shares on them.
    const outsiders = await startGrid(2)
    grid.push(...outsiders)
    for (const o of outsiders) await uploader.libp2p.dial(multiaddr(o.info.multiaddrs[0]))
    const gone = await loseServers(uploader, put.cap, 3)
    const before = await uploader.check(put.cap)
    assert.equal(before.happiness, 2, 'happy − 2')

    const pass = await uploader.repair.runNow()
    assert.equal(pass.checked, 2)
    assert.equal(pass.verified, 1, 'a 1-byte verify budget verifies only the first file in line')
    assert.ok(pass.repaired >= 1, JSON.stringify(pass))
    const after = await uploader.check(put.cap)
    assert.equal(after.sharesFound, 5, 'back at N')
    assert.equal(after.happiness, 5)
    const live = new Set(grid.filter(s => s.running && !outsiders.includes(s)).map(s => s.info.peerId))
    for (const holders of Object.values(after.sharemap)) for (const p of holders) assert.ok(live.has(p) && !gone.includes(p), `share on ${p}, a live server of the club`)
    assert.ok(Buffer.from(await uploader.get(put.hintedCap as string)).equals(data))

    const stats = uploader.repair.stats()
    assert.equal(stats.checks, 2)
    assert.ok(stats.repairs >= 1)
    assert.ok(stats.sharesPlaced >= 3)
    const entry = stats.recent.find(e => e.storageIndex === uploader.leases.get(put.cap)?.storageIndex)
    assert.ok(entry !== undefined, 'the repair is listed')
    assert.equal(entry.happinessBefore, 2)
    assert.equal(entry.happinessAfter, 5)
    assert.equal(entry.sharesPlaced, 3)
    const snapshot = await uploader.admin.status()
    assert.equal(snapshot.repair.repairs, stats.repairs)
    assert.equal(uploader.leases.get(put.cap)?.health?.sharesFound, 5)

    // The next pass verifies the other file: the sample rotates.
    const second = await uploader.repair.runNow()
    assert.equal(second.verified, 1)
    assert.equal(second.repaired, 0, 'nothing left to repair')
    const verified = uploader.leases.list().filter(l => l.verifiedAt !== undefined).map(l => l.cap).sort()
    assert.deepEqual(verified, [put.cap, other.cap].sort())
  })

  it('a check given the club asks only its roster: a connected server outside the club holding shares is not asked', async () => {
    const { uploader, clubId } = await setup(5)
    const data = randomBytes(150_000)
    const put = await uploader.put(data, { club: clubId })
    // The same file (same convergent key and parameters) also on one server outside the club, which stays connected.
    const [outsider] = await startGrid(1)
    grid.push(outsider)
    await uploader.put(data, { servers: outsider.info.multiaddrs, happy: 1 })
    const holders = (r: { sharemap: Record<string, string[]> }): Set<string> => new Set(Object.values(r.sharemap).flat())
    const everyone = await uploader.check(put.cap)
    assert.ok(holders(everyone).has(outsider.info.peerId), 'without a club, every connected storage server is asked')
    const inClub = await uploader.check(put.cap, { club: clubId })
    assert.ok(!holders(inClub).has(outsider.info.peerId), 'with the club named, only its roster is asked')
    assert.equal(inClub.sharesFound, 5)
    assert.equal(inClub.happiness, 5)
  })

  it('a pass asks each server of the club once about all its files, not once per file', async () => {
    const { uploader, clubId } = await setup(5, { repair: { intervalSeconds: 0, verifyBytesPerPass: 1 } })
    const puts = []
    for (let i = 0; i < 6; i++) puts.push(await uploader.put(randomBytes(20_000 + i), { club: clubId }))
    // the servers' own have() (one call per have request), observed during the pass only
    const asked = new Map<string, number[]>()
    for (const s of grid) {
      const have = s.storage.have.bind(s.storage)
      s.storage.have = async (sis: Uint8Array[]) => {
        asked.set(s.info.peerId, [...(asked.get(s.info.peerId) ?? []), sis.length])
        return await have(sis)
      }
    }
    const pass = await uploader.repair.runNow()
    assert.equal(pass.checked, 6, JSON.stringify(pass.failures))
    assert.equal(pass.failures.length, 0)
    assert.equal(asked.size, 5, 'every server of the club was asked')
    for (const [peer, batches] of asked) assert.deepEqual(batches, [6], `${peer} was asked ${JSON.stringify(batches)}`)
    // a check outside a pass still asks for its own file
    for (const a of asked.values()) a.length = 0
    const one = await uploader.check(puts[0].cap, { club: clubId })
    assert.equal(one.happiness, 5)
    for (const [peer, batches] of asked) assert.deepEqual(batches, [1], `${peer} was asked ${JSON.stringify(batches)}`)
  })

  it('a repairer that keeps a cap keeps the file alive while its uploader is offline, and learns no other cap', async () => {
    const { dht, uploader, clubId } = await setup(8)
    const repairer = await start('repairer', { bootstrap: [dht.multiaddrs[0]] })
    await repairer.bootstrapped
    const data = randomBytes(150_000)
    const put = await uploader.put(data, { club: clubId })
    const hinted = put.hintedCap as string
    const unrelated = await uploader.put(randomBytes(80_000), { club: clubId })

    const [kept] = await repairer.keep(hinted)
    assert.equal(kept.club, clubId)
    assert.equal(kept.kept, true)
    assert.equal(kept.expiresAt, 0, 'no lease of its own until the first pass')
    const events: FileCheckEvent[] = []
    repairer.repair.onCheck(e => { events.push(e) })

    // First pass: healthy, and the repairer adds its own lease on the holders.
    const first = await repairer.repair.runNow()
    assert.equal(first.checked, 1)
    assert.equal(first.renewed, 1, JSON.stringify(first.failures))
    assert.equal(first.repaired, 0)
    const [entry] = await repairer.kept()
    assert.ok(entry.expiresAt > Date.now(), 'leased by the repairer')
    assert.equal(entry.health?.healthy, true)

    await uploader.stop()
    const gone = await loseServers(repairer, put.cap, 3)
    const second = await repairer.repair.runNow()
    assert.equal(second.repaired, 1, JSON.stringify(second.failures))
    assert.equal(second.sharesPlaced, 3)
    const after = await repairer.check(hinted)
    assert.equal(after.sharesFound, 5)
    assert.equal(after.happiness, 5)
    assert.ok(Buffer.from(await repairer.get(hinted)).equals(data))

    // The check events name the servers that went away (reputation's input).
    const last = events[events.length - 1]
    assert.deepEqual([...last.unreachable].sort(), [...gone].sort())
    assert.equal(last.repair?.sharesPlaced, 3)

    // Only what it was given, and never as a cap: lists and the status name storage indexes.
    const text = JSON.stringify([await repairer.kept({ all: true }), await repairer.admin.status(), repairer.repair.stats()])
    assert.ok(!text.includes(put.cap.split(':')[2]), 'the kept cap\'s key is shown nowhere')
    assert.ok(!text.includes(unrelated.cap.split(':')[2]))
    assert.equal((await repairer.kept({ all: true })).length, 1)

    assert.deepEqual(await repairer.unkeep(entry.storageIndex), { removed: 1 })
    assert.deepEqual(await repairer.kept({ all: true }), [])
  })

  it('a file uploaded to servers by address, without a club, is checked and repaired on the servers the node knows', async () => {
    grid = await startGrid(8)
    // a DHT peer that answers "no providers" at once (a node alone would wait out the locate deadline)
    const dht = await start('dht')
    const uploader = await start('no-club', { bootstrap: [dht.multiaddrs[0]] })
    await uploader.bootstrapped
    const addrs = grid.map(s => s.info.multiaddrs[0])
    const data = randomBytes(120_000)
    const { cap } = await uploader.put(data, { servers: addrs })
    const report = await uploader.check(cap, { servers: addrs })
    const holders = [...new Set(Object.values(report.sharemap).flat())]
    await Promise.all(grid.filter(s => holders.slice(0, 3).includes(s.info.peerId)).map(stopServer))
    const pass = await uploader.repair.runNow()
    assert.equal(pass.repaired, 1, JSON.stringify(pass))
    const after = await uploader.check(cap, { servers: addrs })
    assert.deepEqual([after.sharesFound, after.happiness], [5, 5])
    await uploader.repair.runNow()
    assert.equal(uploader.leases.get(cap)?.servers.length, 5, 'the next check names the new holders in the book')
  })

  it('a mutable file (kept by its write cap) is repaired the same way', async () => {
    const { uploader, clubId } = await setup(8)
    const data = randomBytes(5_000)
    const created = await uploader.files.createMutable(data, { club: clubId })
    assert.equal(created.happiness, 5)
    await loseServers(uploader, created.cap, 3)
    assert.equal((await uploader.check(created.cap)).happiness, 2)
    // The uploader's book holds the read cap, which cannot sign a new version: the pass says so.
    const readOnly = await uploader.repair.runNow()
    assert.match(readOnly.failures[0]?.error ?? '', /write cap/)
    const [kept] = await uploader.keep(created.hintedCap as string)
    assert.deepEqual([kept.kind, kept.uploaded, kept.kept], ['mutable', true, true], 'the same file, now with its write cap')
    assert.equal(uploader.leases.list().length, 1)
    const pass = await uploader.repair.runNow()
    assert.equal(pass.repaired, 1, JSON.stringify(pass))
    const after = await uploader.check(created.cap)
    assert.equal(after.sharesFound, 5)
    assert.ok(after.happiness >= 4, `happiness ${after.happiness}`)
    assert.ok(Buffer.from(await uploader.get(created.readCap)).equals(data))
    // Given up, the write cap leaves the book; the upload stays under its read cap.
    assert.deepEqual(await uploader.unkeep(kept.storageIndex), { removed: 1 })
    assert.deepEqual(uploader.leases.list().map(l => l.cap), [created.readCap])
  })

  it('a keeper given only the verify cap checks, verifies and renews the file, and says why it cannot repair it', async () => {
    const { dht, uploader, clubId } = await setup(8, { repair: { intervalSeconds: 0, verifyBytesPerPass: 1 } })
    const keeper = await start('keeper', { bootstrap: [dht.multiaddrs[0]], config: { repair: { intervalSeconds: 0, verifyBytesPerPass: 1 } } })
    await keeper.bootstrapped
    const put = await uploader.put(randomBytes(90_000), { club: clubId })
    const parsed = parseCap(put.cap)
    assert.equal(parsed.kind, 'chk')
    const verifyCap = formatAnyCap(toVerifyCap(parsed), clubId)
    await keeper.keep(verifyCap)
    const first = await keeper.repair.runNow()
    assert.deepEqual([first.checked, first.verified, first.renewed, first.failures.length], [1, 1, 1, 0], JSON.stringify(first))
    await loseServers(uploader, put.cap, 3)
    const second = await keeper.repair.runNow()
    assert.equal(second.repaired, 0)
    assert.match(second.failures.map(f => f.error).join(), /read-cap/)
    assert.equal((await keeper.kept())[0].health?.happiness, 2)
  })

  it('repairs run one at a time, each charged size × N / k bytes against repair.maxBytesPerSecond before the next starts', async () => {
    // 100 kB files with k=2, N=5 are charged 250 kB each: at 250 kB/s the second repair starts a second after the first.
    const { uploader, clubId } = await setup(6, { repair: { intervalSeconds: 0, maxBytesPerSecond: 250_000 } })
    const puts = [await uploader.put(randomBytes(100_000), { club: clubId }), await uploader.put(randomBytes(100_000), { club: clubId })]
    // Each file has shares on five of the six servers: with three gone, at most three servers hold shares of either.
    await Promise.all(grid.slice(0, 3).map(stopServer))
    const pass = await uploader.repair.runNow()
    assert.equal(pass.repaired, 2, JSON.stringify(pass))
    const [second, first] = uploader.repair.stats().recent
    assert.ok(first.at + first.durationMs <= second.at, 'one at a time')
    assert.ok(second.at - first.at >= 950, `the second repair waited for the first one's charge (${second.at - first.at} ms)`)
    for (const p of puts) assert.equal((await uploader.check(p.cap)).sharesFound, 5)
  })

  it('keep refuses literal caps and directories with a typed error; keeping twice keeps once; unkeep by cap or storage index', async () => {
    const node = await start('alone')
    await assert.rejects(node.keep('URI:LIT:oruw46i'), (e: any) => e.code === 'ERR_INVALID_CAP' && /literal/.test(e.message))
    await assert.rejects(node.keep('URI:DIR2:aaaa:bbbb'), (e: any) => e.code === 'ERR_INVALID_CAP' && /director/.test(e.message))
    const cap = formatCap({ kind: 'chk', key: randomBytes(16), uebHash: randomBytes(32), k: 3, n: 10, size: 100_000 })
    await node.keep([cap, `${cap}@k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8`])
    const kept = await node.kept()
    assert.equal(kept.length, 1, 'one cap, with or without its hint')
    assert.equal(kept[0].club, 'k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8')
    assert.deepEqual(await node.unkeep(cap), { removed: 1 })
    await node.keep(cap)
    assert.deepEqual(await node.unkeep(kept[0].storageIndex), { removed: 1 })
    assert.deepEqual(await node.unkeep(kept[0].storageIndex), { removed: 0 })
  })
})
