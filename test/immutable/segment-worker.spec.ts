/**
 * The segment worker's decoding entry (runDecoding): blocks that are not
 * all primary are decoded into the worker's shared memory, and the answer
 * must be what hashing and decrypting the decoded segment on the heap gives;
 * a segment's plaintext is decrypted from its slot only when taken.
 * (A wrong answer would not break a download, only send every such segment
 * to the careful path, so this checks the fast path itself.)
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { encode } from '../../src/erasure/index.js'
import { ctrStreamAt } from '../../src/immutable/cipher.js'
import { blockHash, crypttextSegmentHash } from '../../src/immutable/hashes.js'
import { segmentWorker } from '../../src/immutable/segment-worker.js'

/** A block as the network delivers it: pieces of a Noise message's size. */
function pieces (block: Uint8Array, size = 65519): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let at = 0; at < block.length; at += size) out.push(block.slice(at, Math.min(block.length, at + size)))
  return out
}

describe('immutable: segment worker decoding and holding in its own memory', () => {
  const k = 3
  const n = 10
  const blockLen = Math.ceil(2 ** 20 / k)
  const primaries = Array.from({ length: k }, () => new Uint8Array(randomBytes(blockLen)))
  const shares = encode(k, n, primaries)
  const segment = Buffer.concat(primaries)
  const key = new Uint8Array(randomBytes(16))

  for (const shnums of [[0, 5, 8], [9, 4, 7], [2, 1, 6]]) {
    it(`shares ${shnums.join(',')}: block hashes of what was received, the segment's hash, the plaintext of a range`, async () => {
      const worker = segmentWorker()
      assert.ok(worker != null, 'the segment worker starts')
      // the segment's bytes at file offset 5 MiB + 1000, decrypting [1000, segment end - 7)
      const segmentLength = segment.length - 11
      const range = { key, fileOffset: 5 * 2 ** 20 + 1000, start: 1000, end: segmentLength - 7 }
      const got = await worker.runDecoding({ k, m: n, shnums, received: shnums.map(s => pieces(shares[s])), segmentLength, decrypt: range })
      assert.deepEqual(got.blockHashes.map(h => Buffer.from(h).toString('hex')), shnums.map(s => Buffer.from(blockHash(shares[s])).toString('hex')))
      assert.equal(Buffer.from(got.segmentHash).toString('hex'), Buffer.from(crypttextSegmentHash(segment.subarray(0, segmentLength))).toString('hex'))
      const expected = ctrStreamAt(key, range.fileOffset).update(segment.subarray(range.start, range.end))
      assert.ok(got.plaintext != null && Buffer.from(got.plaintext.take()).equals(Buffer.from(expected)), 'the plaintext of the range')
    })
  }

  it('a segment\'s plaintext waits in its slot until taken, while many others use the worker; taking it again answers the same bytes', async () => {
    const worker = segmentWorker()!
    const segmentOf = (): Uint8Array[] => Array.from({ length: k }, () => new Uint8Array(randomBytes(blockLen)))
    const range = (fileOffset: number): { key: Uint8Array, fileOffset: number, start: number, end: number } => ({ key, fileOffset, start: 0, end: k * blockLen })
    const first = segmentOf()
    const held = await worker.run({ blocks: first.map(b => pieces(b)), segmentLength: k * blockLen, decrypt: range(0) })
    // far more segments than the worker keeps slots for, each taken at once: a slot given back too early would be one of theirs
    for (let i = 1; i <= 40; i++) {
      const other = segmentOf()
      const got = await worker.run({ blocks: other.map(b => pieces(b)), segmentLength: k * blockLen, decrypt: range(i * 2 ** 20) })
      assert.ok(Buffer.from(got.plaintext!.take()).equals(ctrStreamAt(key, i * 2 ** 20).update(Buffer.concat(other))), `segment ${i}`)
    }
    const expected = ctrStreamAt(key, 0).update(Buffer.concat(first))
    const plain = held.plaintext!.take()
    assert.ok(Buffer.from(plain).equals(expected), 'the held segment is intact')
    assert.equal(held.plaintext!.take(), plain)
    assert.equal(held.plaintext!.byteLength, k * blockLen)
  })

  it('refuses blocks of different lengths (the fetcher then takes the careful path)', async () => {
    const worker = segmentWorker()!
    await assert.rejects(worker.runDecoding({ k, m: n, shnums: [0, 5, 8], received: [[shares[0]], [shares[5].subarray(1)], [shares[8]]], segmentLength: segment.length }),
      { name: 'SegmentWorkerError' })
  })
})
