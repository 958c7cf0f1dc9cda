/**
 * Mutable slots end to end (issue 14, part 2): real libp2p nodes on
 * 127.0.0.1, real storage servers with SQLite, files published with
 * src/mutable's encoder through /lafs-club/storage/1.1.0 and read back with
 * its verifying decoder.
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { checkstringOf, encodeMutable, readMutable, toReadCap, writeEnablerHash, type MutableFormat } from '../../src/mutable/index.js'
import { RemoteStorageError, serverIdOf, STORAGE_PROTOCOL } from '../../src/protocols/index.js'
import { encodeStorageIndex } from '../../src/storage/index.js'
import { equalBytes, pseudoRandom, vectorKey } from '../mutable/helpers.js'
import { Clock, DAY } from '../storage/helpers.js'
import { lease, recordingLogger, slotHarness } from './slots-harness.js'

describe('protocols: mutable slots over libp2p', function () {
  this.timeout(60_000)
  const { node, serve, client, enablerFor, publish, sources } = slotHarness()

  it('derives the server id as SHA-1 of the peer ID multihash, the same from a PeerId or its string, and records it in containers', async function () {
    const s = await serve()
    const id = serverIdOf(s.node.peerId)
    assert.equal(id.length, 20)
    assert.deepEqual(id, new Uint8Array(createHash('sha1').update(s.node.peerId.toMultihash().bytes).digest()))
    assert.deepEqual(serverIdOf(s.node.peerId.toString()), id)
    const c = client(await node(), s)
    const si = new Uint8Array(randomBytes(16))
    await c.slotReadTestWrite(si, new Uint8Array(32).fill(1), lease(), [{ shareNumber: 0, write: [{ offset: 0, data: new Uint8Array([1]) }] }])
    const name = encodeStorageIndex(si)
    const file = await readFile(join(s.dir, 'slots', name.slice(0, 2), name, '0'))
    assert.deepEqual(new Uint8Array(file.subarray(32, 52)), id)
  })

  it('a slot share counts as held: have-share answers it, storageIndexes lists it, its creation is a share-stored event', async function () {
    const s = await serve()
    const stored: number[] = []
    s.server.addEventListener('share-stored', e => { stored.push((e as CustomEvent<{ shareNumber: number }>).detail.shareNumber) })
    const c = client(await node(), s)
    const si = new Uint8Array(randomBytes(16))
    const we = new Uint8Array(32).fill(2)
    const l = lease()
    await c.slotReadTestWrite(si, we, l, [0, 3].map(shareNumber => ({ shareNumber, write: [{ offset: 0, data: new Uint8Array([1, 2, 3]) }] })))
    // A rewrite creates nothing new.
    await c.slotReadTestWrite(si, we, l, [{ shareNumber: 0, write: [{ offset: 0, data: new Uint8Array([4]) }] }])
    assert.deepEqual(stored, [0, 3])
    assert.deepEqual(await s.server.have([si, new Uint8Array(16)]), [[0, 3], []])
    assert.ok(s.server.storageIndexes().some(x => Buffer.from(x).equals(si)))
  })

  it(`serves ${STORAGE_PROTOCOL}`, async function () {
    const s = await serve()
    assert.equal(STORAGE_PROTOCOL, '/lafs-club/storage/1.1.0')
    assert.ok(s.node.getProtocols().includes(STORAGE_PROTOCOL))
  })

  for (const fmt of ['sdmf', 'mdmf'] as MutableFormat[]) {
    it(`${fmt}: published to three servers with test-and-set, read back, a second version, a stale writer told no`, async function () {
      const placed = await Promise.all([0, 1, 2].map(async () => await serve()))
      const writer = await node()
      const p = placed.map(s => ({ s, c: client(writer, s) }))
      const key = vectorKey(fmt === 'sdmf' ? 2 : 3)
      const v1 = encodeMutable(pseudoRandom(30_000, 7), { keyPair: key, format: fmt, seqnum: 1, k: 3, n: 5, segmentSize: 8192 })

      for (const answer of await publish(v1, p)) {
        assert.equal(answer.success, true)
        assert.equal(answer.data.size, 0) // nothing existed before
      }
      // Each server holds its shares in containers, and charges them to the writer's account.
      assert.deepEqual((await p[0].c.listSlotShares(v1.cap.storageIndex)).map(x => x.shareNumber), [0, 3])
      assert.equal(placed[0].server.usage(writer.peerId.toString()).shares, 2)
      assert.equal(placed[0].server.usage(writer.peerId.toString()).leases, 1)
      assert.equal(placed[0].server.stats().mutableShares, 2)

      // A fresh reader with only the read cap decodes it, verifying everything.
      const reader = await node()
      const rp = placed.map(s => ({ s, c: client(reader, s) }))
      const got1 = await readMutable(toReadCap(v1.cap), sources(v1, rp))
      assert.equal(got1.seqnum, 1n)
      assert.ok(equalBytes(got1.plaintext, pseudoRandom(30_000, 7)))

      // Version 2 replaces version 1: each test expects version 1's checkstring, and sees it.
      const v2 = encodeMutable(pseudoRandom(12_345, 8), { keyPair: key, format: fmt, seqnum: 2, k: 3, n: 5, segmentSize: 8192 })
      for (const answer of await publish(v2, p, v1)) {
        assert.equal(answer.success, true)
        for (const data of answer.data.values()) assert.ok(equalBytes(data[0], checkstringOf(v1.prefix)))
      }
      const got2 = await readMutable(toReadCap(v2.cap), sources(v2, rp))
      assert.equal(got2.seqnum, 2n)
      assert.ok(equalBytes(got2.plaintext, pseudoRandom(12_345, 8)))

      // A writer that still believes in version 1 loses: nothing written, and it is shown version 2's checkstring.
      const stale = encodeMutable(pseudoRandom(500, 9), { keyPair: key, format: fmt, seqnum: 2, k: 3, n: 5, segmentSize: 8192 })
      for (const answer of await publish(stale, p, v1)) {
        assert.equal(answer.success, false)
        for (const data of answer.data.values()) assert.ok(equalBytes(data[0], checkstringOf(v2.prefix)))
      }
      const still = await readMutable(toReadCap(v2.cap), sources(v2, rp))
      assert.ok(equalBytes(still.plaintext, pseudoRandom(12_345, 8)))
    })
  }

  it('refuses a wrong write enabler with ERR_BAD_WRITE_ENABLER naming the recording server, logs it without the secret, changes nothing', async function () {
    const lines: string[] = []
    const s = await serve({ logger: recordingLogger(lines) })
    const c = client(await node(), s)
    const file = encodeMutable(pseudoRandom(2000, 1), { keyPair: vectorKey(4), format: 'sdmf', seqnum: 1, k: 1, n: 1 })
    const right = enablerFor(file, s)
    await publish(file, [{ s, c }])
    // A write enabler made for another server (what a client gets wrong if it uses the wrong peer ID).
    const other = await node()
    const wrong = writeEnablerHash(file.cap.writekey, serverIdOf(other.peerId))
    await assert.rejects(
      c.slotReadTestWrite(file.cap.storageIndex, wrong, lease(), [{ shareNumber: 0, write: [{ offset: 0, data: new Uint8Array(10) }] }]),
      (err: unknown) => err instanceof RemoteStorageError && err.code === 'ERR_BAD_WRITE_ENABLER' && !err.fatal &&
        err.message.includes(Buffer.from(serverIdOf(s.node.peerId)).toString('hex')))
    const back = (await c.slotRead(file.cap.storageIndex, [0], [{ offset: 0, size: 100_000 }])).get(0)![0]
    assert.ok(equalBytes(back, file.shares[0]))
    const refusals = lines.filter(l => l.startsWith('lafs-club:storage:slots') && l.includes('wrong write enabler'))
    assert.equal(refusals.length, 1)
    assert.ok(refusals[0].includes(encodeStorageIndex(file.cap.storageIndex)))
    for (const secret of [right, wrong]) {
      for (const text of [Buffer.from(secret).toString('hex'), Buffer.from(secret).toString('base64')]) {
        assert.ok(!lines.some(l => l.includes(text)), 'a write enabler reached the log')
      }
    }
  })
  it('leases: a write leases the slot, add-lease renews it, GC deletes the slot once every lease expired', async function () {
    const clock = new Clock()
    const s = await serve({ now: clock.now, leaseDurationMs: DAY })
    const from = await node()
    const c = client(from, s)
    const file = encodeMutable(pseudoRandom(5000, 3), { keyPair: vectorKey(5), format: 'mdmf', seqnum: 1, k: 2, n: 3 })
    const l = lease()
    await publish(file, [{ s, c }], undefined, [l])
    const si = file.cap.storageIndex
    assert.equal(s.server.usage(from.peerId.toString()).leases, 1)

    clock.advance(0.9 * DAY)
    await c.addLease(si, l) // renews to 1.9 days
    clock.advance(0.5 * DAY)
    assert.deepEqual(await s.server.gc(), { deletedShares: 0, freedBytes: 0 })
    assert.equal((await c.slotRead(si, [], [])).size, 3)

    clock.advance(0.6 * DAY)
    const sizes = (await c.listSlotShares(si)).reduce((n, x) => n + x.size, 0)
    assert.deepEqual(await s.server.gc(), { deletedShares: 3, freedBytes: sizes })
    assert.equal((await c.slotRead(si, [], [{ offset: 0, size: 10 }])).size, 0)
    assert.deepEqual(await c.listSlotShares(si), [])
    assert.equal(s.server.usage(from.peerId.toString()).bytes, 0)
    assert.equal(s.server.stats().mutableShares, 0)
    assert.deepEqual(await readdir(join(s.dir, 'slots')), [], 'the slot folders are gone too')
    // With no share left, there is nothing to lease.
    await assert.rejects(c.addLease(si, l), (err: unknown) => err instanceof RemoteStorageError && err.code === 'ERR_NO_SUCH_SHARE')
  })

  it('advise-corrupt on a mutable share is recorded; on a share not held it is refused', async function () {
    const s = await serve()
    const from = await node()
    const c = client(from, s)
    const file = encodeMutable(pseudoRandom(100, 4), { keyPair: vectorKey(6), format: 'sdmf', seqnum: 1, k: 1, n: 2 })
    await publish(file, [{ s, c }])
    await c.adviseCorrupt(file.cap.storageIndex, 1, 'block hash tree does not match the root')
    const { total, recent } = s.server.corruptionReports()
    assert.equal(total, 1)
    assert.deepEqual({ ...recent[0], at: 0 }, {
      storageIndex: encodeStorageIndex(file.cap.storageIndex), shareNumber: 1, reason: 'block hash tree does not match the root', reportedBy: from.peerId.toString(), at: 0
    })
    await assert.rejects(c.adviseCorrupt(file.cap.storageIndex, 5, 'x'), (err: unknown) => err instanceof RemoteStorageError && err.code === 'ERR_NO_SUCH_SHARE')
  })

  it('a restarted server keeps its slots, rows and leases; clears crash leftovers and adopts row-less files', async function () {
    const clock = new Clock()
    const first = await serve({ now: clock.now })
    const from = await node()
    const c = client(from, first)
    const file = encodeMutable(pseudoRandom(7000, 5), { keyPair: vectorKey(7), format: 'mdmf', seqnum: 1, k: 2, n: 2 })
    await publish(file, [{ s: first, c }])
    const account = from.peerId.toString()
    const usage = first.server.usage(account)
    const listed = await c.listSlotShares(file.cap.storageIndex)
    await first.stopProtocols()
    await first.server.stop()

    // A crash mid-write leaves a temporary file; an operator copies a share in by hand.
    const name = encodeStorageIndex(file.cap.storageIndex)
    const slotDir = join(first.dir, 'slots', name.slice(0, 2), name)
    await writeFile(join(slotDir, '0.0123456789ab.tmp'), new Uint8Array(999))
    await copyFile(join(slotDir, '1'), join(slotDir, '9'))

    const again = await serve({ now: clock.now }, { node: first.node, dir: first.dir })
    // The adopted share joins the slot, so the writer's lease covers it too.
    assert.deepEqual(again.server.usage(account), { ...usage, shares: 3, bytes: usage.bytes + Math.max(4096, listed[1].size) })
    assert.deepEqual((await again.server.listSlotShares(file.cap.storageIndex)).map(x => x.shareNumber), [0, 1, 9])
    assert.deepEqual((await again.server.listSlotShares(file.cap.storageIndex)).slice(0, 2), listed)
    assert.deepEqual((await readdir(slotDir)).sort(), ['0', '1', '9'])
    const c2 = client(await node(), again)
    const got = await readMutable(toReadCap(file.cap), [0, 1].map(shnum => ({
      shnum, read: async (offset: number, size: number) => (await c2.slotRead(file.cap.storageIndex, [shnum], [{ offset, size }])).get(shnum)![0]
    })))
    assert.ok(equalBytes(got.plaintext, pseudoRandom(7000, 5)))
    // The writer can still update the slot with the same write enabler after the restart.
    const v2 = encodeMutable(pseudoRandom(10, 6), { keyPair: vectorKey(7), format: 'mdmf', seqnum: 2, k: 2, n: 2 })
    for (const a of await publish(v2, [{ s: again, c: c2 }], file)) assert.equal(a.success, true)
  })
})
