/**
 * put/get of DHT values with honest results: kad-dht's put never fails (it
 * yields an error event per refusing peer), and a miss surfaces as an
 * AggregateError from libp2p's content routing. Here a put reports how many
 * peers stored the value and throws when too few did, and a miss is a NotFoundError.
 */
import { logger } from '@libp2p/logger'
import { base58btc } from 'multiformats/bases/base58'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { NotFoundError, PutRejectedError, QueryAbortedError } from './errors.js'
import { whenRoutable } from './routable.js'
import type { KadDHT, QueryEvent } from '@libp2p/kad-dht'

const log = logger('lafs-club:dht:records')

/**
 * A routing key as logs show it. `/ipns/` keys end in a binary multihash; in
 * base58btc that is the key's peer-ID spelling (`12D3KooW…`), which the club
 * layer also accepts as a club ID.
 */
function keyName (key: Uint8Array): string {
  const slash = key.indexOf(0x2f, 1)
  if (key[0] !== 0x2f || slash < 0) return base58btc.baseEncode(key)
  return `${Buffer.from(key.subarray(0, slash + 1)).toString('latin1')}${base58btc.baseEncode(key.subarray(slash + 1))}`
}

export interface DhtCallOptions {
  signal?: AbortSignal
  /** Receives kad-dht's progress events, e.g. a `QueryCostMeter`'s `onProgress`. */
  onProgress?: (event: Event) => void
}

export interface PutRecordOptions extends DhtCallOptions {
  /** Fewer accepting peers than this makes the put throw. Default 1. */
  minAccepted?: number
}

export interface PutRecordResult {
  /** Peers that answered PUT_VALUE with our exact record. */
  accepted: number
  /** Peers that refused, failed, or answered with something else. */
  rejected: number
  errors: Error[]
}

export async function putRecord (dht: KadDHT, key: Uint8Array, value: Uint8Array, options: PutRecordOptions = {}): Promise<PutRecordResult> {
  const minAccepted = options.minAccepted ?? 1
  const tally = new PutTally(value)
  try {
    await whenRoutable(dht, options.signal)
    for await (const event of dht.put(key, value, { signal: options.signal, onProgress: options.onProgress as any })) {
      tally.add(event)
    }
  } catch (err) {
    const aborted = mapAbort(err, options.signal)
    // a deadline that fires after enough peers took the record is still a successful put
    if (aborted == null || tally.result().accepted < minAccepted) throw aborted ?? err
  }
  const result = tally.result()
  log('put %s: %d peer(s) stored it, %d refused or failed%s', keyName(key), result.accepted, result.rejected,
    result.errors[0] != null ? ` (first error: ${result.errors[0].message})` : '')
  if (result.accepted < minAccepted) {
    throw new PutRejectedError(
      `DHT put reached ${result.accepted} peer(s), needed ${minAccepted}; ${result.rejected} refused or failed` +
        (result.errors[0] != null ? ` (first error: ${result.errors[0].message})` : '') +
        '. Check the record is valid and newer than what peers hold, and that the node has DHT server peers.',
      result.accepted, result.rejected, result.errors)
  }
  return result
}

class PutTally {
  readonly sentTo = new Set<string>()
  readonly acceptedBy = new Set<string>()
  readonly failedBy = new Map<string, Error>()

  constructor (private readonly value: Uint8Array) {}

  add (event: QueryEvent): void {
    if (event.name === 'SEND_QUERY' && event.messageName === 'PUT_VALUE') {
      this.sentTo.add(event.to.toString())
    } else if (event.name === 'PEER_RESPONSE' && event.messageName === 'PUT_VALUE') {
      const id = event.from.toString()
      if (event.record != null && uint8ArrayEquals(event.record.value, this.value)) this.acceptedBy.add(id)
      else this.failedBy.set(id, new Error('peer answered PUT_VALUE with a different record'))
    } else if (event.name === 'QUERY_ERROR') {
      // lookup errors (FIND_NODE to an unreachable peer) are not refusals of the value
      const id = event.from.toString()
      if (this.sentTo.has(id) && !this.failedBy.has(id)) this.failedBy.set(id, event.error)
    }
  }

  result (): PutRecordResult {
    // kad-dht can report a peer that answered as "not put correctly" as well
    for (const id of this.acceptedBy) this.failedBy.delete(id)
    return { accepted: this.acceptedBy.size, rejected: this.failedBy.size, errors: [...this.failedBy.values()] }
  }
}

export type GetRecordOptions = DhtCallOptions

/** The best value for `key` (selected by the namespace's selector), or NotFoundError. */
export async function getRecord (dht: KadDHT, key: Uint8Array, options: GetRecordOptions = {}): Promise<Uint8Array> {
  let best: Uint8Array | undefined
  try {
    await whenRoutable(dht, options.signal)
    for await (const event of dht.get(key, { signal: options.signal, onProgress: options.onProgress as any })) {
      if (event.name === 'VALUE') best = event.value
    }
  } catch (err: any) {
    const aborted = mapAbort(err, options.signal)
    if (aborted != null) {
      log('get %s: aborted by the caller', keyName(key))
      throw aborted
    }
    if (isNotFound(err)) {
      log('get %s: no peer holds a valid record', keyName(key))
      throw new NotFoundError('no DHT peer holds a valid record for this key', { cause: err })
    }
    log.error('get %s failed - %e', keyName(key), err)
    throw err
  }
  if (best == null) {
    log('get %s: no peer holds a valid record', keyName(key))
    throw new NotFoundError('no DHT peer holds a valid record for this key')
  }
  log.trace('get %s: found a %d-byte record', keyName(key), best.byteLength)
  return best
}

/** libp2p reports a miss as NotFoundError, or as an AggregateError of them when several routers ran. */
export function isNotFound (err: any): boolean {
  if (err?.name === 'NotFoundError' || err?.code === 'ERR_NOT_FOUND') return true
  if (err instanceof AggregateError || err?.name === 'AggregateError') {
    const inner: unknown[] = err.errors ?? []
    return inner.every(isNotFound)
  }
  return false
}

export function mapAbort (err: any, signal?: AbortSignal): QueryAbortedError | undefined {
  if (signal?.aborted === true) {
    return new QueryAbortedError('DHT query aborted by the caller (deadline or cancel)', { cause: signal.reason ?? err })
  }
  return undefined
}
