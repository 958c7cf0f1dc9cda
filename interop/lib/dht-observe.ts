/**
 * Watching kad-dht queries from the outside: which peers stored a PUT_VALUE
 * and which peers answered GET_VALUE with a given record. kad-dht reports both
 * only as per-peer events, never as a result.
 */
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import type { KadDHT, QueryEvent } from '@libp2p/kad-dht'

/** Collects peers whose PUT_VALUE / GET_VALUE answers carried `value`, from kad-dht progress events. */
export class RecordWitness {
  readonly stored = new Set<string>()
  readonly served = new Set<string>()
  readonly refusedOrFailed = new Map<string, string>()

  constructor (private readonly value?: Uint8Array) {}

  /** Pass as `onProgress` to any call that reaches kad-dht (Helia's routing forwards it). */
  readonly onProgress = (event: { type: string, detail?: unknown }): void => {
    if (!event.type.startsWith('kad-dht:query:')) return
    this.add(event.detail as QueryEvent)
  }

  add (event: QueryEvent): void {
    if (event.name === 'PEER_RESPONSE') {
      const carries = event.record != null && (this.value == null || uint8ArrayEquals(event.record.value, this.value))
      if (!carries) return
      if (event.messageName === 'PUT_VALUE') this.stored.add(event.from.toString())
      if (event.messageName === 'GET_VALUE') this.served.add(event.from.toString())
    } else if (event.name === 'QUERY_ERROR') {
      this.refusedOrFailed.set(event.from.toString(), event.error?.message ?? String(event.error))
    }
  }
}

/** The peers a full `get` query finds holding exactly `value` under `key`. */
export async function peersServing (dht: KadDHT, key: Uint8Array, value: Uint8Array, signal: AbortSignal): Promise<Set<string>> {
  const witness = new RecordWitness(value)
  for await (const event of dht.get(key, { signal })) witness.add(event)
  return witness.served
}
