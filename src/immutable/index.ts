/**
 * Immutable files, byte-compatible with Tahoe-LAFS CHK (DESIGN §2,
 * spec/tahoe-chk.md): caps, the streaming encoder and decoder, the share
 * layout, and the hashes other layers need (lease secrets, permuted ring).
 */
import { toCap } from './caps.js'
import { encodeChk, planChk } from './encoder.js'
import { InvalidCapError } from './errors.js'
import { concatBytes } from './hashes.js'
import { DEFAULT_MAX_SEGMENT_SIZE } from './params.js'
import { readImmutable } from './decoder.js'
import { shareSourceFromBytes } from './share-reader.js'

export * from './errors.js'
export { base32Encode, base32Decode, decodeCapField } from './base32.js'
export type { CapFieldFault } from './base32.js'
export {
  parseCap, parseHintedCap, formatCap, toVerifyCap, storageIndexOf, toCap,
  type Cap, type ChkReadCap, type ChkVerifyCap, type LitCap, type HintedCap
} from './caps.js'
export {
  TAGS, netstring, sha256d, taggedHash, taggedPairHash, TaggedHasher, storageIndexHash, blockHash, uebHash,
  crypttextHash, crypttextSegmentHash, clientRenewalSecret, clientCancelSecret, fileRenewalSecret, fileCancelSecret,
  bucketRenewalSecret, bucketCancelSecret, leaseSecretsFor, permuteServerHash, bytesEqual, concatBytes, plain
} from './hashes.js'
export { convergentKey, convergenceTag, randomKey } from './key.js'
export { ctrStreamAt } from './cipher.js'
export { buildTree, neededHashes, PartialTree, emptyLeafHash, internalNodeHash, nextPowerOfTwo } from './merkle.js'
export {
  computeParams, deriveParams, LIT_SIZE_THRESHOLD, DEFAULT_MAX_SEGMENT_SIZE, DEFAULT_K, DEFAULT_N,
  DEFAULT_HAPPY, type ChkParams
} from './params.js'
export {
  computeLayout, encodeHeader, parseHeader, checkOffsets, parseChain, uebLengthFor, HEADER_READ_SIZE,
  V1_HEADER_SIZE, V2_HEADER_SIZE, type ShareLayout, type ShareOffsets, type ParsedHeader, type ChainEntry
} from './layout.js'
export { validateUeb, MAX_UEB_LENGTH, type ValidatedUeb } from './ueb.js'
export { chunksOf, type PlaintextSource } from './source.js'
export {
  planChk, encodeChk, planCrypttext, encodeCrypttext, type CrypttextPlan, type CrypttextPlanOptions,
  type PlanOptions, type ImmutablePlan, type ChkPlan, type LitPlan, type EncodeEvent, type BlocksEvent,
  type TrailerEvent, type EncodeResult
} from './encoder.js'
export { shareSourceFromBytes, type ReadKind, type ShareSource } from './share-reader.js'
export { readImmutable, type ReadOptions, type ReadProgress, type BadShareReport } from './decoder.js'
export type { SpreadStats } from './spread.js'
export { verifyShares, type ShareVerification } from './verifier.js'

export interface EncodeImmutableOptions {
  convergenceSecret: Uint8Array
  k: number
  happy?: number
  n: number
  maxSegmentSize?: number
}

export interface EncodedImmutable {
  cap: string
  /** Empty for a literal cap (nothing stored, nothing to verify). */
  verifyCap: string
  /** Empty for a literal cap. */
  storageIndex: Uint8Array
  /** Whole share files in Tahoe's layout, keyed by share number (empty for a literal cap). */
  shares: Map<number, Uint8Array>
}

/** Interop surface: encodes a whole file in memory into Tahoe-identical shares. */
export async function encodeImmutable (plaintext: Uint8Array, opts: EncodeImmutableOptions): Promise<EncodedImmutable> {
  const plan = await planChk(plaintext, {
    convergenceSecret: opts.convergenceSecret,
    k: opts.k,
    n: opts.n,
    happy: opts.happy,
    maxSegmentSize: opts.maxSegmentSize ?? DEFAULT_MAX_SEGMENT_SIZE
  })
  if (plan.kind === 'lit') // A literal file has nothing stored, so nothing to verify; Tahoe's verify cap for it is None.
    return { cap: plan.cap, verifyCap: '', storageIndex: new Uint8Array(0), shares: new Map() }
  const shares = new Map<number, Uint8Array>()
  for (let s = 0; s < plan.n; s++) {
    const share = new Uint8Array(plan.shareSize)
    share.set(plan.header, 0)
    shares.set(s, share)
  }
  const gen = encodeChk(plan, plaintext)
  for (;;) {
    const step = await gen.next()
    if (step.done === true) {
      const r = step.value
      return { cap: r.cap, verifyCap: r.verifyCap as string, storageIndex: plan.storageIndex, shares }
    }
    const ev = step.value
    if (ev.type === 'blocks') ev.blocks.forEach((b, s) => (shares.get(s) as Uint8Array).set(b, ev.offset))
    else if (ev.type === 'trailer') ev.trailers.forEach((t, s) => (shares.get(s) as Uint8Array).set(t, ev.offset))
  }
}

/** Interop surface: decodes a whole file from share files (any k good ones suffice). */
export async function decodeImmutable (cap: string, shares: Map<number, Uint8Array>): Promise<Uint8Array> {
  const parsed = toCap(cap)
  if (parsed.kind === 'chk-verifier') throw new InvalidCapError('unknown-type', 'decoding needs a read-cap (URI:CHK:… or URI:LIT:…), not a verify-cap')
  const parts: Uint8Array[] = []
  for await (const chunk of readImmutable(parsed, [...shares].map(([s, bytes]) => shareSourceFromBytes(s, bytes)))) parts.push(chunk)
  return concatBytes(parts)
}
