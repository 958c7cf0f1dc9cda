import assert from 'node:assert/strict'
import { HAVE_PROTOCOL, SlowDownError, queryHave } from '../../src/protocols/index.js'
import { FrameReader, encodeVarint } from '../../src/protocols/framing/index.js'
import { HaveRequest, HaveResponse } from '../../src/protocols/have/message/have.js'
import { Grid, lease, storageIndex } from './helpers.js'
import type { StorageServer } from '../../src/storage/index.js'

async function store (server: StorageServer, si: Uint8Array, shnums: number[]): Promise<void> {
  await server.allocate('12D3KooWStorer', si, shnums, 4, lease())
  for (const n of shnums) {
    await server.write('12D3KooWStorer', si, n, 0, Uint8Array.of(1, 2, 3, 4))
    await server.closeShare('12D3KooWStorer', si, n)
  }
}

describe('protocols: have-share query', () => {
  const grid = new Grid()
  afterEach(async () => { await grid.cleanup() })

  it('answers 1000 storage indexes in one request, in order', async () => {
    const { node: serverNode, server } = await grid.server()
    const client = await grid.node()
    const sis = Array.from({ length: 1000 }, storageIndex)
    await store(server, sis[0], [0, 5])
    await store(server, sis[500], [9])
    await store(server, sis[999], [1, 2, 3])
    const held = await queryHave(client, serverNode.getMultiaddrs()[0], sis)
    assert.equal(held.length, 1000)
    assert.deepEqual(held[0], [0, 5])
    assert.deepEqual(held[500], [9])
    assert.deepEqual(held[999], [1, 2, 3])
    assert.equal(held.filter(h => h.length > 0).length, 3)

    // the same question as exactly one frame on one stream
    const stream = await client.dialProtocol(serverNode.getMultiaddrs()[0], HAVE_PROTOCOL)
    const reader = new FrameReader(stream, { maxFrameLength: 2 ** 20 })
    const body = HaveRequest.encode({ storageIndexes: sis as Array<Uint8Array<ArrayBuffer>> })
    stream.send(Buffer.concat([encodeVarint(body.byteLength), body]))
    await stream.close()
    const res = HaveResponse.decode((await reader.read())!)
    assert.equal(res.error, undefined)
    assert.deepEqual(res.entries.map(e => e.shareNumbers), held)
  })

  it('splits more than 1000 indexes into several requests; the server refuses 1001 in one', async () => {
    const { node: serverNode, server } = await grid.server()
    const client = await grid.node()
    const sis = Array.from({ length: 1001 }, storageIndex)
    await store(server, sis[1000], [7])
    const held = await queryHave(client, serverNode.getMultiaddrs()[0], sis)
    assert.equal(held.length, 1001)
    assert.deepEqual(held[1000], [7])

    const stream = await client.dialProtocol(serverNode.getMultiaddrs()[0], HAVE_PROTOCOL)
    const reader = new FrameReader(stream, { maxFrameLength: 2 ** 20 })
    // hand-encode 1001 entries: the generated encoder would not enforce the limit either way
    const body = Buffer.concat(sis.map(si => Buffer.concat([Uint8Array.of(10, 16), si])))
    stream.send(Buffer.concat([encodeVarint(body.byteLength), body]))
    const res = HaveResponse.decode((await reader.read())!)
    assert.equal(res.error?.code, 'ERR_TOO_LARGE')
    assert.equal(res.entries.length, 0)
    assert.equal(HaveRequest.decode(body.subarray(0, 18 * 1000)).storageIndexes.length, 1000)
  })

  it('answers "slow down" with a retry time when hammered, then recovers; other peers are unaffected', async () => {
    const { node: serverNode } = await grid.server({}, { haveRateLimit: { tokensPerSecond: 2000, burst: 2000 } })
    const greedy = await grid.node()
    const polite = await grid.node()
    const addr = serverNode.getMultiaddrs()[0]
    const batch = Array.from({ length: 500 }, storageIndex)
    let slowDown: SlowDownError | undefined
    let answered = 0
    for (let i = 0; i < 20 && slowDown == null; i++) {
      try {
        await queryHave(greedy, addr, batch)
        answered++
      } catch (err) {
        if (!(err instanceof SlowDownError)) throw err
        slowDown = err
      }
    }
    assert.ok(slowDown != null, 'never told to slow down')
    assert.equal(slowDown.code, 'ERR_SLOW_DOWN')
    assert.ok(answered >= 4, `only ${answered} requests of 500 indexes fit a burst of 2000`)
    assert.ok(slowDown.retryAfterMs > 0 && slowDown.retryAfterMs <= 250, `retry after ${slowDown.retryAfterMs} ms`)
    // another peer has its own bucket
    assert.equal((await queryHave(polite, addr, batch)).length, 500)
    // after the advised wait, the greedy peer is served again
    await new Promise(resolve => setTimeout(resolve, slowDown.retryAfterMs + 20))
    assert.equal((await queryHave(greedy, addr, batch)).length, 500)
  })
})
