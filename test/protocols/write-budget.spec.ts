import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { FrameReader, encodeFrame } from '../../src/protocols/framing/index.js'
import { STORAGE_PROTOCOL, StorageClient } from '../../src/protocols/index.js'
import { Request, Response } from '../../src/protocols/storage/message/storage.js'
import { WriteBudget } from '../../src/protocols/storage/write-budget.js'
import { encodeWriteFrame } from '../../src/protocols/storage/write-frame.js'
import { Grid, eventually, lease, storageIndex } from './helpers.js'

const MiB = 2 ** 20

describe('protocols: the storage write budget', () => {
  const grid = new Grid()
  afterEach(async () => { await grid.cleanup() })

  it('accounts per session and in total; a session holding nothing may always read', () => {
    const budget = new WriteBudget({ totalBytes: 3 * MiB, sessionBytes: 2 * MiB })
    const a = budget.share()
    const b = budget.share()
    assert.equal(a.exhausted, false)
    a.take(2 * MiB)
    assert.equal(a.exhausted, true, 'over its own share')
    b.take(MiB)
    assert.equal(budget.used, 3 * MiB)
    assert.equal(b.exhausted, true, 'the total is spent')
    const c = budget.share()
    assert.equal(c.exhausted, false, 'a session holding nothing is never starved')
    let woken = 0
    const stop = b.onRoom(() => { woken++ })
    a.give(MiB)
    assert.equal(woken, 1)
    assert.equal(b.exhausted, false)
    stop()
    a.dispose()
    b.dispose()
    assert.equal(budget.used, 0)
    assert.throws(() => new WriteBudget({ totalBytes: 0 }), RangeError)
  })

  it('honest uploads through a tiny budget stay correct (readers pause and resume)', async () => {
    const { node: serverNode } = await grid.server({}, { writeBudget: { totalBytes: 2 * MiB, sessionBytes: 1.5 * MiB } })
    const shares = await Promise.all(Array.from({ length: 3 }, async () => {
      const client = new StorageClient(await grid.node(), serverNode.getMultiaddrs()[0])
      const si = storageIndex()
      const data = randomBytes(6 * MiB + 17)
      await client.allocate(si, [0], data.byteLength, lease())
      await client.write(si, 0, 0, data)
      await client.close(si, 0)
      return { client, si, data }
    }))
    for (const { client, si, data } of shares) {
      assert.ok(Buffer.from(await client.read(si, 0, 0, data.byteLength)).equals(data))
      await client.stop()
    }
  })

  it('sessions each holding part of a frame while the budget is spent still finish their frames', async () => {
    const { node: serverNode } = await grid.server({}, { writeBudget: { totalBytes: MiB, sessionBytes: MiB } })
    const writer = await grid.node()
    const client = new StorageClient(writer, serverNode.getMultiaddrs()[0])
    const sis = Array.from({ length: 4 }, () => storageIndex())
    for (const si of sis) await client.allocate(si, [0], MiB, lease())
    await client.stop() // its session would take one of the connection's 4
    const acks = await Promise.all(sis.map(async (si, i) => {
      const stream = await writer.dialProtocol(serverNode.getMultiaddrs()[0], STORAGE_PROTOCOL)
      const got = new Promise<Response>((resolve, reject) => {
        const reader = new FrameReader(stream, { maxFrameLength: 2 * MiB })
        reader.read().then(f => { if (f == null) reject(new Error('no answer')); else resolve(Response.decode(f)) }, reject)
      })
      const frame = encodeWriteFrame(1, { storageIndex: si, shareNumber: 0, offset: 0, data: [randomBytes(MiB)] }).subarray()
      // every session first sends 600 KiB of its frame: together more than the whole budget
      stream.send(frame.subarray(0, 600 * 1024))
      await new Promise(resolve => setTimeout(resolve, 200 + 10 * i))
      stream.send(frame.subarray(600 * 1024))
      return await got
    }))
    for (const ack of acks) assert.equal(ack.write?.complete, true, JSON.stringify(ack.error))
  })

  it('keeps a session whose write frame arrives slowly but steadily (a slow uplink shared by ten uploads)', async () => {
    const STALL = 300
    const { node: serverNode } = await grid.server({}, { budgetStallMs: STALL })
    const writer = await grid.node()
    const client = new StorageClient(writer, serverNode.getMultiaddrs()[0])
    const si = storageIndex()
    await client.allocate(si, [0], MiB, lease())
    await client.stop()
    const stream = await writer.dialProtocol(serverNode.getMultiaddrs()[0], STORAGE_PROTOCOL)
    const got = new Promise<Response>((resolve, reject) => {
      const reader = new FrameReader(stream, { maxFrameLength: 2 * MiB })
      reader.read().then(f => { if (f == null) reject(new Error('no answer')); else resolve(Response.decode(f)) }, reject)
    })
    const frame = encodeWriteFrame(1, { storageIndex: si, shareNumber: 0, offset: 0, data: [randomBytes(MiB)] }).subarray()
    // eight pieces, one every half stall: the frame takes four times the stall to arrive
    const piece = Math.ceil(frame.byteLength / 8)
    for (let at = 0; at < frame.byteLength; at += piece) {
      stream.send(frame.subarray(at, at + piece))
      await new Promise(resolve => setTimeout(resolve, STALL / 2))
    }
    const ack = await got
    assert.equal(ack.write?.complete, true, JSON.stringify(ack.error))
    assert.equal(stream.status, 'open', 'the session was not reset while its bytes kept coming')
    stream.abort(new Error('done'))
  })

  it('resets a session that holds budget and neither handles requests nor sends answers', async () => {
    const STALL = 300
    const { node: serverNode } = await grid.server({}, { budgetStallMs: STALL })
    const client = new StorageClient(await grid.node(), serverNode.getMultiaddrs()[0])
    const readSi = storageIndex()
    await client.allocate(readSi, [0], 2 * MiB, lease())
    await client.write(readSi, 0, 0, randomBytes(2 * MiB))
    await client.close(readSi, 0)

    const stream = await (await grid.node()).dialProtocol(serverNode.getMultiaddrs()[0], STORAGE_PROTOCOL)
    stream.pause() // read nothing: the read answer below stalls the session
    const si = new Uint8Array(16)
    si.set(storageIndex())
    const secrets = { renewSecret: new Uint8Array(32), cancelSecret: new Uint8Array(32) }
    stream.send(encodeFrame(Request.encode({ id: 1, allocate: { storageIndex: si, shareNumbers: [0], shareSize: MiB, lease: secrets } })))
    const rsi = new Uint8Array(16)
    rsi.set(readSi)
    stream.send(encodeFrame(Request.encode({ id: 2, read: { storageIndex: rsi, shareNumber: 0, offset: 0, length: 2 * MiB } })))
    stream.send(encodeWriteFrame(3, { storageIndex: si, shareNumber: 0, offset: 0, data: [randomBytes(MiB)] }))
    const t0 = Date.now()
    // the request timeout (30 s) is far away: only the stall rule can end it this soon
    await eventually(() => stream.status !== 'open', 5000, 'the stalled session was not reset')
    assert.ok(Date.now() - t0 >= STALL - 50)
    await client.version() // the server still serves
    await client.stop()
  })
})
