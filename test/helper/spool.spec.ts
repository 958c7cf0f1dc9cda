/** The helper's spool on a real folder: what a stranger's checks can hold, and for how long. */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EMPTY_PARTIAL_EXPIRY_MS, Spool } from '../../src/helper/spool.js'

const DAY = 86_400_000
const check = (size: number, si: Uint8Array = randomBytes(16)): { storageIndex: Uint8Array, k: number, happy: number, n: number, segmentSize: number, size: number } =>
  ({ storageIndex: si, k: 3, happy: 7, n: 10, segmentSize: 131_072, size })

describe('helper spool', () => {
  let dir: string
  let spool: Spool
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lafs-spool-'))
    spool = new Spool(dir, { totalBytes: 10_000_000, clientBytes: 5_000_000 })
    await spool.load()
  })
  afterEach(async () => {
    for (const p of spool.partials.values()) await spool.closeFile(p)
    await rm(dir, { recursive: true, force: true })
  })

  it('a reservation that never received a byte gives its room back after 10 minutes, not after the day a started one keeps', async () => {
    const empty = await spool.begin('stranger', check(4_000_000))
    const started = await spool.begin('honest', check(4_000_000))
    await spool.append(started, randomBytes(1000))
    // their streams are gone
    empty.active = false
    started.active = false
    assert.equal(await spool.expire(DAY, Date.now() + EMPTY_PARTIAL_EXPIRY_MS - 5_000), 0)
    assert.equal(await spool.expire(DAY, Date.now() + EMPTY_PARTIAL_EXPIRY_MS + 5_000), 1)
    assert.equal(spool.partials.has(empty.key), false)
    assert.equal(spool.partials.has(started.key), true)
  })

  it('a partial upload reserves its whole size while sent, only what it holds when nobody sends it, and must find room again to resume', async () => {
    const a = await spool.begin('alice', check(3_000_000))
    await spool.append(a, randomBytes(1000))
    assert.equal(spool.usedBy('alice'), 3_000_000)
    await assert.rejects(spool.begin('alice', check(3_000_000)), (err: Error & { code?: string }) => err.code === 'ERR_SPOOL_QUOTA', '3 + 3 MB > 5 MB per client')
    a.active = false
    assert.equal(spool.usedBy('alice'), 1000)
    const b = await spool.begin('alice', check(3_000_000))
    assert.equal(spool.usedBy('alice'), 3_001_000)
    await assert.rejects(spool.begin('alice', a.check), (err: Error & { code?: string }) => err.code === 'ERR_SPOOL_QUOTA', 'resuming needs its whole size again')
    assert.equal(a.active, false)
    b.active = false
    assert.equal((await spool.begin('alice', a.check)).have, 1000)
  })

  it("a check with other parameters does not wipe another client's partial upload that holds bytes", async () => {
    const si = randomBytes(16)
    const first = await spool.begin('alice', check(1_000_000, si))
    await spool.append(first, randomBytes(5000))
    await assert.rejects(spool.begin('mallory', check(2_000_000, si)), (err: Error & { code?: string }) => err.code === 'ERR_UPLOAD_IN_PROGRESS')
    assert.equal(spool.partials.get(first.key)?.have, 5000)
    // its owner may start over
    const again = await spool.begin('alice', check(2_000_000, si))
    assert.equal(again.have, 0)
  })
})
