import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { CapacityExceededError, QuotaExceededError } from '../../src/storage/index.js'
import { bytes, Harness, leaseSecrets, storageIndex, store } from './helpers.js'

const ALICE = '12D3KooWAlice'
const BOB = '12D3KooWBob'

describe('storage: quotas, capacity, invitations', () => {
  const h = new Harness()
  afterEach(async () => { await h.cleanup() })

  it('an allocation over quota allocates nothing and says why; another account is unaffected', async () => {
    const server = await h.server({ freeQuota: 10_000 })
    await store(server, ALICE, storageIndex(), 0, bytes(4000))
    const si = storageIndex()
    await assert.rejects(server.allocate(ALICE, si, [0, 1], 4000, leaseSecrets()), (err: Error) => {
      assert.ok(err instanceof QuotaExceededError)
      assert.equal(err.code, 'ERR_QUOTA_EXCEEDED')
      assert.match(err.message, /quota of 10000 bytes/)
      assert.match(err.message, /uses 4096/, 'a share is charged one disk block at least')
      assert.match(err.message, /12288/)
      return true
    })
    assert.equal(server.stats().incoming, 0)
    assert.equal(server.usage(ALICE).reserved, 0)
    assert.deepEqual(await readdir(join(server.dir, 'shares', 'incoming')).catch(() => []), [])
    // One share still fits for Alice, and Bob has his own quota.
    assert.deepEqual((await server.allocate(ALICE, si, [0], 4000, leaseSecrets())).allocated, [0])
    assert.deepEqual((await server.allocate(BOB, si, [1, 2], 4000, leaseSecrets())).allocated, [1, 2])
    assert.equal(server.usage(BOB).reserved, 8192)
    // Reservations count: Alice's next share would make 12288.
    await assert.rejects(server.allocate(ALICE, storageIndex(), [0], 4000, leaseSecrets()), QuotaExceededError)
  })

  it('refuses allocations beyond the server capacity, counting stored and reserved bytes', async () => {
    const server = await h.server({ capacity: 20_000, freeBudget: 1_000_000 })
    await store(server, ALICE, storageIndex(), 0, bytes(5000))
    await server.allocate(ALICE, storageIndex(), [0], 5000, leaseSecrets())
    assert.equal(server.version().availableSpace, 10_000)
    await assert.rejects(server.allocate(BOB, storageIndex(), [0, 1], 5001, leaseSecrets()), (err: Error) => {
      assert.ok(err instanceof CapacityExceededError)
      assert.equal(err.code, 'ERR_CAPACITY_EXCEEDED')
      assert.match(err.message, /holds 5000 bytes/)
      assert.match(err.message, /5000 reserved/)
      assert.match(err.message, /capacity of 20000 bytes/)
      return true
    })
    assert.equal(server.usage(BOB).reserved, 0)
    assert.deepEqual((await server.allocate(BOB, storageIndex(), [0, 1], 5000, leaseSecrets())).allocated, [0, 1])
    assert.equal(server.version().availableSpace, 0)
    assert.equal(server.stats().capacity, 20_000)
  })

  it('an invitation raises the quota once; a second redemption and unknown codes are refused', async () => {
    const server = await h.server({ freeQuota: 100 })
    assert.equal(server.usage(ALICE).quota, 100)
    await assert.rejects(server.allocate(ALICE, storageIndex(), [0], 500, leaseSecrets()), QuotaExceededError)
    const code = server.createInvitation({ quota: 10_000, note: 'for Alice' })
    assert.match(code, /^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/)
    assert.deepEqual(server.redeemInvitation(ALICE, code.toUpperCase()), { quota: 10_000 })
    assert.equal(server.usage(ALICE).quota, 10_000)
    assert.deepEqual((await server.allocate(ALICE, storageIndex(), [0], 500, leaseSecrets())).allocated, [0])
    assert.throws(() => server.redeemInvitation(BOB, code), { code: 'ERR_INVITATION_USED' })
    assert.throws(() => server.redeemInvitation(ALICE, code), { code: 'ERR_INVITATION_USED' })
    assert.throws(() => server.redeemInvitation(BOB, 'aaaa-bbbb-cccc-dddd'), { code: 'ERR_INVITATION_UNKNOWN' })
    assert.equal(server.usage(BOB).quota, 100)
    // A smaller invitation never lowers a quota.
    assert.deepEqual(server.redeemInvitation(ALICE, server.createInvitation({ quota: 50 })), { quota: 10_000 })
  })

  it('reports terms, usage and per-account summaries', async () => {
    const server = await h.server({
      freeQuota: 50_000,
      freeBudget: 1_000_000,
      invitationExplanation: 'Ask Carol on the club forum.',
      paymentMethods: [{ name: 'liberapay', url: 'https://example.org/pay', explanation: 'Donate to raise your quota.' }]
    })
    const terms = server.terms()
    assert.equal(terms.freeQuota, 50_000)
    assert.deepEqual(terms.methods.map(m => m.name), ['free', 'invitation', 'liberapay'])
    assert.equal(terms.methods[1].explanation, 'Ask Carol on the club forum.')
    assert.equal(terms.methods[2].url, 'https://example.org/pay')

    const si = storageIndex()
    await store(server, ALICE, si, 0, bytes(100))
    await store(server, ALICE, si, 1, bytes(100))
    await store(server, BOB, storageIndex(), 0, bytes(30))
    // Usage is charged: each share counts one disk block (4096 bytes) at least.
    assert.deepEqual(server.usage(ALICE), { bytes: 8192, shares: 2, leases: 1, quota: 50_000, reserved: 0, uploads: 0, granted: false })
    assert.deepEqual(server.accounts(), {
      total: 2,
      top: [
        { account: ALICE, bytes: 8192, shares: 2, quota: 50_000 },
        { account: BOB, bytes: 4096, shares: 1, quota: 50_000 }
      ]
    })
    assert.deepEqual(server.accounts({ limit: 1 }).top.map(a => a.account), [ALICE], 'the biggest first')
    assert.deepEqual(server.stats(), { shares: 3, bytes: 230, capacity: Infinity, accounts: 2, incoming: 0, freeUsed: 12_288, freeBudget: 1_000_000, mutableShares: 0, mutableBytes: 0 })
  })
})
