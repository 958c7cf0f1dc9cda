import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LeaseBook, type LeaseRecord } from '../../src/node/leases.js'

const DAY = 24 * 60 * 60 * 1000

describe('node lease book', () => {
  let dir: string
  let clock: number
  let book: LeaseBook
  const now = (): number => clock

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lafs-leases-'))
    clock = Date.UTC(2025, 0, 1)
    book = LeaseBook.open(join(dir, 'leases.sqlite'), { now, leaseDurationMs: 31 * DAY })
  })
  afterEach(async () => {
    book.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('records uploads with a default 31-day expiry and survives reopening', () => {
    const r = book.record({ cap: 'URI:CHK:a', storageIndex: 'si-a', servers: ['p1', 'p2'], club: 'k51club' })
    assert.equal(r.expiresAt, clock + 31 * DAY)
    assert.deepEqual(r.servers, ['p1', 'p2'])
    book.close()
    book = LeaseBook.open(join(dir, 'leases.sqlite'), { now })
    assert.deepEqual(book.list(), [r])
    assert.equal(book.forget('URI:CHK:a'), true)
    assert.deepEqual(book.list(), [])
  })

  it('lists leases that will lapse within the margin, soonest first, expired ones included', () => {
    book.record({ cap: 'late', storageIndex: 's1', servers: [], expiresAt: clock + 20 * DAY })
    book.record({ cap: 'soon', storageIndex: 's2', servers: [], expiresAt: clock + 3 * DAY })
    book.record({ cap: 'gone', storageIndex: 's3', servers: [], expiresAt: clock - DAY })
    assert.deepEqual(book.expiringSoon(7 * DAY).map(l => l.cap), ['gone', 'soon'])
    clock += 14 * DAY
    assert.deepEqual(book.expiringSoon(7 * DAY).map(l => l.cap), ['gone', 'soon', 'late'])
  })

  it('renews only what is due, keeps going past failures, and records both', async () => {
    book.record({ cap: 'ok', storageIndex: 's1', servers: ['p1'], expiresAt: clock + DAY })
    book.record({ cap: 'bad', storageIndex: 's2', servers: ['p2'], expiresAt: clock + 2 * DAY })
    book.record({ cap: 'later', storageIndex: 's3', servers: ['p3'], expiresAt: clock + 30 * DAY })
    const asked: string[] = []
    const renew = async (l: LeaseRecord): Promise<{ expiresAt: number, servers?: string[] }> => {
      asked.push(l.cap)
      if (l.cap === 'bad') throw new Error('server p2 unreachable')
      return { expiresAt: clock + 31 * DAY, servers: ['p1', 'p4'] }
    }
    const report = await book.renewDue(renew, { marginMs: 7 * DAY })
    assert.deepEqual(asked.sort(), ['bad', 'ok'])
    assert.deepEqual(report.renewed.map(l => l.cap), ['ok'])
    assert.equal(report.failed.length, 1)
    assert.equal(report.failed[0].error.message, 'server p2 unreachable')

    const ok = book.get('ok')!
    assert.equal(ok.expiresAt, clock + 31 * DAY)
    assert.equal(ok.renewedAt, clock)
    assert.deepEqual(ok.servers, ['p1', 'p4'])
    assert.equal(ok.lastError, undefined)
    assert.equal(book.get('bad')!.lastError, 'server p2 unreachable')
    assert.deepEqual(book.expiringSoon(7 * DAY).map(l => l.cap), ['bad'])
  })

  it('concurrent renewDue calls share one pass', async () => {
    book.record({ cap: 'x', storageIndex: 's', servers: [], expiresAt: clock })
    let calls = 0
    const renew = async (): Promise<{ expiresAt: number }> => {
      calls++
      await new Promise(resolve => setTimeout(resolve, 20))
      return { expiresAt: clock + 31 * DAY }
    }
    const [a, b] = await Promise.all([book.renewDue(renew), book.renewDue(renew)])
    assert.equal(calls, 1)
    assert.equal(a, b)
  })

  it('keeps caps it did not upload: due at once, unkept by cap or storage index; an upload stays when unkept', () => {
    book.record({ cap: 'URI:CHK:mine', storageIndex: 'si-mine', servers: ['p1'], club: 'k51club' })
    assert.equal(book.keep({ cap: 'URI:CHK:theirs', storageIndex: 'si-theirs', club: 'k51club' }), true)
    assert.equal(book.keep({ cap: 'URI:CHK:theirs', storageIndex: 'si-theirs' }), false, 'kept once')
    assert.equal(book.keep({ cap: 'URI:CHK:mine', storageIndex: 'si-mine' }), false)
    const theirs = book.get('URI:CHK:theirs')!
    assert.deepEqual([theirs.kept, theirs.uploaded, theirs.expiresAt, theirs.servers, theirs.club], [true, false, 0, [], 'k51club'])
    assert.deepEqual(book.expiringSoon().map(l => l.cap), ['URI:CHK:theirs'], 'a new keep is due at once')
    assert.deepEqual(book.keptList().map(l => l.cap).sort(), ['URI:CHK:mine', 'URI:CHK:theirs'])

    book.recordCheck('URI:CHK:theirs', { k: 3, n: 10, sharesFound: 10, happiness: 10, healthy: true, recoverable: true }, { servers: ['p7', 'p8'], verified: true })
    const checked = book.get('URI:CHK:theirs')!
    assert.equal(checked.checkedAt, clock)
    assert.equal(checked.verifiedAt, clock)
    assert.deepEqual(checked.servers, ['p7', 'p8'])
    assert.equal(checked.health?.sharesFound, 10)
    clock += DAY
    assert.deepEqual(book.byLastCheck().map(l => l.cap), ['URI:CHK:mine', 'URI:CHK:theirs'], 'never checked first')

    assert.equal(book.unkeep('si-theirs').length, 1)
    assert.equal(book.get('URI:CHK:theirs'), undefined)
    assert.equal(book.unkeep('URI:CHK:mine').length, 1)
    const mine = book.get('URI:CHK:mine')!
    assert.deepEqual([mine.kept, mine.uploaded], [false, true], 'its own upload is still renewed')
    assert.equal(book.unkeep('URI:CHK:mine').length, 0)
  })

  it('opens a book written before keep existed: its entries are uploads', async () => {
    book.close()
    const path = join(dir, 'old.sqlite')
    const { default: Database } = await import('better-sqlite3')
    const old = new Database(path)
    old.exec(`CREATE TABLE uploads (cap TEXT PRIMARY KEY, storage_index TEXT NOT NULL, servers TEXT NOT NULL, club TEXT,
      expires_at INTEGER NOT NULL, uploaded_at INTEGER NOT NULL, renewed_at INTEGER, last_error TEXT);
      CREATE INDEX uploads_expiry ON uploads (expires_at); PRAGMA user_version = 1;`)
    old.prepare('INSERT INTO uploads VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)').run('URI:CHK:old', 'si-old', '["p1"]', null, clock + DAY, clock)
    old.close()
    book = LeaseBook.open(path, { now })
    const [entry] = book.list()
    assert.deepEqual([entry.cap, entry.uploaded, entry.kept, entry.checkedAt], ['URI:CHK:old', true, false, undefined])
  })
})
