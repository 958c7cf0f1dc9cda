import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { encodeStorageIndex } from '../../src/storage/index.js'
import { bytes, Clock, DAY, Harness, leaseSecrets, storageIndex, store } from './helpers.js'

const ALICE = '12D3KooWAlice'

function code (c: string) {
  return (err: unknown): boolean => {
    assert.equal((err as { code?: string }).code, c, `expected ${c}, got ${String(err)}`)
    return true
  }
}

/** Every share file under `shares/` (not incoming/), as `si/shnum`. */
async function shareFilesOnDisk (dir: string): Promise<string[]> {
  const root = join(dir, 'shares')
  const found: string[] = []
  for (const prefix of await readdir(root)) {
    if (prefix === 'incoming') continue
    for (const si of await readdir(join(root, prefix))) {
      for (const n of await readdir(join(root, prefix, si))) found.push(`${si}/${n}`)
    }
  }
  return found.sort()
}

describe('storage: closeShare() and stop()', () => {
  const h = new Harness()
  afterEach(async () => { await h.cleanup() })

  it('closeShare finishes one share and the server keeps serving; there is no close() to stop it by mistake', async () => {
    const server = await h.server()
    assert.equal('close' in server, false, 'the overloaded close() is gone')
    const si = storageIndex()
    const data = bytes(64)
    await server.allocate(ALICE, si, [0, 1], 64, leaseSecrets())
    await server.write(ALICE, si, 0, 0, data)
    await server.closeShare(ALICE, si, 0)
    // Still serving: the other upload goes on, reads work.
    await server.write(ALICE, si, 1, 0, data)
    await server.closeShare(ALICE, si, 1)
    assert.deepEqual(await server.read(si, 0, 0, 64), data)
    assert.deepEqual(await server.listShares(si), [{ shareNumber: 0, size: 64 }, { shareNumber: 1, size: 64 }])
    assert.equal(server.stats().incoming, 0)
  })

  it('stop() lets a write in flight finish, drops uploads in progress, is idempotent, and refuses everything afterwards', async () => {
    const server = await h.server()
    const si = storageIndex()
    const size = 4 * 1024 * 1024
    await server.allocate(ALICE, si, [0, 1], size, leaseSecrets())
    await server.write(ALICE, si, 1, 0, bytes(10))
    const inFlight = server.write(ALICE, si, 0, 0, bytes(size))
    await Promise.all([server.stop(), server.stop()])
    assert.deepEqual(await inFlight, { complete: true }, 'the write queued before stop() finished')
    assert.deepEqual(await readdir(join(server.dir, 'shares', 'incoming')).catch(() => []), [], 'incoming files removed')
    await server.stop()

    await assert.rejects(server.closeShare(ALICE, si, 0), code('ERR_SERVER_CLOSED'))
    await assert.rejects(server.write(ALICE, si, 1, 10, bytes(1)), code('ERR_SERVER_CLOSED'))
    await assert.rejects(server.read(si, 0, 0, 1), code('ERR_SERVER_CLOSED'))
    await assert.rejects(server.gc(), code('ERR_SERVER_CLOSED'))
    assert.throws(() => server.stats(), code('ERR_SERVER_CLOSED'))
  })

  it('stop() during a GC pass lets the batch in hand finish and leaves files and rows in agreement', async () => {
    const clock = new Clock()
    const dir = await h.tempDir()
    const first = await h.server({ dir, now: clock.now, leaseDurationMs: DAY })
    for (let i = 0; i < 150; i++) await store(first, ALICE, storageIndex(), i % 10, bytes(8))
    clock.advance(2 * DAY)
    // gc() deletes its first batch of 100 before it first waits; stop() then ends the pass.
    const pass = first.gc()
    await first.stop()
    assert.deepEqual(await pass, { deletedShares: 100, freedBytes: 800 })

    const files = await shareFilesOnDisk(dir)
    assert.equal(files.length, 50)
    const second = await h.server({ dir, now: clock.now })
    assert.equal(second.stats().shares, 50, 'one row per remaining file, none dropped or adopted')
    const listed: string[] = []
    for (const si of second.storageIndexes()) {
      for (const { shareNumber } of await second.listShares(si)) listed.push(`${encodeStorageIndex(si)}/${shareNumber}`)
    }
    assert.deepEqual(listed.sort(), files)
  })

  it('two gc() calls at once share one pass', async () => {
    const clock = new Clock()
    const server = await h.server({ now: clock.now, leaseDurationMs: DAY })
    for (let i = 0; i < 3; i++) await store(server, ALICE, storageIndex(), 0, bytes(10))
    clock.advance(2 * DAY)
    const [a, b] = await Promise.all([server.gc(), server.gc()])
    assert.deepEqual(a, { deletedShares: 3, freedBytes: 30 })
    assert.deepEqual(b, a)
    assert.deepEqual(await server.gc(), { deletedShares: 0, freedBytes: 0 })
  })
})
