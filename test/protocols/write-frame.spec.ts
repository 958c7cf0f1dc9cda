import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Uint8ArrayList } from 'uint8arraylist'
import { decodeVarint } from '../../src/protocols/framing/index.js'
import { Request } from '../../src/protocols/storage/message/storage.js'
import { decodeWriteFast, encodeWriteFrame } from '../../src/protocols/storage/write-frame.js'

function body (frame: Uint8ArrayList): Uint8ArrayList {
  const prefix = decodeVarint(frame)!
  assert.equal(prefix.value, frame.byteLength - prefix.bytes)
  return frame.sublist(prefix.bytes)
}

/** The frame cut into pieces of `size` bytes, as the network delivers it. */
function chopped (frame: Uint8ArrayList, size: number): Uint8ArrayList {
  const flat = frame.subarray()
  const out = new Uint8ArrayList()
  for (let i = 0; i < flat.byteLength; i += size) out.append(flat.subarray(i, i + size))
  return out
}

const joined = (pieces: readonly Uint8Array[]): Buffer => Buffer.concat(pieces)

describe('protocols: the bulk write request frame', () => {
  const cases: Array<[id: number, shareNumber: number, offset: number, pieceSizes: number[]]> = [
    [1, 0, 0, [0]],
    [2, 9, 12, [1]],
    [300, 255, 2 ** 20, [43_691, 43_691, 43_691]],
    [2 ** 21, 3, 2 ** 40 + 7, [1000, 0, 5]],
    [7, 1, 2 ** 53 - 1, [128]]
  ]
  for (const [id, shareNumber, offset, sizes] of cases) {
    it(`id ${id}, share ${shareNumber}, offset ${offset}, pieces ${sizes.join('+')}: the generated decoder and the fast one agree`, () => {
      const storageIndex = randomBytes(16)
      const data = sizes.map(n => randomBytes(n))
      const frame = encodeWriteFrame(id, { storageIndex, shareNumber, offset, data })
      const slow = Request.decode(body(frame))
      assert.equal(slow.id, id)
      assert.deepEqual(Buffer.from(slow.write!.storageIndex), storageIndex)
      assert.equal(slow.write!.shareNumber, shareNumber)
      assert.equal(slow.write!.offset, offset)
      assert.deepEqual(Buffer.from(slow.write!.data), joined(data))
      for (const size of [1, 7, 4096, 1 << 30]) {
        const fast = decodeWriteFast(body(chopped(frame, size)))!
        assert.equal(fast.id, id)
        assert.deepEqual(Buffer.from(fast.storageIndex), storageIndex)
        assert.equal(fast.shareNumber, shareNumber)
        assert.equal(fast.offset, offset)
        assert.deepEqual(joined(fast.data), joined(data))
      }
    })
  }

  it('shares the data pieces instead of copying them', () => {
    const data = [randomBytes(5000), randomBytes(3000)]
    const frame = encodeWriteFrame(4, { storageIndex: randomBytes(16), shareNumber: 2, offset: 0, data })
    const fast = decodeWriteFast(body(frame))!
    assert.equal(fast.data.length, 2)
    assert.equal(fast.data[0].buffer, data[0].buffer)
    assert.equal(fast.data[1].buffer, data[1].buffer)
  })

  it('reads writes made by the generated encoder, and leaves every other request to it', () => {
    const storageIndex = randomBytes(16)
    const data = randomBytes(777)
    const generated = new Uint8ArrayList(Request.encode({ id: 9, write: { storageIndex, shareNumber: 0, offset: 0, data } }))
    const fast = decodeWriteFast(generated)!
    assert.equal(fast.id, 9)
    assert.equal(fast.shareNumber, 0)
    assert.equal(fast.offset, 0)
    assert.deepEqual(joined(fast.data), data)
    assert.equal(decodeWriteFast(new Uint8ArrayList(Request.encode({ id: 3, close: { storageIndex, shareNumber: 1 } }))), undefined)
    assert.equal(decodeWriteFast(new Uint8ArrayList(Request.encode({ id: 3, read: { storageIndex, shareNumber: 1, offset: 0, length: 5 } }))), undefined)
    // an unknown field inside the write, a length running past the end, a truncated varint
    assert.equal(decodeWriteFast(new Uint8ArrayList(Uint8Array.of(0x08, 0x01, 0x22, 0x02, 0x28, 0x01))), undefined)
    assert.equal(decodeWriteFast(new Uint8ArrayList(Uint8Array.of(0x08, 0x01, 0x22, 0x03, 0x22, 0x05, 0x00))), undefined)
    assert.equal(decodeWriteFast(new Uint8ArrayList(Uint8Array.of(0x08, 0x01, 0x22, 0x02, 0x18, 0x80))), undefined)
    assert.equal(decodeWriteFast(new Uint8ArrayList(Uint8Array.of(0x08, 0x81))), undefined)
  })
})
