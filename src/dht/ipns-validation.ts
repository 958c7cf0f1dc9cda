/**
 * Validation and selection of `/ipns/` records for kad-dht.
 *
 * kad-dht's PUT_VALUE handler overwrites whatever a node stored without
 * comparing versions, so anyone can replay an old, validly signed record and
 * roll every replica back. The validator here therefore also reads the node's
 * own stored copy and refuses a lower sequence number. Everything else is the
 * `ipns` package's own check, so standard IPNS V2 records (Kubo, Helia) pass.
 */
import { Libp2pRecord } from '@libp2p/record'
import { Key } from 'interface-datastore'
import { unmarshalIPNSRecord, type IPNSRecord } from 'ipns'
import { ipnsSelector } from 'ipns/selector'
import { ipnsValidator } from 'ipns/validator'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { DEFAULT_DATASTORE_PREFIX } from './constants.js'
import { StaleRecordError } from './errors.js'
import type { AbortOptions, Logger } from '@libp2p/interface'
import type { SelectFn, ValidateFn } from '@libp2p/kad-dht'
import type { Datastore } from 'interface-datastore'

/**
 * An extra rule applied to IPNS records after the standard checks passed,
 * e.g. "if this record claims to be a club roster, the roster must be well formed".
 * Throw to refuse the record.
 */
export type IpnsRecordCheck = (routingKey: Uint8Array, record: IPNSRecord, marshalled: Uint8Array) => void | Promise<void>

/**
 * The datastore key under which kad-dht keeps a record: `<prefix>/record/<base32 of the routing key>`
 * (kad-dht 16, `utils.ts` bufferToRecordKey; base32 is RFC 4648 lower case without padding).
 */
export function recordDatastoreKey (routingKey: Uint8Array, datastorePrefix: string = DEFAULT_DATASTORE_PREFIX): Key {
  return new Key(`${datastorePrefix}/record/${uint8ArrayToString(routingKey, 'base32')}`, false)
}

/** The IPNS record this node currently stores for `routingKey`, or undefined. */
export async function readStoredIpnsRecord (datastore: Datastore, routingKey: Uint8Array, datastorePrefix: string = DEFAULT_DATASTORE_PREFIX, options?: AbortOptions): Promise<IPNSRecord | undefined> {
  let raw: Uint8Array
  try {
    raw = await datastore.get(recordDatastoreKey(routingKey, datastorePrefix), options)
  } catch (err: any) {
    if (err?.name === 'NotFoundError') return undefined
    throw err
  }
  try {
    return unmarshalIPNSRecord(Libp2pRecord.deserialize(raw).value)
  } catch {
    // a corrupt stored copy must not block a good replacement
    return undefined
  }
}

/**
 * The stored copy, if it is one the key's owner signed. A node stores its own
 * puts without validation, so a forged record with a huge sequence put from
 * this node must not lock the real owner out of this replica. An expired copy
 * still counts: its sequence was the owner's, and a replay is older still.
 */
async function readTrustedStoredRecord (datastore: Datastore, routingKey: Uint8Array, prefix: string, options?: AbortOptions): Promise<IPNSRecord | undefined> {
  let raw: Uint8Array
  try {
    raw = await datastore.get(recordDatastoreKey(routingKey, prefix), options)
  } catch (err: any) {
    if (err?.name === 'NotFoundError') return undefined
    throw err
  }
  let value: Uint8Array
  try {
    value = Libp2pRecord.deserialize(raw).value
    await ipnsValidator(routingKey, value)
  } catch (err: any) {
    if (err?.name !== 'RecordExpiredError') return undefined
  }
  return unmarshalIPNSRecord(value!)
}

export interface IpnsValidatorOptions {
  datastorePrefix?: string
  checks?: IpnsRecordCheck[]
  /** Told about every refused record (kad-dht answers the sender with an error and keeps no trace). */
  log?: Logger
}

/**
 * The `/ipns/` validator for a node whose kad-dht uses `datastore`: the `ipns`
 * package's checks (size, key match, signature, expiry), the extra `checks`, and
 * a refusal of any sequence lower than the node's own stored copy.
 */
export function createIpnsValidator (datastore: Datastore, options: IpnsValidatorOptions = {}): ValidateFn {
  const prefix = options.datastorePrefix ?? DEFAULT_DATASTORE_PREFIX
  const checks = options.checks ?? []
  const validate: ValidateFn = async (routingKey, marshalled, abortOptions) => {
    await ipnsValidator(routingKey, marshalled)
    const record = unmarshalIPNSRecord(marshalled)
    for (const check of checks) {
      await check(routingKey, record, marshalled)
    }
    const stored = await readTrustedStoredRecord(datastore, routingKey, prefix, abortOptions)
    if (stored != null && record.sequence < stored.sequence) {
      throw new StaleRecordError(`IPNS record has sequence ${record.sequence}, lower than the stored ${stored.sequence}; refusing a replay`)
    }
  }
  const log = options.log
  if (log == null) return validate
  return async (routingKey, marshalled, abortOptions) => {
    try {
      await validate(routingKey, marshalled, abortOptions)
    } catch (err) {
      // the IPNS name in peer-ID form (the multihash after `/ipns/`), so a club's records can be told apart
      log('refused IPNS record for %b - %e', routingKey.subarray(6), err)
      throw err
    }
  }
}

/** Highest sequence wins, then the longest validity (the `ipns` package's selector). */
export const selectIpnsRecord: SelectFn = (key, records) => ipnsSelector(key, records)
