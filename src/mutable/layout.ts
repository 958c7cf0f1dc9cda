/**
 * Byte layouts of SDMF (version 0) and MDMF (version 1) shares, as Tahoe's
 * mutable/layout.py writes them. Big-endian throughout.
 *
 * SDMF: signed prefix (75 bytes: version, seqnum, root hash, IV, k, N,
 * segment size, data length), offsets (6: four u32, two u64; header 107),
 * then verification key, signature, share hash chain, block hash tree,
 * share data, encrypted private key.
 *
 * MDMF: signed prefix (59 bytes: no IV, each segment has its own salt),
 * offsets (8 u64; header 123), then encrypted private key, share hash
 * chain, signature, verification key, a zero gap up to a fixed share-data
 * offset, the blocks (each preceded by its 16-byte salt), block hash tree.
 */
import { bytesEqual, nextPowerOfTwo } from '../immutable/index.js'
import { BadMutableShareError, InvalidMutableParametersError } from './errors.js'
import { HASH_LENGTH, SALT_LENGTH } from './hashes.js'

export const SDMF_VERSION = 0
export const MDMF_VERSION = 1
export type ShareVersion = typeof SDMF_VERSION | typeof MDMF_VERSION

export const SDMF_SIGNED_PREFIX_LENGTH = 75
export const SDMF_HEADER_LENGTH = 107
export const MDMF_SIGNED_PREFIX_LENGTH = 59
export const MDMF_HEADER_LENGTH = 123
/** Bytes a reader fetches first: enough for the header of either version. */
export const HEADER_READ_SIZE = MDMF_HEADER_LENGTH
/** The prefix a writer's test vector compares: version, seqnum, root hash (+ IV for SDMF). */
export const SDMF_CHECKSTRING_LENGTH = 57
export const MDMF_CHECKSTRING_LENGTH = 41

/**
 * Space Tahoe reserves before MDMF share data for the variable-length
 * fields, so blocks can be written before those are known. Their sum fixes
 * the share-data offset at 123 + 2044 = 2167.
 */
export const MDMF_RESERVED = { privateKey: 1220, signature: 260, verificationKey: 292, shareHashChain: (2 + HASH_LENGTH) * 8 } as const
export const MDMF_SHARE_DATA_OFFSET = MDMF_HEADER_LENGTH + MDMF_RESERVED.privateKey + MDMF_RESERVED.signature +
  MDMF_RESERVED.verificationKey + MDMF_RESERVED.shareHashChain

/** Tahoe's default maximum segment size for MDMF (rounded up to a multiple of k). */
export const DEFAULT_MDMF_SEGMENT_SIZE = 128 * 1024
export const MAX_SHARES = 256

export interface SignedPrefix {
  version: ShareVersion
  seqnum: bigint
  rootHash: Uint8Array
  /** SDMF only: the file's one salt ("IV"). */
  salt?: Uint8Array
  k: number
  n: number
  segmentSize: number
  dataLength: number
}

/** Where each field starts and ends, for either version (end is exclusive). */
export interface ShareFields {
  verificationKey: [number, number]
  signature: [number, number]
  shareHashChain: [number, number]
  blockHashTree: [number, number]
  shareData: [number, number]
  encPrivkey: [number, number]
  eof: number
}

export interface ParsedHeader {
  prefix: SignedPrefix
  /** The exact signed bytes as stored (the signature covers these). */
  signedBytes: Uint8Array
  headerLength: number
  fields: ShareFields
  geometry: Geometry
}

export interface Geometry {
  numSegments: number
  blockSize: number
  tailBlockSize: number
  /** Plaintext bytes in the last segment. */
  tailDataSize: number
  /** Bytes of share data: blocks (MDMF: each with its salt). */
  shareDataLength: number
  /** Nodes in each share's block hash tree (2P-1). */
  blockTreeNodes: number
}

export function nextMultiple (n: number, k: number): number {
  return Math.ceil(n / k) * k
}

/**
 * Segments and block sizes as Tahoe's publisher and reader compute them.
 * Throws InvalidMutableParametersError when the numbers cannot be a share.
 */
export function geometry (version: ShareVersion, k: number, segmentSize: number, dataLength: number): Geometry {
  if (!Number.isInteger(k) || k < 1 || k > MAX_SHARES) throw new InvalidMutableParametersError(`k must be from 1 to ${MAX_SHARES}, got ${k}`)
  if (!Number.isSafeInteger(segmentSize) || segmentSize < 0 || !Number.isSafeInteger(dataLength) || dataLength < 0) {
    throw new InvalidMutableParametersError(`segment size and data length must be non-negative integers (got ${segmentSize}, ${dataLength})`)
  }
  if (segmentSize % k !== 0) throw new InvalidMutableParametersError(`the segment size (${segmentSize}) must be a multiple of k (${k})`)
  let numSegments: number
  if (version === SDMF_VERSION) {
    if (segmentSize !== nextMultiple(dataLength, k)) {
      throw new InvalidMutableParametersError(`an SDMF file is one segment: its segment size must be ${nextMultiple(dataLength, k)} for ${dataLength} bytes and k=${k}, not ${segmentSize}`)
    }
    numSegments = dataLength === 0 ? 0 : 1
  } else {
    if (segmentSize === 0 && dataLength > 0) throw new InvalidMutableParametersError('an MDMF file with data needs a non-zero segment size')
    numSegments = dataLength === 0 ? 0 : Math.ceil(dataLength / segmentSize)
  }
  const blockSize = segmentSize / k
  const tail = segmentSize === 0 ? 0 : dataLength % segmentSize
  const tailBlockSize = tail === 0 ? blockSize : nextMultiple(tail, k) / k
  const tailDataSize = tail === 0 ? segmentSize : tail
  const saltBytes = version === MDMF_VERSION ? SALT_LENGTH : 0
  const shareDataLength = numSegments === 0 ? 0 : (blockSize + saltBytes) * (numSegments - 1) + tailBlockSize + saltBytes
  const blockTreeNodes = 2 * nextPowerOfTwo(Math.max(numSegments, 1)) - 1
  return { numSegments, blockSize, tailBlockSize, tailDataSize, shareDataLength, blockTreeNodes }
}

export function packSignedPrefix (p: SignedPrefix): Uint8Array {
  const sdmf = p.version === SDMF_VERSION
  const out = new Uint8Array(sdmf ? SDMF_SIGNED_PREFIX_LENGTH : MDMF_SIGNED_PREFIX_LENGTH)
  const dv = new DataView(out.buffer)
  if (p.rootHash.length !== HASH_LENGTH) throw new InvalidMutableParametersError(`the root hash must be ${HASH_LENGTH} bytes`)
  if (p.seqnum < 0n || p.seqnum >= 2n ** 64n) throw new InvalidMutableParametersError(`the sequence number must fit in 64 bits, got ${p.seqnum}`)
  if (p.k < 1 || p.n < p.k || p.n > 255) throw new InvalidMutableParametersError(`need 1 <= k <= N <= 255 (a share stores N in one byte), got k=${p.k}, N=${p.n}`)
  dv.setUint8(0, p.version)
  dv.setBigUint64(1, p.seqnum)
  out.set(p.rootHash, 9)
  let at = 41
  if (sdmf) {
    if (p.salt === undefined || p.salt.length !== SALT_LENGTH) throw new InvalidMutableParametersError(`an SDMF prefix needs a ${SALT_LENGTH}-byte salt`)
    out.set(p.salt, 41)
    at = 57
  }
  dv.setUint8(at, p.k)
  dv.setUint8(at + 1, p.n)
  dv.setBigUint64(at + 2, BigInt(p.segmentSize))
  dv.setBigUint64(at + 10, BigInt(p.dataLength))
  return out
}

/** The checkstring a writer's test vector compares (prefix of the signed prefix). */
export function checkstringOf (p: SignedPrefix): Uint8Array {
  return packSignedPrefix(p).subarray(0, p.version === SDMF_VERSION ? SDMF_CHECKSTRING_LENGTH : MDMF_CHECKSTRING_LENGTH)
}

function layoutError (shnum: number, message: string): BadMutableShareError {
  return new BadMutableShareError('layout', shnum, message)
}

function safe (v: bigint, shnum: number, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw layoutError(shnum, `the ${what} (${v}) is beyond any share this reader accepts`)
  return Number(v)
}

/**
 * Parses and checks the header (at least HEADER_READ_SIZE bytes, or the
 * whole share if shorter): version, encoding parameters, and offsets that
 * fit together with the sizes those parameters imply.
 */
export function parseShareHeader (bytes: Uint8Array, shnum = -1): ParsedHeader {
  if (bytes.length < 1) throw layoutError(shnum, 'the share is empty')
  const version = bytes[0]
  if (version !== SDMF_VERSION && version !== MDMF_VERSION) {
    throw new BadMutableShareError('version', shnum, `mutable share version ${version} is unknown (0 is SDMF, 1 is MDMF)`)
  }
  const headerLength = version === SDMF_VERSION ? SDMF_HEADER_LENGTH : MDMF_HEADER_LENGTH
  if (bytes.length < headerLength) throw layoutError(shnum, `the share is ${bytes.length} bytes, shorter than its ${headerLength}-byte header`)
  const dv = new DataView(bytes.buffer, bytes.byteOffset, headerLength)
  const seqnum = dv.getBigUint64(1)
  const rootHash = bytes.slice(9, 41)
  let at = 41
  let salt: Uint8Array | undefined
  if (version === SDMF_VERSION) { salt = bytes.slice(41, 57); at = 57 }
  const k = dv.getUint8(at)
  const n = dv.getUint8(at + 1)
  const segmentSize = safe(dv.getBigUint64(at + 2), shnum, 'segment size')
  const dataLength = safe(dv.getBigUint64(at + 10), shnum, 'data length')
  const signedLength = at + 18
  if (k < 1 || n < k) throw layoutError(shnum, `the header says k=${k}, N=${n}`)
  let geo: Geometry
  try {
    geo = geometry(version, k, segmentSize, dataLength)
  } catch (err) {
    throw layoutError(shnum, (err as Error).message)
  }
  let fields: ShareFields
  if (version === SDMF_VERSION) {
    const sig = dv.getUint32(75); const chain = dv.getUint32(79); const bht = dv.getUint32(83); const data = dv.getUint32(87)
    const enc = safe(dv.getBigUint64(91), shnum, 'private-key offset'); const eof = safe(dv.getBigUint64(99), shnum, 'end offset')
    fields = {
      verificationKey: [SDMF_HEADER_LENGTH, sig],
      signature: [sig, chain],
      shareHashChain: [chain, bht],
      blockHashTree: [bht, data],
      shareData: [data, enc],
      encPrivkey: [enc, eof],
      eof
    }
  } else {
    const o = Array.from({ length: 8 }, (_, i) => safe(dv.getBigUint64(59 + 8 * i), shnum, 'offset'))
    const [enc, chain, sig, vk, vkEnd, data, bht, eof] = o
    if (enc !== MDMF_HEADER_LENGTH) throw layoutError(shnum, `the encrypted private key must follow the ${MDMF_HEADER_LENGTH}-byte header, the offset says ${enc}`)
    fields = {
      encPrivkey: [enc, chain],
      shareHashChain: [chain, sig],
      signature: [sig, vk],
      verificationKey: [vk, vkEnd],
      shareData: [data, bht],
      blockHashTree: [bht, eof],
      eof
    }
    if (data < vkEnd) throw layoutError(shnum, `the share data (at ${data}) overlaps the verification key (ending at ${vkEnd})`)
  }
  for (const [name, r] of Object.entries(fields) as Array<[string, [number, number] | number]>) {
    if (typeof r === 'number') continue
    if (r[1] < r[0]) throw layoutError(shnum, `the ${name} field ends (${r[1]}) before it starts (${r[0]})`)
    if (r[0] < headerLength) throw layoutError(shnum, `the ${name} field starts inside the header`)
  }
  const len = (r: [number, number]): number => r[1] - r[0]
  if (len(fields.shareData) !== geo.shareDataLength) {
    throw layoutError(shnum, `the share data is ${len(fields.shareData)} bytes but k=${k}, segment size ${segmentSize} and length ${dataLength} need ${geo.shareDataLength}`)
  }
  if (len(fields.blockHashTree) !== geo.blockTreeNodes * HASH_LENGTH) {
    throw layoutError(shnum, `the block hash tree is ${len(fields.blockHashTree)} bytes, ${geo.numSegments} segments need ${geo.blockTreeNodes * HASH_LENGTH}`)
  }
  if (len(fields.shareHashChain) % (2 + HASH_LENGTH) !== 0) {
    throw layoutError(shnum, `the share hash chain is ${len(fields.shareHashChain)} bytes, not a multiple of ${2 + HASH_LENGTH}`)
  }
  if (len(fields.verificationKey) === 0 || len(fields.signature) === 0 || len(fields.encPrivkey) === 0) {
    throw layoutError(shnum, 'the verification key, signature and encrypted private key must not be empty')
  }
  return {
    prefix: { version, seqnum, rootHash, salt, k, n, segmentSize, dataLength },
    signedBytes: bytes.slice(0, signedLength),
    headerLength,
    fields,
    geometry: geo
  }
}

/** Share hash chain: (node index u16, hash) pairs, ascending by node index. */
export function packShareHashChain (chain: ReadonlyMap<number, Uint8Array>): Uint8Array {
  const idx = [...chain.keys()].sort((a, b) => a - b)
  const out = new Uint8Array(idx.length * (2 + HASH_LENGTH))
  const dv = new DataView(out.buffer)
  idx.forEach((i, j) => {
    dv.setUint16(j * 34, i)
    out.set(chain.get(i) as Uint8Array, j * 34 + 2)
  })
  return out
}

export function parseShareHashChain (bytes: Uint8Array, shnum = -1): Map<number, Uint8Array> {
  if (bytes.length % 34 !== 0) throw layoutError(shnum, `the share hash chain is ${bytes.length} bytes, not a multiple of 34`)
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = new Map<number, Uint8Array>()
  for (let at = 0; at < bytes.length; at += 34) {
    const i = dv.getUint16(at)
    if (out.has(i)) throw layoutError(shnum, `the share hash chain names node ${i} twice`)
    out.set(i, bytes.slice(at + 2, at + 34))
  }
  return out
}

export function packHashes (nodes: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(nodes.length * HASH_LENGTH)
  nodes.forEach((h, i) => out.set(h, i * HASH_LENGTH))
  return out
}

export function splitHashes (bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let at = 0; at + HASH_LENGTH <= bytes.length; at += HASH_LENGTH) out.push(bytes.slice(at, at + HASH_LENGTH))
  return out
}

export interface SharePieces {
  prefix: SignedPrefix
  verificationKey: Uint8Array
  signature: Uint8Array
  shareHashChain: ReadonlyMap<number, Uint8Array>
  /** All 2P-1 nodes of this share's block hash tree, root first. */
  blockHashTree: readonly Uint8Array[]
  /** One entry per segment: the share's block, and (MDMF) the segment's salt. */
  blocks: ReadonlyArray<{ block: Uint8Array, salt: Uint8Array }>
  encPrivkey: Uint8Array
}

/** Builds one whole share in the layout of `pieces.prefix.version`. */
export function assembleShare (pieces: SharePieces): Uint8Array {
  const p = pieces.prefix
  const signed = packSignedPrefix(p)
  const chain = packShareHashChain(pieces.shareHashChain)
  const bht = packHashes(pieces.blockHashTree)
  const geo = geometry(p.version, p.k, p.segmentSize, p.dataLength)
  if (pieces.blocks.length !== geo.numSegments) throw new InvalidMutableParametersError(`expected ${geo.numSegments} blocks, got ${pieces.blocks.length}`)
  if (p.version === SDMF_VERSION) {
    const data = pieces.blocks.length === 0 ? new Uint8Array(0) : pieces.blocks[0].block
    const sig = SDMF_HEADER_LENGTH + pieces.verificationKey.length
    const chainAt = sig + pieces.signature.length
    const bhtAt = chainAt + chain.length
    const dataAt = bhtAt + bht.length
    const enc = dataAt + data.length
    const eof = enc + pieces.encPrivkey.length
    const out = new Uint8Array(eof)
    const dv = new DataView(out.buffer)
    out.set(signed)
    dv.setUint32(75, sig); dv.setUint32(79, chainAt); dv.setUint32(83, bhtAt); dv.setUint32(87, dataAt)
    dv.setBigUint64(91, BigInt(enc)); dv.setBigUint64(99, BigInt(eof))
    out.set(pieces.verificationKey, SDMF_HEADER_LENGTH)
    out.set(pieces.signature, sig)
    out.set(chain, chainAt)
    out.set(bht, bhtAt)
    out.set(data, dataAt)
    out.set(pieces.encPrivkey, enc)
    return out
  }
  const enc = MDMF_HEADER_LENGTH
  const chainAt = enc + pieces.encPrivkey.length
  const sig = chainAt + chain.length
  const vk = sig + pieces.signature.length
  const vkEnd = vk + pieces.verificationKey.length
  if (vkEnd > MDMF_SHARE_DATA_OFFSET) {
    throw new InvalidMutableParametersError(`the private key, chain, signature and verification key need ${vkEnd - enc} bytes, more than the ${MDMF_SHARE_DATA_OFFSET - enc} Tahoe reserves`)
  }
  const dataAt = MDMF_SHARE_DATA_OFFSET
  const bhtAt = dataAt + geo.shareDataLength
  const eof = bhtAt + bht.length
  const out = new Uint8Array(eof)
  const dv = new DataView(out.buffer)
  out.set(signed)
  ;[enc, chainAt, sig, vk, vkEnd, dataAt, bhtAt, eof].forEach((o, i) => dv.setBigUint64(59 + 8 * i, BigInt(o)))
  out.set(pieces.encPrivkey, enc)
  out.set(chain, chainAt)
  out.set(pieces.signature, sig)
  out.set(pieces.verificationKey, vk)
  let at = dataAt
  pieces.blocks.forEach(({ block, salt }, s) => {
    const want = s === geo.numSegments - 1 ? geo.tailBlockSize : geo.blockSize
    if (block.length !== want || salt.length !== SALT_LENGTH) throw new InvalidMutableParametersError(`block ${s} must be ${want} bytes with a ${SALT_LENGTH}-byte salt`)
    out.set(salt, at)
    out.set(block, at + SALT_LENGTH)
    at += SALT_LENGTH + block.length
  })
  out.set(bht, bhtAt)
  return out
}

/** Where segment `segnum`'s block (after its salt, for MDMF) lies in a share. */
export function blockRange (h: ParsedHeader, segnum: number): { saltAt?: number, at: number, length: number } {
  const g = h.geometry
  const length = segnum === g.numSegments - 1 ? g.tailBlockSize : g.blockSize
  if (h.prefix.version === SDMF_VERSION) return { at: h.fields.shareData[0], length }
  const saltAt = h.fields.shareData[0] + (g.blockSize + SALT_LENGTH) * segnum
  return { saltAt, at: saltAt + SALT_LENGTH, length }
}

export function sameVersion (a: ParsedHeader, b: ParsedHeader): boolean {
  return bytesEqual(a.signedBytes, b.signedBytes)
}
