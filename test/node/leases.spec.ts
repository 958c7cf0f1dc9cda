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
})
