import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Uint8ArrayList } from 'uint8arraylist'
import { decodeVarint } from '../../src/protocols/framing/index.js'
import { Response } from '../../src/protocols/storage/message/storage.js'
import { decodeReadChunkFast, encodeReadChunkFrame } from '../../src/protocols/storage/read-chunk-frame.js'

function body (frame: Uint8ArrayList): Uint8ArrayList {
  const prefix = decodeVarint(frame)!
  assert.equal(prefix.value, frame.byteLength - prefix.bytes)
  return frame.sublist(prefix.bytes)
}

describe('protocols: the bulk read-answer frame', () => {
  for (const [id, size, last] of [[1, 0, true], [7, 1, false], [300, 127, true], [2 ** 21, 128, false], [5, 2 ** 20, true], [0, 1000, true]] as const) {
    it(`id ${id}, ${size} bytes, last=${last}: same bytes as the generated encoder, both decoders agree`, () => {
      const data = randomBytes(size)
      const frame = encodeReadChunkFrame(id, data, last)
      const generated = Response.encode({ id, read: { data, last } })
      assert.deepEqual(Buffer.from(body(frame).subarray()), Buffer.from(generated))
      const slow = Response.decode(body(frame))
      assert.equal(slow.id, id)
      assert.deepEqual(Buffer.from(slow.read!.data), data)
      assert.equal(slow.read!.last, last)
      // split into many pieces, as frames arrive from the network
      const pieces = new Uint8ArrayList()
      const flat = frame.subarray()
      for (let i = 0; i < flat.byteLength; i += 1000) pieces.append(flat.subarray(i, i + 1000))
      const fast = decodeReadChunkFast(body(pieces))!
      assert.equal(fast.id, id)
      assert.deepEqual(Buffer.from(fast.data.subarray()), data)
      assert.equal(fast.last, last)
    })
  }

  it('leaves every other message to the generated decoder', () => {
    assert.equal(decodeReadChunkFast(new Uint8ArrayList(Response.encode({ id: 3, ack: {} }))), undefined)
    assert.equal(decodeReadChunkFast(new Uint8ArrayList(Response.encode({ id: 3, error: { code: 'ERR_X', message: 'm', fatal: false } }))), undefined)
    // fields in another order are valid protobuf but not the canonical layout
    const reordered = Uint8Array.of(0x42, 0x03, 0x0a, 0x01, 0x09, 0x08, 0x05)
    assert.equal(decodeReadChunkFast(new Uint8ArrayList(reordered)), undefined)
    assert.equal(Response.decode(reordered).id, 5)
    // truncated or trailing bytes
    const good = body(encodeReadChunkFrame(4, Uint8Array.of(1, 2, 3), true)).subarray()
    assert.equal(decodeReadChunkFast(new Uint8ArrayList(good.subarray(0, good.byteLength - 1))), undefined)
    assert.equal(decodeReadChunkFast(new Uint8ArrayList(Buffer.concat([good, Uint8Array.of(0)]))), undefined)
  })
})
