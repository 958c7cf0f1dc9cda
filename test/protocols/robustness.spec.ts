import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { FrameReader, encodeVarint } from '../../src/protocols/framing/index.js'
import { RemoteStorageError, STORAGE_PROTOCOL, StorageClient, StreamClosedError, registerStorageProtocols } from '../../src/protocols/index.js'
import { Request, Response } from '../../src/protocols/storage/message/storage.js'
import { Grid, eventually, lease, storageIndex } from './helpers.js'
import type { Libp2p, Stream } from '@libp2p/interface'

/** Collects every answer frame until the server ends the stream. */
async function answers (stream: Stream): Promise<{ responses: Response[], ended: boolean }> {
  const reader = new FrameReader(stream, { maxFrameLength: 2 * 2 ** 20 })
  const responses: Response[] = []
  try {
    while (true) {
      const frame = await reader.read()
      if (frame == null) return { responses, ended: true }
      responses.push(Response.decode(frame))
    }
  } catch {
    return { responses, ended: true }
  }
}

function frame (body: Uint8Array): Uint8Array {
  return Buffer.concat([encodeVarint(body.byteLength), body])
}

describe('protocols: a storage server survives bad clients', () => {
  const grid = new Grid()
  let serverNode: Libp2p
  let clientNode: Libp2p
  const REQUEST_TIMEOUT = 400

  beforeEach(async () => {
    ({ node: serverNode } = await grid.server({}, { requestTimeoutMs: REQUEST_TIMEOUT }))
    clientNode = await grid.node()
  })
  afterEach(async () => { await grid.cleanup() })

  /** A well-behaved client on a fresh node must still get full service. */
  async function assertStillServes (): Promise<void> {
    const client = new StorageClient(await grid.node(), serverNode.getMultiaddrs()[0])
    const si = storageIndex()
    assert.deepEqual((await client.allocate(si, [0], 5, lease())).allocated, [0])
    await client.write(si, 0, 0, Uint8Array.of(1, 2, 3, 4, 5))
    await client.close(si, 0)
    assert.deepEqual(await client.read(si, 0, 0, 5), Uint8Array.of(1, 2, 3, 4, 5))
    await client.stop()
  }

  async function rawStream (): Promise<Stream> {
    return await clientNode.dialProtocol(serverNode.getMultiaddrs()[0], STORAGE_PROTOCOL)
  }

  function assertFatal (responses: Response[], code: string): void {
    assert.equal(responses.length, 1, `expected one answer, got ${JSON.stringify(responses.map(r => r.error))}`)
    assert.equal(responses[0].error?.code, code)
    assert.equal(responses[0].error?.fatal, true)
  }

  it('garbage bytes: ERR_MALFORMED, stream closed', async () => {
    const stream = await rawStream()
    const got = answers(stream)
    stream.send(frame(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff)))
    const { responses, ended } = await got
    assertFatal(responses, 'ERR_MALFORMED')
    assert.ok(ended)
    await assertStillServes()
  })

  it('a well-formed frame with no request body: ERR_MALFORMED', async () => {
    const stream = await rawStream()
    const got = answers(stream)
    stream.send(frame(Request.encode({ id: 1 })))
    assertFatal((await got).responses, 'ERR_MALFORMED')
    await assertStillServes()
  })

  it('an oversized frame: ERR_TOO_LARGE before the body is even sent', async () => {
    const stream = await rawStream()
    const got = answers(stream)
    stream.send(encodeVarint(64 * 2 ** 20))
    stream.send(randomBytes(1000))
    assertFatal((await got).responses, 'ERR_TOO_LARGE')
    await assertStillServes()
  })

  it('a write above 1 MiB inside a frame that fits: ERR_TOO_LARGE', async () => {
    const stream = await rawStream()
    const got = answers(stream)
    stream.send(frame(Request.encode({ id: 1, write: { storageIndex: storageIndex() as Uint8Array<ArrayBuffer>, shareNumber: 0, offset: 0, data: new Uint8Array(2 ** 20 + 1) } })))
    const { responses } = await got
    // the frame limit leaves a little room for headers, so either check may fire; both are ERR_TOO_LARGE
    assertFatal(responses, 'ERR_TOO_LARGE')
    await assertStillServes()
  })

  it('a truncated message (stream closed mid-frame): ERR_TRUNCATED', async () => {
    const stream = await rawStream()
    const got = answers(stream)
    const whole = frame(Request.encode({ id: 1, listShares: { storageIndex: storageIndex() as Uint8Array<ArrayBuffer> } }))
    stream.send(whole.subarray(0, whole.byteLength - 5))
    await stream.close()
    assertFatal((await got).responses, 'ERR_TRUNCATED')
    await assertStillServes()
  })

  it('out of order: a repeated request id is ERR_OUT_OF_ORDER', async () => {
    const stream = await rawStream()
    const got = answers(stream)
    const si = storageIndex() as Uint8Array<ArrayBuffer>
    stream.send(frame(Request.encode({ id: 5, listShares: { storageIndex: si } })))
    stream.send(frame(Request.encode({ id: 5, listShares: { storageIndex: si } })))
    const { responses } = await got
    assert.equal(responses.length, 2)
    assert.deepEqual(responses[0].listShares, { shares: [] })
    assert.equal(responses[1].error?.code, 'ERR_OUT_OF_ORDER')
    assert.equal(responses[1].error?.fatal, true)
    await assertStillServes()
  })

  it('out of order: write before allocate closes the session; the client reopens for the next request', async () => {
    const client = new StorageClient(clientNode, serverNode.getMultiaddrs()[0])
    const si = storageIndex()
    await client.write(si, 0, 0, new Uint8Array(100))
    await assert.rejects(client.flush(), (err: Error) => {
      assert.ok(err instanceof RemoteStorageError)
      assert.equal(err.code, 'ERR_NO_SUCH_UPLOAD')
      assert.equal(err.fatal, true)
      return true
    })
    assert.deepEqual((await client.allocate(si, [0], 100, lease())).allocated, [0])
    await client.write(si, 0, 0, new Uint8Array(100))
    await client.close(si, 0)
    await client.stop()
    await assertStillServes()
  })

  it('a stream that never sends a request: ERR_TIMEOUT after the request timeout', async () => {
    const stream = await rawStream()
    const t0 = Date.now()
    const { responses } = await answers(stream)
    const waited = Date.now() - t0
    assertFatal(responses, 'ERR_TIMEOUT')
    assert.ok(waited >= REQUEST_TIMEOUT - 50 && waited < REQUEST_TIMEOUT + 5000, `answered after ${waited} ms`)
    await assertStillServes()
  })

  it('a stream that goes silent mid-request: ERR_TIMEOUT', async () => {
    const stream = await rawStream()
    const got = answers(stream)
    const si = storageIndex() as Uint8Array<ArrayBuffer>
    stream.send(frame(Request.encode({ id: 1, listShares: { storageIndex: si } })))
    const whole = frame(Request.encode({ id: 2, listShares: { storageIndex: si } }))
    stream.send(whole.subarray(0, 4))
    const { responses } = await got
    assert.equal(responses.length, 2)
    assert.deepEqual(responses[0].listShares, { shares: [] })
    assert.equal(responses[1].error?.code, 'ERR_TIMEOUT')
    assert.equal(responses[1].error?.fatal, true)
    await assertStillServes()
  })

  it('many bad streams at once do not disturb a good upload in progress', async () => {
    const client = new StorageClient(await grid.node(), serverNode.getMultiaddrs()[0])
    const si = storageIndex()
    const data = randomBytes(4 * 2 ** 20)
    await client.allocate(si, [0], data.byteLength, lease())
    const upload = (async () => { await client.write(si, 0, 0, data); await client.close(si, 0) })()
    // two connections: the server takes at most 4 storage sessions on one
    const other = await grid.node()
    const bad = await Promise.all(Array.from({ length: 6 }, async (_, i) => {
      const stream = i < 3 ? await rawStream() : await other.dialProtocol(serverNode.getMultiaddrs()[0], STORAGE_PROTOCOL)
      const got = answers(stream)
      if (i % 3 === 0) stream.send(frame(randomBytes(50)))
      else if (i % 3 === 1) stream.send(encodeVarint(2 ** 30))
      else { stream.send(Uint8Array.of(10, 1, 2)); await stream.close() }
      return await got
    }))
    for (const { responses } of bad) assert.equal(responses.at(-1)?.error?.fatal, true)
    await upload
    assert.deepEqual(Buffer.from(await client.read(si, 0, 0, data.byteLength)).equals(data), true)
    await client.stop()
  })

  it('the server closes an idle session itself; the client\'s next request opens a new one transparently', async () => {
    await grid.cleanup()
    const IDLE = 150
    ;({ node: serverNode } = await grid.server({}, { idleTimeoutMs: IDLE }))
    const node = await grid.node()
    // The client's own idle timeout is 60 s: a close within seconds can only come from the server.
    const client = new StorageClient(node, serverNode.getMultiaddrs()[0])
    await client.version()
    const storageStreams = (from: Libp2p, to: Libp2p): Stream[] =>
      from.getConnections(to.peerId).flatMap(c => c.streams).filter(s => s.protocol === STORAGE_PROTOCOL)
    const [clientSide] = storageStreams(node, serverNode)
    const [serverSide] = storageStreams(serverNode, node)
    assert.equal(clientSide?.status, 'open')
    assert.equal(serverSide?.status, 'open')
    const t0 = Date.now()
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error('the server did not close the idle session within 10 s')) }, 10_000)
      clientSide.addEventListener('remoteCloseWrite', () => { clearTimeout(timer); resolve(Date.now() - t0) }, { once: true })
    })
    assert.ok(closedAfter >= IDLE - 50, `closed after ${closedAfter} ms, before the ${IDLE} ms idle time`)
    // Both ends of that stream finish closing: the server's session is over, not just quiet.
    await eventually(() => serverSide.status === 'closed' && clientSide.status === 'closed', 5000, `stream still ${serverSide.status} on the server, ${clientSide.status} on the client`)
    assert.deepEqual(storageStreams(serverNode, node), [], 'the server holds no storage session for this client')

    const si = storageIndex()
    assert.deepEqual(await client.listShares(si), [])
    const reopened = storageStreams(node, serverNode)
    assert.equal(reopened.length, 1)
    assert.notEqual(reopened[0], clientSide, 'the request went on a new session')
    await client.stop()
    await assert.rejects(client.version(), (err: Error) => (err as { code?: string }).code === 'ERR_CLIENT_STOPPED')
  })

  it('a read or list request whose session dies under it is sent once more on a new session; a close is not', async () => {
    const node = await grid.node()
    const dialled: Stream[] = []
    const opener = { dialProtocol: async (...args: Parameters<Libp2p['dialProtocol']>) => { const s = await node.dialProtocol(...args); dialled.push(s); return s } }
    const client = new StorageClient(opener, serverNode.getMultiaddrs()[0])
    const si = storageIndex()
    const data = randomBytes(3 * 2 ** 20)
    await client.allocate(si, [0], data.byteLength, lease())
    await client.write(si, 0, 0, data)
    await client.close(si, 0)
    assert.equal(dialled.length, 1)
    // The session's stream dies once the next request is handed to it (as when the server closes an idle session just as it is used) ...
    const cutAfterNextSend = (): void => {
      const stream = dialled.at(-1) as Stream
      const send = stream.send.bind(stream)
      stream.send = (data) => { stream.send = send; const ok = send(data); stream.abort(new Error('cut')); return ok }
    }
    // ... or once part of the answer has arrived.
    const cutOnFirstAnswer = (): void => {
      const stream = dialled.at(-1) as Stream
      stream.addEventListener('message', () => { queueMicrotask(() => { stream.abort(new Error('cut')) }) }, { once: true })
    }
    cutOnFirstAnswer()
    assert.ok(Buffer.from(await client.read(si, 0, 0, data.byteLength)).equals(data), 'a read cut after its first piece, retried whole')
    assert.equal(dialled.length, 2)
    cutAfterNextSend()
    assert.ok(Buffer.concat(await client.readPieces(si, 0, 0, data.byteLength)).equals(data))
    assert.equal(dialled.length, 3)
    cutAfterNextSend()
    assert.deepEqual(await client.listShares(si), [{ shareNumber: 0, size: data.byteLength }])
    assert.equal(dialled.length, 4)
    // Not idempotent: whether a cut-off close reached the server is the caller's to find out.
    const si2 = storageIndex()
    await client.allocate(si2, [1], 10, lease())
    await client.write(si2, 1, 0, new Uint8Array(10))
    await client.flush()
    cutAfterNextSend()
    await assert.rejects(client.close(si2, 1), (err: Error) => err instanceof StreamClosedError)
    assert.equal(dialled.length, 4, 'no second try')
    await client.stop()
  })
})

describe('protocols: a storage client survives bad servers', () => {
  const grid = new Grid()
  afterEach(async () => { await grid.cleanup() })

  it('a server that never answers: RequestTimeoutError, then the client works against a good server', async () => {
    const silent = await grid.node()
    await silent.handle(STORAGE_PROTOCOL, () => { /* accepts the stream, never answers */ })
    const node = await grid.node()
    const client = new StorageClient(node, silent.getMultiaddrs()[0], { requestTimeoutMs: 300 })
    const t0 = Date.now()
    await assert.rejects(client.version(), (err: Error) => (err as { code?: string }).code === 'ERR_TIMEOUT')
    assert.ok(Date.now() - t0 < 5000)
    await client.stop()
    const { node: good } = await grid.server()
    const other = new StorageClient(node, good.getMultiaddrs()[0])
    assert.equal(typeof (await other.version()).applicationVersion, 'string')
    await other.stop()
  })

  it('a server answering garbage: ERR_MALFORMED on the client, no crash', async () => {
    const liar = await grid.node()
    await liar.handle(STORAGE_PROTOCOL, stream => { stream.send(frame(Uint8Array.of(0xff, 0xff, 0xff))) })
    const client = new StorageClient(await grid.node(), liar.getMultiaddrs()[0])
    await assert.rejects(client.listShares(storageIndex()), (err: Error) => (err as { code?: string }).code === 'ERR_MALFORMED')
    await client.stop()
  })

  it('after unregistering, the node no longer speaks the protocol and open sessions end', async () => {
    const { node: serverNode, server } = await grid.server()
    const extra = await grid.node()
    const unregister = await registerStorageProtocols(extra, server)
    const client = new StorageClient(await grid.node(), extra.getMultiaddrs()[0])
    await client.version()
    await unregister()
    await assert.rejects(client.version())
    assert.ok(serverNode.getProtocols().includes(STORAGE_PROTOCOL))
    assert.ok(!extra.getProtocols().includes(STORAGE_PROTOCOL))
    await client.stop()
  })
})
