/**
 * Publishes a version of a mutable file into N whole shares, as Tahoe's
 * publisher does: each segment gets a fresh 16-byte salt, is encrypted with
 * AES-128-CTR under Hp(datakey tag, salt, readkey), erasure-coded k-of-N,
 * and every share gets a block hash tree (MDMF: over salt || block), a
 * chain into the share hash tree whose root R is signed with the rest of
 * the signed prefix.
 */
import { randomBytes } from 'node:crypto'
import { encode as erasureEncode } from '../erasure/index.js'
import { blockHash, buildTree, emptyLeafHash, neededHashes, TAGS, TaggedHasher } from '../immutable/index.js'
import { writeCapFromKeyPair, type MutableFormat, type MutableWriteCap } from './caps.js'
import { InvalidMutableParametersError } from './errors.js'
import { dataKeyHash, SALT_LENGTH } from './hashes.js'
import { aesCtr, encryptPrivateKey, signMutable, type MutableKeyPair } from './keys.js'
import {
  assembleShare, DEFAULT_MDMF_SEGMENT_SIZE, geometry, MDMF_VERSION, nextMultiple, packSignedPrefix, SDMF_VERSION,
  type SignedPrefix
} from './layout.js'

export interface EncodeMutableOptions {
  keyPair: MutableKeyPair
  format: MutableFormat
  /** Tahoe starts a new file at 1 and adds one per version. */
  seqnum: bigint | number
  k: number
  n: number
  /** MDMF only: maximum segment size before rounding up to a multiple of k (Tahoe: 128 KiB). */
  segmentSize?: number
  /** Salts to use instead of random ones (one per segment; SDMF: one): for reproducible tests only. */
  salts?: readonly Uint8Array[]
}

export interface EncodedMutable {
  cap: MutableWriteCap
  /** Whole shares, index = share number. */
  shares: Uint8Array[]
  prefix: SignedPrefix
  rootHash: Uint8Array
  seqnum: bigint
}

function blockHashOf (version: number, salt: Uint8Array, block: Uint8Array): Uint8Array {
  // MDMF hashes salt || block; streaming the two avoids copying every block.
  return version === MDMF_VERSION ? new TaggedHasher(TAGS.block).update(salt).update(block).digest() : blockHash(block)
}

export function encodeMutable (plaintext: Uint8Array, opts: EncodeMutableOptions): EncodedMutable {
  const { keyPair, format, k, n } = opts
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 1 || n < k || n > 255) {
    throw new InvalidMutableParametersError(`need 1 <= k <= N <= 255, got k=${k}, N=${n}`)
  }
  const seqnum = BigInt(opts.seqnum)
  if (seqnum < 0n || seqnum >= 2n ** 64n) throw new InvalidMutableParametersError(`the sequence number must fit in 64 bits, got ${seqnum}`)
  const version = format === 'mdmf' ? MDMF_VERSION : SDMF_VERSION
  const cap = writeCapFromKeyPair(keyPair, format)
  const dataLength = plaintext.length
  let segmentSize: number
  if (version === SDMF_VERSION) segmentSize = nextMultiple(dataLength, k)
  else {
    const max = opts.segmentSize ?? DEFAULT_MDMF_SEGMENT_SIZE
    if (!Number.isSafeInteger(max) || max < 1) throw new InvalidMutableParametersError(`the segment size must be a positive integer, got ${max}`)
    segmentSize = nextMultiple(max, k)
  }
  const geo = geometry(version, k, segmentSize, dataLength)
  const saltCount = Math.max(geo.numSegments, version === SDMF_VERSION ? 1 : 0) // an empty SDMF file still signs an IV
  const salts = opts.salts ?? Array.from({ length: saltCount }, () => new Uint8Array(randomBytes(SALT_LENGTH)))
  if (salts.length !== saltCount || salts.some(s => s.length !== SALT_LENGTH)) {
    throw new InvalidMutableParametersError(`need ${saltCount} salts of ${SALT_LENGTH} bytes for ${geo.numSegments} segments`)
  }

  const blocks: Array<Array<{ block: Uint8Array, salt: Uint8Array }>> = Array.from({ length: n }, () => [])
  const leaves: Uint8Array[][] = Array.from({ length: n }, () => [])
  for (let s = 0; s < geo.numSegments; s++) {
    const start = s * segmentSize
    const end = Math.min(dataLength, start + segmentSize)
    const crypttext = aesCtr(dataKeyHash(salts[s], cap.readkey), plaintext.subarray(start, end))
    const piece = s === geo.numSegments - 1 ? geo.tailBlockSize : geo.blockSize
    const padded = new Uint8Array(piece * k)
    padded.set(crypttext)
    const primaries = Array.from({ length: k }, (_, i) => padded.subarray(i * piece, (i + 1) * piece))
    const encoded = erasureEncode(k, n, primaries)
    for (let sh = 0; sh < n; sh++) {
      blocks[sh].push({ block: encoded[sh], salt: salts[s] })
      leaves[sh].push(blockHashOf(version, salts[s], encoded[sh]))
    }
  }
  // An empty file's block hash tree is Tahoe's one padding leaf.
  const blockTrees = leaves.map(l => l.length === 0 ? [emptyLeafHash(0)] : buildTree(l))
  const shareTree = buildTree(blockTrees.map(t => t[0]))
  const rootHash = shareTree[0]
  const prefix: SignedPrefix = {
    version, seqnum, rootHash, salt: version === SDMF_VERSION ? salts[0] : undefined, k, n, segmentSize, dataLength
  }
  const signature = signMutable(keyPair.privateKey, packSignedPrefix(prefix))
  const encPrivkey = encryptPrivateKey(cap.writekey, keyPair.privateDer)
  const shares = blockTrees.map((tree, sh) => assembleShare({
    prefix,
    verificationKey: keyPair.publicDer,
    signature,
    shareHashChain: new Map(neededHashes(sh, n).map(i => [i, shareTree[i]])),
    blockHashTree: tree,
    blocks: blocks[sh],
    encPrivkey
  }))
  return { cap, shares, prefix, rootHash, seqnum }
}
