/**
 * Byte layout of one share (spec §10.2-10.4): a header with an offset
 * table, then data, the unused plaintext-hash-tree region, the crypttext
 * hash tree, the block hash tree, the share hash chain and the UEB.
 *
 * Everything here is computable from (size, k, N, S) before encoding: the
 * hashes are fixed-size and the UEB's length depends only on the digit
 * counts of its numbers.
 */
import { BadShareError, InvalidParametersError } from './errors.js'
import { log2 } from './merkle.js'
import type { ChkParams } from './params.js'
import { buildChkUeb } from './ueb.js'

export const HASH_SIZE = 32
export const CHAIN_ENTRY_SIZE = 2 + HASH_SIZE
export const V1_HEADER_SIZE = 0x24
export const V2_HEADER_SIZE = 0x44
const TWO_32 = 2 ** 32

export interface ShareOffsets {
  data: number
  plaintextHashTree: number
  crypttextHashTree: number
  blockHashTree: number
  shareHashChain: number
  uriExtension: number
}

export interface ShareLayout {
  version: 1 | 2
  headerSize: number
  blockSize: number
  shareDataSize: number
  offsets: ShareOffsets
  /** Bytes of one hash tree region ((2·Pseg−1)·32). */
  treeSize: number
  chainEntries: number
  chainSize: number
  /** Width of the UEB length field: 4 (v1) or 8 (v2). */
  uebLengthSize: number
  uebLength: number
  /** The whole share: what the client allocates on each server. */
  shareSize: number
}

export function chainEntryCount (n: number): number {
  return log2(n) + 1
}

/** Length of the UEB our encoder writes for these parameters (hashes are 32 bytes each). */
export function uebLengthFor (p: ChkParams): number {
  const zero = new Uint8Array(HASH_SIZE)
  return buildChkUeb({ params: p, crypttextHash: zero, crypttextRootHash: zero, shareRootHash: zero }).length
}

/**
 * Offsets of every region for a file's parameters: v1, or v2 when the UEB
 * offset would not fit in 32 bits (what Tahoe does). `forceVersion: 2`
 * writes v2 for any size (readers accept it; used to test the v2 path).
 */
export function computeLayout (p: ChkParams, uebLength = uebLengthFor(p), forceVersion?: 1 | 2): ShareLayout {
  const treeSize = (2 * p.segmentTreeLeaves - 1) * HASH_SIZE
  const chainEntries = chainEntryCount(p.n)
  const chainSize = chainEntries * CHAIN_ENTRY_SIZE
  const place = (headerSize: number): ShareOffsets => {
    const data = headerSize
    const plaintextHashTree = data + p.shareDataSize
    const crypttextHashTree = plaintextHashTree + treeSize
    const blockHashTree = crypttextHashTree + treeSize
    const shareHashChain = blockHashTree + treeSize
    const uriExtension = shareHashChain + chainSize
    return { data, plaintextHashTree, crypttextHashTree, blockHashTree, shareHashChain, uriExtension }
  }
  let offsets = place(V1_HEADER_SIZE)
  const needed = offsets.uriExtension >= TWO_32 ? 2 : 1
  if (forceVersion === 1 && needed === 2) throw new InvalidParametersError('these shares are too large for layout v1 (offsets reach 2^32)')
  const version = forceVersion ?? needed
  if (version === 2) offsets = place(V2_HEADER_SIZE)
  const uebLengthSize = version === 1 ? 4 : 8
  return {
    version,
    headerSize: version === 1 ? V1_HEADER_SIZE : V2_HEADER_SIZE,
    blockSize: p.blockSize,
    shareDataSize: p.shareDataSize,
    offsets,
    treeSize,
    chainEntries,
    chainSize,
    uebLengthSize,
    uebLength,
    shareSize: offsets.uriExtension + uebLengthSize + uebLength
  }
}

const FIELD_ORDER: Array<keyof ShareOffsets> = ['data', 'plaintextHashTree', 'crypttextHashTree', 'blockHashTree', 'shareHashChain', 'uriExtension']

/** The header bytes (identical for every share of a file). */
export function encodeHeader (layout: ShareLayout): Uint8Array {
  const out = new Uint8Array(layout.headerSize)
  const view = new DataView(out.buffer)
  view.setUint32(0, layout.version)
  const values = [layout.blockSize, layout.shareDataSize, ...FIELD_ORDER.map(f => layout.offsets[f])]
  values.forEach((v, i) => {
    if (layout.version === 1) view.setUint32(4 + 4 * i, v)
    else view.setBigUint64(4 + 8 * i, BigInt(v))
  })
  return out
}

export function encodeUebLength (layout: ShareLayout, length: number): Uint8Array {
  const out = new Uint8Array(layout.uebLengthSize)
  const view = new DataView(out.buffer)
  if (layout.uebLengthSize === 4) view.setUint32(0, length)
  else view.setBigUint64(0, BigInt(length))
  return out
}

/** What a reader learns from a share's header. */
export interface ParsedHeader {
  version: 1 | 2
  headerSize: number
  /** Informational only (Tahoe readers ignore them; so do we). */
  blockSize: number
  shareDataSize: number
  offsets: ShareOffsets
  uebLengthSize: number
}

function layoutError (message: string): BadShareError {
  return new BadShareError('layout', `share header: ${message}`)
}

/** Enough bytes for either header version. */
export const HEADER_READ_SIZE = V2_HEADER_SIZE

/**
 * Parses the header and checks what can be checked before the UEB is
 * known: version, data offset, ascending offsets, and the chain region
 * holding exactly the entries N implies.
 */
export function parseHeader (bytes: Uint8Array, n: number): ParsedHeader {
  if (bytes.length < 4) throw layoutError(`only ${bytes.length} bytes`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const version = view.getUint32(0)
  if (version !== 1 && version !== 2) throw layoutError(`unknown layout version ${version}`)
  const headerSize = version === 1 ? V1_HEADER_SIZE : V2_HEADER_SIZE
  if (bytes.length < headerSize) throw layoutError(`${bytes.length} bytes is shorter than a v${version} header`)
  const values: number[] = []
  for (let i = 0; i < 8; i++) {
    if (version === 1) values.push(view.getUint32(4 + 4 * i))
    else {
      const v = view.getBigUint64(4 + 8 * i)
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw layoutError(`field ${i + 1} is too large`)
      values.push(Number(v))
    }
  }
  const offsets = {} as ShareOffsets
  FIELD_ORDER.forEach((f, i) => { offsets[f] = values[2 + i] })
  if (offsets.data !== headerSize) throw layoutError(`data offset is ${offsets.data}, expected ${headerSize} for layout v${version}`)
  for (let i = 1; i < FIELD_ORDER.length; i++) {
    if (offsets[FIELD_ORDER[i]] < offsets[FIELD_ORDER[i - 1]]) throw layoutError(`offset of ${FIELD_ORDER[i]} lies before ${FIELD_ORDER[i - 1]}`)
  }
  if ((offsets.shareHashChain - offsets.blockHashTree) % HASH_SIZE !== 0) throw layoutError('block hash tree region is not a whole number of hashes')
  const chainSize = chainEntryCount(n) * CHAIN_ENTRY_SIZE
  if (offsets.uriExtension - offsets.shareHashChain !== chainSize) {
    throw layoutError(`share hash chain region is ${offsets.uriExtension - offsets.shareHashChain} bytes, expected ${chainSize} for N=${n}`)
  }
  return { version, headerSize, blockSize: values[0], shareDataSize: values[1], offsets, uebLengthSize: version === 1 ? 4 : 8 }
}

/**
 * Once the UEB fixed the file's shape, every region must sit where it
 * would for these parameters (and the header's version). Tahoe has always written this arrangement
 * (the old shares in our vectors included), and the check turns any
 * damage to the offset table into a 'layout' report instead of a
 * confusing hash failure later.
 */
export function checkOffsets (header: ParsedHeader, p: ChkParams): void {
  if (header.version === 1 && computeLayout(p, 0).version === 2) throw layoutError('layout v1 cannot hold a share this large (it needs v2)')
  const want = computeLayout(p, 0, header.version)
  for (const f of FIELD_ORDER) {
    if (header.offsets[f] !== want.offsets[f]) throw layoutError(`offset of ${f} is ${header.offsets[f]}, expected ${want.offsets[f]}`)
  }
}

export function parseUebLength (bytes: Uint8Array, size: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (size === 4) return view.getUint32(0)
  const v = view.getBigUint64(0)
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v)
}

export interface ChainEntry { node: number, hash: Uint8Array }

/** Share hash chain entries in stored order; their order is not canonical (spec §10.4). */
export function parseChain (bytes: Uint8Array): ChainEntry[] {
  if (bytes.length % CHAIN_ENTRY_SIZE !== 0) throw new BadShareError('layout', 'share hash chain is not a whole number of entries')
  const out: ChainEntry[] = []
  for (let at = 0; at < bytes.length; at += CHAIN_ENTRY_SIZE) {
    out.push({ node: (bytes[at] << 8) | bytes[at + 1], hash: bytes.subarray(at + 2, at + CHAIN_ENTRY_SIZE) })
  }
  return out
}

/** Serializes chain entries in ascending node order (our canonical choice). */
export function encodeChain (entries: ChainEntry[]): Uint8Array {
  const sorted = [...entries].sort((a, b) => a.node - b.node)
  const out = new Uint8Array(sorted.length * CHAIN_ENTRY_SIZE)
  sorted.forEach((e, i) => {
    out[i * CHAIN_ENTRY_SIZE] = e.node >> 8
    out[i * CHAIN_ENTRY_SIZE + 1] = e.node & 0xff
    out.set(e.hash, i * CHAIN_ENTRY_SIZE + 2)
  })
  return out
}
