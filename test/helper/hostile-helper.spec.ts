/**
 * A helper that lies or stops reading, against the real client: the client
 * believes the servers, not the helper, and never waits on a helper for ever.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { NoServersError, upload, uploadViaHelper } from '../../src/client/index.js'
import { FrameReader, writeFrame } from '../../src/protocols/framing/index.js'
import { HELPER_PROTOCOL, helperUploadAttempt, registerHelperProtocol } from '../../src/protocols/index.js'
import { HelperResponse } from '../../src/protocols/helper/message/helper.js'
import { createTestLibp2p, PARAMS, SECRET, startGrid, stopGrid } from './helpers.js'
import type { GridServer } from '../fixtures/grid.js'
import type { Libp2p } from '@libp2p/interface'

describe('helper: a hostile helper against the client', function () {
  this.timeout(30_000)
  let grid: GridServer[] = []
  let client: Libp2p | undefined
  let helperNode: Libp2p | undefined
  before(async () => {
    grid = await startGrid(3)
    client = await createTestLibp2p()
  })
  afterEach(async () => { await helperNode?.stop() })
  after(async () => {
    await client?.stop()
    await stopGrid(grid)
  })

  it('a helper that claims shares on three servers when one holds them all makes the upload fail as unhappy', async () => {
    const c = client as Libp2p
    const data = randomBytes(200_000)
    // the real shares, all on one server, with the UEB hash a helper would answer
    const real = await upload(c, data, { ...PARAMS, happy: 1, convergenceSecret: SECRET, leaseSecret: randomBytes(32), servers: [grid[0].info] })
    assert.equal(real.placement.size, 1)
    const uebHash = real.uebHash
    assert.ok(uebHash != null)
    helperNode = await createTestLibp2p()
    await registerHelperProtocol(helperNode, {
      open: async () => ({
        done: {
          uebHash,
          placements: grid.map((s, i) => ({ peerId: s.info.peerId, multiaddrs: s.info.multiaddrs, shares: [i] })),
          happiness: 3,
          alreadyStored: true
        }
      })
    })
    await assert.rejects(
      uploadViaHelper(c, data, { helper: helperNode.getMultiaddrs()[0].toString(), ...PARAMS, convergenceSecret: SECRET, leaseSecret: randomBytes(32) }),
      (err: Error & { code?: string, happiness?: number }) => err.code === 'ERR_UPLOAD_UNHAPPY' && err.happiness === 1)
  })

  it('a helper\'s own trouble (no servers of its own) reaches the user as ERR_HELPER_REFUSED, not as the user\'s bad input', async () => {
    helperNode = await createTestLibp2p()
    await registerHelperProtocol(helperNode, {
      open: async () => { throw new NoServersError('this helper has no storage servers to place shares on') }
    })
    await assert.rejects(
      uploadViaHelper(client as Libp2p, randomBytes(100_000), { helper: helperNode.getMultiaddrs()[0].toString(), ...PARAMS, convergenceSecret: SECRET, leaseSecret: randomBytes(32) }),
      (err: Error & { code?: string }) => err.code === 'ERR_HELPER_REFUSED' && err.message.includes('ERR_NO_SERVERS'))
  })

  it('a helper that answers the check and then stops reading ends the attempt within its deadline', async () => {
    helperNode = await createTestLibp2p()
    await helperNode.handle(HELPER_PROTOCOL, async stream => {
      const reader = new FrameReader(stream, { maxFrameLength: 1024 })
      await reader.read()
      await writeFrame(stream, HelperResponse.encode({ check: { haveBytes: 0 } }))
      reader.dispose()
      // reads nothing more and never answers: the client's writes fill the windows and wait
      stream.pause()
    })
    const size = 64 * 2 ** 20
    const chunk = new Uint8Array(1024 * 1024)
    const started = Date.now()
    await assert.rejects(
      helperUploadAttempt(client as Libp2p, multiaddr(helperNode.getMultiaddrs()[0].toString()),
        { storageIndex: randomBytes(16), k: 3, happy: 7, n: 10, segmentSize: 3 * 349_525, size },
        async function * () { for (let at = 0; at < size; at += chunk.length) yield chunk },
        { idleTimeoutMs: 1_000 }),
      (err: Error & { code?: string }) => err.code === 'ERR_TIMEOUT')
    assert.ok(Date.now() - started < 15_000, `gave up after ${Date.now() - started} ms`)
  })
})
