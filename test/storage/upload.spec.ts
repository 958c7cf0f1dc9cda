import assert from 'node:assert/strict'
import { access, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { encodeStorageIndex, type ShareEventDetail } from '../../src/storage/index.js'
import { bytes, Harness, leaseSecrets, storageIndex, store, waitFor } from './helpers.js'

const ALICE = '12D3KooWAlice'
const BOB = '12D3KooWBob'

function code (c: string) {
  return (err: unknown): boolean => {
    assert.equal((err as { code?: string }).code, c, `expected ${c}, got ${String(err)}`)
    return true
  }
}

describe('storage: uploads', () => {
  const h = new Harness()
  afterEach(async () => { await h.cleanup() })

  it('allocate, write, close, read round trip; file holds exactly the share bytes at Tahoe\'s path', async () => {
    const server = await h.server()
    const si = storageIndex()
    const data = bytes(1000)
    const stored: ShareEventDetail[] = []
    server.addEventListener('share-stored', (e) => { stored.push((e as CustomEvent<ShareEventDetail>).detail) })

    assert.deepEqual(await server.allocate(ALICE, si, [0, 3], 1000, leaseSecrets()), { allocated: [0, 3], alreadyHave: [] })
    assert.deepEqual(await server.write(ALICE, si, 3, 0, data), { complete: true })
    assert.deepEqual(await server.listShares(si), [], 'not visible before close')
    await assert.rejects(server.read(si, 3, 0, 10), code('ERR_NO_SUCH_SHARE'))
    await server.closeShare(ALICE, si, 3)

    assert.deepEqual(await server.listShares(si), [{ shareNumber: 3, size: 1000 }])
    assert.deepEqual(await server.read(si, 3, 0, 1000), data)
    assert.deepEqual(await server.read(si, 3, 990, 100), data.subarray(990), 'truncated at the end')
    assert.deepEqual(await server.read(si, 3, 5000, 10), new Uint8Array(0))
    const name = encodeStorageIndex(si)
    assert.deepEqual(new Uint8Array(await readFile(join(server.dir, 'shares', name.slice(0, 2), name, '3'))), data)
    assert.equal(stored.length, 1)
    assert.equal(stored[0].shareNumber, 3)
    assert.deepEqual(stored[0].storageIndex, si)
    assert.deepEqual(await server.have([si]), [[3]])
    assert.equal(server.stats().incoming, 1, 'share 0 still in progress')
  })

  it('accepts partial writes out of order and reports completeness only at the end', async () => {
    const server = await h.server()
    const si = storageIndex()
    const data = bytes(300)
    await server.allocate(ALICE, si, [1], 300, leaseSecrets())
    assert.deepEqual(await server.write(ALICE, si, 1, 200, data.subarray(200)), { complete: false })
    assert.deepEqual(await server.write(ALICE, si, 1, 0, data.subarray(0, 50)), { complete: false })
    await assert.rejects(server.closeShare(ALICE, si, 1), (err: Error) => {
      code('ERR_INCOMPLETE_SHARE')(err)
      assert.match(err.message, /\[50, 200\)/)
      return true
    })
    // Concurrent writes to one upload are serialised.
    const results = await Promise.all([
      server.write(ALICE, si, 1, 50, data.subarray(50, 120)),
      server.write(ALICE, si, 1, 120, data.subarray(120, 200))
    ])
    assert.equal(results.some(r => r.complete), true)
    await server.closeShare(ALICE, si, 1)
    assert.deepEqual(await server.read(si, 1, 0, 300), data)
  })

  it('rejects a rewrite with different bytes, accepts an identical one', async () => {
    const server = await h.server()
    const si = storageIndex()
    const data = bytes(100)
    await server.allocate(ALICE, si, [0], 100, leaseSecrets())
    await server.write(ALICE, si, 0, 0, data.subarray(0, 60))
    const changed = data.slice(40, 80)
    changed[5] ^= 1
    await assert.rejects(server.write(ALICE, si, 0, 40, changed), code('ERR_CONFLICT'))
    assert.deepEqual(await server.write(ALICE, si, 0, 40, data.subarray(40, 100)), { complete: true })
    await server.closeShare(ALICE, si, 0)
    assert.deepEqual(await server.read(si, 0, 0, 100), data, 'the conflicting write left nothing behind')
  })

  it('rejects writes outside [0, shareSize)', async () => {
    const server = await h.server()
    const si = storageIndex()
    await server.allocate(ALICE, si, [0], 100, leaseSecrets())
    await assert.rejects(server.write(ALICE, si, 0, 90, bytes(11)), code('ERR_OUT_OF_RANGE'))
    await assert.rejects(server.write(ALICE, si, 0, 100, bytes(1)), code('ERR_OUT_OF_RANGE'))
    await assert.rejects(server.write(ALICE, si, 0, -1, bytes(1)), code('ERR_INVALID_ARGUMENT'))
    assert.deepEqual(await server.write(ALICE, si, 0, 90, bytes(10)), { complete: false })
  })

  it('lets only the allocating account write, close or abort', async () => {
    const server = await h.server()
    const si = storageIndex()
    const data = bytes(10)
    await server.allocate(ALICE, si, [0], 10, leaseSecrets())
    await assert.rejects(server.write(BOB, si, 0, 0, data), code('ERR_NOT_YOURS'))
    await server.write(ALICE, si, 0, 0, data)
    await assert.rejects(server.closeShare(BOB, si, 0), code('ERR_NOT_YOURS'))
    await assert.rejects(server.abort(BOB, si, 0), code('ERR_NOT_YOURS'))
    // Bob asking for the same share while Alice uploads gets neither allocated nor alreadyHave.
    assert.deepEqual(await server.allocate(BOB, si, [0], 10, leaseSecrets()), { allocated: [], alreadyHave: [] })
    await assert.rejects(server.write(ALICE, si, 1, 0, data), code('ERR_NO_SUCH_UPLOAD'))
    await server.closeShare(ALICE, si, 0)
    await assert.rejects(server.write(ALICE, si, 0, 0, data), code('ERR_ALREADY_COMPLETE'))
  })

  it('repeating an allocation is idempotent and does not reserve twice', async () => {
    const server = await h.server({ freeQuota: 10_000 })
    const si = storageIndex()
    const lease = leaseSecrets()
    assert.deepEqual(await server.allocate(ALICE, si, [0, 1], 100, lease), { allocated: [0, 1], alreadyHave: [] })
    await server.write(ALICE, si, 0, 0, bytes(40))
    assert.deepEqual(await server.allocate(ALICE, si, [1, 0, 0], 100, lease), { allocated: [0, 1], alreadyHave: [] })
    assert.equal(server.usage(ALICE).reserved, 2 * 4096, 'each share is charged one disk block at least')
    assert.equal(server.stats().incoming, 2)
    await assert.rejects(server.allocate(ALICE, si, [0], 99, lease), code('ERR_CONFLICT'))
    // The earlier bytes survived the repeat.
    await assert.rejects(server.closeShare(ALICE, si, 0), code('ERR_INCOMPLETE_SHARE'))
  })

  it('reports every held share in alreadyHave and adds the caller\'s lease to them', async () => {
    const server = await h.server()
    const si = storageIndex()
    await store(server, ALICE, si, 2, bytes(50))
    await store(server, ALICE, si, 7, bytes(50))
    assert.equal(server.usage(BOB).shares, 0)
    const result = await server.allocate(BOB, si, [0, 2], 50, leaseSecrets())
    assert.deepEqual(result, { allocated: [0], alreadyHave: [2, 7] })
    const bob = server.usage(BOB)
    assert.equal(bob.shares, 2, 'Bob now leases the two stored shares')
    assert.equal(bob.bytes, 2 * 4096)
    assert.equal(bob.leases, 1)
    assert.equal(bob.reserved, 4096)
  })

  it('abort deletes the incoming file and releases the reservation; a stored share cannot be aborted', async () => {
    const server = await h.server()
    const si = storageIndex()
    await server.allocate(ALICE, si, [0, 1], 100, leaseSecrets())
    await server.write(ALICE, si, 0, 0, bytes(30))
    assert.equal(server.usage(ALICE).reserved, 2 * 4096)
    await server.abort(ALICE, si, 0)
    assert.equal(server.usage(ALICE).reserved, 4096)
    await assert.rejects(server.write(ALICE, si, 0, 30, bytes(10)), code('ERR_NO_SUCH_UPLOAD'))
    const name = encodeStorageIndex(si)
    await assert.rejects(access(join(server.dir, 'shares', 'incoming', name.slice(0, 2), name, '0')))
    // The share number is free again.
    assert.deepEqual((await server.allocate(ALICE, si, [0], 100, leaseSecrets())).allocated, [0])

    await server.write(ALICE, si, 1, 0, bytes(100))
    await server.closeShare(ALICE, si, 1)
    await server.closeShare(ALICE, si, 1) // a retried close is harmless
    await assert.rejects(server.abort(ALICE, si, 1), code('ERR_ALREADY_COMPLETE'))
    await server.abort(ALICE, si, 0)
    assert.equal(server.usage(ALICE).reserved, 0)
    assert.deepEqual(await readdir(join(server.dir, 'shares', 'incoming')), [], 'empty incoming folders are removed')
  })

  it('aborts uploads idle for longer than uploadTimeoutMs', async () => {
    const server = await h.server({ uploadTimeoutMs: 150 })
    const si = storageIndex()
    await server.allocate(ALICE, si, [0], 100, leaseSecrets())
    await server.write(ALICE, si, 0, 0, bytes(10))
    assert.equal(server.stats().incoming, 1)
    await waitFor(() => server.stats().incoming === 0, 5000, 'the idle upload to be aborted')
    assert.equal(server.usage(ALICE).reserved, 0)
    await assert.rejects(server.write(ALICE, si, 0, 10, bytes(10)), code('ERR_NO_SUCH_UPLOAD'))
  })

  it('keeps an upload alive while writes keep coming', async () => {
    const server = await h.server({ uploadTimeoutMs: 200 })
    const si = storageIndex()
    const data = bytes(12)
    await server.allocate(ALICE, si, [0], 12, leaseSecrets())
    for (let i = 0; i < 12; i++) {
      await new Promise(resolve => setTimeout(resolve, 50))
      await server.write(ALICE, si, 0, i, data.subarray(i, i + 1)) // 600 ms in all, 3x the timeout
    }
    await server.closeShare(ALICE, si, 0)
    assert.deepEqual(await server.read(si, 0, 0, 12), data)
  })

  it('validates its arguments', async () => {
    const server = await h.server({ maxShareSize: 1000 })
    const lease = leaseSecrets()
    await assert.rejects(server.allocate(ALICE, new Uint8Array(15), [0], 10, lease), code('ERR_INVALID_ARGUMENT'))
    await assert.rejects(server.allocate(ALICE, storageIndex(), [256], 10, lease), code('ERR_INVALID_ARGUMENT'))
    await assert.rejects(server.allocate(ALICE, storageIndex(), [0], 10, { renewSecret: new Uint8Array(31), cancelSecret: new Uint8Array(32) }), code('ERR_INVALID_ARGUMENT'))
    await assert.rejects(server.allocate('', storageIndex(), [0], 10, lease), code('ERR_INVALID_ARGUMENT'))
    await assert.rejects(server.allocate(ALICE, storageIndex(), [0], 1001, lease), code('ERR_SHARE_TOO_LARGE'))
    assert.equal(server.version().maximumImmutableShareSize, 1000)
    assert.equal(server.stats().incoming, 0)
  })

  it('refuses calls after stop()', async () => {
    const server = await h.server()
    const si = storageIndex()
    await server.allocate(ALICE, si, [0], 10, leaseSecrets())
    await server.stop()
    await assert.rejects(server.listShares(si), code('ERR_SERVER_CLOSED'))
    await server.stop()
  })
})
