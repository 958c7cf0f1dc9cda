/**
 * Reads and checks one share through a ShareSource: header, UEB, share
 * hash chain, then blocks against the share's block hash tree. Every
 * failure is a BadShareError naming the check, so the downloader can drop
 * this share and use another.
 */
import { BadShareError, type ShareCheck } from './errors.js'
import { bytesEqual, TAGS, TaggedHasher, uebHash } from './hashes.js'
import { checkOffsets, HASH_SIZE, HEADER_READ_SIZE, parseChain, parseHeader, parseUebLength, type ParsedHeader } from './layout.js'
import { PartialTree } from './merkle.js'
import { blockLength } from './params.js'
import { MAX_UEB_LENGTH, validateUeb, type ValidatedUeb } from './ueb.js'

/**
 * Random access to one share's bytes (offset 0 = the share's first header
 * byte; for a Tahoe container file that is file offset 12). Like Tahoe's
 * storage read, a read reaching past the end of the share returns the
 * bytes that exist instead of failing.
 */
export interface ShareSource {
  shnum: number
  /**
   * `kind` says what the bytes are for: 'data' for blocks, read in order;
   * 'meta' for headers and hash trees, read once. A remote source may read
   * ahead for data and not for meta.
   */
  read: (offset: number, length: number, kind?: ReadKind) => Promise<Uint8Array>
  /**
   * Optional: the same bytes as read(offset, length, 'data') but as the
   * buffers they arrived in, so a block that straddles two network buffers
   * is hashed and decrypted in place instead of being copied together.
   */
  readPieces?: (offset: number, length: number) => Promise<Uint8Array[]>
  /**
   * Optional: lower is read first (the client's view of the server: fast and
   * honest ones first). Sources of one preference keep the decoder's own
   * order (primary shares first). Default 0.
   */
  preference?: number
  /**
   * Optional: which server holds this share. Shares of one server share its
   * link (a download spreading segments measures them together) and its
   * fate (one that fails or lies is not read again for the file).
   */
  server?: string
  /** Optional: what the client already knows of the server's read throughput (bytes/s), until this download measures it. */
  bytesPerSecond?: number
}

export type ReadKind = 'data' | 'meta'

/** A ShareSource over share bytes held in memory. */
export function shareSourceFromBytes (shnum: number, bytes: Uint8Array): ShareSource {
  return {
    shnum,
    read: async (offset, length) => bytes.subarray(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length))
  }
}

/** What every share of one file has in common, learned from the cap and the first good UEB. */
export interface FileContext {
  k: number
  n: number
  size: number
  uebHash: Uint8Array
  ueb?: ValidatedUeb
}

/** Read-ahead for the UEB, so one read usually gets chain + length + UEB. */
const UEB_GUESS = 512

function bad (check: ShareCheck, message: string): BadShareError {
  return new BadShareError(check, message)
}

/** Runs of consecutive node numbers, so adjacent hashes come in one read. */
function runs (nodes: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (const n of nodes) {
    const last = out[out.length - 1]
    if (last !== undefined && last[0] + last[1] === n) last[1]++
    else out.push([n, 1])
  }
  return out
}

export class ShareReader {
  readonly source: ShareSource
  readonly shnum: number
  private readonly file: FileContext
  private header?: ParsedHeader
  private blockTree?: PartialTree
  private wholeTree?: Promise<void>
  /** Bytes read through this reader (for tests and progress accounting). */
  bytesRead = 0

  constructor (source: ShareSource, file: FileContext) {
    this.source = source
    this.shnum = source.shnum
    this.file = file
  }

  /** Reads exactly `length` bytes; a shorter answer is reported as `short`. */
  private async read (offset: number, length: number, short: ShareCheck, what: string, kind: ReadKind = 'meta'): Promise<Uint8Array> {
    let got: Uint8Array
    try {
      got = await this.source.read(offset, length, kind)
    } catch (err) {
      throw new BadShareError('read-error', `reading ${what} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err })
    }
    if (!(got instanceof Uint8Array)) throw bad('read-error', `reading ${what} returned no bytes`)
    this.bytesRead += got.length
    if (got.length < length) throw bad(short, `the share ends before ${what} (wanted ${length} bytes at ${offset}, got ${got.length})`)
    return got.length === length ? got : got.subarray(0, length)
  }

  /** Reads up to `length` bytes (may be fewer at the end of the share). */
  private async readUpTo (offset: number, length: number, what: string): Promise<Uint8Array> {
    try {
      const got = await this.source.read(offset, length, 'meta')
      if (!(got instanceof Uint8Array)) throw new TypeError('no bytes returned')
      this.bytesRead += got.length
      return got.length > length ? got.subarray(0, length) : got
    } catch (err) {
      throw new BadShareError('read-error', `reading ${what} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err })
    }
  }

  get ueb (): ValidatedUeb {
    if (this.file.ueb === undefined) throw new Error('internal: share read before the UEB is known')
    return this.file.ueb
  }

  get layoutHeader (): ParsedHeader {
    if (this.header === undefined) throw new Error('internal: share read before open()')
    return this.header
  }

  /**
   * Header, UEB (must hash to the cap's UEB hash) and share hash chain
   * (must lead from this share's block-tree root to the UEB's share root).
   */
  async open (): Promise<void> {
    const f = this.file
    if (!Number.isInteger(this.shnum) || this.shnum < 0 || this.shnum >= f.n) {
      throw bad('layout', `share number ${this.shnum} is outside 0..${f.n - 1}`)
    }
    const headerBytes = await this.readUpTo(0, HEADER_READ_SIZE, 'the header')
    const header = parseHeader(headerBytes, f.n)
    const o = header.offsets
    const chainSize = o.uriExtension - o.shareHashChain
    const lenSize = header.uebLengthSize
    const tail = await this.readUpTo(o.shareHashChain, chainSize + lenSize + UEB_GUESS, 'the share hash chain and UEB')
    if (tail.length < chainSize) throw bad('layout', 'the share ends inside the share hash chain')
    if (tail.length < chainSize + lenSize) throw bad('ueb', 'the share ends before the UEB length')
    const uebLength = parseUebLength(tail.subarray(chainSize, chainSize + lenSize), lenSize)
    if (uebLength >= MAX_UEB_LENGTH) throw bad('ueb', `UEB length ${uebLength} is implausible (limit ${MAX_UEB_LENGTH})`)
    let ueb = tail.subarray(chainSize + lenSize, chainSize + lenSize + uebLength)
    if (ueb.length < uebLength) {
      const rest = await this.read(o.uriExtension + lenSize + ueb.length, uebLength - ueb.length, 'ueb', 'the end of the UEB')
      const whole = new Uint8Array(uebLength)
      whole.set(ueb)
      whole.set(rest, ueb.length)
      ueb = whole
    }
    if (!bytesEqual(uebHash(ueb), f.uebHash)) throw bad('ueb', 'the UEB does not match the hash in the cap')
    const validated = validateUeb(ueb, f)
    f.ueb ??= validated
    const p = f.ueb.params
    checkOffsets(header, p)
    this.header = header

    const entries = parseChain(tail.subarray(0, chainSize))
    // A fresh tree per share, so every entry of this share's chain is checked.
    const shareTree = new PartialTree(f.n, f.ueb.shareRootHash)
    const nodes = new Map<number, Uint8Array>()
    for (const e of entries) {
      if (e.node >= shareTree.size) throw bad('share-hash-chain', `chain entry for node ${e.node} lies outside the ${shareTree.size}-node share hash tree`)
      const prev = nodes.get(e.node)
      if (prev !== undefined && !bytesEqual(prev, e.hash)) throw bad('share-hash-chain', `node ${e.node} appears twice with different hashes`)
      nodes.set(e.node, e.hash)
    }
    const leaf = nodes.get(shareTree.leafNode(this.shnum))
    if (leaf === undefined) throw bad('share-hash-chain', `the chain lacks this share's own leaf (node ${shareTree.leafNode(this.shnum)})`)
    if (!shareTree.verifyLeaf(this.shnum, leaf, nodes)) {
      throw bad('share-hash-chain', `the share hash chain does not lead to the share root hash in the UEB`)
    }
    this.blockTree = new PartialTree(p.numSegments, leaf)
  }

  private async readHashes (base: number, nodes: number[], check: ShareCheck, what: string): Promise<Map<number, Uint8Array>> {
    const out = new Map<number, Uint8Array>()
    await Promise.all(runs(nodes).map(async ([first, count]) => {
      const bytes = await this.read(base + first * HASH_SIZE, count * HASH_SIZE, check, what)
      for (let j = 0; j < count; j++) out.set(first + j, bytes.subarray(j * HASH_SIZE, (j + 1) * HASH_SIZE))
    }))
    return out
  }

  /**
   * Reads and checks the whole block hash tree in one go, so that later
   * blocks need no tree reads at all. Worth it when most blocks will be
   * read: leaf by leaf, a sequential scan costs a small read for every
   * other block.
   */
  async loadBlockTree (): Promise<void> {
    this.wholeTree ??= (async () => {
      const tree = this.blockTree
      if (tree === undefined) throw new Error('internal: loadBlockTree before open()')
      const nodes = await this.readTreeRegion('blockHashTree')
      if (!tree.adoptWhole(nodes, this.ueb.params.numSegments)) {
        throw bad('block-hash', 'the block hash tree does not hash up to the root in the share hash chain')
      }
    })()
    await this.wholeTree
  }

  /** Block i of this share, checked against the block hash tree, as one or more buffers in order. */
  async readBlock (i: number): Promise<Uint8Array[]> {
    const { block, nodes } = await this.readBlockUnchecked(i)
    const hasher = new TaggedHasher(TAGS.block)
    for (const piece of block) hasher.update(piece)
    this.checkBlock(i, hasher.digest(), nodes)
    return block
  }

  /** Block i and the tree nodes needed to check it; the caller hashes it and calls checkBlock. */
  async readBlockUnchecked (i: number): Promise<{ block: Uint8Array[], nodes: Map<number, Uint8Array> }> {
    const p = this.ueb.params
    const tree = this.blockTree
    if (tree === undefined) throw new Error('internal: readBlock before open()')
    const o = this.layoutHeader.offsets
    const [block, nodes] = await Promise.all([
      this.readData(o.data + i * p.blockSize, blockLength(p, i), `block ${i}`),
      this.readHashes(o.blockHashTree, tree.missingFor(i), 'block-hash', `block hash tree nodes for segment ${i}`)
    ])
    return { block, nodes }
  }

  /**
   * Blocks first..first+count-1, unchecked, read in one request (they lie
   * back to back in the share): one block's buffers per entry. Only once the
   * whole block hash tree is loaded, so no block needs tree nodes read.
   */
  async readBlockRun (first: number, count: number): Promise<Uint8Array[][]> {
    const p = this.ueb.params
    const tree = this.blockTree
    if (tree === undefined || this.wholeTree === undefined) throw new Error('internal: readBlockRun before loadBlockTree()')
    await this.wholeTree
    const lengths = Array.from({ length: count }, (_, j) => blockLength(p, first + j))
    const total = lengths.reduce((a, b) => a + b, 0)
    const pieces = await this.readData(this.layoutHeader.offsets.data + first * p.blockSize, total, `blocks ${first}..${first + count - 1}`)
    return splitPieces(pieces, lengths)
  }

  /** Throws BadShareError('block-hash') unless `hash` is block i's leaf in this share's tree. */
  checkBlock (i: number, hash: Uint8Array, nodes: ReadonlyMap<number, Uint8Array>): void {
    const tree = this.blockTree
    if (tree === undefined) throw new Error('internal: checkBlock before open()')
    if (!tree.verifyLeaf(i, hash, nodes)) throw bad('block-hash', `block ${i} does not match the share's block hash tree`)
  }

  /** Exactly `length` data bytes, as pieces when the source offers them. */
  private async readData (offset: number, length: number, what: string): Promise<Uint8Array[]> {
    if (this.source.readPieces === undefined) return [await this.read(offset, length, 'block-hash', what, 'data')]
    let pieces: Uint8Array[]
    try {
      pieces = await this.source.readPieces(offset, length)
    } catch (err) {
      throw new BadShareError('read-error', `reading ${what} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err })
    }
    let got = 0
    for (const piece of pieces) {
      if (!(piece instanceof Uint8Array)) throw bad('read-error', `reading ${what} returned no bytes`)
      got += piece.byteLength
    }
    this.bytesRead += got
    if (got < length) throw bad('block-hash', `the share ends before ${what} (wanted ${length} bytes at ${offset}, got ${got})`)
    if (got > length) throw bad('read-error', `reading ${what} returned ${got} bytes, more than the ${length} asked for`)
    return pieces
  }

  /** Crypttext hash tree nodes (unverified: the caller checks them with the segment). */
  async readCrypttextNodes (nodes: number[]): Promise<Map<number, Uint8Array>> {
    return await this.readHashes(this.layoutHeader.offsets.crypttextHashTree, nodes, 'crypttext-hash', 'crypttext hash tree nodes')
  }

  /** A whole tree region (for the verifier). */
  async readTreeRegion (which: 'crypttextHashTree' | 'blockHashTree'): Promise<Uint8Array[]> {
    const p = this.ueb.params
    const count = 2 * p.segmentTreeLeaves - 1
    const check: ShareCheck = which === 'blockHashTree' ? 'block-hash' : 'crypttext-hash'
    const bytes = await this.read(this.layoutHeader.offsets[which], count * HASH_SIZE, check, which)
    return Array.from({ length: count }, (_, j) => bytes.subarray(j * HASH_SIZE, (j + 1) * HASH_SIZE))
  }

  /** Block i without checking it (the verifier checks the whole tree at once). */
  async readRawBlock (i: number): Promise<Uint8Array> {
    const p = this.ueb.params
    return await this.read(this.layoutHeader.offsets.data + i * p.blockSize, blockLength(p, i), 'block-hash', `block ${i}`, 'data')
  }

  /** The block hash tree root this share's chain proved. */
  get blockTreeRoot (): Uint8Array {
    if (this.blockTree === undefined) throw new Error('internal: share not opened')
    return this.blockTree.root
  }
}

/** `pieces` (holding exactly the sum of `lengths` bytes) cut into consecutive runs of those lengths, as views. */
export function splitPieces (pieces: readonly Uint8Array[], lengths: readonly number[]): Uint8Array[][] {
  const out: Uint8Array[][] = []
  let p = 0
  let at = 0
  for (const length of lengths) {
    const part: Uint8Array[] = []
    let left = length
    while (left > 0) {
      const piece = pieces[p]
      const take = Math.min(left, piece.byteLength - at)
      part.push(take === piece.byteLength ? piece : piece.subarray(at, at + take))
      left -= take
      at += take
      if (at === piece.byteLength) { p++; at = 0 }
    }
    out.push(part)
  }
  return out
}
