/** Builders for deliberately bad roster records, made from the raw IPNS V2 parts. */
import * as dagCbor from '@ipld/dag-cbor'
import { marshalIPNSRecord, type IPNSRecordV2 } from 'ipns'
import { concat } from 'uint8arrays/concat'
import { fromString } from 'uint8arrays/from-string'
import type { PrivateKey } from '@libp2p/interface'

export interface RawRecordOptions {
  value: string
  sequence: number
  validUntil: number
  /** The `LafsClub` field as it should appear on the wire; omit for a plain IPNS record. */
  rosterWire?: unknown
  padding?: number
}

export async function rawRecord (key: PrivateKey, options: RawRecordOptions): Promise<Uint8Array> {
  const validity = new Date(options.validUntil).toISOString().replace(/Z$/, '000000Z')
  const fields: Record<string, unknown> = {
    Value: fromString(options.value),
    Validity: fromString(validity),
    ValidityType: 0,
    Sequence: BigInt(options.sequence),
    TTL: 3_600_000_000_000n
  }
  if (options.rosterWire !== undefined) fields.LafsClub = options.rosterWire
  if (options.padding != null) fields.Padding = new Uint8Array(options.padding)
  const data = dagCbor.encode(fields)
  const signatureV2 = await key.sign(concat([fromString('ipns-signature:'), data]))
  const record: IPNSRecordV2 = { value: options.value, validity, validityType: 'EOL' as IPNSRecordV2['validityType'], sequence: BigInt(options.sequence), ttl: 3_600_000_000_000n, signatureV2, data }
  return marshalIPNSRecord(record)
}

export function wireRoster (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { v: 1, name: 'club', description: '', policy: 'open', servers: [], updatedAt: 1, ...overrides }
}
