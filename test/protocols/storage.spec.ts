import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { ClientStoppedError, RemoteStorageError, RequestTimeoutError, STORAGE_PROTOCOL, StorageClient, type StreamOpener } from '../../src/protocols/index.js'
import { encodeFrame, FrameReader } from '../../src/protocols/framing/index.js'
import { Request, Response } from '../../src/protocols/storage/message/storage.js'
import { ClientSession } from '../../src/protocols/storage/session-client.js'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { encodeStorageIndex } from '../../src/storage/index.js'
import { Grid, lease, storageIndex } from './helpers.js'

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

/** A client on a fresh server with share 0 of a new storage index allocated (`size` bytes) and its first `written` bytes sent. */
async function uploadUnderWay (grid: Grid, size: number, written: number): Promise<{ client: StorageClient, si: Uint8Array, share: Uint8Array }> {
  const { node: serverNode } = await grid.server()
  const client = new StorageClient(await grid.node(), serverNode.getMultiaddrs()[0])
  const si = storageIndex()
  const share = randomBytes(size)
  await client.allocate(si, [0], share.byteLength, lease())
  await client.write(si, 0, 0, share.subarray(0, written))
  return { client, si, share }
}

describe('protocols: storage over libp2p', () => {
  const grid = new Grid()
  afterEach(async () => { await grid.cleanup() })

  it('allocates, writes, closes and reads back a few MiB; lists shares with sizes', async () => {
    const { node: serverNode } = await grid.server()
    const clientNode = await grid.node()
    const client = new StorageClient(clientNode, serverNode.getMultiaddrs()[0])
    const si = storageIndex()
    const share0 = randomBytes(3 * 2 ** 20 + 12345)
    const share1 = randomBytes(1000)

    const v = await client.version()
    assert.ok(v.maximumImmutableShareSize > 0)
    assert.equal(v.maxWriteSize, 2 ** 20)

    const alloc = await client.allocate(si, [0, 1], share0.byteLength, lease())
    assert.deepEqual(alloc, { allocated: [0, 1], alreadyHave: [] })
    await client.write(si, 0, 0, share0)
    await client.close(si, 0)
    assert.deepEqual(await client.listShares(si), [{ shareNumber: 0, size: share0.byteLength }])

    // a share allocated bigger than written is incomplete and cannot be closed
    await client.write(si, 1, 0, share1)
    await assert.rejects(client.close(si, 1), (err: Error) => err instanceof RemoteStorageError && err.code === 'ERR_INCOMPLETE_SHARE')
    await client.abort(si, 1)

    const back = await client.read(si, 0, 0, share0.byteLength)
    assert.equal(back.byteLength, share0.byteLength)
    assert.equal(sha(back), sha(share0))
    // ranges, and reads past the end are shortened
    const plain = new Uint8Array(share0)
    assert.deepEqual(await client.read(si, 0, 100, 50), plain.subarray(100, 150))
    assert.deepEqual(await client.read(si, 0, share0.byteLength - 10, 100), plain.subarray(share0.byteLength - 10))
    assert.equal((await client.read(si, 0, 0, 0)).byteLength, 0)
    await assert.rejects(client.read(si, 7, 0, 10), (err: Error) => err instanceof RemoteStorageError && err.code === 'ERR_NO_SUCH_SHARE')

    // streamed in bounded parts, the buffers as delivered; stops at the end of the share
    const pieces: Uint8Array[] = []
    for await (const piece of client.readStream(si, 0, 1000, share0.byteLength, { partSize: 2 ** 20 })) pieces.push(piece)
    assert.equal(sha(Buffer.concat(pieces)), sha(share0.subarray(1000)))

    const again = await client.allocate(si, [0, 1, 2], share0.byteLength, lease())
    assert.deepEqual(again.alreadyHave, [0])
    assert.deepEqual(again.allocated, [1, 2])
    await client.stop()
  })

  it('a share allocated again starts clean: a write that failed after its abort does not fail the new upload', async () => {
    const { client, si, share } = await uploadUnderWay(grid, 200_000, 1000)
    await client.abort(si, 0)
    // a write the uploader had in flight when it gave the share up: refused, its error kept for the share
    await client.write(si, 0, 1000, share.subarray(1000, 2000))
    // answered after it (in order on the session, or on a new one once the server closed that)
    assert.deepEqual(await client.listShares(si), [])
    assert.deepEqual((await client.allocate(si, [0], share.byteLength, lease())).allocated, [0])
    await client.write(si, 0, 0, share)
    await client.close(si, 0)
    assert.deepEqual(await client.listShares(si), [{ shareNumber: 0, size: share.byteLength }])
    await client.stop()
  })

  it('a stopped client refuses reads at once and dials nobody; a closed session rejects requests with nothing left unhandled', async () => {
    const { node: serverNode } = await grid.server()
    const clientNode = await grid.node()
    let dials = 0
    const opener: StreamOpener = { dialProtocol: async (...args: Parameters<StreamOpener['dialProtocol']>) => { dials++; return await clientNode.dialProtocol(...args) } }
    const client = new StorageClient(opener, serverNode.getMultiaddrs()[0])
    const si = storageIndex()
    await assert.rejects(client.read(si, 0, 0, 10), (err: Error) => err instanceof RemoteStorageError && err.code === 'ERR_NO_SUCH_SHARE')
    assert.equal(dials, 1)
    const unhandled: unknown[] = []
    const onUnhandled = (err: unknown): void => { unhandled.push(err) }
    process.on('unhandledRejection', onUnhandled)
    try {
      await client.stop()
      // A download that was abandoned can still have read-ahead asking: it must fail without a dial.
      await assert.rejects(client.readPieces(si, 0, 0, 10), (err: Error) => err instanceof ClientStoppedError)
      await assert.rejects(client.read(si, 0, 0, 10), (err: Error) => err instanceof ClientStoppedError)
      assert.equal(dials, 1, 'no dial after stop')
      // A request on a session that has closed: the caller awaits the answer only.
      const session = new ClientSession(await clientNode.dialProtocol(serverNode.getMultiaddrs()[0], STORAGE_PROTOCOL), { requestTimeoutMs: 5000, idleTimeoutMs: 5000, onDone: () => {} })
      session.close(new ClientStoppedError())
      await assert.rejects(session.request({ version: {} }).response, (err: Error) => err instanceof ClientStoppedError)
      // Unhandled rejections are reported once the microtask queue drains.
      for (let i = 0; i < 3; i++) await new Promise(resolve => setImmediate(resolve))
      assert.deepEqual(unhandled, [])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('an allocation waits for an abort of the same share still under way, so the late abort cannot drop it', async () => {
    const { client, si, share } = await uploadUnderWay(grid, 300_000, 100_000)
    // an uploader that gave the server up aborts without waiting (its writes still in flight) and places again at once
    const aborting = client.abort(si, 0)
    assert.deepEqual((await client.allocate(si, [0], share.byteLength, lease())).allocated, [0])
    await aborting
    await client.write(si, 0, 0, share)
    await client.close(si, 0)
    assert.deepEqual(await client.listShares(si), [{ shareNumber: 0, size: share.byteLength }])
    await client.stop()
  })

  it('a server that answers other requests but withholds one fails the session within 4x the request timeout', async () => {
    const serverNode = await grid.node()
    // a hostile server: answers every request at once, except list-shares, which it never answers
    await serverNode.handle(STORAGE_PROTOCOL, async stream => {
      const reader = new FrameReader(stream, { maxFrameLength: 2 ** 20 })
      for (;;) {
        const frame = await reader.read().catch(() => undefined)
        if (frame == null) return
        const req = Request.decode(frame)
        if (req.listShares == null) stream.send(encodeFrame(Response.encode({ id: req.id, ack: {} })))
      }
    })
    const clientNode = await grid.node()
    const session = new ClientSession(await clientNode.dialProtocol(serverNode.getMultiaddrs()[0], STORAGE_PROTOCOL), { requestTimeoutMs: 200, idleTimeoutMs: 5000, onDone: () => {} })
    const started = Date.now()
    const withheld = session.request({ listShares: { storageIndex: storageIndex() as Uint8Array<ArrayBuffer> } }).response
    const outcome: { err?: unknown } = {}
    withheld.then(() => {}, (err: unknown) => { outcome.err = err })
    // the others keep the session busy and answered, so its no-progress deadline never fires
    while (outcome.err == null && Date.now() - started < 3_000) {
      await session.request({ version: {} }).response.catch(() => {})
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    assert.ok(outcome.err instanceof RequestTimeoutError, `the withheld request ended with ${String(outcome.err)}`)
    assert.ok(Date.now() - started < 1_500, `after ${Date.now() - started} ms`)
  })

  it('writes a share given as many buffers (split at the write limit, never joined) and reads it back as pieces', async () => {
    const { node: serverNode } = await grid.server()
    const clientNode = await grid.node()
    const client = new StorageClient(clientNode, serverNode.getMultiaddrs()[0])
    const si = storageIndex()
    const sizes = [700_000, 1, 0, 900_000, 2 ** 20 + 3, 43_691]
    const pieces = sizes.map(n => randomBytes(n))
    const share = Buffer.concat(pieces)
    await client.allocate(si, [4], share.byteLength, lease())
    await client.write(si, 4, 0, pieces.slice(0, 3))
    await client.write(si, 4, 700_001, pieces.slice(3))
    await client.close(si, 4)
    assert.equal(sha(await client.read(si, 4, 0, share.byteLength)), sha(share))
    const got = await client.readPieces(si, 4, 123, 2 * 2 ** 20)
    assert.ok(got.length > 1, 'a 2 MiB read arrives in several buffers')
    assert.equal(sha(Buffer.concat(got)), sha(share.subarray(123, 123 + 2 * 2 ** 20)))
    const tail = await client.readPieces(si, 4, share.byteLength - 5, 100)
    assert.equal(sha(Buffer.concat(tail)), sha(share.subarray(share.byteLength - 5)))
    assert.deepEqual(await client.readPieces(si, 4, 0, 0), [])
    await client.stop()
  })

  it('pipelines 16 MiB of writes with bounded memory and no round trip per chunk', async () => {
    const { node: serverNode, server } = await grid.server()
    const clientNode = await grid.node()
    const window = 4 * 2 ** 20
    const client = new StorageClient(clientNode, serverNode.getMultiaddrs()[0], { writeWindow: window })
    const si = storageIndex()
    const size = 16 * 2 ** 20
    await client.allocate(si, [3], size, lease())
    const hash = createHash('sha256')
    const chunk = 256 * 1024
    let maxPending = 0
    const t0 = Date.now()
    for (let off = 0; off < size; off += chunk) {
      const data = randomBytes(chunk)
      hash.update(data)
      await client.write(si, 3, off, data)
      maxPending = Math.max(maxPending, client.pendingWriteBytes)
    }
    await client.close(si, 3)
    const ms = Date.now() - t0
    const back = await client.read(si, 3, 0, size)
    assert.equal(sha(back), hash.digest('hex'))
    assert.deepEqual(await server.listShares(si), [{ shareNumber: 3, size }])
    // writes resolved before their acknowledgements (pipelined), never more than the window in flight
    assert.ok(maxPending > 2 * chunk, `at most ${maxPending} bytes were ever in flight: writes waited for acknowledgements`)
    assert.ok(maxPending <= window, `${maxPending} bytes in flight exceeds the ${window}-byte window`)
    assert.equal(client.pendingWriteBytes, 0)
    console.log(`      16 MiB pipelined upload: ${ms} ms (${(size / 2 ** 20 / (ms / 1000)).toFixed(0)} MiB/s), at most ${(maxPending / 2 ** 20).toFixed(2)} MiB in flight`)
    await client.stop()
  })

  it('adds a lease and reports corruption visibly on the server', async () => {
    const { node: serverNode, server } = await grid.server()
    const clientNode = await grid.node()
    const client = new StorageClient(clientNode, serverNode.getMultiaddrs()[0])
    const si = storageIndex()
    await client.allocate(si, [0], 10, lease())
    await client.write(si, 0, 0, new Uint8Array(10).fill(7))
    await client.close(si, 0)
    const before = server.usage(clientNode.peerId.toString())
    await client.addLease(si, lease())
    assert.ok(server.usage(clientNode.peerId.toString()).leases >= before.leases)
    await assert.rejects(client.addLease(storageIndex(), lease()), (err: Error) => err instanceof RemoteStorageError && err.code === 'ERR_NO_SUCH_SHARE')

    await client.adviseCorrupt(si, 0, 'block hash mismatch in segment 0')
    const reports = server.corruptionReports().recent
    assert.equal(reports.length, 1)
    assert.equal(reports[0].storageIndex, encodeStorageIndex(si))
    assert.equal(reports[0].shareNumber, 0)
    assert.equal(reports[0].reason, 'block hash mismatch in segment 0')
    assert.equal(reports[0].reportedBy, clientNode.peerId.toString())
    await client.stop()
  })

  it('an over-quota allocation is a RemoteStorageError ERR_QUOTA_EXCEEDED; the session and other clients go on', async () => {
    // Each share is charged at least 4096 bytes: three make 12288, over 10,000; two fit.
    const { node: serverNode } = await grid.server({ freeQuota: 10_000 })
    const alice = new StorageClient(await grid.node(), serverNode.getMultiaddrs()[0])
    const bob = new StorageClient(await grid.node(), serverNode.getMultiaddrs()[0])
    await assert.rejects(alice.allocate(storageIndex(), [0, 1, 2], 400, lease()), (err: Error) => {
      assert.ok(err instanceof RemoteStorageError)
      assert.equal(err.code, 'ERR_QUOTA_EXCEEDED')
      assert.equal(err.fatal, false)
      return true
    })
    // same session still works for Alice, and Bob is unaffected
    assert.deepEqual((await alice.allocate(storageIndex(), [0], 400, lease())).allocated, [0])
    const si = storageIndex()
    assert.deepEqual((await bob.allocate(si, [0, 1], 400, lease())).allocated, [0, 1])
    await bob.write(si, 0, 0, new Uint8Array(400).fill(1))
    await bob.close(si, 0)
    await alice.stop()
    await bob.stop()
  })

  it('an unexpected server failure is ERR_INTERNAL without internals in the message; the session goes on', async () => {
    const { node: serverNode, server } = await grid.server()
    const client = new StorageClient(await grid.node(), serverNode.getMultiaddrs()[0])
    const si = storageIndex()
    await client.allocate(si, [0], 4, lease())
    await client.write(si, 0, 0, Uint8Array.of(1, 2, 3, 4))
    await client.close(si, 0)
    // the share file turns into a directory: reading it fails with EISDIR
    const b32 = encodeStorageIndex(si)
    const file = join(server.dir, 'shares', b32.slice(0, 2), b32, '0')
    await rm(file)
    await mkdir(file)
    await assert.rejects(client.read(si, 0, 0, 4), (err: Error) => {
      assert.ok(err instanceof RemoteStorageError)
      assert.equal(err.code, 'ERR_INTERNAL')
      assert.equal(err.fatal, false)
      assert.doesNotMatch(err.message, /EISDIR|shares|\//)
      return true
    })
    assert.deepEqual(await client.listShares(si), [{ shareNumber: 0, size: 4 }])
    await client.stop()
  })
})
