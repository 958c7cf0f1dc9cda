/**
 * Tahoe's hash primitives (spec §1): netstrings, SHA-256d, tagged hashes,
 * and the named hashes built from them (storage index, block, UEB,
 * crypttext, lease secrets, permuted ring).
 */
import { createHash, hash as oneShot, type Hash } from 'node:crypto'

const encoder = new TextEncoder()

export const TAGS = {
  storageIndex: 'allmydata_immutable_key_to_storage_index_v1',
  block: 'allmydata_encoded_subshare_v1',
  uriExtension: 'allmydata_uri_extension_v1',
  crypttext: 'allmydata_crypttext_v1',
  crypttextSegment: 'allmydata_crypttext_segment_v1',
  convergentKeyPrefix: 'allmydata_immutable_content_to_key_with_added_secret_v1+',
  merkleEmptyLeaf: 'Merkle tree empty leaf',
  merkleInternal: 'Merkle tree internal node',
  clientRenewal: 'allmydata_client_renewal_secret_v1',
  clientCancel: 'allmydata_client_cancel_secret_v1',
  fileRenewal: 'allmydata_file_renewal_secret_v1',
  fileCancel: 'allmydata_file_cancel_secret_v1',
  bucketRenewal: 'allmydata_bucket_renewal_secret_v1',
  bucketCancel: 'allmydata_bucket_cancel_secret_v1',
  // Never written by current Tahoe; kept for the known-answer tests.
  plaintext: 'allmydata_plaintext_v1',
  plaintextSegment: 'allmydata_plaintext_segment_v1'
} as const

export function toBytes (x: string | Uint8Array): Uint8Array {
  return typeof x === 'string' ? encoder.encode(x) : x
}

/** A Buffer returned by node:crypto, seen as a plain Uint8Array (so deepEqual and instanceof behave). */
export function plain (b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

export function concatBytes (parts: readonly Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}

export function netstring (x: string | Uint8Array): Uint8Array {
  const v = toBytes(x)
  const len = encoder.encode(`${v.length}:`)
  const out = new Uint8Array(len.length + v.length + 1)
  out.set(len)
  out.set(v, len.length)
  out[out.length - 1] = 0x2c
  return out
}

function sha256 (data: Uint8Array): Buffer {
  return oneShot('sha256', data, 'buffer')
}

export function sha256d (data: Uint8Array): Uint8Array {
  return plain(sha256(sha256(data)))
}

// Hashing dominates encoding time (one block hash per share per segment,
// trees of thousands of nodes), so the fixed netstring prefix of each named
// tag is computed once.
const prefixCache = new Map<string, Uint8Array>()
function tagPrefix (tag: string | Uint8Array): Uint8Array {
  if (typeof tag !== 'string') return netstring(tag)
  let p = prefixCache.get(tag)
  if (p === undefined) {
    p = netstring(tag)
    prefixCache.set(tag, p)
  }
  return p
}

/** SHA256d over prefix || value without building the concatenation for large values. */
function prefixedSha256d (prefix: Uint8Array, value: Uint8Array): Uint8Array {
  if (value.length <= 4096) {
    const buf = new Uint8Array(prefix.length + value.length)
    buf.set(prefix)
    buf.set(value, prefix.length)
    return plain(sha256(sha256(buf)))
  }
  return plain(sha256(createHash('sha256').update(prefix).update(value).digest()))
}

/** Streaming `Ht(tag, value[, t])`: feed the value in pieces. */
export class TaggedHasher {
  private readonly inner: Hash
  constructor (tag: string | Uint8Array) {
    this.inner = createHash('sha256').update(tagPrefix(tag))
  }

  update (chunk: Uint8Array): this {
    this.inner.update(chunk)
    return this
  }

  digest (truncateTo?: number): Uint8Array {
    const d = plain(sha256(this.inner.digest()))
    return truncateTo === undefined ? d : d.subarray(0, truncateTo)
  }
}

/** `Ht(tag, value[, t])` = SHA256d(netstring(tag) || value), truncated to t bytes. */
export function taggedHash (tag: string | Uint8Array, value: string | Uint8Array, truncateTo?: number): Uint8Array {
  const d = prefixedSha256d(tagPrefix(tag), toBytes(value))
  return truncateTo === undefined ? d : d.subarray(0, truncateTo)
}

/** `Hp(tag, a, b)` = SHA256d(netstring(tag) || netstring(a) || netstring(b)). */
export function taggedPairHash (tag: string | Uint8Array, a: Uint8Array, b: Uint8Array): Uint8Array {
  const prefix = tagPrefix(tag)
  if (a.length === 32 && b.length === 32) {
    // The common case (tree nodes): one flat buffer, "32:" a "," "32:" b ",".
    const buf = new Uint8Array(prefix.length + 72)
    buf.set(prefix)
    let at = prefix.length
    buf.set(PAIR_LEN, at); buf.set(a, at + 3); buf[at + 35] = 0x2c
    at += 36
    buf.set(PAIR_LEN, at); buf.set(b, at + 3); buf[at + 35] = 0x2c
    return plain(sha256(sha256(buf)))
  }
  return prefixedSha256d(prefix, concatBytes([netstring(a), netstring(b)]))
}

const PAIR_LEN = new Uint8Array([0x33, 0x32, 0x3a]) // "32:"


export function storageIndexHash (key: Uint8Array): Uint8Array {
  return taggedHash(TAGS.storageIndex, key, 16)
}

export function blockHash (block: Uint8Array): Uint8Array {
  return taggedHash(TAGS.block, block)
}

export function uebHash (ueb: Uint8Array): Uint8Array {
  return taggedHash(TAGS.uriExtension, ueb)
}

export function crypttextSegmentHash (segment: Uint8Array): Uint8Array {
  return taggedHash(TAGS.crypttextSegment, segment)
}

export function crypttextHash (crypttext: Uint8Array): Uint8Array {
  return taggedHash(TAGS.crypttext, crypttext)
}

// Lease secrets (spec §14). For the client secrets the roles are swapped:
// the secret is the tag and the label is the value. Tahoe does it that way.

export function clientRenewalSecret (leaseSecret: Uint8Array): Uint8Array {
  return taggedHash(leaseSecret, TAGS.clientRenewal)
}

export function clientCancelSecret (leaseSecret: Uint8Array): Uint8Array {
  return taggedHash(leaseSecret, TAGS.clientCancel)
}

export function fileRenewalSecret (clientRenewal: Uint8Array, storageIndex: Uint8Array): Uint8Array {
  return taggedPairHash(TAGS.fileRenewal, clientRenewal, storageIndex)
}

export function fileCancelSecret (clientCancel: Uint8Array, storageIndex: Uint8Array): Uint8Array {
  return taggedPairHash(TAGS.fileCancel, clientCancel, storageIndex)
}

/** `leaseSeed` is the server's lease seed as raw bytes (Tahoe: the 20-byte tub id). */
export function bucketRenewalSecret (fileRenewal: Uint8Array, leaseSeed: Uint8Array): Uint8Array {
  return taggedPairHash(TAGS.bucketRenewal, fileRenewal, leaseSeed)
}

export function bucketCancelSecret (fileCancel: Uint8Array, leaseSeed: Uint8Array): Uint8Array {
  return taggedPairHash(TAGS.bucketCancel, fileCancel, leaseSeed)
}

/** Renew and cancel secrets for one (client, file, server) triple, the whole chain of spec §14. */
export function leaseSecretsFor (leaseSecret: Uint8Array, storageIndex: Uint8Array, leaseSeed: Uint8Array): { renewSecret: Uint8Array, cancelSecret: Uint8Array } {
  return {
    renewSecret: bucketRenewalSecret(fileRenewalSecret(clientRenewalSecret(leaseSecret), storageIndex), leaseSeed),
    cancelSecret: bucketCancelSecret(fileCancelSecret(clientCancelSecret(leaseSecret), storageIndex), leaseSeed)
  }
}

/** Tahoe's permuted-ring position of a server for a storage index: SHA1(SI || seed), spec §12. */
export function permuteServerHash (storageIndex: Uint8Array, permutationSeed: Uint8Array): Uint8Array {
  return plain(createHash('sha1').update(storageIndex).update(permutationSeed).digest())
}

export function bytesEqual (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
