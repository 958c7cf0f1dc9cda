import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  download, findShares, HelperRefusedError, HelperUnavailableError, upload, uploadViaHelper, type HelperUploadResult
} from '../../src/client/index.js'
import { base32Encode, ctrStreamAt, planChk, type ChkPlan } from '../../src/immutable/index.js'
import { createTestLibp2p, PARAMS, SECRET, startGrid, startHelper, stopGrid, stopHelper, uploadDroppedAt, type HelperNode } from './helpers.js'
import type { GridServer } from '../fixtures/grid.js'
import type { Libp2p } from '@libp2p/interface'

async function readAll (gen: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const p of gen) parts.push(p)
  return Buffer.concat(parts)
}

describe('helper: uploads through an upload helper', function () {
  this.timeout(60_000)
  let grid: GridServer[] = []
  let helper: HelperNode | undefined
  const clients: Libp2p[] = []
  const client = async (): Promise<Libp2p> => {
    const c = await createTestLibp2p()
    clients.push(c)
    return c
  }

  before(async () => {
    grid = await startGrid(5)
    helper = await startHelper(grid)
  })
  after(async () => {
    await Promise.all(clients.map(async c => { await c.stop() }))
    await stopHelper(helper)
    await stopGrid(grid)
  })

  it('gives the cap a direct upload gives, sends the file once, and leaves the client its own leases', async () => {
    const h = helper as HelperNode
    const data = randomBytes(300_000)
    const alice = await client()
    const leaseSecret = randomBytes(32)
    const before = h.received()
    const res = await uploadViaHelper(alice, data, { helper: h.addr, ...PARAMS, convergenceSecret: SECRET, leaseSecret }) as HelperUploadResult
    assert.equal(h.received() - before, data.length, 'the helper received the crypttext once')
    assert.equal(res.helper.sentBytes, data.length)
    assert.equal(res.helper.alreadyStored, false)
    assert.ok(res.happiness >= PARAMS.happy)

    const direct = await upload(await client(), data, { servers: grid.map(s => s.info), ...PARAMS, convergenceSecret: SECRET, leaseSecret: randomBytes(32) })
    assert.equal(res.cap, direct.cap, 'byte-identical caps')

    // the client's own account holds a lease on every server the helper placed shares on
    assert.equal(res.leases.failures.length, 0)
    for (const [peerId] of res.placement) {
      const server = grid.find(s => s.info.peerId === peerId) as GridServer
      assert.ok(server.storage.usage(alice.peerId.toString()).leases > 0, `client lease on ${peerId}`)
      assert.ok(server.storage.usage(h.libp2p.peerId.toString()).leases > 0, `helper lease on ${peerId}`)
    }
    const reader = await client()
    const { holders } = await findShares(reader, res.storageIndex as Uint8Array, grid.map(s => s.info))
    assert.ok((await readAll(download(reader, res.cap, { holders }))).equals(data))
    assert.deepEqual(await readdir(h.dir), [], 'the spool is empty once the shares are placed')
  })

  it('sends nothing for a file already in the grid', async () => {
    const h = helper as HelperNode
    const data = randomBytes(200_000)
    const direct = await upload(await client(), data, { servers: grid.map(s => s.info), ...PARAMS, convergenceSecret: SECRET, leaseSecret: randomBytes(32) })
    const before = h.received()
    const bob = await client()
    const res = await uploadViaHelper(bob, data, { helper: h.addr, ...PARAMS, convergenceSecret: SECRET, leaseSecret: randomBytes(32) }) as HelperUploadResult
    assert.equal(h.received(), before, 'no crypttext reached the helper')
    assert.equal(res.helper.sentBytes, 0)
    assert.equal(res.helper.alreadyStored, true)
    assert.equal(res.cap, direct.cap)
    for (const [peerId] of res.placement) {
      const server = grid.find(s => s.info.peerId === peerId) as GridServer
      assert.ok(server.storage.usage(bob.peerId.toString()).leases > 0, 'the client still adds its lease')
    }
  })

  it('resumes after a dropped connection without resending what the helper holds', async () => {
    const h = helper as HelperNode
    const data = randomBytes(1_500_000)
    const carol = await client()
    const before = h.received()
    const { res, dropped } = await uploadDroppedAt(carol, h, data, 600_000)
    assert.ok(dropped)
    assert.ok(res.helper.attempts >= 2, 'retried (a retry that finds the helper still holding the cut stream waits its turn)')
    assert.equal(h.received() - before, data.length, 'the helper got every byte exactly once')
    const direct = await planChk(data, { ...PARAMS, convergenceSecret: SECRET })
    assert.equal(res.storageIndex != null && base32Encode(res.storageIndex), base32Encode((direct as ChkPlan).storageIndex))
    const reader = await client()
    const { holders } = await findShares(reader, res.storageIndex as Uint8Array, grid.map(s => s.info))
    assert.ok((await readAll(download(reader, res.cap, { holders }))).equals(data))
  })

  it('a later put of the same file, from another client, resumes what a failed one left', async () => {
    let cut = false
    // The helper's handler fails once 500 000 bytes arrived (frames already buffered are not taken): what came before is on its disk.
    const h: HelperNode = await startHelper(grid, {}, {
      onData: () => { if (!cut && h.received() >= 500_000) { cut = true; throw new Error('test: the upload breaks off here') } }
    })
    try {
      const data = randomBytes(1_200_000)
      await assert.rejects(uploadViaHelper(await client(), data, { helper: h.addr, ...PARAMS, convergenceSecret: SECRET, leaseSecret: randomBytes(32), retries: 0 }))
      // the helper lets go of the upload when it sees the stream end
      const deadline = Date.now() + 5_000
      while (h.helper.stats().partials.some(p => p.active) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
      const [partial] = h.helper.stats().partials
      assert.ok(partial != null && !partial.active && partial.have > 0 && partial.have < data.length, JSON.stringify(partial))
      const res = await uploadViaHelper(await client(), data, { helper: h.addr, ...PARAMS, convergenceSecret: SECRET, leaseSecret: randomBytes(32) }) as HelperUploadResult
      assert.equal(res.helper.sentBytes, data.length - partial.have, 'the second client sent only the rest')
      assert.equal(res.helper.alreadyStored, false)
      const direct = await upload(await client(), data, { servers: grid.map(s => s.info), ...PARAMS, convergenceSecret: SECRET, leaseSecret: randomBytes(32) })
      assert.equal(res.cap, direct.cap)
    } finally {
      await stopHelper(h)
    }
  })

  it('two clients uploading the same file at once: one sends it, the other waits and finds it stored', async () => {
    const h = helper as HelperNode
    const data = randomBytes(400_000)
    const before = h.received()
    const [a, b] = await Promise.all([client(), client()])
    const results = await Promise.all([a, b].map(async c => await uploadViaHelper(c, data, {
      helper: h.addr, ...PARAMS, convergenceSecret: SECRET, leaseSecret: randomBytes(32), retryDelayMs: 100
    }) as HelperUploadResult))
    assert.equal(results[0].cap, results[1].cap)
    assert.equal(h.received() - before, data.length, 'the crypttext crossed once')
    assert.equal(results.filter(r => r.helper.alreadyStored).length, 1, 'one found it stored')
  })

  it('refuses a file over the client\'s spool quota with a typed error', async () => {
    const small = await startHelper(grid, { clientSpoolBytes: 100_000 })
    try {
      await assert.rejects(
        uploadViaHelper(await client(), randomBytes(150_000), { helper: small.addr, ...PARAMS, convergenceSecret: SECRET, leaseSecret: randomBytes(32) }),
        (err: Error) => err instanceof HelperRefusedError && err.code === 'ERR_SPOOL_QUOTA')
      assert.equal(small.received(), 0)
    } finally {
      await stopHelper(small)
    }
  })

  it('fails with ERR_HELPER_UNAVAILABLE when the helper dies mid-upload; its spool holds crypttext, never the plaintext', async () => {
    let killed: Promise<void> | undefined
    // Stopped from its own handler once 500 000 bytes arrived: the frames before are on its disk.
    const dying: HelperNode = await startHelper(grid, {}, {
      onData: () => { if (killed == null && dying.received() >= 500_000) killed = Promise.resolve(dying.libp2p.stop()) }
    })
    const data = randomBytes(1_500_000)
    const dave = await client()
    try {
      await assert.rejects(uploadViaHelper(dave, data, {
        helper: dying.addr,
        ...PARAMS,
        convergenceSecret: SECRET,
        leaseSecret: randomBytes(32),
        retries: 2,
        retryDelayMs: 50
      }), (err: Error) => err instanceof HelperUnavailableError && err.code === 'ERR_HELPER_UNAVAILABLE')
      await killed
      const plan = await planChk(data, { ...PARAMS, convergenceSecret: SECRET }) as ChkPlan
      const key = base32Encode(plan.storageIndex)
      const spooled = await readFile(join(dying.dir, `${key}.crypt`))
      // a graceful stop may still take the frames already on their way, so all of it may be spooled
      assert.ok(spooled.length > 0 && spooled.length <= data.length, `spooled ${spooled.length} of ${data.length}`)
      const crypttext = ctrStreamAt(plan.key, 0).update(data.subarray(0, spooled.length))
      assert.ok(spooled.equals(crypttext), 'the spool holds the client\'s crypttext')
      assert.ok(!spooled.subarray(0, 1024).equals(data.subarray(0, 1024)), 'not the plaintext')
      const meta = await readFile(join(dying.dir, `${key}.json`), 'utf8')
      assert.ok(!meta.includes(base32Encode(plan.key)), 'the helper was never told the key')
    } finally {
      await stopHelper(dying)
    }
  })
})
