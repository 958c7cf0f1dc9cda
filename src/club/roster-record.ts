/**
 * Roster records: standard IPNS V2 records whose signed DAG-CBOR data carries
 * the roster in an extra `LafsClub` field.
 *
 * The `ipns` package cannot add fields to the signed data, so the record is
 * built from its parts here, exactly as the IPNS spec lays out V2: data =
 * DAG-CBOR {Value, Validity, ValidityType, Sequence, TTL, …extra}, signature =
 * sign("ipns-signature:" ‖ data), protobuf IpnsEntry {signatureV2, data}.
 * Because the extra field sits inside the signed bytes, nobody can change the
 * roster without the club key, and stock IPNS validators still accept the record
 * (they ignore fields they do not know; see interop/ipns.spec.ts).
 */
import * as dagCbor from '@ipld/dag-cbor'
import { publicKeyFromMultihash, publicKeyFromProtobuf } from '@libp2p/crypto/keys'
import * as Digest from 'multiformats/hashes/digest'
import { marshalIPNSRecord, unmarshalIPNSRecord, type IPNSRecord, type IPNSRecordV2 } from 'ipns'
import { concat as uint8ArrayConcat } from 'uint8arrays/concat'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { MAX_IPNS_RECORD_SIZE, type IpnsRecordCheck } from '../dht/index.js'
import { clubIdFromPublicKey, publicKeyFromClubId } from './club-id.js'
import { CLUB_PATH_PREFIX, DEFAULT_TTL_MS, DEFAULT_VALIDITY_MS, ROSTER_FIELD } from './constants.js'
import {
  ClubKeyMismatchError, ClubNameMismatchError, InvalidRosterError, InvalidRosterRecordError,
  RosterExpiredError, RosterSignatureError, RosterTooLargeError
} from './errors.js'
import { rosterFromWire, rosterToWire, type Roster } from './roster.js'
import type { PrivateKey } from '@libp2p/interface'

const SIGNATURE_PREFIX = uint8ArrayFromString('ipns-signature:')

/** A roster record that passed every check, with the facts read from it. */
export interface SignedRoster {
  clubId: string
  roster: Roster
  sequence: bigint
  /** ms since the epoch when the record stops being valid (IPNS EOL). */
  expiresAt: number
  ttlMs: number
  /** The marshalled IPNS record, as stored in the DHT. */
  record: Uint8Array
}

export interface SignRosterOptions {
  validityMs?: number
  ttlMs?: number
  now?: number
}

/** The IPNS Value of a club's roster record. */
export function clubPath (clubId: string): string {
  return `${CLUB_PATH_PREFIX}${clubId}`
}

/** RFC 3339 with nanoseconds, the form IPNS implementations write. */
function rfc3339Nano (ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000000Z')
}

export async function signRoster (key: PrivateKey, roster: Roster, sequence: bigint | number, options: SignRosterOptions = {}): Promise<Uint8Array> {
  const clubId = clubIdFromPublicKey(key.publicKey)
  const now = options.now ?? Date.now()
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS
  const value = clubPath(clubId)
  const validity = rfc3339Nano(now + (options.validityMs ?? DEFAULT_VALIDITY_MS))
  const seq = BigInt(sequence)
  const ttl = BigInt(ttlMs) * 1_000_000n
  const data = dagCbor.encode({
    Value: uint8ArrayFromString(value),
    Validity: uint8ArrayFromString(validity),
    ValidityType: 0,
    Sequence: seq,
    TTL: ttl,
    [ROSTER_FIELD]: rosterToWire(roster)
  })
  const signatureV2 = await key.sign(uint8ArrayConcat([SIGNATURE_PREFIX, data]))
  const record: IPNSRecordV2 = { value, validity, validityType: 'EOL' as IPNSRecordV2['validityType'], sequence: seq, ttl, signatureV2, data }
  const marshalled = marshalIPNSRecord(record)
  if (marshalled.byteLength > MAX_IPNS_RECORD_SIZE) {
    throw new RosterTooLargeError(`the roster record is ${marshalled.byteLength} bytes, over the ${MAX_IPNS_RECORD_SIZE}-byte IPNS limit; list fewer servers or addresses, or shorten the description`)
  }
  return marshalled
}

export interface VerifyRosterOptions {
  now?: number
  /** Accept a record past its EOL (reading the local cache, never the network). */
  allowExpired?: boolean
}

/**
 * Every check a resolver makes: size, IPNS structure, key, signature, expiry,
 * the Value naming this club, and a well-formed roster. Throws a typed ClubError.
 */
export async function verifyRosterRecord (clubId: string, marshalled: Uint8Array, options: VerifyRosterOptions = {}): Promise<SignedRoster> {
  const publicKey = publicKeyFromClubId(clubId)
  const canonicalId = clubIdFromPublicKey(publicKey)
  if (marshalled.byteLength > MAX_IPNS_RECORD_SIZE) {
    throw new RosterTooLargeError(`roster record is ${marshalled.byteLength} bytes, over the ${MAX_IPNS_RECORD_SIZE}-byte IPNS limit`)
  }
  let record: IPNSRecord
  try {
    record = unmarshalIPNSRecord(marshalled)
  } catch (err: any) {
    throw new InvalidRosterRecordError(`not a valid IPNS V2 record: ${err?.message ?? err}`, { cause: err })
  }
  if (record.pubKey != null) {
    let embedded
    try { embedded = publicKeyFromProtobuf(record.pubKey) } catch (err) {
      throw new ClubKeyMismatchError('the record embeds an unreadable public key', { cause: err })
    }
    if (!embedded.equals(publicKey)) throw new ClubKeyMismatchError(`the record embeds a different key than club ${canonicalId}`)
  }
  let signatureOk = false
  try {
    signatureOk = await publicKey.verify(uint8ArrayConcat([SIGNATURE_PREFIX, record.data]), record.signatureV2)
  } catch {
    signatureOk = false
  }
  if (!signatureOk) throw new RosterSignatureError(`the roster record is not signed by club ${canonicalId}'s key`)
  const expiresAt = Date.parse(record.validity)
  if (Number.isNaN(expiresAt)) throw new InvalidRosterRecordError(`unreadable validity ${JSON.stringify(record.validity)}`)
  if (options.allowExpired !== true && expiresAt < (options.now ?? Date.now())) {
    throw new RosterExpiredError(`club ${canonicalId}'s roster expired at ${new Date(expiresAt).toISOString()}; the owner has not republished it`)
  }
  if (record.value !== clubPath(canonicalId)) {
    throw new ClubNameMismatchError(`the record's value ${JSON.stringify(record.value)} names a different club than ${canonicalId}`)
  }
  const roster = rosterFromWire(readRosterField(record.data))
  return {
    clubId: canonicalId,
    roster,
    sequence: record.sequence,
    expiresAt,
    ttlMs: Number((record.ttl ?? 0n) / 1_000_000n),
    record: marshalled
  }
}

function readRosterField (data: Uint8Array): unknown {
  let decoded: any
  try {
    decoded = dagCbor.decode(data)
  } catch (err: any) {
    throw new InvalidRosterError(`the record's data is not DAG-CBOR: ${err?.message ?? err}`, { cause: err })
  }
  return decoded?.[ROSTER_FIELD]
}

/**
 * For our DHT nodes (`createDhtService({ ipnsChecks: [rosterIpnsCheck] })`):
 * an IPNS record that carries a `LafsClub` field must be a well-formed roster
 * naming the key it is stored under. Other IPNS records pass untouched, so the
 * node still serves the public IPNS namespace.
 */
export const rosterIpnsCheck: IpnsRecordCheck = async (routingKey, record, marshalled) => {
  let field: unknown
  try {
    field = dagCbor.decode<Record<string, unknown> | null>(record.data)?.[ROSTER_FIELD]
  } catch {
    return
  }
  if (field === undefined) return
  const multihashBytes = routingKey.subarray('/ipns/'.length)
  const clubId = clubIdFromMultihashBytes(multihashBytes)
  await verifyRosterRecord(clubId, marshalled)
}

function clubIdFromMultihashBytes (bytes: Uint8Array): string {
  let digest
  try { digest = Digest.decode(bytes) } catch (err) {
    throw new ClubKeyMismatchError('the IPNS name is not a multihash', { cause: err })
  }
  // Ed25519 names inline the key (identity multihash); a hashed name cannot be a club
  if (digest.code !== 0x00) throw new ClubKeyMismatchError('club rosters live under identity-multihash (Ed25519) IPNS names')
  return clubIdFromPublicKey(publicKeyFromMultihash(digest as any))
}

/** True if two marshalled records are byte-identical. */
export function sameRecord (a: Uint8Array, b: Uint8Array): boolean {
  return uint8ArrayEquals(a, b)
}
