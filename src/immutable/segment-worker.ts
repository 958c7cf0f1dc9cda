/**
 * Hashing of downloaded segments on a worker thread.
 *
 * A download spends most of its own CPU on SHA-256 (every block, then every
 * segment: twice the file); the thread that runs libp2p (Noise, Yamux,
 * framing) is the bottleneck, and a second core is usually idle. So a long
 * read hands each segment's k primary blocks to one worker: the main thread
 * copies them into a slot of shared memory (slots are reused, so the copy
 * lands in memory that is already mapped), the worker returns the block
 * hashes and the segment hash, and the main thread checks them against the
 * trees before it releases a byte. Nothing is trusted from the worker that
 * the main thread would not have computed. The slot then holds the segment
 * until its reader takes it, and the range the reader wants is decrypted
 * from the slot at that moment (HeldPlaintext).
 *
 * The worker is plain JavaScript evaluated from a string (no loader, works
 * the same from dist/ and under tsx), unref'd, and shared by all downloads.
 * If it cannot start or dies, callers fall back to hashing inline.
 */
import { Worker } from 'node:worker_threads'
import { decode as zfecDecode } from '../erasure/index.js'
import { ctrStreamAt } from './cipher.js'
import { netstring, TAGS } from './hashes.js'

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { createHash } = require('node:crypto')
const { blockPrefix, segmentPrefix } = workerData
const tagged = (prefix, view) => createHash('sha256').update(createHash('sha256').update(prefix).update(view).digest()).digest()
parentPort.on('message', m => {
  try {
    const view = new Uint8Array(m.sab, 0, m.used)
    const hashes = new Uint8Array(32 * (m.blocks.length + 1))
    m.blocks.forEach(([start, end], j) => hashes.set(tagged(blockPrefix, view.subarray(start, end)), 32 * j))
    hashes.set(tagged(segmentPrefix, view.subarray(0, m.segmentLength)), 32 * m.blocks.length)
    parentPort.postMessage({ id: m.id, hashes })
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String((err && err.message) || err) })
  }
})
`

export interface SegmentWork {
  /** The k primary blocks of the segment, each as the pieces it arrived in. */
  blocks: readonly Uint8Array[][]
  /** Crypttext bytes in the segment (the k blocks minus tail padding). */
  segmentLength: number
  /** Decrypt segment bytes [start, end), which sit at file offset `fileOffset`. */
  decrypt?: { key: Uint8Array, fileOffset: number, start: number, end: number }
}

export interface SegmentWorkResult {
  /** Tahoe block hash of each block received (`blocks`, or `received` of DecodeWork), in order. */
  blockHashes: Uint8Array[]
  /** Tahoe crypttext segment hash of the first segmentLength bytes. */
  segmentHash: Uint8Array
  /** The range asked for in `decrypt`, decrypted when taken. */
  plaintext?: HeldPlaintext
}

/**
 * A checked segment's range, decrypted when its reader takes it, straight
 * from the worker's slot, which is held until then. A spreading download
 * keeps up to 8 MiB of segments ahead of its reader; decrypted at once
 * into buffers of their own, they lived long enough for V8 to move them to
 * the old generation, where only a full collection frees them, and V8
 * starts one whenever such memory has grown by 64 MiB (bench:serve-perf:
 * the client's collector was the largest CPU cost of a download after the
 * CHK work). Slots are reused, so waiting in one costs the collector
 * nothing. One never taken is left to the collector with its slot.
 */
export interface HeldPlaintext {
  readonly byteLength: number
  /** The plaintext in a buffer of its own; the first call gives the slot back, later calls answer the same buffer. */
  take: () => Uint8Array
}

/** k blocks of a segment, not all primary, to decode and then hash and decrypt as SegmentWork. */
export interface DecodeWork {
  k: number
  /** Shares in all (the code's n). */
  m: number
  /** The share number of each received block. */
  shnums: readonly number[]
  /** The k received blocks, each as the pieces it arrived in; all of one length. */
  received: readonly Uint8Array[][]
  segmentLength: number
  decrypt?: SegmentWork['decrypt']
}

interface Reply { id: number, hashes?: Uint8Array, error?: string }

/**
 * What the worker keeps for reuse once downloads are done with it: free
 * slots up to this many bytes in all, and no slot or mirror bigger than
 * KEEP_AT_MOST (the 1 MiB segments uploads make by default need 1.7 MiB
 * slots when decoding). A burst of downloads of huge segments would
 * otherwise leave their memory held for the life of the process.
 */
const FREE_SLOTS_BYTES = 32 * 2 ** 20
const KEEP_AT_MOST = 4 * 2 ** 20
interface Pending { resolve: (r: Reply) => void, reject: (e: Error) => void }

export class SegmentWorkerError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'SegmentWorkerError'
  }
}

class SegmentWorker {
  private readonly worker: Worker
  private readonly pending = new Map<number, Pending>()
  /** Slots given back: as many as a spreading download keeps ahead of its reader (up to 32 segments). */
  private readonly free: SharedArrayBuffer[] = []
  private nextId = 1
  /** Where a segment is put together before one copy into its slot (mirrorOf). */
  private mirror = new Uint8Array(0)
  dead?: Error

  constructor () {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // Plain CommonJS needing no flags: the parent's (a loader, --input-type=module) could only break it.
      execArgv: [],
      workerData: { blockPrefix: netstring(TAGS.block), segmentPrefix: netstring(TAGS.crypttextSegment) }
    })
    this.worker.on('message', (r: Reply) => { this.settle(r) })
    this.worker.on('error', err => { this.die(err) })
    this.worker.on('exit', code => { this.die(new SegmentWorkerError(`segment worker exited with code ${code}`)) })
    // After the listeners: adding a 'message' listener refs the worker's port again.
    this.worker.unref()
  }

  async run (work: SegmentWork): Promise<SegmentWorkResult> {
    if (this.dead != null) throw this.dead
    const used = work.blocks.reduce((n, pieces) => n + byteSize(pieces), 0)
    const slot = this.takeSlot(used)
    const mirror = this.mirrorOf(used)
    // The blocks one after another are the segment, whose hash covers a prefix of the slot.
    let at = 0
    const ranges = work.blocks.map((pieces): [number, number] => {
      const start = at
      at = copyPieces(mirror, pieces, at)
      return [start, at]
    })
    new Uint8Array(slot, 0, used).set(mirror.subarray(0, used))
    this.trimMirror()
    return await this.post(slot, used, ranges, work.segmentLength, work.decrypt)
  }

  /**
   * Like run(), for k blocks that are not all primary: each received block
   * is copied once into the slot (a primary at its place in the segment, the
   * others after it) and the missing primaries are decoded straight into
   * their places. A segment joined and decoded on the heap made two or three
   * buffers of its size per segment for the collector (about 1.7 MiB per
   * 1 MiB segment with k = 3), which a spreading download's memory peak
   * is mostly made of.
   */
  async runDecoding (work: DecodeWork): Promise<SegmentWorkResult> {
    if (this.dead != null) throw this.dead
    const { k, m, shnums, received } = work
    const len = byteSize(received[0] ?? [])
    if (received.length !== k || shnums.length !== k || received.some(pieces => byteSize(pieces) !== len)) {
      throw new SegmentWorkerError(`a segment to decode needs ${k} blocks of one length`)
    }
    const used = (k + shnums.filter(sh => sh >= k).length) * len
    const slot = this.takeSlot(used)
    let ranges: Array<[number, number]>
    try {
      const mirror = this.mirrorOf(used)
      let next = k * len
      ranges = received.map((pieces, j): [number, number] => {
        const start = shnums[j] < k ? shnums[j] * len : (next += len) - len
        copyPieces(mirror, pieces, start)
        return [start, start + len]
      })
      const places = Array.from({ length: k }, (_, j) => mirror.subarray(j * len, (j + 1) * len))
      zfecDecode(k, m, ranges.map(([a, b]) => mirror.subarray(a, b)), shnums, places)
      new Uint8Array(slot, 0, used).set(mirror.subarray(0, used))
      this.trimMirror()
    } catch (err) {
      this.release(slot)
      throw err
    }
    // post() gives the slot back itself, once, whatever happens
    return await this.post(slot, used, ranges, work.segmentLength, work.decrypt)
  }

  /** Hands a filled slot to the worker for the block hashes of `ranges` and the hash of the first segmentLength bytes; the slot then holds the range to decrypt. */
  private async post (slot: SharedArrayBuffer, used: number, ranges: Array<[number, number]>, segmentLength: number, d?: SegmentWork['decrypt']): Promise<SegmentWorkResult> {
    const id = this.nextId++
    let reply: Reply
    try {
      reply = await new Promise<Reply>((resolve, reject) => {
        this.pending.set(id, { resolve, reject })
        // Keeps the process alive only while a segment is being worked on.
        if (this.pending.size === 1) this.worker.ref()
        this.worker.postMessage({ id, sab: slot, used, blocks: ranges, segmentLength })
      })
      if (reply.error != null || reply.hashes == null) throw new SegmentWorkerError(`segment worker failed: ${reply.error ?? 'no hashes'}`)
    } catch (err) {
      this.release(slot)
      throw err
    }
    segmentsDone++
    const k = ranges.length
    const hashes = reply.hashes
    if (d == null) this.release(slot)
    return {
      blockHashes: Array.from({ length: k }, (_, j) => hashes.subarray(32 * j, 32 * j + 32)),
      segmentHash: hashes.subarray(32 * k, 32 * k + 32),
      plaintext: d == null ? undefined : this.hold(slot, d)
    }
  }

  private hold (slot: SharedArrayBuffer, d: NonNullable<SegmentWork['decrypt']>): HeldPlaintext {
    let plain: Uint8Array | undefined
    return {
      byteLength: d.end - d.start,
      take: () => {
        if (plain == null) {
          plain = ctrStreamAt(d.key, d.fileOffset).update(new Uint8Array(slot, d.start, d.end - d.start))
          this.release(slot)
        }
        return plain
      }
    }
  }

  /**
   * The slot's layout, assembled in ordinary memory first. V8 copies into
   * and out of a SharedArrayBuffer a word at a time only where source and
   * target are equally aligned, and byte by byte otherwise: the pieces a
   * block arrives in, the erasure code's buffers and a slot's block offsets
   * almost never are (`npm run bench:shared-copy`: 1 MiB in 64 KiB pieces
   * went into shared memory at 3.5 GiB/s, through the mirror at 17, into
   * ordinary memory at 51; these copies were 6% of a spreading download's
   * main thread, and decoding's copies as much again). Pieces and decoding
   * go to this mirror at memcpy speed, and the mirror goes to the slot in
   * one copy with equal offsets.
   */
  private mirrorOf (bytes: number): Uint8Array {
    if (this.mirror.byteLength < bytes) this.mirror = new Uint8Array(Math.max(bytes, 64 * 1024))
    return this.mirror
  }

  private trimMirror (): void {
    if (this.mirror.byteLength > KEEP_AT_MOST) this.mirror = new Uint8Array(0)
  }

  /** A reused slot big enough for `bytes` (segments of one file all fit the first). */
  private takeSlot (bytes: number): SharedArrayBuffer {
    const i = this.free.findIndex(s => s.byteLength >= bytes)
    if (i >= 0) return this.free.splice(i, 1)[0]
    return new SharedArrayBuffer(Math.max(bytes, 64 * 1024))
  }

  private settle (r: Reply): void {
    const p = this.pending.get(r.id)
    if (p == null) return
    this.pending.delete(r.id)
    if (this.pending.size === 0) this.worker.unref()
    p.resolve(r)
  }

  private release (slot: SharedArrayBuffer): void {
    if (this.free.length >= 32 || slot.byteLength > KEEP_AT_MOST) return
    const kept = this.free.reduce((n, s) => n + s.byteLength, 0)
    if (kept + slot.byteLength <= FREE_SLOTS_BYTES) this.free.push(slot)
  }

  private die (err: Error): void {
    this.dead ??= err instanceof SegmentWorkerError ? err : new SegmentWorkerError(`segment worker failed: ${err.message}`)
    for (const p of this.pending.values()) p.reject(this.dead)
    this.pending.clear()
    if (shared === this) shared = undefined
  }
}

function byteSize (pieces: readonly Uint8Array[]): number {
  return pieces.reduce((n, p) => n + p.byteLength, 0)
}

/** Copies `pieces` one after another into `view` from `at`; answers where they end. */
function copyPieces (view: Uint8Array, pieces: readonly Uint8Array[], at: number): number {
  for (const p of pieces) { view.set(p, at); at += p.byteLength }
  return at
}

let shared: SegmentWorker | undefined
let unavailable = false
let segmentsDone = 0

/** Segments the worker has hashed since the process started (for tests and metrics). */
export function segmentWorkerCount (): number {
  return segmentsDone
}

/**
 * The shared worker, started on first use; undefined where workers cannot
 * run (then callers hash inline). LAFS_SEGMENT_WORKER=0 turns it off.
 */
export function segmentWorker (): Pick<SegmentWorker, 'run' | 'runDecoding'> | undefined {
  if (unavailable || process.env.LAFS_SEGMENT_WORKER === '0') return undefined
  try {
    shared ??= new SegmentWorker()
    return shared
  } catch {
    unavailable = true
    return undefined
  }
}
