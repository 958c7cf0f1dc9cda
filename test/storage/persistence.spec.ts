import assert from 'node:assert/strict'
import { access, mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { encodeStorageIndex } from '../../src/storage/index.js'
import { MIGRATIONS } from '../../src/storage/db.js'
import { bytes, Clock, DAY, Harness, leaseSecrets, storageIndex, store } from './helpers.js'

const ALICE = '12D3KooWAlice'
const BOB = '12D3KooWBob'

function sharePath (dir: string, si: Uint8Array, n: number, incoming = false): string {
  const name = encodeStorageIndex(si)
  return join(dir, 'shares', ...(incoming ? ['incoming'] : []), name.slice(0, 2), name, String(n))
}

describe('storage: restart and crash recovery', () => {
  const h = new Harness()
  afterEach(async () => { await h.cleanup() })

  it('a restart from the same folder keeps shares, leases, accounts and invitations', async () => {
    const clock = new Clock()
    const dir = await h.tempDir()
    const first = await h.server({ dir, now: clock.now, freeQuota: 100 })
    const si = storageIndex()
    const data = bytes(80)
    const code = first.createInvitation({ quota: 9999 })
    first.redeemInvitation(ALICE, code)
    await store(first, ALICE, si, 4, data)
    await first.adviseCorrupt(BOB, si, 4, 'block hash mismatch')
    await first.allocate(ALICE, storageIndex(), [0], 50, leaseSecrets()) // dropped by the restart
    await first.stop()

    const second = await h.server({ dir, now: clock.now, freeQuota: 100 })
    assert.deepEqual(await second.listShares(si), [{ shareNumber: 4, size: 80 }])
    assert.deepEqual(await second.read(si, 4, 0, 80), data)
    assert.deepEqual(second.usage(ALICE), { bytes: 4096, shares: 1, leases: 1, quota: 9999, reserved: 0, uploads: 0, granted: true })
    assert.equal(second.stats().incoming, 0)
    assert.throws(() => second.redeemInvitation(BOB, code), { code: 'ERR_INVITATION_USED' })
    assert.equal(second.corruptionReports().total, 1)
    // The lease survived with its expiry: GC keeps the share until it runs out.
    clock.advance(30 * DAY)
    assert.deepEqual(await second.gc(), { deletedShares: 0, freedBytes: 0 })
    clock.advance(2 * DAY)
    assert.deepEqual(await second.gc(), { deletedShares: 1, freedBytes: 80 })
  })

  it('cleans a simulated crash: leftovers in incoming/, rows without files; adopts files without rows', async () => {
    const clock = new Clock()
    const dir = await h.tempDir()
    const first = await h.server({ dir, now: clock.now })
    const kept = storageIndex()
    const lost = storageIndex()
    await store(first, ALICE, kept, 0, bytes(10))
    await store(first, ALICE, lost, 1, bytes(10))
    await first.stop()

    // Crash leftovers: a half-written upload, a share file whose row never
    // committed, a share whose file vanished, and a stranger file.
    const half = storageIndex()
    await mkdir(join(sharePath(dir, half, 2, true), '..'), { recursive: true })
    await writeFile(sharePath(dir, half, 2, true), bytes(5))
    const orphan = storageIndex()
    const orphanData = bytes(33)
    await mkdir(join(sharePath(dir, orphan, 5), '..'), { recursive: true })
    await writeFile(sharePath(dir, orphan, 5), orphanData)
    await writeFile(join(sharePath(dir, orphan, 5), '..', 'notes.txt'), 'not a share')
    await rm(sharePath(dir, lost, 1))

    const second = await h.server({ dir, now: clock.now })
    assert.deepEqual(await readdir(join(dir, 'shares')).then(names => names.includes('incoming')), false, 'incoming/ was emptied')
    assert.deepEqual(await second.listShares(lost), [], 'row without file dropped')
    assert.equal(second.usage(ALICE).shares, 1)
    assert.deepEqual(await second.listShares(kept), [{ shareNumber: 0, size: 10 }])
    assert.deepEqual(await second.listShares(orphan), [{ shareNumber: 5, size: 33 }], 'file without row adopted')
    assert.deepEqual(await second.read(orphan, 5, 0, 100), orphanData)
    await access(join(sharePath(dir, orphan, 5), '..', 'notes.txt'))

    // The adopted share lives one lease period unless a client renews it.
    await second.addLease(BOB, orphan, leaseSecrets())
    clock.advance(32 * DAY)
    await second.addLease(BOB, kept, leaseSecrets())
    assert.deepEqual(await second.gc(), { deletedShares: 1, freedBytes: 33 })
    assert.deepEqual(await second.listShares(kept), [{ shareNumber: 0, size: 10 }])
  })

  it('runs migrations on a fresh database and only the missing ones on reopen', async () => {
    const dir = await h.tempDir()
    const server = await h.server({ dir })
    await store(server, ALICE, storageIndex(), 0, bytes(10))
    await server.stop()

    const db = new Database(join(dir, 'storage.sqlite'), { readonly: true })
    try {
      assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length)
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal')
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()
      assert.deepEqual(tables, ['accounts', 'corruption_reports', 'invitations', 'leases', 'mutable_shares', 'shares'])
    } finally {
      db.close()
    }
    // Reopening must not re-run step 1 (CREATE TABLE would fail) and keeps the data.
    const again = await h.server({ dir })
    assert.equal(again.stats().shares, 1)
    await again.stop()

    const future = new Database(join(dir, 'storage.sqlite'))
    future.pragma(`user_version = ${MIGRATIONS.length + 1}`)
    future.close()
    await assert.rejects(h.server({ dir }), { code: 'ERR_DATABASE_TOO_NEW' })
  })
})
