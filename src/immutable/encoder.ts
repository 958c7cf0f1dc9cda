/**
 * CHK encoding as a stream: plan first (size, key, layout — everything a
 * network uploader needs to allocate shares), then encode segment by
 * segment, keeping O(segment × N) memory plus 32 bytes per segment and
 * share for the block hashes.
 */
import { encode as zfecEncode } from '../erasure/index.js'
import { formatCap, toVerifyCap, type ChkReadCap } from './caps.js'
import { ctrStreamAt } from './cipher.js'
import { InvalidParametersError, SourceChangedError } from './errors.js'
import { blockHash, plain, storageIndexHash, TaggedHasher, TAGS, uebHash as hashUeb, concatBytes } from './hashes.js'
import { ConvergentKeyHasher, randomKey } from './key.js'
import { computeLayout, encodeChain, encodeHeader, encodeUebLength, type ShareLayout } from './layout.js'
import { buildTree, neededHashes, serializeTree } from './merkle.js'
import {
  checkShareCounts, chooseSegmentSize, DEFAULT_HAPPY, DEFAULT_K, DEFAULT_MAX_SEGMENT_SIZE, DEFAULT_N, deriveParams,
  LIT_SIZE_THRESHOLD, roundUp, type ChkParams
} from './params.js'
import { chunksOf, fixedPieces, type PlaintextSource } from './source.js'
import { buildChkUeb } from './ueb.js'

export interface PlanOptions {
  k?: number
  n?: number
  /** Servers-of-happiness target; checked (1..N) and carried in the plan, never part of the format. */
  happy?: number
  maxSegmentSize?: number
  /** Convergent mode: the same plaintext, secret and parameters give the same cap. */
  convergenceSecret?: Uint8Array
  /** Explicit key (repair re-creating identical shares). Without this or a secret, a random key is used. */
  key?: Uint8Array
  /** Explicit segment size S (repair: take it from the UEB). Overrides maxSegmentSize. */
  segmentSize?: number
  /** The plaintext size if known in advance; a source producing another size is an error. */
  size?: number
  /** Share layout version; by default v1 unless the share needs v2 (as Tahoe). Forcing 2 exercises the large-share path. */
  layoutVersion?: 1 | 2
}

export interface LitPlan {
  kind: 'lit'
  size: number
  data: Uint8Array
  cap: string
}

export interface ChkPlan {
  kind: 'chk'
  size: number
  k: number
  n: number
  happy: number
  key: Uint8Array
  keyMode: 'convergent' | 'explicit' | 'random'
  storageIndex: Uint8Array
  params: ChkParams
  segmentSize: number
  numSegments: number
  blockSize: number
  tailBlockSize: number
  layout: ShareLayout
  /** Exact allocated size of every share. */
  shareSize: number
  /** Header bytes, identical for every share, at offset 0. */
  header: Uint8Array
}

export type ImmutablePlan = LitPlan | ChkPlan

export interface BlocksEvent {
  type: 'blocks'
  segment: number
  /** Offset of these blocks within each share. */
  offset: number
  /** One block per share number 0..N-1. */
  blocks: Uint8Array[]
}

export interface TrailerEvent {
  type: 'trailer'
  /** Offset of the trailer within each share (the end of the data region). */
  offset: number
  /** Per share number: every byte from the end of the data to the end of the share. */
  trailers: Uint8Array[]
}

export interface EncodeResult {
  type: 'done'
  cap: string
  verifyCap?: string
  uebHash?: Uint8Array
  storageIndex?: Uint8Array
  ueb?: Uint8Array
}

export type EncodeEvent = BlocksEvent | TrailerEvent | EncodeResult

function checkOptions (opts: PlanOptions): { k: number, n: number, happy: number, maxSegmentSize: number } {
  const k = opts.k ?? DEFAULT_K
  const n = opts.n ?? DEFAULT_N
  checkShareCounts(k, n)
  const happy = opts.happy ?? Math.min(DEFAULT_HAPPY, n)
  if (!Number.isInteger(happy) || happy < 1 || happy > n) {
    throw new InvalidParametersError(`happy must be a whole number from 1 to N=${n} (got ${happy})`)
  }
  const maxSegmentSize = opts.maxSegmentSize ?? DEFAULT_MAX_SEGMENT_SIZE
  if (!Number.isSafeInteger(maxSegmentSize) || maxSegmentSize < 1) {
    throw new InvalidParametersError(`maxSegmentSize must be a whole number >= 1 (got ${maxSegmentSize})`)
  }
  if (opts.key !== undefined && opts.key.length !== 16) throw new InvalidParametersError(`an AES-128 key is 16 bytes, got ${opts.key.length}`)
  if (opts.key !== undefined && opts.convergenceSecret !== undefined) throw new InvalidParametersError('give either a key or a convergence secret, not both')
  if (opts.size !== undefined && (!Number.isSafeInteger(opts.size) || opts.size < 0)) throw new InvalidParametersError(`size must be a whole number >= 0 (got ${opts.size})`)
  return { k, n, happy, maxSegmentSize }
}

function sizeChanged (expected: number, got: number): SourceChangedError {
  return new SourceChangedError(`the plaintext source produced ${got} bytes but ${expected} were expected; it must give the same bytes on every read`)
}

/**
 * First pass: learns the size (if needed) and the convergent key. The
 * convergence tag depends on S, which depends on min(maxSeg, size), so up
 * to maxSeg bytes are held back until S is certain.
 */
async function firstPass (source: PlaintextSource, opts: PlanOptions, k: number, n: number, maxSegmentSize: number):
Promise<{ size: number, head: Uint8Array, key?: Uint8Array }> {
  const secret = opts.convergenceSecret
  const segmentSizeFor = (size: number): number => opts.segmentSize ?? chooseSegmentSize(size, k, maxSegmentSize)
  if (source instanceof Uint8Array) {
    const size = source.length
    if (size <= LIT_SIZE_THRESHOLD || secret === undefined) return { size, head: source }
    return { size, head: source, key: new ConvergentKeyHasher(secret, k, n, segmentSizeFor(size)).update(source).key() }
  }
  if (secret === undefined && opts.size !== undefined && opts.size > LIT_SIZE_THRESHOLD) {
    return { size: opts.size, head: new Uint8Array(0) }
  }
  // Bytes to see before S (and literal-or-not) is settled.
  const holdBack = secret === undefined ? LIT_SIZE_THRESHOLD + 1 : Math.max(LIT_SIZE_THRESHOLD + 1, opts.segmentSize !== undefined ? 0 : maxSegmentSize)
  const held: Uint8Array[] = []
  let heldBytes = 0
  let total = 0
  let hasher: ConvergentKeyHasher | undefined
  for await (const chunk of chunksOf(source)) {
    total += chunk.length
    if (secret === undefined) {
      if (heldBytes < holdBack) { held.push(chunk.slice()); heldBytes += chunk.length }
      continue
    }
    if (hasher !== undefined) { hasher.update(chunk); continue }
    held.push(chunk.slice())
    heldBytes += chunk.length
    if (heldBytes >= holdBack) {
      // size >= maxSeg from here on, so S = roundup(maxSeg, k) whatever the final size.
      hasher = new ConvergentKeyHasher(secret, k, n, opts.segmentSize ?? roundUp(maxSegmentSize, k))
      for (const h of held) hasher.update(h)
      held.length = 0
    }
  }
  if (opts.size !== undefined && opts.size !== total) throw sizeChanged(opts.size, total)
  const head = concatBytes(held)
  if (secret === undefined || total <= LIT_SIZE_THRESHOLD) return { size: total, head }
  hasher ??= new ConvergentKeyHasher(secret, k, n, segmentSizeFor(total)).update(head)
  return { size: total, head, key: hasher.key() }
}

/**
 * Learns everything about the upload before encoding: for files of 55
 * bytes or fewer a literal cap (nothing to store), otherwise the key,
 * storage index, sizes and share layout. Reads a function source once
 * (convergent mode, or when the size is unknown).
 */
export async function planChk (source: PlaintextSource, opts: PlanOptions = {}): Promise<ImmutablePlan> {
  const { k, n, happy, maxSegmentSize } = checkOptions(opts)
  const first = await firstPass(source, opts, k, n, maxSegmentSize)
  if (opts.size !== undefined && opts.size !== first.size) throw sizeChanged(opts.size, first.size)
  if (first.size <= LIT_SIZE_THRESHOLD) {
    const data = first.head.slice(0, first.size)
    return { kind: 'lit', size: first.size, data, cap: formatCap({ kind: 'lit', data }) }
  }
  const segmentSize = opts.segmentSize ?? chooseSegmentSize(first.size, k, maxSegmentSize)
  const params = deriveParams(first.size, k, n, segmentSize)
  const keyMode = opts.key !== undefined ? 'explicit' : first.key !== undefined ? 'convergent' : 'random'
  const key = opts.key ?? first.key ?? randomKey()
  const layout = computeLayout(params, undefined, opts.layoutVersion)
  return { ...shapeOf(params, layout, happy, storageIndexHash(key)), key, keyMode }
}

/** A plan's sizes and layout, from the parameters: what the client's and a helper's plans share. */
function shapeOf (params: ChkParams, layout: ReturnType<typeof computeLayout>, happy: number, storageIndex: Uint8Array): CrypttextPlan {
  return {
    kind: 'chk',
    size: params.size,
    k: params.k,
    n: params.n,
    happy,
    storageIndex,
    params,
    segmentSize: params.segmentSize,
    numSegments: params.numSegments,
    blockSize: params.blockSize,
    tailBlockSize: params.tailBlockSize,
    layout,
    shareSize: layout.shareSize,
    header: encodeHeader(layout)
  }
}

/**
 * Encrypts one plaintext segment into its k primary blocks (zero-padded in
 * the tail), feeding each piece of crypttext to `hashers`. Block by block,
 * so every buffer made here is block-sized: a segment-sized one would be
 * fresh mapped memory on every segment, slow to touch on small VMs.
 */
function encryptSegment (p: ChkParams, crypt: (piece: Uint8Array) => Uint8Array, plaintext: Uint8Array, isTail: boolean, hashers: TaggedHasher[]): Uint8Array[] {
  const len = (isTail ? p.tailPadded : p.segmentSize) / p.k
  const blocks: Uint8Array[] = []
  for (let j = 0; j < p.k; j++) {
    const start = Math.min(j * len, plaintext.length)
    const end = Math.min(start + len, plaintext.length)
    let block = end > start ? crypt(plaintext.subarray(start, end)) : new Uint8Array(0)
    for (const h of hashers) h.update(block)
    if (block.length < len) {
      const padded = new Uint8Array(len)
      padded.set(block)
      block = padded
    }
    blocks.push(block)
  }
  return blocks
}

/**
 * Second pass: yields the blocks of every segment in order, then the
 * trailers (hash trees, chain, UEB), then the result. Share bytes =
 * plan.header at 0, each blocks event at its offset, the trailer at its
 * offset; together exactly plan.shareSize bytes.
 */
export async function * encodeChk (plan: ImmutablePlan, source: PlaintextSource): AsyncGenerator<EncodeEvent, EncodeResult> {
  if (plan.kind === 'lit') {
    const done: EncodeResult = { type: 'done', cap: plan.cap }
    yield done
    return done
  }
  const cipher = ctrStreamAt(plan.key, 0)
  const { ueb, uebHash: uebH } = yield * encodeBlocks(plan, source, piece => plain(cipher.update(piece)))
  const cap: ChkReadCap = { kind: 'chk', key: plan.key, uebHash: uebH, k: plan.params.k, n: plan.params.n, size: plan.params.size }
  const done: EncodeResult = {
    type: 'done',
    cap: formatCap(cap),
    verifyCap: formatCap(toVerifyCap(cap)),
    uebHash: uebH,
    storageIndex: plan.storageIndex,
    ueb
  }
  yield done
  return done
}

/**
 * What encoding needs when the crypttext comes ready-made (an upload
 * helper): everything of a ChkPlan but the key, which the helper never sees.
 */
export type CrypttextPlan = Omit<ChkPlan, 'key' | 'keyMode'>

export interface CrypttextPlanOptions {
  storageIndex: Uint8Array
  size: number
  k: number
  n: number
  happy: number
  /** The segment size the client's plan chose (it is in the UEB, so it must be the same). */
  segmentSize: number
}

/** The plan of a file whose crypttext someone else made: the same layout the client's own plan has. */
export function planCrypttext (o: CrypttextPlanOptions): CrypttextPlan {
  checkOptions({ k: o.k, n: o.n, happy: o.happy })
  if (o.storageIndex.length !== 16) throw new InvalidParametersError(`a storage index is 16 bytes, got ${o.storageIndex.length}`)
  if (!Number.isSafeInteger(o.size) || o.size <= LIT_SIZE_THRESHOLD) throw new InvalidParametersError(`a CHK file is more than ${LIT_SIZE_THRESHOLD} bytes (got ${o.size})`)
  if (!Number.isSafeInteger(o.segmentSize) || o.segmentSize < 1 || o.segmentSize % o.k !== 0) {
    throw new InvalidParametersError(`segment size must be a positive multiple of k (got ${o.segmentSize})`)
  }
  const params = deriveParams(o.size, o.k, o.n, o.segmentSize)
  return shapeOf(params, computeLayout(params), o.happy, o.storageIndex)
}

/**
 * Encodes crypttext made elsewhere into shares: the same events as
 * encodeChk; the result has the UEB hash but no cap (that needs the key).
 */
export async function * encodeCrypttext (plan: CrypttextPlan, crypttext: PlaintextSource): AsyncGenerator<EncodeEvent, EncodeResult> {
  // a copy: a piece may be a view of a buffer the source reuses, and blocks outlive it in write batches
  const { ueb, uebHash: uebH } = yield * encodeBlocks(plan, crypttext, piece => piece.slice())
  const done: EncodeResult = { type: 'done', cap: '', uebHash: uebH, storageIndex: plan.storageIndex, ueb }
  yield done
  return done
}

async function * encodeBlocks (plan: CrypttextPlan, source: PlaintextSource, crypt: (piece: Uint8Array) => Uint8Array):
AsyncGenerator<BlocksEvent | TrailerEvent, { ueb: Uint8Array, uebHash: Uint8Array }> {
  const p = plan.params
  const crypttext = new TaggedHasher(TAGS.crypttext)
  const segHashes: Uint8Array[] = []
  const blockHashes: Uint8Array[] = Array.from({ length: p.n }, () => new Uint8Array(p.numSegments * 32))
  let seen = 0
  let i = 0
  for await (const piece of fixedPieces(chunksOf(source), p.segmentSize)) {
    seen += piece.length
    if (seen > p.size || (i < p.numSegments - 1 && piece.length !== p.segmentSize)) throw sizeChanged(p.size, seen)
    const segHash = new TaggedHasher(TAGS.crypttextSegment)
    const blocks = zfecEncode(p.k, p.n, encryptSegment(p, crypt, piece, i === p.numSegments - 1, [crypttext, segHash]))
    segHashes.push(segHash.digest())
    for (let s = 0; s < p.n; s++) blockHashes[s].set(blockHash(blocks[s]), i * 32)
    yield { type: 'blocks', segment: i, offset: plan.layout.offsets.data + i * p.blockSize, blocks }
    i++
  }
  if (seen !== p.size) throw sizeChanged(p.size, seen)

  const cht = buildTree(segHashes)
  const bhts = blockHashes.map(flat => buildTree(Array.from({ length: p.numSegments }, (_, j) => flat.subarray(j * 32, j * 32 + 32))))
  const sht = buildTree(bhts.map(t => t[0]))
  const ueb = buildChkUeb({ params: p, crypttextHash: crypttext.digest(), crypttextRootHash: cht[0], shareRootHash: sht[0] })
  if (ueb.length !== plan.layout.uebLength) throw new Error(`internal: UEB is ${ueb.length} bytes, layout planned ${plan.layout.uebLength}`)
  const uebH = hashUeb(ueb)
  const l = plan.layout
  const common = new Uint8Array(2 * l.treeSize)
  common.set(serializeTree(cht), l.treeSize) // the first tree region (plaintext hashes) stays zero
  const uebPart = concatBytes([encodeUebLength(l, ueb.length), ueb])
  const trailers = bhts.map((bht, s) => {
    const chain = encodeChain(neededHashes(s, p.n, true).map(node => ({ node, hash: sht[node] })))
    return concatBytes([common, serializeTree(bht), chain, uebPart])
  })
  yield { type: 'trailer', offset: l.offsets.plaintextHashTree, trailers }
  return { ueb, uebHash: uebH }
}
