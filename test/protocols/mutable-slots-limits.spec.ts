/**
 * Mutable slots end to end (issue 14, part 2), what a slot may cost: quota,
 * share and storage-index limits, the free accounts' shared budget, the
 * capacity, and the per-call limits of /lafs-club/storage/1.1.0. Real libp2p
 * nodes on 127.0.0.1 and real storage servers with SQLite.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { RemoteStorageError } from '../../src/protocols/index.js'
import { EMPTY, lease, slotHarness } from './slots-harness.js'

describe('protocols: mutable slots over libp2p: charges, budgets and limits', function () {
  this.timeout(60_000)
  const { node, serve, client } = slotHarness()

  it('charges containers like shares: a growing slot checks quota and the share limit, shrinking and deleting release', async function () {
    // Quota for two minimum charges; at most two shares.
    const s = await serve({ freeQuota: 2 * 4096, freeLimits: { shares: 2 } })
    const from = await node()
    const c = client(from, s)
    const account = from.peerId.toString()
    const si = new Uint8Array(randomBytes(16))
    const we = new Uint8Array(randomBytes(32))
    const l = lease()
    const rtw = async (shareNumber: number, write: Array<{ offset: number, data: Uint8Array }>, newLength?: number) =>
      await c.slotReadTestWrite(si, we, l, [{ shareNumber, write, newLength }])

    await rtw(0, [{ offset: 0, data: new Uint8Array(3000) }])
    // 3000 data bytes + 468 header and leases + 4 extra-lease count = 3472 on disk, charged 4096.
    assert.deepEqual(await c.listSlotShares(si), [{ shareNumber: 0, size: 3472 }])
    assert.equal(s.server.usage(account).bytes, 4096)

    // Growing share 0 to 8000 bytes would charge 8472 + nothing else > 8192: refused, unchanged.
    await assert.rejects(rtw(0, [{ offset: 7999, data: new Uint8Array(1) }]),
      (err: unknown) => err instanceof RemoteStorageError && err.code === 'ERR_QUOTA_EXCEEDED')
    assert.deepEqual(await c.listSlotShares(si), [{ shareNumber: 0, size: 3472 }])
    assert.equal((await c.slotRead(si, [0], [{ offset: 0, size: 10_000 }])).get(0)![0].length, 3000)

    // A second share fits (4096 + 4096); a third passes the share limit.
    await rtw(1, [{ offset: 0, data: new Uint8Array(100) }])
    assert.equal(s.server.usage(account).bytes, 8192)
    await assert.rejects(rtw(2, [{ offset: 0, data: new Uint8Array(1) }]),
      (err: unknown) => err instanceof RemoteStorageError && err.code === 'ERR_TOO_MANY_SHARES')

    // Deleting share 1 releases its charge: share 0 may now grow to 8192 - 468 - 4 data bytes, and not one more.
    await rtw(1, [], 0)
    assert.deepEqual((await c.listSlotShares(si)).map(x => x.shareNumber), [0])
    assert.equal(s.server.usage(account).bytes, 4096)
    await rtw(0, [{ offset: 8192 - 472 - 1, data: new Uint8Array([1]) }])
    assert.equal(s.server.usage(account).bytes, 8192)
    await assert.rejects(rtw(0, [{ offset: 8192 - 472, data: new Uint8Array([1]) }]),
      (err: unknown) => err instanceof RemoteStorageError && err.code === 'ERR_QUOTA_EXCEEDED')
    // Truncating releases too.
    await rtw(0, [], 10)
    assert.equal(s.server.usage(account).bytes, 4096)
    assert.equal(s.server.stats().mutableBytes, 482)
  })

  it('the per-account storage-index limit counts slots', async function () {
    const s = await serve({ freeLimits: { storageIndexes: 1 } })
    const c = client(await node(), s)
    const we = new Uint8Array(randomBytes(32))
    const [first, second] = [new Uint8Array(randomBytes(16)), new Uint8Array(randomBytes(16))]
    await c.slotReadTestWrite(first, we, lease(), [{ shareNumber: 0, write: [{ offset: 0, data: new Uint8Array(1) }] }])
    await assert.rejects(c.slotReadTestWrite(second, we, lease(), [{ shareNumber: 0, write: [{ offset: 0, data: new Uint8Array(1) }] }]),
      (err: unknown) => err instanceof RemoteStorageError && err.code === 'ERR_TOO_MANY_SHARES')
    // More shares in the slot it already leases are fine.
    await c.slotReadTestWrite(first, we, lease(), [{ shareNumber: 1, write: [{ offset: 0, data: new Uint8Array(1) }] }])
    assert.deepEqual(await c.slotRead(second, [], []), new Map())
  })

  it('free accounts: slots count in their shared budget, kept exact through growth, shrinking, a second writer and deletion', async function () {
    const s = await serve({ freeBudget: 4 * 4096 })
    const [a, b] = [client(await node(), s), client(await node(), s)]
    const si = new Uint8Array(randomBytes(16))
    const we = new Uint8Array(randomBytes(32))
    // The running total must equal a fresh count (revoking any account makes the server count again).
    const exact = (expected: number): void => {
      const kept = s.server.stats().freeUsed
      s.server.revokeAccount('12D3KooWNobodyAtAll')
      assert.equal(s.server.stats().freeUsed, kept)
      assert.equal(kept, expected)
    }
    exact(0)
    await a.slotReadTestWrite(si, we, lease(), [{ shareNumber: 0, write: [{ offset: 0, data: new Uint8Array(100) }] }])
    exact(4096)
    await a.slotReadTestWrite(si, we, lease(), [{ shareNumber: 0, write: [{ offset: 0, data: new Uint8Array(5000) }] }])
    exact(5472)
    // A second free writer leases the same slot: each share still counts once.
    await b.slotReadTestWrite(si, we, lease(), [{ shareNumber: 1, write: [{ offset: 0, data: new Uint8Array(10) }] }])
    exact(5472 + 4096)
    await b.slotReadTestWrite(si, we, lease(), [{ shareNumber: 0, newLength: 10 }])
    exact(2 * 4096)
    // Past the budget (4 × 4096): refused, whoever's quota would allow it.
    await assert.rejects(a.slotReadTestWrite(si, we, lease(), [{ shareNumber: 2, write: [{ offset: 0, data: new Uint8Array(9000) }] }]),
      (err: unknown) => err instanceof RemoteStorageError && err.code === 'ERR_FREE_BUDGET_EXCEEDED')
    exact(2 * 4096)
    await a.slotReadTestWrite(si, we, lease(), [{ shareNumber: 0, newLength: 0 }, { shareNumber: 1, newLength: 0 }])
    exact(0)
    assert.deepEqual(await a.listSlotShares(si), [])
  })

  it('the capacity bounds a growing slot', async function () {
    const s = await serve({ capacity: 10_000, freeBudget: 1e9 })
    const c = client(await node(), s)
    const si = new Uint8Array(randomBytes(16))
    const we = new Uint8Array(randomBytes(32))
    await c.slotReadTestWrite(si, we, lease(), [{ shareNumber: 0, write: [{ offset: 0, data: new Uint8Array(9000) }] }])
    await assert.rejects(c.slotReadTestWrite(si, we, lease(), [{ shareNumber: 0, write: [{ offset: 9000, data: new Uint8Array(1000) }] }]),
      (err: unknown) => err instanceof RemoteStorageError && err.code === 'ERR_CAPACITY_EXCEEDED')
  })
  it('refuses calls over the documented limits with ERR_LIMIT_EXCEEDED, keeping the session', async function () {
    const s = await serve()
    const c = client(await node(), s)
    const si = new Uint8Array(randomBytes(16))
    const we = new Uint8Array(randomBytes(32))
    const limited = (err: unknown): boolean => err instanceof RemoteStorageError && err.code === 'ERR_LIMIT_EXCEEDED' && !err.fatal

    // More than 1 MiB of write data and specimens in one call (the frame itself is under its limit).
    await assert.rejects(c.slotReadTestWrite(si, we, lease(), [{
      shareNumber: 0, test: [{ offset: 0, size: 1, specimen: new Uint8Array(1000) }], write: [{ offset: 0, data: new Uint8Array(2 ** 20) }]
    }]), limited)
    assert.deepEqual(await c.listSlotShares(si), [], 'nothing was written')
    // 31 test vectors on one share; 31 read vectors.
    await assert.rejects(c.slotReadTestWrite(si, we, lease(), [{
      shareNumber: 0, test: Array.from({ length: 31 }, () => ({ offset: 0, size: 1, specimen: EMPTY }))
    }]), limited)
    await assert.rejects(c.slotRead(si, [], Array.from({ length: 31 }, () => ({ offset: 0, size: 1 }))), limited)
    // More than 1024 write vectors in one call.
    await assert.rejects(c.slotReadTestWrite(si, we, lease(), [{
      shareNumber: 0, write: Array.from({ length: 1025 }, (_, i) => ({ offset: i, data: new Uint8Array(1) }))
    }]), limited)

    // An answer over 960 KiB: two 600 KB shares read whole at once. One at a time is fine.
    for (const shareNumber of [0, 1]) {
      await c.slotReadTestWrite(si, we, lease(), [{ shareNumber, write: [{ offset: 0, data: new Uint8Array(600_000).fill(shareNumber + 1) }] }])
    }
    await assert.rejects(c.slotRead(si, [], [{ offset: 0, size: 600_000 }]), limited)
    await assert.rejects(c.slotReadTestWrite(si, we, lease(), [], [{ offset: 0, size: 600_000 }]), limited)
    const one = await c.slotRead(si, [1], [{ offset: 0, size: 600_000 }])
    assert.equal(one.get(1)![0].length, 600_000)
    assert.equal(one.get(1)![0][599_999], 2)
  })
})
