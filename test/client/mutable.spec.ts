import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  checkMutable, modifyMutable, newStats, overwriteMutable, publishMutableVersion, publishNewMutable, retrieveMutable, StorageClientPool,
  UncoordinatedWriteError, updateServermap, WriteEnablerRefusedError, type ServerInfo
} from '../../src/client/index.js'
import { base32Encode } from '../../src/immutable/index.js'
import { StorageClient, dialTarget } from '../../src/protocols/index.js'
import { serverLeaseSecrets } from '../../src/client/lease.js'
import { startGrid, stopGrid, stopServer, type GridServer } from '../fixtures/grid.js'
import { createTestLibp2p } from '../fixtures/libp2p.js'
import { vectorKey } from '../mutable/helpers.js'
import type { MutableWriteCap } from '../../src/mutable/index.js'
import type { Libp2p } from '@libp2p/interface'

async function findSlotFile (dir: string, b32: string, shnum: number): Promise<string | undefined> {
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const parent = e.parentPath ?? (e as unknown as { path: string }).path
    if (e.isFile() && e.name === String(shnum) && parent.endsWith(b32) && !parent.includes(`${join('shares')}/`)) return join(parent, e.name)
  }
  return undefined
}

describe('client: mutable files over 10 real servers', function () {
  this.timeout(180_000)
  let grid: GridServer[]
  let client: Libp2p
  let other: Libp2p
  const leaseSecret = randomBytes(32)
  const infos = (): ServerInfo[] => grid.filter(s => s.running).map(s => s.info)
  let pool: StorageClientPool
  let otherPool: StorageClientPool
  const base = (): { servers: ServerInfo[], pool: StorageClientPool, leaseSecret: Uint8Array, happy: number } => ({ servers: infos(), pool, leaseSecret, happy: 7 })

  before(async () => {
    grid = await startGrid(10)
    client = await createTestLibp2p()
    other = await createTestLibp2p()
    pool = new StorageClientPool(client)
    otherPool = new StorageClientPool(other)
  })
  after(async () => {
    await pool?.stop()
    await otherPool?.stop()
    await client?.stop()
    await other?.stop()
    await stopGrid(grid ?? [])
  })

  async function read (cap: MutableWriteCap, opener = client, p = pool, servers = infos()): Promise<{ data: Buffer, seqnum: bigint }> {
    const map = await updateServermap(opener, cap, { servers, pool: p })
    const got = await retrieveMutable(opener, cap, map, { pool: p })
    return { data: Buffer.from(got.plaintext), seqnum: got.seqnum }
  }

  for (const format of ['sdmf', 'mdmf'] as const) {
    it(`${format}: publishes, reads, modifies 50 times, and a fresh node reads the last version`, async () => {
      const first = randomBytes(3000)
      const pub = await publishNewMutable(client, first, { ...base(), format, k: 3, n: 10, keyPair: vectorKey(format === 'sdmf' ? 0 : 1) })
      assert.equal(pub.happiness, 10)
      assert.equal(pub.seqnum, 1n)
      assert.ok((await read(pub.cap)).data.equals(first))
      let expected = Buffer.from(first)
      for (let i = 0; i < 50; i++) {
        const r = await modifyMutable(client, pub.cap, old => Buffer.concat([old, Buffer.from(`#${i}`)]), { ...base(), keyPair: pub.keyPair })
        assert.equal(r.changed, true)
        expected = Buffer.concat([expected, Buffer.from(`#${i}`)])
      }
      const fresh = await createTestLibp2p()
      const freshPool = new StorageClientPool(fresh)
      try {
        const got = await read(pub.cap, fresh, freshPool)
        assert.ok(got.data.equals(expected), 'the fresh node reads the 51st version')
        assert.equal(got.seqnum, 51n)
      } finally {
        await freshPool.stop()
        await fresh.stop()
      }
    })
  }

  it('an update of a 1 KiB file is a servermap update and a write: 2 round trips, one request per server each', async () => {
    const pub = await publishNewMutable(client, randomBytes(1024), { ...base(), format: 'sdmf', k: 3, n: 10, keyPair: vectorKey(2) })
    const stats = newStats()
    // Without the key pair in hand: the encrypted key comes with the servermap's read.
    const r = await overwriteMutable(client, pub.cap, randomBytes(1024), { ...base(), stats })
    assert.equal(r.seqnum, 2n)
    assert.deepEqual(stats, { roundTrips: 2, requests: 20 })
    const mdmf = await publishNewMutable(client, randomBytes(1024), { ...base(), format: 'mdmf', k: 3, n: 10, keyPair: vectorKey(3) })
    const s2 = newStats()
    await overwriteMutable(client, mdmf.cap, randomBytes(1024), { ...base(), stats: s2 })
    assert.deepEqual(s2, { roundTrips: 2, requests: 20 })
    // A read-modify-write of a small SDMF file: the map's reads hold the whole shares, so still 2.
    const s3 = newStats()
    await modifyMutable(client, pub.cap, old => Buffer.concat([old, Buffer.from('+')]), { ...base(), stats: s3 })
    assert.deepEqual(s3, { roundTrips: 2, requests: 20 })
    const s4 = newStats()
    await modifyMutable(client, mdmf.cap, old => Buffer.concat([old, Buffer.from('+')]), { ...base(), stats: s4 })
    assert.deepEqual(s4, { roundTrips: 2, requests: 20 })
    // A larger MDMF file keeps its block hash tree past the mapped bytes: opening shares, then blocks, cost two more.
    const big = await publishNewMutable(client, randomBytes(50_000), { ...base(), format: 'mdmf', k: 3, n: 10, keyPair: vectorKey(9) })
    const s5 = newStats()
    await modifyMutable(client, big.cap, old => Buffer.concat([old, Buffer.from('+')]), { ...base(), stats: s5 })
    assert.equal(s5.roundTrips, 4, JSON.stringify(s5))
  })

  it('shares over 1 MiB, two per server, are written in several calls and read back', async () => {
    const five = infos().slice(0, 5)
    const data = randomBytes(5 * 2 ** 20 + 123)
    const stats = newStats()
    const pub = await publishNewMutable(client, data, { ...base(), servers: five, happy: 5, format: 'mdmf', k: 3, n: 10, keyPair: vectorKey(11), stats })
    assert.equal(pub.happiness, 5)
    assert.ok(stats.requests > 5, `several calls per server (${stats.requests})`)
    assert.ok((await read(pub.cap, client, pool, five)).data.equals(data))
    const next = randomBytes(4 * 2 ** 20)
    await overwriteMutable(client, pub.cap, next, { ...base(), servers: five, happy: 5 })
    const got = await read(pub.cap, client, pool, five)
    assert.equal(got.seqnum, 2n)
    assert.ok(got.data.equals(next))
  })

  it('mdmf: a range read reads only its segments', async () => {
    const data = randomBytes(60_000)
    const pub = await publishNewMutable(client, data, { ...base(), format: 'mdmf', k: 3, n: 10, segmentSize: 6000, keyPair: vectorKey(4) })
    const map = await updateServermap(client, pub.cap, { servers: infos(), pool })
    const whole = newStats()
    const all = await retrieveMutable(client, pub.cap, map, { pool, stats: whole })
    assert.ok(Buffer.from(all.plaintext).equals(data))
    const part = newStats()
    const got = await retrieveMutable(client, pub.cap, map, { pool, stats: part, offset: 30_100, length: 50 })
    assert.ok(Buffer.from(got.plaintext).equals(data.subarray(30_100, 30_150)))
    assert.ok(part.requests * 2 < whole.requests, `a one-segment range made ${part.requests} requests, the whole file ${whole.requests}`)
  })

  it('two writers racing from two nodes: the loser is told, readers never see a mixed version', async () => {
    const pub = await publishNewMutable(client, Buffer.from('v1'), { ...base(), format: 'sdmf', k: 3, n: 10, keyPair: vectorKey(5) })
    const mapA = await updateServermap(client, pub.cap, { servers: infos(), pool })
    const mapB = await updateServermap(other, pub.cap, { servers: infos(), pool: otherPool })
    await publishMutableVersion(client, pub.cap, Buffer.from('from A'), mapA, { ...base() })
    await assert.rejects(publishMutableVersion(other, pub.cap, Buffer.from('from B'), mapB, { ...base(), pool: otherPool }),
      (err: Error) => err instanceof UncoordinatedWriteError && err.code === 'ERR_UNCOORDINATED_WRITE' && err.servers.length === 10)
    assert.equal((await read(pub.cap)).data.toString(), 'from A')

    // Both at once, through modify: each retries until its change is in; no update is lost.
    const add = (mark: string) => (old: Uint8Array): Uint8Array | undefined => {
      const text = Buffer.from(old).toString()
      return text.includes(mark) ? undefined : Buffer.from(`${text}+${mark}`)
    }
    for (let round = 0; round < 3; round++) {
      const [a, b] = await Promise.all([
        modifyMutable(client, pub.cap, add(`a${round}`), { ...base(), maxAttempts: 20 }),
        modifyMutable(other, pub.cap, add(`b${round}`), { ...base(), pool: otherPool, maxAttempts: 20 })
      ])
      assert.ok(a.attempts >= 1 && b.attempts >= 1)
      const text = (await read(pub.cap, other, otherPool)).data.toString()
      assert.ok(text.startsWith('from A') && text.includes(`+a${round}`) && text.includes(`+b${round}`), `round ${round}: ${text}`)
    }
  })

  it('a server holding an old version: the reader gets the newest; check says so; repair brings it up to date', async () => {
    const pub = await publishNewMutable(client, Buffer.from('old contents'), { ...base(), format: 'mdmf', k: 3, n: 10, keyPair: vectorKey(6) })
    const stale = infos()[4]
    await overwriteMutable(client, pub.cap, Buffer.from('new contents'), { ...base(), servers: infos().filter(s => s.peerId !== stale.peerId) })
    const got = await read(pub.cap)
    assert.equal(got.data.toString(), 'new contents')
    assert.equal(got.seqnum, 2n)
    const report = await checkMutable(client, pub.cap, { ...base() })
    assert.equal(report.healthy, false)
    assert.deepEqual(report.versions.map(v => v.seqnum), [2, 1])
    const repaired = await checkMutable(client, pub.cap, { ...base(), repair: true })
    assert.equal(repaired.repaired?.seqnum, 3)
    const after = await checkMutable(client, pub.cap, { ...base(), verify: true })
    assert.equal(after.healthy, true, JSON.stringify(after.versions.map(v => String(v.seqnum))))
    assert.ok(Object.values(after.sharemap).flat().includes(stale.peerId), 'the stale server holds the newest version now')
    assert.equal((await read(pub.cap)).data.toString(), 'new contents')
  })

  it('a corrupt share is detected, skipped, reported to its server, found by verify and rewritten by repair', async () => {
    const data = randomBytes(20_000)
    const pub = await publishNewMutable(client, data, { ...base(), format: 'sdmf', k: 3, n: 10, keyPair: vectorKey(7) })
    const b32 = base32Encode(pub.cap.storageIndex)
    const [victimPeer, shares] = [...pub.placement].find(([, sh]) => sh.includes(0)) as [string, number[]]
    assert.deepEqual(shares, [0])
    const victim = grid.find(s => s.info.peerId === victimPeer) as GridServer
    const file = await findSlotFile(victim.dir, b32, 0)
    assert.ok(file != null, 'the slot file is on disk')
    const bytes = await readFile(file)
    bytes[bytes.length - 1500] ^= 0x01 // inside share 0's block (the encrypted key follows it)
    await writeFile(file, bytes)
    const map = await updateServermap(client, pub.cap, { servers: infos(), pool })
    // Share 0 first: the reader reads shares 0..2.
    const got = await retrieveMutable(client, pub.cap, map, { pool })
    assert.ok(Buffer.from(got.plaintext).equals(data), 'right bytes from other shares')
    assert.deepEqual(got.corrupt.map(c => [c.server.peerId, c.shnum, c.check]), [[victimPeer, 0, 'block-hash']])
    const deadline = Date.now() + 10_000
    while (victim.storage.corruptionReports().recent.filter(r => r.storageIndex === b32).length === 0) {
      assert.ok(Date.now() < deadline, 'the server got the advisory')
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    const verified = await checkMutable(client, pub.cap, { ...base(), verify: true, repair: true })
    assert.deepEqual(verified.corrupt.map(c => [c.peerId, c.shnum]), [[victimPeer, 0]])
    assert.equal(verified.healthy, false)
    assert.ok(verified.repaired != null)
    const after = await checkMutable(client, pub.cap, { ...base(), verify: true })
    assert.equal(after.healthy, true)
    assert.deepEqual(after.corrupt, [])
  })

  it('a slot written with another write enabler is refused with a clear error', async () => {
    const keyPair = vectorKey(8)
    const { writeCapFromKeyPair } = await import('../../src/mutable/index.js')
    const cap = writeCapFromKeyPair(keyPair, 'sdmf')
    // A squatter's share under the same storage index, with a write enabler of its own, on every server.
    await Promise.all(infos().map(async s => {
      const sc = new StorageClient(client, dialTarget(s))
      try {
        const ok = await sc.slotReadTestWrite(cap.storageIndex, randomBytes(32), serverLeaseSecrets(leaseSecret, cap.storageIndex, s.peerId),
          [{ shareNumber: 0, test: [], write: [{ offset: 0, data: randomBytes(100) }] }])
        assert.equal(ok.success, true)
      } finally {
        await sc.stop()
      }
    }))
    await assert.rejects(publishNewMutable(client, Buffer.from('x'), { ...base(), format: 'sdmf', k: 3, n: 10, keyPair }),
      (err: Error) => err instanceof WriteEnablerRefusedError && err.code === 'ERR_BAD_WRITE_ENABLER' && err.servers.length === 10)
  })


  // Last: it stops a server for good.
  it('repair puts a lost share back on another server', async () => {
    const data = randomBytes(10_000)
    const pub = await publishNewMutable(client, data, { ...base(), format: 'mdmf', k: 3, n: 10, keyPair: vectorKey(10) })
    const [lostPeer] = [...pub.placement].find(([, sh]) => sh.includes(4)) as [string, number[]]
    await stopServer(grid.find(s => s.info.peerId === lostPeer) as GridServer)
    const before = await checkMutable(client, pub.cap, { ...base() })
    assert.equal(before.sharesFound, 9)
    assert.equal(before.healthy, false)
    assert.equal(before.sharemap[4], undefined)
    const repaired = await checkMutable(client, pub.cap, { ...base(), repair: true })
    assert.equal(repaired.repaired?.sharesFoundAfter, 10)
    const after = await checkMutable(client, pub.cap, { ...base(), verify: true })
    assert.equal(after.healthy, true)
    assert.equal(after.sharemap[4]?.length, 1)
    assert.ok((await read(pub.cap)).data.equals(data))
  })
})
