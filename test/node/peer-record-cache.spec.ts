import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LevelDatastore } from 'datastore-level'
import { Key } from 'interface-datastore'
import { fromString, toString } from 'uint8arrays'
import { createNode } from '../../src/node/index.js'
import { PeerRecordCache } from '../../src/node/peer-record-cache.js'

const bytes = (s: string): Uint8Array => fromString(s)
const text = (b: Uint8Array): string => toString(b)

async function missing (ds: LevelDatastore, key: Key): Promise<boolean> {
  return !(await ds.has(key))
}

describe('node: peer records cached in front of LevelDB (peer-record-cache.ts)', function () {
  this.timeout(60_000)
  let dir: string
  let level: LevelDatastore
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lafs-prc-'))
    level = new LevelDatastore(join(dir, 'ds'))
    await level.open()
  })
  afterEach(async () => {
    await level.close().catch(() => {})
    await rm(dir, { recursive: true, force: true })
  })

  it('holds peer records in memory and writes them back once per flush interval; other keys go straight through', async () => {
    const cache = new PeerRecordCache(level, { flushMs: 300 })
    const peer = new Key('/peers/abc')
    const record = new Key('/dht/record/xyz')
    for (let i = 0; i < 50; i++) await cache.put(peer, bytes(`v${i}`))
    await cache.put(record, bytes('dht'))
    assert.equal(text(await cache.get(peer)), 'v49', 'the last write is read back at once')
    assert.ok(await missing(level, peer), 'not in LevelDB before the flush interval')
    assert.equal(text(await level.get(record)), 'dht', 'a DHT record is written at once')
    const deadline = Date.now() + 5000
    while (await missing(level, peer)) {
      assert.ok(Date.now() < deadline, 'the record never reached LevelDB')
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    assert.equal(text(await level.get(peer)), 'v49', 'fifty writes, one record: the last')
  })

  it('a query sees what waits in memory; a delete is not undone by a later flush; close writes everything', async () => {
    const cache = new PeerRecordCache(level, { flushMs: 60_000 })
    await cache.put(new Key('/peers/a'), bytes('A'))
    await cache.put(new Key('/peers/b'), bytes('B'))
    const found: string[] = []
    for await (const { key, value } of cache.query({ prefix: '/peers' })) found.push(`${key.toString()}=${text(value)}`)
    assert.deepEqual(found.sort(), ['/peers/a=A', '/peers/b=B'])
    await cache.put(new Key('/peers/c'), bytes('C'))
    await cache.delete(new Key('/peers/a'))
    await cache.put(new Key('/peers/b'), bytes('B2'))
    await cache.close()
    level = new LevelDatastore(join(dir, 'ds'))
    await level.open()
    assert.ok(await missing(level, new Key('/peers/a')), 'the deleted record stays deleted')
    assert.equal(text(await level.get(new Key('/peers/b'))), 'B2')
    assert.equal(text(await level.get(new Key('/peers/c'))), 'C')
  })

  it('stays within maxRecords: a burst of writes is flushed at once, clean records are dropped oldest first and read again from LevelDB', async () => {
    const cache = new PeerRecordCache(level, { flushMs: 60_000, maxRecords: 4 })
    for (let i = 0; i < 10; i++) await cache.put(new Key(`/peers/p${i}`), bytes(`r${i}`))
    for (let i = 0; i < 8; i++) assert.equal(text(await level.get(new Key(`/peers/p${i}`))), `r${i}`, `p${i} was flushed when the bound was reached`)
    assert.ok((cache as unknown as { records: Map<string, Uint8Array> }).records.size <= 4, 'at most 4 records held')
    for (let i = 0; i < 10; i++) assert.equal(text(await cache.get(new Key(`/peers/p${i}`))), `r${i}`)
    await assert.rejects(cache.get(new Key('/peers/never')), (err: Error) => err.name === 'NotFoundError')
    // the miss is remembered: a record put behind the cache's back is not seen, one put through it is
    await level.put(new Key('/peers/never'), bytes('behind'))
    await assert.rejects(cache.get(new Key('/peers/never')), (err: Error) => err.name === 'NotFoundError')
    assert.equal(await cache.has(new Key('/peers/never')), false)
    await cache.put(new Key('/peers/never'), bytes('through'))
    assert.equal(text(await cache.get(new Key('/peers/never'))), 'through')
    // a batch replaces what is cached
    const b = cache.batch()
    b.put(new Key('/peers/p9'), bytes('batched'))
    b.delete(new Key('/peers/p8'))
    await b.commit()
    assert.equal(text(await cache.get(new Key('/peers/p9'))), 'batched')
    assert.equal(await cache.has(new Key('/peers/p8')), false)
    await cache.close()
  })

  it('a node keeps its peers across a restart (the cache is flushed on stop)', async () => {
    await level.close()
    const mk = async (sub: string, bootstrap: string[] = []): Promise<Awaited<ReturnType<typeof createNode>>> =>
      await createNode({ dataDir: join(dir, sub), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap, storage: { enabled: false }, gateway: false, dhtProtocol: '/lafs-prc-test/kad/1.0.0' })
    const a = await mk('a')
    let b = await mk('b', [a.multiaddrs.find(m => m.includes('/tcp/')) as string])
    try {
      const deadline = Date.now() + 20_000
      while (b.libp2p.getConnections().length === 0) {
        assert.ok(Date.now() < deadline, 'b never connected to a')
        await new Promise(resolve => setTimeout(resolve, 100))
      }
      const aId = a.libp2p.peerId
      while (!(await b.libp2p.peerStore.get(aId).then(p => p.protocols.length > 0, () => false))) {
        assert.ok(Date.now() < deadline, 'b never learned a\'s protocols')
        await new Promise(resolve => setTimeout(resolve, 100))
      }
      await b.stop()
      b = await mk('b')
      const known = await b.libp2p.peerStore.get(aId)
      assert.ok(known.addresses.length > 0 && known.protocols.length > 0, 'a\'s addresses and protocols survived b\'s restart')
    } finally {
      await b.stop()
      await a.stop()
    }
  })
})
