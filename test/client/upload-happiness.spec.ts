/**
 * Servers of happiness as stored, not as planned: a server that holds a
 * share but refuses new ones still counts, with the client's lease on what
 * it holds, and an upload never reports a happiness below `happy`.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { serverLeaseSecrets, StorageClientPool, upload } from '../../src/client/index.js'
import { encodeImmutable } from '../../src/immutable/index.js'
import { startServer, stopGrid, type GridServer } from '../fixtures/grid.js'
import { createTestLibp2p } from '../fixtures/libp2p.js'
import type { Libp2p } from '@libp2p/interface'

const PARAMS = { k: 2, n: 6, maxSegmentSize: 8192 }
const SECRET = new Uint8Array(32).fill(3)

describe('client: happiness counts what servers hold', function () {
  this.timeout(30_000)
  let grid: GridServer[] = []
  let client: Libp2p | undefined
  after(async () => {
    await client?.stop()
    await stopGrid(grid)
  })

  it('a full server holding share 0 counts for happiness, and gets this client\'s lease on it', async () => {
    const data = randomBytes(40_000)
    const encoded = await encodeImmutable(data, { ...PARAMS, convergenceSecret: SECRET })
    const share0 = encoded.shares.get(0) as Uint8Array
    // room for one share and not two: the upload's second share on it is refused
    const room = Math.floor(share0.length * 1.5)
    grid = [await startServer(undefined, { capacity: room, freeBudget: room }), await startServer(), await startServer()]
    client = await createTestLibp2p()
    const full = grid[0]
    // someone else stored share 0 there first
    const other = await createTestLibp2p()
    const pool = new StorageClientPool(other)
    const someoneElse = randomBytes(32)
    try {
      const s = pool.get(full.info)
      await s.allocate(encoded.storageIndex, [0], share0.length, serverLeaseSecrets(someoneElse, encoded.storageIndex, full.info.peerId))
      await s.write(encoded.storageIndex, 0, 0, share0)
      await s.close(encoded.storageIndex, 0)
    } finally {
      await pool.stop()
      await other.stop()
    }
    const leaseSecret = randomBytes(32)
    const res = await upload(client, data, { ...PARAMS, happy: 3, convergenceSecret: SECRET, leaseSecret, servers: grid.map(g => g.info) })
    assert.equal(res.cap, encoded.cap)
    assert.equal(res.happiness, 3, `placement ${JSON.stringify([...res.placement])}`)
    assert.deepEqual(res.placement.get(full.info.peerId), [0])
    assert.equal(full.storage.usage(client.peerId.toString()).leases, 1, 'this client\'s lease on the share the full server holds')
  })
})
