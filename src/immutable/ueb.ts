/**
 * The URI extension block (spec §9): a sorted `key:netstring(value)`
 * dictionary holding the file's shape and tree roots. Its hash is in the
 * cap, so once that hash matches, the UEB is as trustworthy as the cap.
 */
import { BadShareError } from './errors.js'
import { concatBytes, netstring } from './hashes.js'
import { deriveParams, type ChkParams } from './params.js'

/** Tahoe treats a UEB this long as corruption; real ones are ~300-330 bytes. */
export const MAX_UEB_LENGTH = 2000

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export type UebValue = string | number | Uint8Array

/** Serializes a UEB with its keys in ascending byte order. */
export function serializeUeb (fields: Record<string, UebValue>): Uint8Array {
  const keys = Object.keys(fields).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  const parts: Uint8Array[] = []
  for (const key of keys) {
    if (!/^[a-zA-Z_-]+$/.test(key)) throw new TypeError(`UEB key '${key}' must match [a-zA-Z_-]+`)
    const v = fields[key]
    parts.push(encoder.encode(`${key}:`), netstring(typeof v === 'number' ? String(v) : v))
  }
  return concatBytes(parts)
}

export interface ChkUebFields {
  params: ChkParams
  crypttextHash: Uint8Array
  crypttextRootHash: Uint8Array
  shareRootHash: Uint8Array
}

/** The 11 keys current Tahoe writers emit. */
export function buildChkUeb (f: ChkUebFields): Uint8Array {
  const p = f.params
  return serializeUeb({
    codec_name: 'crs',
    codec_params: `${p.segmentSize}-${p.k}-${p.n}`,
    crypttext_hash: f.crypttextHash,
    crypttext_root_hash: f.crypttextRootHash,
    needed_shares: p.k,
    num_segments: p.numSegments,
    segment_size: p.segmentSize,
    share_root_hash: f.shareRootHash,
    size: p.size,
    tail_codec_params: `${p.tailPadded}-${p.k}-${p.n}`,
    total_shares: p.n
  })
}

function uebError (message: string): BadShareError {
  return new BadShareError('ueb', `URI extension block: ${message}`)
}

/** Generic parse (any key set). Malformed input raises a BadShareError('ueb'). */
export function parseUeb (bytes: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>()
  let at = 0
  while (at < bytes.length) {
    const colon = bytes.indexOf(0x3a, at)
    if (colon < 0) throw uebError(`key at byte ${at} has no ':'`)
    const key = decoder.decode(bytes.subarray(at, colon))
    if (!/^[a-zA-Z_-]+$/.test(key)) throw uebError(`malformed key at byte ${at}`)
    const lenEnd = bytes.indexOf(0x3a, colon + 1)
    if (lenEnd < 0) throw uebError(`value of '${key}' has no length`)
    const digits = decoder.decode(bytes.subarray(colon + 1, lenEnd))
    if (!/^(0|[1-9][0-9]*)$/.test(digits)) throw uebError(`value of '${key}' has a malformed length`)
    const len = Number(digits)
    const start = lenEnd + 1
    if (start + len + 1 > bytes.length || bytes[start + len] !== 0x2c) throw uebError(`value of '${key}' is truncated or not followed by ','`)
    if (out.has(key)) throw uebError(`key '${key}' appears twice`)
    out.set(key, bytes.subarray(start, start + len))
    at = start + len + 1
  }
  return out
}

export interface ValidatedUeb {
  params: ChkParams
  crypttextRootHash: Uint8Array
  shareRootHash: Uint8Array
  crypttextHash?: Uint8Array
  fields: Map<string, Uint8Array>
}

function text (fields: Map<string, Uint8Array>, key: string): string | undefined {
  const v = fields.get(key)
  return v === undefined ? undefined : decoder.decode(v)
}

function integer (fields: Map<string, Uint8Array>, key: string): number | undefined {
  const t = text(fields, key)
  if (t === undefined) return undefined
  if (!/^(0|[1-9][0-9]*)$/.test(t) || !Number.isSafeInteger(Number(t))) throw uebError(`'${key}' is not a whole number`)
  return Number(t)
}

function hash32 (fields: Map<string, Uint8Array>, key: string, required: boolean): Uint8Array | undefined {
  const v = fields.get(key)
  if (v === undefined) {
    if (required) throw uebError(`required key '${key}' is missing`)
    return undefined
  }
  if (v.length !== 32) throw uebError(`'${key}' must be 32 bytes, got ${v.length}`)
  return v
}

/**
 * Checks a UEB (whose hash already matched the cap) against the cap's
 * k, N and size, as Tahoe's downloader does (spec §9). Optional keys must
 * agree when present; `plaintext_hash` and `plaintext_root_hash` from old
 * writers are ignored.
 */
export function validateUeb (bytes: Uint8Array, cap: { k: number, n: number, size: number }): ValidatedUeb {
  if (bytes.length >= MAX_UEB_LENGTH) throw uebError(`${bytes.length} bytes is too long (limit ${MAX_UEB_LENGTH})`)
  const fields = parseUeb(bytes)
  const segmentSize = integer(fields, 'segment_size')
  if (segmentSize === undefined) throw uebError("required key 'segment_size' is missing")
  const crypttextRootHash = hash32(fields, 'crypttext_root_hash', true) as Uint8Array
  const shareRootHash = hash32(fields, 'share_root_hash', true) as Uint8Array
  const crypttextHash = hash32(fields, 'crypttext_hash', false)
  let params: ChkParams
  try {
    params = deriveParams(cap.size, cap.k, cap.n, segmentSize)
  } catch (err) {
    throw uebError(`segment_size ${segmentSize} does not fit the cap: ${(err as Error).message}`)
  }
  const expect = (key: string, want: string): void => {
    const got = text(fields, key)
    if (got !== undefined && got !== want) throw uebError(`'${key}' is '${got}' but the cap implies '${want}'`)
  }
  expect('codec_name', 'crs')
  expect('codec_params', `${params.segmentSize}-${params.k}-${params.n}`)
  expect('tail_codec_params', `${params.tailPadded}-${params.k}-${params.n}`)
  expect('num_segments', String(params.numSegments))
  expect('size', String(params.size))
  expect('needed_shares', String(params.k))
  expect('total_shares', String(params.n))
  const result: ValidatedUeb = { params, crypttextRootHash, shareRootHash, fields }
  if (crypttextHash !== undefined) result.crypttextHash = crypttextHash
  return result
}
