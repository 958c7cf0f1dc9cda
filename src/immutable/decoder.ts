/**
 * CHK download and verification over ShareSources. Never yields a byte
 * that did not pass every hash check: a share failing any check is
 * reported, dropped and replaced by another with a different share number.
 */
import { decode as zfecDecode } from '../erasure/index.js'
import { storageIndexOf, toCap, toVerifyCap, type Cap, type ChkReadCap, type ChkVerifyCap } from './caps.js'
import { ctrStreamAt } from './cipher.js'
import { AbortedError, BadShareError, ImmutableError, InvalidRangeError, NotEnoughSharesError, type ShareCheck, type ShareFailure } from './errors.js'
import { blockHash, bytesEqual, concatBytes, plain, TAGS, TaggedHasher } from './hashes.js'
import { buildTree, emptyLeafHash, internalNodeHash, PartialTree } from './merkle.js'
import { segmentRange, type ChkParams } from './params.js'
import { segmentWorker } from './segment-worker.js'
import { ShareReader, type FileContext, type ShareSource } from './share-reader.js'

export interface BadShareReport {
  shnum: number
  check: ShareCheck
  error: Error
  source: ShareSource
}

export interface ReadProgress {
  /** Segment just delivered. */
  segment: number
  segmentsDone: number
  segmentsTotal: number
  bytesDone: number
  bytesTotal: number
}

export interface ReadOptions {
  offset?: number
  length?: number
  onBadShare?: (report: BadShareReport) => void
  onProgress?: (progress: ReadProgress) => void
  signal?: AbortSignal
  /** Hash and decrypt long reads on a worker thread (default true). */
  offload?: boolean
}

/** The uploader's data contradicts its own hashes: no choice of shares can fix it. */
export class CorruptFileError extends ImmutableError {
  constructor (message: string) {
    super('ERR_CORRUPT_FILE', message)
    this.name = 'CorruptFileError'
  }
}

function checkAborted (signal?: AbortSignal): void {
  if (signal?.aborted === true) throw signal.reason instanceof Error ? signal.reason : new AbortedError()
}

/**
 * What a failed read of one share means. Our own integrity errors say which
 * check failed; anything else a source throws (a server that went away, a
 * stream closed mid-read) is that share's read error, so the download moves
 * on to another share instead of failing. An abort (or the end of the read),
 * or a verdict about the whole file, is not about one share: undefined
 * means "rethrow".
 */
function asBadShare (err: unknown, signal?: AbortSignal): BadShareError | undefined {
  // Once the read is over, a failure may be the cut-off itself: no share is to blame.
  if (signal?.aborted === true) return undefined
  if (err instanceof BadShareError) return err
  if (err instanceof ImmutableError) return undefined
  return new BadShareError('read-error', `reading the share failed: ${(err as Error)?.message ?? String(err)}`, { cause: err })
}

/** Orders candidates (primaries first: they decode cheapest), keeps k open with distinct share numbers. */
class ShareSet {
  readonly file: FileContext
  readonly active: ShareReader[] = []
  readonly failures: ShareFailure[] = []
  /** Load each share's whole block hash tree up front (set when most of the file is read). */
  wholeTrees = false
  private readonly candidates: ShareSource[]
  private readonly onBadShare?: (report: BadShareReport) => void
  private readonly signal?: AbortSignal

  constructor (file: FileContext, sources: Iterable<ShareSource>, opts: ReadOptions) {
    this.file = file
    this.onBadShare = opts.onBadShare
    this.signal = opts.signal
    const rank = (s: ShareSource): number => (s.shnum < file.k ? 0 : 1)
    this.candidates = [...sources].map((s, i) => ({ s, i }))
      .sort((a, b) => rank(a.s) - rank(b.s) || a.s.shnum - b.s.shnum || a.i - b.i)
      .map(x => x.s)
  }

  drop (reader: ShareReader, err: BadShareError): void {
    const at = this.active.indexOf(reader)
    if (at >= 0) this.active.splice(at, 1)
    this.failures.push({ shnum: reader.shnum, check: err.check, error: err })
    this.onBadShare?.({ shnum: reader.shnum, check: err.check, error: err, source: reader.source })
  }

  /** Opens candidates until k good shares with distinct numbers are active. */
  async fill (): Promise<void> {
    const k = this.file.k
    while (this.active.length < k) {
      checkAborted(this.signal)
      const taken = new Set(this.active.map(r => r.shnum))
      const batch: ShareSource[] = []
      for (let i = 0; i < this.candidates.length && batch.length < k - this.active.length; i++) {
        const c = this.candidates[i]
        if (taken.has(c.shnum)) continue
        taken.add(c.shnum)
        batch.push(c)
        this.candidates.splice(i--, 1)
      }
      if (batch.length === 0) throw new NotEnoughSharesError(k, this.active.length, this.failures)
      const readers = batch.map(s => new ShareReader(s, this.file))
      const results = await Promise.allSettled(readers.map(async r => { await r.open() }))
      results.forEach((res, j) => {
        if (res.status === 'fulfilled') { this.active.push(readers[j]); return }
        const bad = asBadShare(res.reason, this.signal)
        if (bad == null) throw res.reason
        this.drop(readers[j], bad)
      })
    }
    this.active.sort((a, b) => a.shnum - b.shnum)
  }

  signalOf (): AbortSignal | undefined {
    return this.signal
  }

  get params (): ChkParams {
    if (this.file.ueb === undefined) throw new Error('internal: no UEB yet')
    return this.file.ueb.params
  }
}

/**
 * Crypttext a long read keeps in flight on the worker: up to 4 MiB, and
 * between two and eight segments. 8 MiB measured no faster and held more.
 */
const PIPELINE_BYTES = 4 * 2 ** 20
const PIPELINE_MAX_SEGMENTS = 8

/** Trees cost 64 bytes a segment a share; read them whole when the range is eight times that. */
function wholeTreesPay (p: ChkParams, segments: number): boolean {
  const treeBytes = 2 * 32 * p.segmentTreeLeaves
  return segments * p.blockSize >= 8 * treeBytes
}

/**
 * The first `length` bytes of `pieces`, as views. A segment stays in the
 * k blocks it was decoded into: joining them would allocate a segment-sized
 * buffer per segment, which costs more than hashing it.
 */
function takePrefix (pieces: readonly Uint8Array[], length: number): Uint8Array[] {
  const out: Uint8Array[] = []
  let left = length
  for (const p of pieces) {
    if (left <= 0) break
    out.push(p.byteLength <= left ? p : p.subarray(0, left))
    left -= Math.min(left, p.byteLength)
  }
  return out
}

/** The bytes a..b of a piece list, as views. */
function slicePieces (pieces: readonly Uint8Array[], a: number, b: number): Uint8Array[] {
  const out: Uint8Array[] = []
  let at = 0
  for (const p of pieces) {
    const from = Math.max(a, at)
    const to = Math.min(b, at + p.byteLength)
    if (to > from) out.push(from === at && to === at + p.byteLength ? p : p.subarray(from - at, to - at))
    at += p.byteLength
    if (at >= b) break
  }
  return out
}

/**
 * The k primary blocks of a segment, in order, as buffers. With the first k
 * shares (readers are sorted by share number) the blocks are the segment:
 * their pieces are used as they are. Otherwise each block is joined and
 * erasure-decoded.
 */
function decodeSegment (p: ChkParams, shnums: number[], blocks: Uint8Array[][]): Uint8Array[] {
  if (shnums.every((sh, j) => sh === j)) return blocks.flat()
  const whole = blocks.map(pieces => pieces.length === 1 ? pieces[0] : concatBytes(pieces))
  return zfecDecode(p.k, p.n, whole, shnums)
}

/** A checked segment: its crypttext as views, and its plaintext when a worker already decrypted the range asked for. */
interface FetchedSegment {
  crypttext: Uint8Array[]
  plaintext?: Uint8Array
}

/** The part of a segment the caller will decrypt: bytes [start, end) of the segment, at `fileOffset` in the file. */
interface DecryptRange { key: Uint8Array, fileOffset: number, start: number, end: number }

/**
 * Fetches, checks and decodes crypttext segments.
 *
 * Several segments may be in progress at once. Each first tries the fast
 * path, which only reads (the first k shares, whole trees, the worker) and
 * never changes the share set: any surprise there, a failed read or a hash
 * that does not match, sends the segment to the careful path, which runs one
 * segment at a time and is the only place shares are dropped and replaced.
 * A segment is accepted only after its own checks pass, whichever path
 * produced it, so a share that fails for one segment cannot taint another.
 */
class SegmentFetcher {
  private readonly set: ShareSet
  private readonly crypttextTree: PartialTree
  private wholeCrypttextTree = false
  /** The whole crypttext hash tree being read for the fast path (shared by the segments in flight). */
  private crypttextLoad?: Promise<boolean>
  /** The careful path runs one segment at a time: each waits for the one before. */
  private carefulTail: Promise<unknown> = Promise.resolve()
  /** Hash (and decrypt) on the segment worker when the first k shares are in use. */
  offload = false
  /** Segments decoded, for tests that assert ranged reads stay small. */
  segmentsFetched = 0

  constructor (set: ShareSet) {
    this.set = set
    const ueb = set.file.ueb
    if (ueb === undefined) throw new Error('internal: no UEB yet')
    this.crypttextTree = new PartialTree(ueb.params.numSegments, ueb.crypttextRootHash)
  }

  /** Segment i, checked against the block and crypttext hash trees. */
  async segment (i: number, range?: DecryptRange): Promise<FetchedSegment> {
    const fast = await this.fastSegment(i, range)
    if (fast !== undefined) return fast
    const turn = this.carefulTail.then(async () => await this.carefulSegment(i))
    this.carefulTail = turn.catch(() => {})
    return await turn
  }

  /**
   * Segment i from the first k shares through the worker, or undefined when
   * anything is not as expected (the careful path then redoes it and finds
   * out which share is to blame). Reads only: safe to run for several
   * segments at once.
   */
  private async fastSegment (i: number, range?: DecryptRange): Promise<FetchedSegment | undefined> {
    const set = this.set
    if (!this.offload || !set.wholeTrees || set.active.length !== set.file.k) return undefined
    const readers = set.active.slice()
    if (!readers.every((r, j) => r.shnum === j)) return undefined
    const worker = segmentWorker()
    if (worker == null) return undefined
    checkAborted(set.signalOf())
    try {
      const got = await Promise.all(readers.map(async r => {
        await r.loadBlockTree()
        return await r.readBlockUnchecked(i)
      }))
      const { start, end } = segmentRange(set.params, i)
      const segmentLength = end - start
      const result = await worker.run({ blocks: got.map(g => g.block), segmentLength, decrypt: range })
      readers.forEach((r, j) => { r.checkBlock(i, result.blockHashes[j], got[j].nodes) })
      if (!await this.loadCrypttextTree(readers[0])) return undefined
      if (this.crypttextTree.missingFor(i).length > 0 || !this.crypttextTree.verifyLeaf(i, result.segmentHash, new Map())) return undefined
      this.segmentsFetched++
      return { crypttext: takePrefix(got.flatMap(g => g.block), segmentLength), plaintext: result.plaintext }
    } catch {
      return undefined
    }
  }

  /** Reads the whole crypttext hash tree from `supplier` and checks it against the root; throws BadShareError if it does not. */
  private async adoptCrypttextTree (supplier: ShareReader): Promise<void> {
    const nodes = await supplier.readTreeRegion('crypttextHashTree')
    if (!this.crypttextTree.adoptWhole(nodes, this.set.params.numSegments)) {
      throw new BadShareError('crypttext-hash', 'the crypttext hash tree does not hash up to the root in the UEB')
    }
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
    for (;;) {
      await set.fill()
      const readers = set.active.slice()
      const results = await Promise.allSettled(readers.map(async r => {
        const have = blocks.get(r)
        if (have !== undefined) return have
        if (set.wholeTrees) await r.loadBlockTree()
        return await r.readBlock(i)
      }))
      let failed = false
      results.forEach((res, j) => {
        if (res.status === 'fulfilled') blocks.set(readers[j], res.value)
        else {
          const bad = asBadShare(res.reason, set.signalOf())
          if (bad == null) throw res.reason
          set.drop(readers[j], bad)
          failed = true
        }
      })
      if (failed) continue

      const crypttext = takePrefix(decodeSegment(p, readers.map(r => r.shnum), readers.map(r => blocks.get(r) as Uint8Array[])), end - start)
      const hasher = new TaggedHasher(TAGS.crypttextSegment)
      for (const piece of crypttext) hasher.update(piece)
      if (await this.verifySegment(i, hasher.digest(), readers[0])) return { crypttext }
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
      if (set.wholeTrees && !this.wholeCrypttextTree) await this.adoptCrypttextTree(supplier)
      const missing = this.crypttextTree.missingFor(i)
      if (missing.length === 0) {
        if (this.crypttextTree.verifyLeaf(i, h, new Map())) { this.segmentsFetched++; return true }
        throw new CorruptFileError(`segment ${i} decodes from blocks that all pass their hash checks, yet does not match the crypttext hash tree: the file was uploaded corrupt`)
      }
      const nodes = await supplier.readCrypttextNodes(missing)
      if (this.crypttextTree.verifyLeaf(i, h, nodes)) { this.segmentsFetched++; return true }
      throw new BadShareError('crypttext-hash', `segment ${i} does not verify with this share's crypttext hash tree`)
    } catch (err) {
      const bad = asBadShare(err, set.signalOf())
      if (bad == null) throw err
      set.drop(supplier, bad)
      return false
    }
  }
}

function fileContext (cap: ChkReadCap | ChkVerifyCap): FileContext {
  return { k: cap.k, n: cap.n, size: cap.size, uebHash: cap.uebHash }
}

/**
 * Streams the plaintext of `cap` (or of the range offset..offset+length)
 * from the given shares, fetching only the segments the range touches.
 */
export async function * readImmutable (capIn: string | Cap, sources: Iterable<ShareSource>, opts: ReadOptions = {}): AsyncGenerator<Uint8Array> {
  const cap = toCap(capIn)
  const size = cap.kind === 'lit' ? cap.data.length : cap.size
  const offset = opts.offset ?? 0
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > size) throw new InvalidRangeError(`offset ${offset} is outside the file (0..${size})`)
  const length = opts.length ?? size - offset
  if (!Number.isSafeInteger(length) || length < 0 || offset + length > size) {
    throw new InvalidRangeError(`range ${offset}+${length} runs past the end of the ${size}-byte file`)
  }
  checkAborted(opts.signal)
  if (cap.kind === 'lit') {
    if (length > 0) yield cap.data.slice(offset, offset + length)
    return
  }
  if (cap.kind !== 'chk') throw new ImmutableError('ERR_NEED_READ_CAP', 'reading a file needs its read-cap (URI:CHK:…); a verify-cap can only check shares')
  if (length === 0) return

  // Ended when this generator ends, however it ends (the caller stopped
  // reading, an error): segments still in flight then stop at their next
  // step, neither opening other shares nor blaming any for the closed reads.
  const ended = new AbortController()
  const signal = opts.signal == null ? ended.signal : AbortSignal.any([opts.signal, ended.signal])
  try {
    yield * readSegments(cap, sources, { ...opts, signal }, offset, length)
  } finally {
    ended.abort(new AbortedError('the read ended'))
  }
}

async function * readSegments (cap: ChkReadCap, sources: Iterable<ShareSource>, opts: ReadOptions, offset: number, length: number): AsyncGenerator<Uint8Array> {
  const set = new ShareSet(fileContext(cap), sources, opts)
  await set.fill()
  const fetcher = new SegmentFetcher(set)
  const p = set.params
  const first = Math.floor(offset / p.segmentSize)
  const last = Math.floor((offset + length - 1) / p.segmentSize)
  set.wholeTrees = wholeTreesPay(p, last - first + 1)
  // Long reads only: for a few segments the hand-off costs more than it saves.
  fetcher.offload = set.wholeTrees && opts.offload !== false
  let done = 0
  // Segments fetched ahead of the one the consumer is given. A long read
  // keeps several in flight (up to 4 MiB), so the worker goes from one
  // segment to the next without waiting for this thread to come back to it;
  // otherwise one, so that the next fetch overlaps with the consumer's work.
  const ahead = fetcher.offload ? Math.max(2, Math.min(PIPELINE_MAX_SEGMENTS, Math.floor(PIPELINE_BYTES / p.segmentSize))) : 1
  const rangeOf = (i: number): DecryptRange => {
    const { start: segStart, end: segEnd } = segmentRange(p, i)
    const a = Math.max(offset, segStart) - segStart
    const b = Math.min(offset + length, segEnd) - segStart
    return { key: cap.key, fileOffset: segStart + a, start: a, end: b }
  }
  const start = (i: number): Promise<FetchedSegment> => {
    const pending = fetcher.segment(i, rangeOf(i))
    pending.catch(() => {}) // observed below; this keeps an abandoned read-ahead from being an unhandled rejection
    return pending
  }
  const inFlight: Array<Promise<FetchedSegment>> = []
  let started = first
  while (started <= last && started < first + ahead) inFlight.push(start(started++))
  for (let i = first; i <= last; i++) {
    checkAborted(opts.signal)
    const seg = await (inFlight.shift() as Promise<FetchedSegment>)
    // Taken one out, put one in: `ahead` stay in flight while the consumer works.
    if (started <= last) inFlight.push(start(started++))
    const { fileOffset, start: a, end: b } = rangeOf(i)
    // Inline, block by block: each output is block-sized, which the allocator
    // serves from its heap, where a segment-sized one would be freshly mapped memory.
    let outs: Uint8Array[]
    if (seg.plaintext != null) outs = [seg.plaintext]
    else {
      const keystream = ctrStreamAt(cap.key, fileOffset)
      outs = slicePieces(seg.crypttext, a, b).map(piece => plain(keystream.update(piece)))
    }
    const segDone = b - a
    done += segDone
    opts.onProgress?.({ segment: i, segmentsDone: i - first + 1, segmentsTotal: last - first + 1, bytesDone: done, bytesTotal: length })
    for (const out of outs) yield out
  }
}

export interface ShareVerification {
  shnum: number
  source: ShareSource
  ok: boolean
  check?: ShareCheck
  error?: Error
}

function verifyFullTree (stored: Uint8Array[], leafCount: number): boolean {
  const p = (stored.length + 1) / 2
  for (let j = leafCount; j < p; j++) if (!bytesEqual(stored[p - 1 + j], emptyLeafHash(j))) return false
  for (let i = 0; i < p - 1; i++) if (!bytesEqual(stored[i], internalNodeHash(stored[2 * i + 1], stored[2 * i + 2]))) return false
  return true
}

/**
 * Checker ("verify") mode: every block of every given share against its
 * block hash tree, the chain, the UEB, and the crypttext hash tree's
 * internal consistency — without the key and without decrypting.
 */
export async function verifyShares (capIn: string | Cap, sources: Iterable<ShareSource>, opts: { signal?: AbortSignal } = {}): Promise<ShareVerification[]> {
  const parsed = toCap(capIn)
  if (parsed.kind === 'lit') return []
  const cap = toVerifyCap(parsed)
  const file = fileContext(cap)
  const verifyOne = async (source: ShareSource): Promise<ShareVerification> => {
    const r = new ShareReader(source, file)
    try {
      await r.open()
      const ueb = r.ueb
      const p = ueb.params
      const cht = await r.readTreeRegion('crypttextHashTree')
      if (!bytesEqual(cht[0], ueb.crypttextRootHash) || !verifyFullTree(cht, p.numSegments)) {
        throw new BadShareError('crypttext-hash', 'the crypttext hash tree is not consistent with the root in the UEB')
      }
      const hashes: Uint8Array[] = []
      for (let i = 0; i < p.numSegments; i++) {
        checkAborted(opts.signal)
        hashes.push(blockHash(await r.readRawBlock(i)))
      }
      const computed = buildTree(hashes)
      if (!bytesEqual(computed[0], r.blockTreeRoot)) throw new BadShareError('block-hash', 'the blocks do not hash to the block hash tree root in the share hash chain')
      const stored = await r.readTreeRegion('blockHashTree')
      const wrong = stored.findIndex((h, j) => !bytesEqual(h, computed[j]))
      if (wrong >= 0) throw new BadShareError('block-hash', `block hash tree node ${wrong} is wrong`)
      return { shnum: source.shnum, source, ok: true }
    } catch (err) {
      if (!(err instanceof BadShareError)) throw err
      return { shnum: source.shnum, source, ok: false, check: err.check, error: err }
    }
  }
  const list = [...sources]
  const out: ShareVerification[] = []
  // The first share settles the UEB; the rest can then go in parallel.
  if (list.length > 0) out.push(await verifyOne(list[0]))
  out.push(...await Promise.all(list.slice(1).map(verifyOne)))
  return out
}

export { storageIndexOf }
