/**
 * Mutable slots on disk: Tahoe's container, read-test-write semantics,
 * write enablers, and a real SDMF/MDMF file published into slots and read
 * back through slot reads.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import {
  checkstringOf, encodeMutable, readMutable, toReadCap, writeEnablerHash, type MutableShareSource, type MutableFormat
} from '../../src/mutable/index.js'
import {
  BadMutableContainerError, BadWriteEnablerError, CONTAINER_DATA_OFFSET, CONTAINER_MAGIC, InvalidArgumentError, LimitExceededError, MutableSlots,
  newContainer, parseContainerHeader, encodeStorageIndex
} from '../../src/storage/index.js'
import { vectorKey, pseudoRandom, equalBytes } from '../mutable/helpers.js'
import { bytes, Harness, storageIndex } from './helpers.js'

const serverId = new Uint8Array(createHash('sha1').update('a peer id').digest())
const we = (): Uint8Array => bytes(32)
const EMPTY = new Uint8Array(0)

describe('storage: mutable slots', function () {
  const h = new Harness()
  afterEach(async () => { await h.cleanup() })

  async function slots (maxShareSize = 1 << 24, rewriteLimit?: number): Promise<MutableSlots> {
    return new MutableSlots({ dir: await h.tempDir(), serverId, maxShareSize, rewriteLimit })
  }
  /** Small shares are rewritten whole and renamed; with a limit of 0 every existing share is written in place. */
  const MODES = [{ mode: 'copied whole', rewriteLimit: undefined }, { mode: 'in place', rewriteLimit: 0 }]

  it('writes Tahoe\'s container: v2 magic, server id, write enabler, data at 468, blank leases', function () {
    assert.equal(Buffer.from(CONTAINER_MAGIC[1]).toString('latin1'), 'Tahoe mutable container v1\n\x75\x09\x44\x03\x8e')
    // v2: the human-readable part plus Ht("allmydata_mutable_container_header", it)[:5], as Tahoe's mutable_schema computes it.
    assert.equal(Buffer.from(CONTAINER_MAGIC[2]).toString('hex'), '5461686f65206d757461626c6520636f6e7461696e65722076320ac355219925')
    const w = we()
    const c = newContainer(serverId, w)
    assert.equal(c.length, 472)
    assert.ok(c.subarray(100, 468).every(b => b === 0))
    const hd = parseContainerHeader(c)
    assert.equal(hd.version, 2)
    assert.ok(equalBytes(hd.serverId, serverId))
    assert.ok(equalBytes(hd.writeEnabler, w))
    assert.equal(hd.dataLength, 0)
    assert.equal(hd.extraLeaseOffset, CONTAINER_DATA_OFFSET)
  })

  for (const { mode, rewriteLimit } of MODES) for (const format of ['sdmf', 'mdmf'] as MutableFormat[]) {
    it(`${format}, ${mode}: publishes a file into slots with test-and-set, reads it back, and refuses a stale writer`, async function () {
      const s = await slots(undefined, rewriteLimit)
      const key = vectorKey(format === 'sdmf' ? 0 : 1)
      const v1 = encodeMutable(pseudoRandom(20000, 1), { keyPair: key, format, seqnum: 1, k: 3, n: 5, segmentSize: 4096 })
      const si = v1.cap.storageIndex
      const enabler = writeEnablerHash(v1.cap.writekey, serverId)
      // A new share: Tahoe's test vector for "nothing here yet" reads one byte and expects none.
      for (const [shnum, share] of v1.shares.entries()) {
        const r = await s.readTestWrite({
          storageIndex: si, writeEnabler: enabler, readVector: [{ offset: 0, size: 41 }],
          vectors: new Map([[shnum, { test: [{ offset: 0, size: 1, specimen: EMPTY }], write: [{ offset: 0, data: share }], newLength: null }]])
        })
        assert.equal(r.success, true)
        assert.deepEqual(r.written, [shnum])
      }
      assert.deepEqual(await s.shareNumbers(si), [0, 1, 2, 3, 4])
      const sources = (await s.shareNumbers(si)).map((shnum): MutableShareSource => ({
        shnum, read: async (offset, size) => (await s.readv(si, [shnum], [{ offset, size }])).get(shnum)![0]
      }))
      assert.ok(equalBytes((await readMutable(toReadCap(v1.cap), sources)).plaintext, pseudoRandom(20000, 1)))

      // Version 2 replaces version 1 where the checkstring still says version 1.
      const v2 = encodeMutable(pseudoRandom(9000, 2), { keyPair: key, format, seqnum: 2, k: 3, n: 5, segmentSize: 4096 })
      const old = checkstringOf(v1.prefix)
      for (const [shnum, share] of v2.shares.entries()) {
        const r = await s.readTestWrite({
          storageIndex: si, writeEnabler: enabler, readVector: [],
          vectors: new Map([[shnum, { test: [{ offset: 0, size: old.length, specimen: old }], write: [{ offset: 0, data: share }], newLength: share.length }]])
        })
        assert.equal(r.success, true)
      }
      const d = await readMutable(toReadCap(v2.cap), sources)
      assert.equal(d.seqnum, 2n)
      assert.ok(equalBytes(d.plaintext, pseudoRandom(9000, 2)))

      // A writer still believing in version 1 is told no, and sees what is there instead.
      const stale = await s.readTestWrite({
        storageIndex: si, writeEnabler: enabler, readVector: [{ offset: 0, size: old.length }],
        vectors: new Map([[0, { test: [{ offset: 0, size: old.length, specimen: old }], write: [{ offset: 0, data: v1.shares[0] }], newLength: null }]])
      })
      assert.equal(stale.success, false)
      assert.deepEqual(stale.written, [])
      assert.ok(equalBytes(stale.data.get(0)![0], checkstringOf(v2.prefix)))
      assert.equal(stale.data.size, 5)
      assert.equal((await readMutable(toReadCap(v2.cap), sources)).seqnum, 2n)
    })
  }

  for (const { mode, rewriteLimit } of MODES) it(`${mode}: refuses a wrong write enabler, naming the server that recorded the right one, and changes nothing`, async function () {
    const s = await slots(undefined, rewriteLimit)
    const si = storageIndex()
    const right = we()
    await s.readTestWrite({ storageIndex: si, writeEnabler: right, readVector: [], vectors: new Map([[0, { test: [], write: [{ offset: 0, data: bytes(100) }], newLength: null }]]) })
    const before = await s.readv(si, [], [{ offset: 0, size: 1000 }])
    await assert.rejects(
      s.readTestWrite({ storageIndex: si, writeEnabler: we(), readVector: [], vectors: new Map([[1, { test: [], write: [{ offset: 0, data: bytes(10) }], newLength: null }]]) }),
      (err: unknown) => err instanceof BadWriteEnablerError && err.code === 'ERR_BAD_WRITE_ENABLER' && equalBytes(err.recordedBy, serverId))
    assert.deepEqual(await s.shareNumbers(si), [0])
    assert.deepEqual(await s.readv(si, [], [{ offset: 0, size: 1000 }]), before)
  })

  for (const { mode, rewriteLimit } of MODES) it(`${mode}: cuts reads and tests at the data length, zero-fills gaps, truncates, and moves the extra-lease block`, async function () {
    const s = await slots(undefined, rewriteLimit)
    const si = storageIndex()
    const w = we()
    const rtw = async (shnum: number, v: { test?: any[], write?: any[], newLength?: number | null }, readVector: any[] = []) =>
      await s.readTestWrite({ storageIndex: si, writeEnabler: w, readVector, vectors: new Map([[shnum, { test: v.test ?? [], write: v.write ?? [], newLength: v.newLength ?? null }]]) })
    await rtw(0, { write: [{ offset: 10, data: new Uint8Array([1, 2, 3]) }] })
    let r = await s.readv(si, [0], [{ offset: 0, size: 100 }, { offset: 12, size: 5 }, { offset: 13, size: 1 }, { offset: 50, size: 5 }])
    assert.deepEqual(r.get(0)!.map(b => [...b]), [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3], [3], [], []])
    // A test against bytes past the end compares the cut data.
    assert.equal((await rtw(0, { test: [{ offset: 11, size: 100, specimen: new Uint8Array([2, 3]) }], write: [{ offset: 0, data: new Uint8Array([9]) }] })).success, true)
    assert.equal((await rtw(0, { test: [{ offset: 11, size: 100, specimen: new Uint8Array([2]) }] })).success, false)
    // Truncate to 11 bytes, then extend: the cut bytes read as zero.
    await rtw(0, { newLength: 11 })
    await rtw(0, { write: [{ offset: 14, data: new Uint8Array([7]) }] })
    r = await s.readv(si, [0], [{ offset: 9, size: 100 }])
    assert.deepEqual([...r.get(0)![0]], [0, 1, 0, 0, 0, 7])
    // A larger newLength does not grow the share (Tahoe ignores it).
    await rtw(0, { newLength: 1000 })
    assert.equal((await s.readv(si, [0], [{ offset: 0, size: 2000 }])).get(0)![0].length, 15)
    const file = new Uint8Array(await readFile(join(s.root, encodeStorageIndex(si).slice(0, 2), encodeStorageIndex(si), '0')))
    const hd = parseContainerHeader(file)
    assert.equal(hd.dataLength, 15)
    assert.equal(hd.extraLeaseOffset, CONTAINER_DATA_OFFSET + 15)
    assert.equal(file.length, CONTAINER_DATA_OFFSET + 15 + 4)
    assert.ok(file.subarray(100, 468).every(b => b === 0), 'no lease records in the container')
  })

  it('writes in place exactly the bytes a whole rewrite would (gaps, truncation, a Tahoe container with extra leases and a gap)', async function () {
    const copied = await slots()
    const inPlace = await slots(undefined, 0)
    const si = storageIndex()
    const w = we()
    const fileOf = (s: MutableSlots, shnum: number): string => join(s.root, encodeStorageIndex(si).slice(0, 2), encodeStorageIndex(si), String(shnum))
    // Share 1 starts as a container another server wrote: 10 data bytes, a 6-byte gap, an extra-lease block of count 1 and 72 lease bytes.
    const tahoe = newContainer(serverId, w)
    const head = Buffer.from(tahoe.subarray(0, CONTAINER_DATA_OFFSET))
    head.writeBigUInt64BE(10n, 84)
    head.writeBigUInt64BE(BigInt(CONTAINER_DATA_OFFSET + 16), 92)
    const extra = Buffer.concat([Buffer.from([0, 0, 0, 1]), Buffer.alloc(72, 0xab)])
    const seeded = Buffer.concat([head, Buffer.alloc(10, 0x11), Buffer.alloc(6, 0x22), extra])
    for (const s of [copied, inPlace]) {
      await mkdir(join(s.root, encodeStorageIndex(si).slice(0, 2), encodeStorageIndex(si)), { recursive: true })
      await writeFile(fileOf(s, 1), seeded)
    }
    let seed = 7
    const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n }
    for (let step = 0; step < 60; step++) {
      for (const shnum of [0, 1]) {
        const write = Array.from({ length: rand(3) }, () => ({ offset: rand(3000), data: Uint8Array.from({ length: rand(700) }, () => 1 + rand(255)) }))
        const newLength = rand(4) === 0 ? rand(2500) + 1 : null
        const vectors = new Map([[shnum, { test: [], write, newLength }]])
        const [a, b] = await Promise.all([copied, inPlace].map(async s => await s.readTestWrite({ storageIndex: si, writeEnabler: w, readVector: [], vectors })))
        assert.deepEqual(a, b)
        const [fa, fb] = await Promise.all([copied, inPlace].map(async s => await readFile(fileOf(s, shnum))))
        assert.ok(fa.equals(fb), `step ${step}, share ${shnum}: ${write.map(x => `${x.offset}+${x.data.length}`).join(', ')}, newLength ${newLength}: the files differ`)
      }
    }
    const last = await readFile(fileOf(inPlace, 1))
    assert.ok(last.subarray(last.length - extra.length).equals(extra), 'the extra-lease block still follows the data')
  })

  it('deletes a share with newLength 0, and the folder with the last one', async function () {
    const s = await slots()
    const si = storageIndex()
    const w = we()
    const write = new Map([0, 1].map(n => [n, { test: [], write: [{ offset: 0, data: bytes(5) }], newLength: null }]))
    await s.readTestWrite({ storageIndex: si, writeEnabler: w, readVector: [], vectors: write })
    let r = await s.readTestWrite({ storageIndex: si, writeEnabler: w, readVector: [], vectors: new Map([[0, { test: [], write: [], newLength: 0 }]]) })
    assert.deepEqual(r.deleted, [0])
    assert.deepEqual(await s.shareNumbers(si), [1])
    r = await s.readTestWrite({ storageIndex: si, writeEnabler: w, readVector: [], vectors: new Map([[1, { test: [], write: [], newLength: 0 }], [7, { test: [], write: [], newLength: 0 }]]) })
    assert.deepEqual(r.deleted, [1])
    assert.deepEqual(await readdir(s.root), [])
  })

  it('lets exactly one of two racing writers with the same expectation win', async function () {
    const s = await slots()
    const si = storageIndex()
    const w = we()
    const mine = (data: Uint8Array) => s.readTestWrite({
      storageIndex: si, writeEnabler: w, readVector: [{ offset: 0, size: 4 }],
      vectors: new Map([[0, { test: [{ offset: 0, size: 1, specimen: EMPTY }], write: [{ offset: 0, data }], newLength: null }]])
    })
    const results = await Promise.all([mine(new Uint8Array([1, 1, 1, 1])), mine(new Uint8Array([2, 2, 2, 2]))])
    assert.equal(results.filter(r => r.success).length, 1)
    const winner = results.find(r => r.success) === results[0] ? 1 : 2
    assert.deepEqual([...(await s.readv(si, [0], [{ offset: 0, size: 4 }])).get(0)![0]], [winner, winner, winner, winner])
  })

  it('refuses malformed requests', async function () {
    const s = await slots(1000)
    const si = storageIndex()
    const ok = { test: [], write: [], newLength: null }
    const bad = async (req: any, type: typeof InvalidArgumentError | typeof LimitExceededError = InvalidArgumentError) =>
      await assert.rejects(s.readTestWrite({ storageIndex: si, writeEnabler: we(), readVector: [], vectors: new Map([[0, ok]]), ...req }), type)
    await bad({ storageIndex: new Uint8Array(15) })
    await bad({ writeEnabler: new Uint8Array(31) })
    await bad({ vectors: new Map([[256, ok]]) })
    await bad({ vectors: new Map([[0, { ...ok, test: Array.from({ length: 31 }, () => ({ offset: 0, size: 1, specimen: EMPTY })) }]]) }, LimitExceededError)
    await bad({ readVector: Array.from({ length: 31 }, () => ({ offset: 0, size: 1 })) }, LimitExceededError)
    await bad({ vectors: new Map([[0, { ...ok, write: [{ offset: 990, data: bytes(11) }] }]]) })
    await bad({ vectors: new Map([[0, { ...ok, write: [{ offset: -1, data: bytes(1) }] }]]) })
  })

  it('clears temporary files left by a crash, keeping the shares', async function () {
    const s = await slots()
    const si = storageIndex()
    await s.readTestWrite({ storageIndex: si, writeEnabler: we(), readVector: [], vectors: new Map([[2, { test: [], write: [{ offset: 0, data: bytes(10) }], newLength: null }]]) })
    const dir = join(s.root, encodeStorageIndex(si).slice(0, 2), encodeStorageIndex(si))
    await writeFile(join(dir, '2.abcdef.tmp'), bytes(50))
    assert.deepEqual((await readdir(dir)).sort(), ['2', '2.abcdef.tmp'])
    assert.equal(await s.recover(), 1)
    assert.deepEqual(await readdir(dir), ['2'])
    assert.deepEqual(await s.shareNumbers(si), [2])
  })

  it('refuses to work on a file in the slot tree that is not a mutable container', async function () {
    const s = await slots()
    const si = storageIndex()
    const dir = join(s.root, encodeStorageIndex(si).slice(0, 2), encodeStorageIndex(si))
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, '3'), bytes(600))
    await assert.rejects(s.readv(si, [], [{ offset: 0, size: 1 }]), BadMutableContainerError)
  })
})
