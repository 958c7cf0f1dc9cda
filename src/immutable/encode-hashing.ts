/**
 * The hashes an upload computes over what it encodes: every block of every
 * share, every crypttext segment, and the whole crypttext. That is SHA-256
 * over about 5.3 times the file with k = 3, n = 10 (all n blocks, then the
 * segments, then the crypttext again), which on the thread that also runs
 * libp2p (Noise over n/k times the file, Yamux, socket writes) was a third
 * of an upload's main-thread time. A long upload hands each encoded
 * segment to the segment worker instead (segment-worker.ts): its blocks
 * are copied into a reused slot of shared memory and go on to the network
 * at once, and only the hashes come back, before the trees are built at
 * the end. Short uploads and processes without the worker hash inline.
 */
import { blockHash, TaggedHasher, TAGS } from './hashes.js'
import { segmentWorker, type SegmentWorkResult } from './segment-worker.js'
import type { ChkParams } from './params.js'

/** Uploads of at least this many segments hash on the worker: for fewer, the hand-off costs more than it frees. */
export const WORKER_MIN_SEGMENTS = 4
/**
 * Segments hashed on the worker at once, each in a slot of n blocks; the
 * encoder waits for the oldest before it starts another. Two keep the worker
 * busy while this thread encodes the next; more only held more memory.
 */
const IN_FLIGHT = 3

export interface EncodeHashes {
  /** Crypttext segment hashes, in segment order. */
  segmentHashes: Uint8Array[]
  /** Per share number, the block hashes of all its segments, 32 bytes each, back to back. */
  blockHashes: Uint8Array[]
  /** The hash of the whole crypttext (the UEB's crypttext_hash). */
  crypttextHash: Uint8Array
}

export interface EncodeHashing {
  /**
   * Hashes segment i's n blocks (the k primaries first; they begin with the
   * segment's `crypttextLength` bytes of crypttext, then any padding). Call
   * once per segment, in order. Resolves when the caller may go on, which is
   * before the hashing is done; the blocks may be reused at once.
   */
  add: (i: number, blocks: readonly Uint8Array[], crypttextLength: number) => Promise<void>
  /** Every hash, once the last segment has been added. */
  finish: () => Promise<EncodeHashes>
  /** Lets go of any state the worker holds for an upload that stopped early (idempotent). */
  close: () => void
}

/** The hashing for an upload of `p`: on the segment worker for long uploads when it runs, else inline. */
export function encodeHashing (p: ChkParams): EncodeHashing {
  const worker = p.numSegments >= WORKER_MIN_SEGMENTS ? segmentWorker() : undefined
  return worker === undefined ? inlineHashing(p) : workerHashing(p, worker)
}

function emptyHashes (p: ChkParams): EncodeHashes {
  return {
    segmentHashes: new Array<Uint8Array>(p.numSegments),
    blockHashes: Array.from({ length: p.n }, () => new Uint8Array(p.numSegments * 32)),
    crypttextHash: new Uint8Array(0)
  }
}

/** Feeds the first `length` bytes of the blocks, taken one after another, to `update`. */
function crypttextOf (blocks: readonly Uint8Array[], length: number, update: (piece: Uint8Array) => void): void {
  for (let j = 0; length > 0; j++) {
    const piece = blocks[j].subarray(0, Math.min(length, blocks[j].byteLength))
    update(piece)
    length -= piece.byteLength
  }
}

export function inlineHashing (p: ChkParams): EncodeHashing {
  const out = emptyHashes(p)
  const flat = new TaggedHasher(TAGS.crypttext)
  return {
    add: async (i, blocks, crypttextLength) => {
      const segment = new TaggedHasher(TAGS.crypttextSegment)
      crypttextOf(blocks.slice(0, p.k), crypttextLength, piece => { segment.update(piece); flat.update(piece) })
      out.segmentHashes[i] = segment.digest()
      blocks.forEach((b, s) => { out.blockHashes[s].set(blockHash(b), i * 32) })
    },
    finish: async () => ({ ...out, crypttextHash: flat.digest() }),
    close: () => {}
  }
}

function workerHashing (p: ChkParams, worker: NonNullable<ReturnType<typeof segmentWorker>>): EncodeHashing {
  const out = emptyHashes(p)
  const stream = worker.flatStream()
  const inFlight: Array<Promise<void>> = []
  let ended = false
  let closed = false
  const take = (i: number, r: SegmentWorkResult): void => {
    out.segmentHashes[i] = r.segmentHash
    r.blockHashes.forEach((h, s) => { out.blockHashes[s].set(h, i * 32) })
    if (r.crypttextHash !== undefined) out.crypttextHash = r.crypttextHash
  }
  return {
    add: async (i, blocks, crypttextLength) => {
      const end = i === p.numSegments - 1
      const pending = worker.hashEncoded({ blocks, segmentLength: crypttextLength, stream, end }).then(r => { take(i, r) })
      // observed by finish() or a later add(); this keeps a failure meanwhile from being unhandled
      pending.catch(() => {})
      inFlight.push(pending)
      ended ||= end
      while (inFlight.length >= IN_FLIGHT) await inFlight.shift()
    },
    finish: async () => {
      while (inFlight.length > 0) await inFlight.shift()
      if (!ended || out.crypttextHash.byteLength === 0) throw new Error('internal: the whole-crypttext hash was asked for before the last segment was hashed')
      closed = true
      return out
    },
    close: () => {
      if (closed) return
      closed = true
      if (!ended) worker.dropFlat(stream)
    }
  }
}
