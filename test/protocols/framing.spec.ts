import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { Uint8ArrayList } from 'uint8arraylist'
import { FrameReader, decodeVarint, encodeVarint, sendFrame, waitDrain } from '../../src/protocols/framing/index.js'
import { MessageTooLargeError, RequestTimeoutError, TruncatedFrameError } from '../../src/protocols/index.js'
import { Grid } from './helpers.js'
import type { Libp2p, Stream } from '@libp2p/interface'

const PROTOCOL = '/lafs-club/test-frames/1.0.0'

describe('protocols: framing', () => {
  it('varints round-trip and report incomplete or overlong prefixes', () => {
    for (const n of [0, 1, 127, 128, 300, 2 ** 20, 2 ** 28 - 1, 2 ** 31]) {
      const enc = encodeVarint(n)
      assert.deepEqual(decodeVarint(new Uint8ArrayList(enc)), { value: n, bytes: enc.byteLength })
      if (enc.byteLength > 1) assert.equal(decodeVarint(new Uint8ArrayList(enc.subarray(0, enc.byteLength - 1))), undefined)
    }
    assert.ok(Number.isNaN(decodeVarint(new Uint8ArrayList(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01)))?.value))
  })

  describe('FrameReader on real libp2p streams', () => {
    const grid = new Grid()
    let a: Libp2p
    let b: Libp2p
    let inbound: Promise<Stream>

    beforeEach(async () => {
      a = await grid.node()
      b = await grid.node()
      inbound = new Promise(resolve => {
        void b.handle(PROTOCOL, stream => { resolve(stream) })
      })
    })
    afterEach(async () => { await grid.cleanup() })

    async function pair (): Promise<{ out: Stream, into: Stream }> {
      const out = await a.dialProtocol(b.getMultiaddrs()[0], PROTOCOL)
      return { out, into: await inbound }
    }

    it('splits frames however the bytes are chunked, including empty frames', async () => {
      const { out, into } = await pair()
      const reader = new FrameReader(into, { maxFrameLength: 1000 })
      const bodies = [Uint8Array.of(1, 2, 3), new Uint8Array(0), randomBytes(300), Uint8Array.of(9)]
      const wire = Buffer.concat(bodies.flatMap(body => [encodeVarint(body.byteLength), body]))
      // one byte at a time, then several frames in one message
      for (let i = 0; i < 6; i++) out.send(wire.subarray(i, i + 1))
      out.send(wire.subarray(6))
      await out.close()
      for (const body of bodies) assert.deepEqual(Buffer.from((await reader.read())!.subarray()), Buffer.from(body))
      assert.equal(await reader.read(), undefined)
    })

    it('fails on an oversized length prefix', async () => {
      const { out, into } = await pair()
      const reader = new FrameReader(into, { maxFrameLength: 1000 })
      out.send(encodeVarint(1001))
      await assert.rejects(reader.read(), MessageTooLargeError)
    })

    it('fails when the stream ends mid-frame', async () => {
      const { out, into } = await pair()
      const reader = new FrameReader(into, { maxFrameLength: 1000 })
      out.send(Uint8Array.of(10, 1, 2, 3))
      await out.close()
      await assert.rejects(reader.read(), TruncatedFrameError)
    })

    it('fails when a started frame does not finish in time', async () => {
      const { out, into } = await pair()
      const reader = new FrameReader(into, { maxFrameLength: 1000, frameTimeoutMs: 200 })
      out.send(Uint8Array.of(2, 7, 8, 9, 10, 1))
      assert.deepEqual([...(await reader.read())!.subarray()], [7, 8])
      const t0 = Date.now()
      await assert.rejects(reader.read(), RequestTimeoutError)
      assert.ok(Date.now() - t0 >= 150)
    })

    it('pauses a fast sender for a slow consumer instead of buffering without bound', async function () {
      this.timeout(30_000)
      const { out, into } = await pair()
      const highWaterMark = 2 * 2 ** 20
      const reader = new FrameReader(into, { maxFrameLength: 2 ** 20, highWaterMark })
      const total = 24 * 2 ** 20
      const frameSize = 64 * 1024
      const sentHash = createHash('sha256')
      const sending = (async () => {
        for (let sent = 0; sent < total; sent += frameSize) {
          const body = randomBytes(frameSize)
          sentHash.update(body)
          if (!sendFrame(out, body)) await waitDrain(out)
        }
        await out.close()
      })()
      const gotHash = createHash('sha256')
      let received = 0
      let sawPause = false
      let maxBuffered = 0
      while (true) {
        const frame = await reader.read()
        if (frame == null) break
        gotHash.update(frame.subarray())
        received += frame.byteLength
        maxBuffered = Math.max(maxBuffered, reader.bufferedBytes)
        sawPause ||= into.readStatus === 'paused'
        // a consumer at roughly 50 MiB/s, far slower than the sender
        if (received % (1024 * 1024) === 0) await new Promise(resolve => setTimeout(resolve, 20))
      }
      await sending
      assert.equal(received, total)
      assert.equal(gotHash.digest('hex'), sentHash.digest('hex'))
      assert.ok(sawPause, 'the reader never paused the stream')
      assert.notEqual(into.status, 'reset')
      // what waits in the reader is bounded by the mark plus what one stream message can carry (yamux window)
      assert.ok(maxBuffered < highWaterMark + 16 * 2 ** 20, `reader held ${maxBuffered} bytes`)
    })
  })
})
