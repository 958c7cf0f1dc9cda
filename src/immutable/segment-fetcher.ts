/**
 * Segment fetching (Tahoe's SegmentFetcher): reads each segment's blocks
 * from the chosen shares, checks them against the block and crypttext hash
 * trees and decodes them, keeping several segments in flight on a long read.
 *
 * Each segment first tries the fast path, which only reads (k shares, whole
 * trees, the worker) and never changes the share set: any
 * surprise there, a failed read or a hash that does not match, sends the
 * segment to the careful path, which runs one segment at a time and is the
 * only place shares are dropped and replaced. A segment is accepted only
 * after its own checks pass, whichever path produced it, so a share that
 * fails for one segment cannot taint another.
 *
 * When more than k shares are open (a spreading download, see spread.ts),
 * each segment is read from the k that will deliver soonest, and a wider
 * window of segments is kept in flight so that every server has work.
 */
import { logger } from '@libp2p/logger'
import { raceSignal } from 'race-signal'
import { BadShareError, CorruptFileError } from './errors.js'
import { TAGS, TaggedHasher } from './hashes.js'
import { PartialTree } from './merkle.js'
import { blockLength, segmentRange, type ChkParams } from './params.js'
import { segmentWorker, type HeldPlaintext } from './segment-worker.js'
import { abortReason, asBadShare, checkAborted, type ShareSet } from './share-set.js'
import { hedgedReads, type BlockRead } from './hedge.js'
import { SegmentSpread, type SpreadStats } from './spread.js'
import { BlockRuns, runLength, runSegments, type RunChoice } from './block-runs.js'
import { decodeSegment, takePrefix } from './segment-blocks.js'
import { openingWindow, segmentsInFlight, SPREAD_OPENING_GRACE_MS } from './fetch-window.js'
import type { ShareReader } from './share-reader.js'

const log = logger('lafs-club:immutable:fetcher')

/** Trees cost 64 bytes a segment a share; read them whole when the range is eight times that. */
function wholeTreesPay (p: ChkParams, segments: number): boolean {
  const treeBytes = 2 * 32 * p.segmentTreeLeaves
  return segments * p.blockSize >= 8 * treeBytes
}

/**
 * A checked segment: on the fast path the range asked for, decrypted from
 * the worker's slot when the caller takes it (crypttext then empty), else
 * the crypttext as views for the caller to decrypt.
 */
export interface FetchedSegment {
  crypttext: Uint8Array[]
  plaintext?: HeldPlaintext
}

/** The part of a segment the caller will decrypt: bytes [start, end) of the segment, at `fileOffset` in the file. */
export interface DecryptRange { key: Uint8Array, fileOffset: number, start: number, end: number }

export interface SegmentFetcherOptions {
  /** How many segments the read covers: long reads load whole trees and use the worker. */
  segments: number
  /** Hash on the segment worker when the read is long enough (default true). */
  offload?: boolean
  /** Choose k of the open shares per segment by measured throughput (the share set opens more than k). */
  spread?: boolean
  /** When spreading: settles once the share set has opened the other shares (ShareSet.openRest). */
  opening?: Promise<void>
}

export class SegmentFetcher {
  private readonly set: ShareSet
  private readonly crypttextTree: PartialTree
  /** Load each share's whole block hash tree (and one crypttext hash tree) up front: most of the file is read. */
  private readonly wholeTrees: boolean
  /** Hash on the segment worker. */
  private readonly offload: boolean
  /** Per-segment share choice by throughput, when spreading. */
  private readonly spread?: SegmentSpread
  /** When spreading a long read: shares chosen per run of segments, each share's blocks of a run read at once. */
  private readonly runs?: BlockRuns
  private opened = true
  /** The shares a segment's fast path read, kept when it failed: the careful path starts from them. */
  private readonly suspects = new Map<number, ShareReader[]>()
  private wholeCrypttextTree = false
  /** The whole crypttext hash tree being read for the fast path (shared by the segments in flight). */
  private crypttextLoad?: Promise<boolean>
  /** The careful path runs one segment at a time: each waits for the one before. */
  private carefulTail: Promise<unknown> = Promise.resolve()
  /** Why the fast path was last passed over, so a lasting reason is logged once, not per segment. */
  private fastOff?: string

  /** `set` must be filled: the fetcher needs the UEB. */
  constructor (set: ShareSet, opts: SegmentFetcherOptions) {
    this.set = set
    const ueb = set.file.ueb
    if (ueb === undefined) throw new Error('internal: no UEB yet')
    this.crypttextTree = new PartialTree(ueb.params.numSegments, ueb.crypttextRootHash)
    this.wholeTrees = wholeTreesPay(ueb.params, opts.segments)
    // Long reads only: for a few segments the hand-off costs more than it saves.
    this.offload = this.wholeTrees && opts.offload !== false
    if (opts.spread === true) this.spread = new SegmentSpread()
    const run = runSegments(ueb.params.blockSize)
    if (this.spread !== undefined && this.offload && run > 1) this.runs = new BlockRuns(run, ueb.params.numSegments)
    if (opts.opening !== undefined) {
      this.opened = false
      void opts.opening.then(() => { this.opened = true })
    }
  }

  /** Blocks, bytes and throughput per server so far, when spreading. */
  spreadStats (): SpreadStats[] {
    return this.spread?.stats() ?? []
  }

  /**
   * The k shares segment i is read from: the active ones, or when spreading
   * the k that deliver soonest, for the rest of i's run of segments unless
   * `single` (block-runs.ts).
   */
  private pick (i: number, single = false): ShareReader[] {
    const set = this.set
    if (this.spread === undefined) return set.active.slice()
    const runs = single ? undefined : this.runs
    if (runs === undefined) return this.spread.choose(set.active, set.file.k, blockLength(set.params, i))
    const made = runs.choiceFor(i, set.active)
    if (made !== undefined) return made.readers.slice()
    const { first, count } = runs.rest(i)
    const spread = this.spread
    const picked = spread.choose(set.active, set.file.k, blockLength(set.params, i))
    // a run only where every chosen server has been measured and is not slow (spread.runnable)
    if (count > 1 && picked.length === set.file.k && picked.every(r => spread.runnable(r))) {
      spread.extend(picked, runLength(set.params, first + 1, count - 1))
      runs.choose(first, count, picked)
    }
    return picked
  }

  /** Block i of `r` unchecked (whole block tree first on long reads), measured against its server when spreading; from r's run when `run` chose it. */
  private async readUnchecked (r: ShareReader, i: number, run?: RunChoice): Promise<{ block: Uint8Array[], nodes: Map<number, Uint8Array> }> {
    if (this.wholeTrees) await r.loadBlockTree()
    const spread = this.spread
    if (spread === undefined) return await r.readBlockUnchecked(i)
    if (run !== undefined && run.readers.includes(r)) {
      const bytes = runLength(this.set.params, run.first, run.count)
      const block = await run.block(r, i, async () => await spread.measure(r, bytes, async () => await r.readBlockRun(run.first, run.count)))
      return { block, nodes: new Map() }
    }
    return await spread.measure(r, blockLength(this.set.params, i), async () => await r.readBlockUnchecked(i))
  }

  /** Block i from each of `picked` (k shares); when spreading, hedged: a share that is late is replaced by another (hedge.ts). */
  private async readBlocks (i: number, picked: ShareReader[]): Promise<BlockRead[]> {
    const spread = this.spread
    if (spread === undefined) return await Promise.all(picked.map(async r => ({ reader: r, ...await this.readUnchecked(r, i) })))
    const set = this.set
    const bytes = blockLength(set.params, i)
    const run = this.runs?.take(i)
    // a block read with its run arrives when the run does
    const delayMs = spread.hedgeDelayMs(picked, run !== undefined ? runLength(set.params, run.first, run.count) : bytes)
    log.trace('%s: segment %d from shares %s, one more after %d ms', set.label, i, picked.map(r => r.shnum).join(','), Math.round(delayMs))
    return await hedgedReads(picked, {
      read: async r => await this.readUnchecked(r, i, run),
      spare: asked => spread.choose(set.active.filter(r => !asked.has(r.shnum)), 1, bytes)[0],
      delayMs,
      signal: set.signal,
      onHedge: (extra, waiting) => { log('%s: segment %d: share %s late, asking share %d too', set.label, i, waiting.map(r => r.shnum).join(','), extra.shnum) },
      onFailed: (r, err) => {
        // as the careful path would: a share whose read fails is dropped (once, though several segments may see it fail)
        const bad = asBadShare(err, set.signal)
        if (bad != null && set.active.includes(r)) set.drop(r, bad)
      }
    })
  }

  /** Block i of `r`, checked against its block hash tree. */
  private async readChecked (r: ShareReader, i: number): Promise<Uint8Array[]> {
    if (this.wholeTrees) await r.loadBlockTree()
    if (this.spread === undefined) return await r.readBlock(i)
    return await this.spread.measure(r, blockLength(this.set.params, i), async () => await r.readBlock(i))
  }

  /** Segments fetched ahead of the one the consumer is given (fetch-window.ts). */
  get depth (): number {
    return segmentsInFlight(this.set.params.segmentSize, this.offload, this.spread !== undefined)
  }

  /** Segments first..last in order, `depth` of them in flight while the consumer works on the one it was given. */
  async * inOrder (first: number, last: number, rangeOf: (i: number) => DecryptRange): AsyncGenerator<FetchedSegment> {
    const depth = this.depth
    log('%s: segments %d..%d, %d in flight, whole trees %s, worker %s', this.set.label, first, last, depth, this.wholeTrees, this.offload)
    const start = (i: number): Promise<FetchedSegment> => {
      const pending = this.segment(i, rangeOf(i))
      pending.catch(() => {}) // observed below; this keeps an abandoned read-ahead from being an unhandled rejection
      return pending
    }
    const since = Date.now()
    let delivered = 0
    const window = (): number => this.spread === undefined
      ? depth
      : openingWindow(depth, this.opened || Date.now() - since > SPREAD_OPENING_GRACE_MS, delivered)
    const inFlight: Array<Promise<FetchedSegment>> = []
    let started = first
    while (started <= last && started < first + window()) inFlight.push(start(started++))
    for (let i = first; i <= last; i++) {
      checkAborted(this.set.signal)
      // an abort ends the read now, not when a stalled server's segment gives up
      const seg = await raceSignal(inFlight.shift() as Promise<FetchedSegment>, this.set.signal, { translateError: abortReason })
      delivered++
      // Taken one out, put one in: `depth` stay in flight while the consumer works.
      while (started <= last && started < i + 1 + window()) inFlight.push(start(started++))
      yield seg
    }
  }

  /** Segment i, checked against the block and crypttext hash trees. */
  async segment (i: number, range: DecryptRange): Promise<FetchedSegment> {
    const fast = await this.fastSegment(i, range)
    if (fast !== undefined) return fast
    const turn = this.carefulTail.then(async () => await this.carefulSegment(i))
    this.carefulTail = turn.catch(() => {})
    return await turn
  }

  /**
   * Segment i from k shares through the worker, or undefined when anything
   * is not as expected (the careful path then redoes it and finds out which
   * share is to blame). Reads only: safe to run for several segments at
   * once. With the first k shares the blocks are the segment; otherwise the
   * missing primary blocks are decoded into the worker's shared slot
   * (runDecoding). Either way the worker hashes the received blocks and the
   * segment, and the range is decrypted from its slot when the caller takes it.
   */
  private async fastSegment (i: number, range: DecryptRange): Promise<FetchedSegment | undefined> {
    const set = this.set
    if (!this.offload) return undefined
    const k = set.file.k
    const picked = this.pick(i)
    if (picked.length !== k) return this.passOver(i, `${picked.length} shares open, ${k} needed`)
    const worker = segmentWorker()
    if (worker == null) return this.passOver(i, 'no segment worker')
    checkAborted(set.signal)
    this.fastOff = undefined
    // If this fails, the careful path rereads these same shares, so the one to blame is found (not passed over).
    this.suspects.set(i, picked)
    try {
      const got = await this.readBlocks(i, picked)
      const readers = got.map(g => g.reader)
      this.suspects.set(i, readers)
      const { start, end } = segmentRange(set.params, i)
      const segmentLength = end - start
      const blocks = got.map(g => g.block)
      const result = readers.every((r, j) => r.shnum === j)
        ? await worker.run({ blocks, segmentLength, decrypt: range })
        : await worker.runDecoding({ k, m: set.file.n, shnums: readers.map(r => r.shnum), received: blocks, segmentLength, decrypt: range })
      readers.forEach((r, j) => { r.checkBlock(i, result.blockHashes[j], got[j].nodes) })
      if (!await this.loadCrypttextTree(readers[0])) return this.fallBack(i, 'the crypttext hash tree did not load')
      if (this.crypttextTree.missingFor(i).length > 0 || !this.crypttextTree.verifyLeaf(i, result.segmentHash, new Map())) {
        return this.fallBack(i, 'the segment does not match the crypttext hash tree')
      }
      this.suspects.delete(i)
      log.trace('%s: segment %d decoded from shares %s (fast path)', set.label, i, readers.map(r => r.shnum).join(','))
      return { crypttext: [], plaintext: result.plaintext }
    } catch (err) {
      checkAborted(set.signal)
      return this.fallBack(i, (err as Error)?.message ?? String(err))
    }
  }

  /** The fast path cannot be used for now (logged when the reason changes). */
  private passOver (i: number, why: string): undefined {
    if (this.fastOff !== why) log('%s: careful path from segment %d on: %s', this.set.label, i, why)
    this.fastOff = why
    return undefined
  }

  /** The fast path met a surprise on segment i: the careful path redoes it and finds out whose fault it was. */
  private fallBack (i: number, why: string): undefined {
    if (this.set.signal?.aborted !== true) log('%s: segment %d goes to the careful path: %s', this.set.label, i, why)
    return undefined
  }

  /** Reads the whole crypttext hash tree from `supplier` and checks it against the root; throws BadShareError if it does not. */
  private async adoptCrypttextTree (supplier: ShareReader): Promise<void> {
    const nodes = await supplier.readTreeRegion('crypttextHashTree')
    if (!this.crypttextTree.adoptWhole(nodes, this.set.params.numSegments)) {
      throw new BadShareError('crypttext-hash', 'the crypttext hash tree does not hash up to the root in the UEB')
    }
    log.trace('%s: whole crypttext hash tree from share %d', this.set.label, supplier.shnum)
    this.wholeCrypttextTree = true
  }

  /** The whole crypttext tree once for the fast path, shared by the segments in flight; false if it failed (the careful path decides whose fault). */
  private async loadCrypttextTree (supplier: ShareReader): Promise<boolean> {
    if (this.wholeCrypttextTree) return true
    this.crypttextLoad ??= this.adoptCrypttextTree(supplier).then(() => true, () => false)
    const ok = await this.crypttextLoad
    if (!ok) this.crypttextLoad = undefined
    return ok
  }

  /**
   * The careful path: reads, checks, drops and replaces shares until segment
   * i checks out. Inline (no worker): it runs only after a surprise, and the
   * caller decrypts what it returns.
   */
  private async carefulSegment (i: number): Promise<FetchedSegment> {
    const set = this.set
    const p = set.params
    const { start, end } = segmentRange(p, i)
    const blocks = new Map<ShareReader, Uint8Array[]>()
    let suspects = this.suspects.get(i)
    this.suspects.delete(i)
    for (;;) {
      checkAborted(set.signal)
      await set.fill()
      const readers = suspects !== undefined && suspects.every(r => set.active.includes(r)) ? suspects : this.pick(i, true)
      suspects = undefined
      const results = await Promise.allSettled(readers.map(async r => {
        const have = blocks.get(r)
        if (have !== undefined) return have
        return await this.readChecked(r, i)
      }))
      let failed = false
      results.forEach((res, j) => {
        if (res.status === 'fulfilled') blocks.set(readers[j], res.value)
        else {
          const bad = asBadShare(res.reason, set.signal)
          if (bad == null) throw res.reason
          set.drop(readers[j], bad)
          failed = true
        }
      })
      if (failed) continue

      const shnums = readers.map(r => r.shnum)
      const crypttext = takePrefix(decodeSegment(p, shnums, readers.map(r => blocks.get(r) as Uint8Array[])), end - start)
      const hasher = new TaggedHasher(TAGS.crypttextSegment)
      for (const piece of crypttext) hasher.update(piece)
      if (await this.verifySegment(i, hasher.digest(), readers[0])) {
        log.trace('%s: segment %d decoded from shares %s (careful path)', set.label, i, shnums.join(','))
        return { crypttext }
      }
    }
  }

  /**
   * Checks segment i's hash against the crypttext hash tree, with nodes from
   * `supplier` (read whole on long reads). False when the supplier was to
   * blame and was dropped; throws when the file itself is corrupt.
   */
  private async verifySegment (i: number, h: Uint8Array, supplier: ShareReader): Promise<boolean> {
    const set = this.set
    try {
      if (this.wholeTrees && !this.wholeCrypttextTree) await this.adoptCrypttextTree(supplier)
      const missing = this.crypttextTree.missingFor(i)
      if (missing.length === 0) {
        if (this.crypttextTree.verifyLeaf(i, h, new Map())) return true
        log.error('%s: segment %d passes every block check but not the crypttext hash tree: uploaded corrupt', set.label, i)
        throw new CorruptFileError(`segment ${i} decodes from blocks that all pass their hash checks, yet does not match the crypttext hash tree: the file was uploaded corrupt`)
      }
      const nodes = await supplier.readCrypttextNodes(missing)
      if (this.crypttextTree.verifyLeaf(i, h, nodes)) return true
      throw new BadShareError('crypttext-hash', `segment ${i} does not verify with this share's crypttext hash tree`)
    } catch (err) {
      const bad = asBadShare(err, set.signal)
      if (bad == null) throw err
      set.drop(supplier, bad)
      return false
    }
  }
}
