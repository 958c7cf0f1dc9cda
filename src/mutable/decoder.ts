/**
 * Reads mutable files from shares, verifying everything before a byte is
 * returned: the verification key against the cap's fingerprint, the RSA
 * signature over the signed prefix, each share's block-hash root against
 * the signed root hash R (share hash chain), and each block (with its salt,
 * for MDMF) against its share's block hash tree. A share that fails is
 * dropped with a BadMutableShareError naming the check; shares of different
 * versions are never mixed. Shares are read through ranges, so a range read
 * of an MDMF file fetches only its segments and their hash-tree nodes.
 */
import type { KeyObject } from 'node:crypto'
import { logger } from '@libp2p/logger'
import { decode as erasureDecode } from '../erasure/index.js'
import { base32Encode, blockHash, bytesEqual, concatBytes, PartialTree, internalNodeHash, neededHashes } from '../immutable/index.js'
import { type MutableCap, type MutableWriteCap } from './caps.js'
import {
  BadMutableShareError, InvalidMutableRangeError, NotEnoughMutableSharesError, type MutableShareFailure
} from './errors.js'
import { dataKeyHash, fingerprintHash, HASH_LENGTH, SALT_LENGTH, writekeyHash } from './hashes.js'
import { aesCtr, decryptPrivateKey, importMutablePrivateKey, importMutablePublicKey, verifyMutableSignature, type MutableKeyPair } from './keys.js'
import {
  blockRange, HEADER_READ_SIZE, MDMF_VERSION, parseShareHashChain, parseShareHeader, splitHashes, type ParsedHeader,
  type SignedPrefix
} from './layout.js'

const log = logger('lafs-club:mutable:decoder')

/** Byte ranges of one share; a read past the end returns fewer bytes (as Tahoe's slot reads do). */
export interface MutableShareSource {
  shnum: number
  read: (offset: number, length: number) => Promise<Uint8Array>
}

export function mutableShareSourceFromBytes (shnum: number, bytes: Uint8Array): MutableShareSource {
  return { shnum, read: async (offset, length) => bytes.subarray(offset, offset + length) }
}

/** A share whose header, key, signature and chain have passed; blocks are checked as they are read. */
export interface OpenedShare {
  source: MutableShareSource
  shnum: number
  /** The cap's storage index (for logs). */
  storageIndex: Uint8Array
  header: ParsedHeader
  publicKey: KeyObject
  blockTree: PartialTree
}

async function readExact (src: MutableShareSource, at: number, length: number, what: string): Promise<Uint8Array> {
  let got: Uint8Array
  try {
    got = await src.read(at, length)
  } catch (err) {
    throw new BadMutableShareError('layout', src.shnum, `reading the ${what} failed: ${(err as Error).message}`, { cause: err })
  }
  if (got.length !== length) throw new BadMutableShareError('layout', src.shnum, `the share ends before its ${what} (${got.length} of ${length} bytes at ${at})`)
  return got
}

/** Checks the share's block-hash root against the signed root hash through its share hash chain. */
function checkChain (shnum: number, h: ParsedHeader, chain: Map<number, Uint8Array>, blockRoot: Uint8Array): void {
  const n = h.prefix.n
  if (shnum < 0 || shnum >= n) throw new BadMutableShareError('layout', shnum, `share number ${shnum} is outside 0..${n - 1} for N=${n}`)
  const need = neededHashes(shnum, n)
  if (chain.size !== need.length || need.some(i => !chain.has(i))) {
    throw new BadMutableShareError('share-hash-chain', shnum, `the share hash chain holds nodes [${[...chain.keys()].join(',')}], share ${shnum} of ${n} needs [${need.join(',')}]`)
  }
  let p = 1
  while (p < n) p *= 2
  let i = p - 1 + shnum
  let v = blockRoot
  while (i > 0) {
    const sib = i % 2 === 1 ? i + 1 : i - 1
    const s = chain.get(sib) as Uint8Array
    v = i % 2 === 1 ? internalNodeHash(v, s) : internalNodeHash(s, v)
    i = (i - 1) >> 1
  }
  if (!bytesEqual(v, h.prefix.rootHash)) {
    throw new BadMutableShareError('share-hash-chain', shnum, 'the block hash tree root does not lead to the signed root hash')
  }
}

/**
 * Reads and checks everything of a share except its blocks: header,
 * verification key (fingerprint), signature, share hash chain with the
 * block-hash root. Costs two reads for SDMF and MDMF alike.
 */
export async function openShare (source: MutableShareSource, cap: MutableCap): Promise<OpenedShare> {
  const shnum = source.shnum
  const first = await source.read(0, HEADER_READ_SIZE).catch((err: unknown) => {
    throw new BadMutableShareError('layout', shnum, `reading the header failed: ${(err as Error).message}`, { cause: err })
  })
  const header = parseShareHeader(first, shnum)
  const f = header.fields
  // One read for the key, signature and chain (adjacent in both layouts) and the block tree's root.
  const parts = [f.verificationKey, f.signature, f.shareHashChain]
  const lo = Math.min(...parts.map(r => r[0]))
  const hi = Math.max(...parts.map(r => r[1]))
  const [meta, rootNode] = await Promise.all([
    readExact(source, lo, hi - lo, 'key, signature and hash chain'),
    readExact(source, f.blockHashTree[0], HASH_LENGTH, 'block hash tree root')
  ])
  const slice = (r: [number, number]): Uint8Array => meta.subarray(r[0] - lo, r[1] - lo)
  const vk = slice(f.verificationKey)
  if (!bytesEqual(fingerprintHash(vk), cap.fingerprint)) {
    throw new BadMutableShareError('verification-key', shnum, 'the verification key does not hash to the cap\'s fingerprint')
  }
  let publicKey: KeyObject
  try {
    publicKey = importMutablePublicKey(vk)
  } catch (err) {
    throw new BadMutableShareError('verification-key', shnum, (err as Error).message, { cause: err })
  }
  if (!verifyMutableSignature(publicKey, header.signedBytes, slice(f.signature))) {
    throw new BadMutableShareError('signature', shnum, 'the signature over the signed prefix does not verify')
  }
  checkChain(shnum, header, parseShareHashChain(slice(f.shareHashChain), shnum), rootNode)
  return { source, shnum, storageIndex: cap.storageIndex, header, publicKey, blockTree: new PartialTree(Math.max(header.geometry.numSegments, 1), rootNode) }
}

/** Reads one block (and its salt) of an opened share and checks it against the block hash tree. */
export async function readVerifiedBlock (share: OpenedShare, segnum: number): Promise<{ block: Uint8Array, salt: Uint8Array }> {
  const h = share.header
  const r = blockRange(h, segnum)
  const missing = share.blockTree.missingFor(segnum)
  const bhtAt = h.fields.blockHashTree[0]
  // The block and each missing node are separate ranges, asked for at once: the nodes of one
  // path are scattered through the tree, and a source can batch ranges into one request.
  const [data, ...nodes] = await Promise.all([
    readExact(share.source, r.saltAt ?? r.at, r.length + (r.saltAt === undefined ? 0 : SALT_LENGTH), `block of segment ${segnum}`),
    ...missing.map(async i => await readExact(share.source, bhtAt + i * HASH_LENGTH, HASH_LENGTH, `block hash tree node ${i}`))
  ])
  const fetched = new Map<number, Uint8Array>(missing.map((i, j) => [i, nodes[j]]))
  let salt: Uint8Array
  let block: Uint8Array
  let leaf: Uint8Array
  if (h.prefix.version === MDMF_VERSION) {
    salt = data.subarray(0, SALT_LENGTH)
    block = data.subarray(SALT_LENGTH)
    leaf = blockHash(data)
  } else {
    salt = h.prefix.salt as Uint8Array
    block = data
    leaf = blockHash(data)
  }
  if (!share.blockTree.verifyLeaf(segnum, leaf, fetched)) {
    throw new BadMutableShareError('block-hash', share.shnum, `the block of segment ${segnum}${h.prefix.version === MDMF_VERSION ? ' (with its salt)' : ''} does not match the block hash tree`)
  }
  return { block, salt }
}

export interface DecodedMutable {
  /** The requested bytes (the whole file unless a range was asked for). */
  plaintext: Uint8Array
  prefix: SignedPrefix
  seqnum: bigint
  rootHash: Uint8Array
  /** Shares that failed a check, with the check. */
  failures: MutableShareFailure[]
  /** Share numbers of the chosen version that passed every check made. */
  goodShares: number[]
}

export interface ReadMutableOptions {
  offset?: number
  length?: number
}

function failureOf (shnum: number, err: unknown, storageIndex?: Uint8Array): MutableShareFailure {
  if (err instanceof BadMutableShareError) {
    // Files are named by storage index only, never by a key or cap.
    if (storageIndex !== undefined) log('%s share %d dropped: %s check failed: %s', base32Encode(storageIndex), shnum, err.check, err.message)
    return { shnum, check: err.check, error: err }
  }
  throw err
}

function compareVersions (a: ParsedHeader, b: ParsedHeader): number {
  if (a.prefix.seqnum !== b.prefix.seqnum) return a.prefix.seqnum > b.prefix.seqnum ? -1 : 1
  return Buffer.compare(b.prefix.rootHash, a.prefix.rootHash)
}

/** Opens every source; groups the good ones by signed version, newest (highest seqnum, then root hash) first. */
export async function openVersions (cap: MutableCap, sources: readonly MutableShareSource[]): Promise<{ versions: OpenedShare[][], failures: MutableShareFailure[] }> {
  const failures: MutableShareFailure[] = []
  const opened = await Promise.all(sources.map(async s => {
    try {
      return await openShare(s, cap)
    } catch (err) {
      failures.push(failureOf(s.shnum, err, cap.storageIndex))
      return undefined
    }
  }))
  const groups = new Map<string, OpenedShare[]>()
  for (const o of opened) {
    if (o === undefined) continue
    const key = Buffer.from(o.header.signedBytes).toString('hex')
    const g = groups.get(key)
    if (g === undefined) groups.set(key, [o])
    else if (!g.some(x => x.shnum === o.shnum)) g.push(o)
  }
  const versions = [...groups.values()].sort((a, b) => compareVersions(a[0].header, b[0].header))
  for (const v of versions) v.sort((a, b) => a.shnum - b.shnum)
  return { versions, failures }
}

/**
 * Decodes segment `segnum` from k good shares of one version; drops
 * shares whose blocks fail (recorded in `failures`). Returns undefined
 * when fewer than k good shares remain.
 */
async function decodeSegment (shares: OpenedShare[], segnum: number, k: number, n: number, failures: MutableShareFailure[]): Promise<{ data: Uint8Array, salt: Uint8Array } | undefined> {
  const got: Array<{ shnum: number, block: Uint8Array, salt: Uint8Array }> = []
  let next = 0
  while (got.length < k) {
    const want = k - got.length
    if (shares.length - next < want) return undefined
    const batch = shares.slice(next, next + want)
    next += want
    const results = await Promise.all(batch.map(async s => {
      try {
        return { shnum: s.shnum, ...(await readVerifiedBlock(s, segnum)) }
      } catch (err) {
        failures.push(failureOf(s.shnum, err, s.storageIndex))
        return undefined
      }
    }))
    for (const r of results) if (r !== undefined) got.push(r)
    // Drop shares that failed, so later segments do not ask them again.
    for (const s of batch) {
      if (!got.some(g => g.shnum === s.shnum)) {
        shares.splice(shares.indexOf(s), 1)
        next--
      }
    }
  }
  const primaries = erasureDecode(k, n, got.map(g => g.block), got.map(g => g.shnum))
  return { data: concatBytes(primaries), salt: got[0].salt }
}

function planRange (dataLength: number, opts: ReadMutableOptions): [number, number] {
  const offset = opts.offset ?? 0
  const length = opts.length ?? Math.max(0, dataLength - offset)
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > dataLength) {
    throw new InvalidMutableRangeError(`bytes ${offset}..${offset + length} are outside the file (${dataLength} bytes)`)
  }
  return [offset, length]
}

/**
 * Reads the newest recoverable version among `sources` (or a range of it)
 * with a read or write cap. Never mixes versions; throws
 * NotEnoughMutableSharesError (listing every failed check) when no version
 * has k good shares for the segments asked for.
 */
export async function readMutable (cap: MutableCap, sources: readonly MutableShareSource[], opts: ReadMutableOptions = {}): Promise<DecodedMutable> {
  if (cap.kind === 'mutable-verify') throw new TypeError('reading a mutable file needs a read or write cap, not a verify cap')
  const { versions, failures } = await openVersions(cap, sources)
  let bestGood = 0
  let bestK = 1
  for (const version of versions) {
    const h = version[0].header
    const { k, n } = h.prefix
    const g = h.geometry
    bestK = Math.max(bestK, k)
    if (version.length < k) { bestGood = Math.max(bestGood, version.length); continue }
    const [offset, length] = planRange(h.prefix.dataLength, opts)
    const segSize = h.prefix.segmentSize
    const parts: Uint8Array[] = []
    let ok = true
    if (length > 0) {
      const first = Math.floor(offset / segSize)
      const last = Math.floor((offset + length - 1) / segSize)
      const shares = [...version]
      for (let s = first; s <= last; s++) {
        const seg = await decodeSegment(shares, s, k, n, failures)
        if (seg === undefined) { ok = false; bestGood = Math.max(bestGood, shares.length); break }
        const size = s === g.numSegments - 1 ? g.tailDataSize : segSize
        const plain = aesCtr(dataKeyHash(seg.salt, cap.readkey), seg.data.subarray(0, size))
        const from = s === first ? offset - s * segSize : 0
        const to = s === last ? offset + length - s * segSize : size
        parts.push(plain.subarray(from, to))
      }
    }
    if (!ok) continue
    return {
      plaintext: concatBytes(parts),
      prefix: h.prefix,
      seqnum: h.prefix.seqnum,
      rootHash: h.prefix.rootHash,
      failures,
      goodShares: version.map(s => s.shnum).filter(s => !failures.some(f => f.shnum === s))
    }
  }
  throw new NotEnoughMutableSharesError(bestK, bestGood, failures)
}

/** Interop surface: decodes a whole mutable file from whole shares (read or write cap). */
export async function decodeMutable (cap: MutableCap, shares: ReadonlyMap<number, Uint8Array>, opts: ReadMutableOptions = {}): Promise<DecodedMutable> {
  return await readMutable(cap, [...shares].map(([s, b]) => mutableShareSourceFromBytes(s, b)), opts)
}

export interface MutableShareVerification {
  shnum: number
  ok: boolean
  seqnum?: bigint
  rootHash?: Uint8Array
  failure?: MutableShareFailure
}

/**
 * Checks whole shares without decrypting (a verify cap is enough): every
 * check of a read, over every block. With a write cap the encrypted
 * private key is checked too.
 */
export async function verifyMutableShares (cap: MutableCap, shares: ReadonlyMap<number, Uint8Array>): Promise<MutableShareVerification[]> {
  const out: MutableShareVerification[] = []
  for (const [shnum, bytes] of shares) {
    try {
      const s = await openShare(mutableShareSourceFromBytes(shnum, bytes), cap)
      // Readers compute inner nodes rather than read them, so check every stored node here.
      const g = s.header.geometry
      const nodes = splitHashes(await readExact(s.source, s.header.fields.blockHashTree[0], g.blockTreeNodes * HASH_LENGTH, 'block hash tree'))
      if (!s.blockTree.adoptWhole(nodes, Math.max(g.numSegments, 1))) {
        throw new BadMutableShareError('block-hash', shnum, 'the stored block hash tree is not consistent with its root')
      }
      for (let seg = 0; seg < g.numSegments; seg++) await readVerifiedBlock(s, seg)
      if (cap.kind === 'mutable-write') extractPrivateKey(cap, shnum, bytes, s.header)
      out.push({ shnum, ok: true, seqnum: s.header.prefix.seqnum, rootHash: s.header.prefix.rootHash })
    } catch (err) {
      out.push({ shnum, ok: false, failure: failureOf(shnum, err, cap.storageIndex) })
    }
  }
  return out
}

/**
 * Recovers the signature key from a share with the write cap (a writer
 * holding only the cap needs it to publish a new version): it must decrypt
 * to a key whose hash is the write key and whose public half is the share's
 * verification key, which must match the cap's fingerprint.
 */
export function extractPrivateKey (cap: MutableWriteCap, shnum: number, bytes: Uint8Array, header?: ParsedHeader): MutableKeyPair {
  const h = header ?? parseShareHeader(bytes, shnum)
  const f = h.fields
  if (bytes.length < f.eof) throw new BadMutableShareError('layout', shnum, `the share is ${bytes.length} bytes, its offsets end at ${f.eof}`)
  const der = decryptPrivateKey(cap.writekey, bytes.subarray(f.encPrivkey[0], f.encPrivkey[1]))
  if (!bytesEqual(writekeyHash(der), cap.writekey)) {
    throw new BadMutableShareError('private-key', shnum, 'the encrypted private key does not decrypt to the key of this write cap')
  }
  let pair: MutableKeyPair
  try {
    pair = importMutablePrivateKey(der)
  } catch (err) {
    throw new BadMutableShareError('private-key', shnum, `the decrypted private key is unusable: ${(err as Error).message}`, { cause: err })
  }
  if (!bytesEqual(fingerprintHash(pair.publicDer), cap.fingerprint)) {
    throw new BadMutableShareError('private-key', shnum, 'the private key does not belong to the cap\'s verification key')
  }
  return pair
}
