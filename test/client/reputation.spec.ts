import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LOST_SHARE_PROBATION_MS, ReputationTable, VERIFY_PASSES_TO_CLEAR } from '../../src/client/index.js'

const A = 'server-a'
const B = 'server-b'
const C = 'server-c'
const CLUB = 'k51club'

describe('client: the reputation table (SQLite)', () => {
  let dir: string
  let clock: number
  const open = (): ReputationTable => ReputationTable.open(join(dir, 'reputation.sqlite'), { now: () => clock })
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lafs-reputation-'))
    clock = 1_000_000_000_000
  })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('a lie puts the server last in that club only, until it passes the verify checks; the file on disk keeps it', () => {
    let t = open()
    assert.deepEqual(t.order([{ peerId: A }, { peerId: B }, { peerId: C }], CLUB).map(s => s.peerId), [A, B, C])
    t.corrupt(A, { club: CLUB, detail: 'share 0 failed the block-hash check' })
    assert.deepEqual(t.order([{ peerId: A }, { peerId: B }, { peerId: C }], CLUB).map(s => s.peerId), [B, C, A], 'ties keep ring order')
    assert.deepEqual(t.order([{ peerId: A }, { peerId: B }], 'other-club').map(s => s.peerId), [A, B], 'another club is not affected')
    assert.ok(t.avoidForUpload(A, CLUB) != null)
    assert.equal(t.avoidForUpload(A, 'other-club'), undefined)
    clock += 2 * 3600_000
    assert.match(t.rank([{ peerId: A }], CLUB)[0].note, /served a corrupt block 2 h ago, 0 of 3 verify checks passed/)
    t.close()
    t = open()
    for (let i = 1; i < VERIFY_PASSES_TO_CLEAR; i++) {
      assert.equal(t.verifyPassed(A, CLUB), false)
      assert.equal(t.probation(A, CLUB)?.passes, i)
    }
    assert.equal(t.verifyPassed(A, CLUB), true, 'the last pass clears it')
    assert.equal(t.probation(A, CLUB), undefined)
    assert.deepEqual(t.order([{ peerId: A }, { peerId: B }], CLUB).map(s => s.peerId), [A, B])
    const rec = t.get(A)
    assert.equal(rec?.corruptBlocks, 1)
    assert.equal(rec?.wrongHaves, 1, 'a corrupt share is a have-share answer that was wrong')
    t.close()
  })

  it('checks: a placed share found missing is a loss (how long it was kept), one found present is confirmed; servers not asked are neither', () => {
    const t = open()
    t.placed('SI1', new Map([[A, [0]], [B, [1]], [C, [2]]]), CLUB)
    clock += 5 * 86_400_000
    const out = t.checked({
      storageIndex: 'SI1',
      club: CLUB,
      asked: [A, B],
      verified: false,
      report: { sharemap: { 1: [B] }, corrupt: [], unreachable: [] }
    })
    assert.deepEqual(out.lost, [{ peerId: A, shnum: 0, keptMs: 5 * 86_400_000 }])
    assert.equal(t.get(A)?.sharesLost, 1)
    assert.equal(t.get(A)?.meanLostAfterMs, 5 * 86_400_000)
    assert.equal(t.get(B)?.sharesConfirmed, 1)
    assert.equal(t.get(B)?.longestKeptMs, 5 * 86_400_000)
    assert.equal(t.get(C)?.sharesLost, 0, 'C was not asked')
    // Our own lease ran out: a share gone is no fault of the server.
    const expired = t.checked({ storageIndex: 'SI1', club: CLUB, asked: [B], verified: false, leaseExpiredAt: clock - 1, report: { sharemap: {}, corrupt: [], unreachable: [] } })
    assert.deepEqual(expired.lost, [])
    assert.equal(t.probation(B, CLUB), undefined)
    assert.match(t.avoidForUpload(A, CLUB) ?? '', /lost a share placed on it/)
    // A loss alone stops counting after a while, so a server skipped for uploads gets another chance.
    clock += LOST_SHARE_PROBATION_MS
    assert.equal(t.avoidForUpload(A, CLUB), undefined)
    t.close()
  })

  it('stays within its row limits: the oldest placements and losses go first; servers least recently seen, never one on probation or still holding a placement', async () => {
    // prunes run after the write that triggered them commits (a microtask later)
    const settle = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }
    const t = ReputationTable.open(join(dir, 'reputation.sqlite'), { now: () => clock, limits: { placements: 30, shareLosses: 5, servers: 12, pruneEvery: 10 } })
    t.corrupt('liar', { club: CLUB, detail: 'share 0 failed the block-hash check' })
    for (let i = 0; i < 40; i++) {
      clock += 1000
      t.placed(`SI${i}`, new Map([[`s${i % 20}`, [0]], [`s${(i + 1) % 20}`, [1]]]), CLUB)
    }
    for (let i = 0; i < 30; i++) t.contact(`stranger${i}`, true)
    await settle()
    const db = (t as unknown as { db: { prepare: (q: string) => { get: () => { n: number } } } }).db
    const count = (table: string): number => db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get().n
    assert.ok(count('placements') <= 30 + 20, `placements ${count('placements')}: pruned to the limit, give or take the writes between prunes`)
    assert.ok(count('servers') <= 12 + 10, `servers ${count('servers')}`)
    assert.ok(t.get('liar') != null, 'a server on probation is never pruned')
    assert.ok(t.probation('liar', CLUB) != null)
    // the newest placements survive: checking the last file still finds both of its servers' placements
    const last = t.checked({ storageIndex: 'SI39', club: CLUB, asked: ['s19', 's0'], verified: false, report: { sharemap: { 0: ['s19'] }, corrupt: [], unreachable: [] } })
    assert.deepEqual(last.lost.map(l => l.peerId), ['s0'], 'the newest placement (s0, share 1) was kept and is now a loss')
    assert.equal(t.checked({ storageIndex: 'SI0', club: CLUB, asked: ['s0', 's1'], verified: false, report: { sharemap: {}, corrupt: [], unreachable: [] } }).lost.length, 0, 'the oldest placements were pruned: nothing to lose')
    for (let i = 0; i < 20; i++) t.checked({ storageIndex: `SI${39 - Math.floor(i / 2)}`, club: CLUB, asked: [`s${(39 - Math.floor(i / 2)) % 20}`, `s${(40 - Math.floor(i / 2)) % 20}`], verified: false, report: { sharemap: {}, corrupt: [], unreachable: [] } })
    t.contact('one-more-write', true)
    for (let i = 0; i < 10; i++) t.contact(`stranger${i}`, true)
    await settle()
    assert.ok(count('share_losses') <= 5 + 10, `share_losses ${count('share_losses')}`)
    t.close()
  })

  it('a verify pass counts only for servers whose every share was good', () => {
    const t = open()
    t.wrongHave(A, { club: CLUB })
    t.wrongHave(B, { club: CLUB })
    const out = t.checked({
      storageIndex: 'SI2',
      club: CLUB,
      asked: [A, B],
      verified: true,
      report: { sharemap: { 0: [A], 1: [B] }, corrupt: [{ peerId: B, shnum: 2, check: 'block-hash' }], unreachable: [] }
    })
    assert.deepEqual(out.passed, [A])
    assert.equal(t.probation(A, CLUB)?.passes, 1)
    assert.equal(t.probation(B, CLUB)?.passes, 0)
    assert.equal(t.probation(B, CLUB)?.kind, 'corrupt')
    t.close()
  })

  it('throughput is a moving average; slow and recently failed holders go after the others', () => {
    const t = open()
    t.throughput(A, 1_000_000, 1000)
    t.throughput(A, 3_000_000, 1000)
    assert.ok(Math.abs((t.get(A)?.readBytesPerSec ?? 0) - 1_600_000) < 1)
    t.throughput(B, 10_000_000, 100)
    t.throughput(C, 1000, 1000)
    assert.equal(t.get(C), undefined, 'a transfer too small to measure is not a sample')
    assert.deepEqual(t.rank([{ peerId: A }, { peerId: B }, { peerId: C }]).map(r => r.tier), [1, 0, 0])
    t.failed(B, Object.assign(new Error('request timed out'), { code: 'ERR_TIMEOUT' }))
    assert.equal(t.get(B)?.timeouts, 1)
    assert.deepEqual(t.order([{ peerId: A }, { peerId: B }, { peerId: C }]).map(s => s.peerId), [C, A, B])
    assert.equal(t.get(B)?.upSamples, 0)
    assert.equal(t.get(B)?.downSamples, 1)
    t.close()
  })

  it('after close (a transfer ending while the node stops) recording does nothing and ranking is neutral', () => {
    const t = open()
    t.corrupt(A)
    t.close()
    t.failed(A, new Error('late'))
    assert.deepEqual(t.rank([{ peerId: A }]).map(r => r.tier), [0])
    assert.equal(t.avoidForUpload(A), undefined)
    const again = open()
    assert.equal(again.get(A)?.failures, 0)
    assert.equal(again.probation(A)?.kind, 'corrupt')
    again.close()
  })
})
