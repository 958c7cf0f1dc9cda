/**
 * Counts what a DHT query really cost, from kad-dht's own query events.
 *
 * Pass `meter.onProgress` as the `onProgress` option of any kad-dht call (or of
 * the helpers in this folder). Definitions:
 * - rpcs: `SEND_QUERY` events, i.e. requests actually written to a stream, by message type.
 *   (`DIAL_PEER` fires before every RPC, even on an open connection, so it is not a dial count.)
 * - peersContacted: distinct peers a request was sent to.
 * - roundTrips: the longest chain of dependent requests. A peer taken from the
 *   routing table is hop 1; a peer first learned from hop h's answer is hop h+1.
 *   A peer's hop is fixed at its first event: kad-dht dials its starting peers
 *   (DIAL_PEER; up to alpha per path, all of them with the defaults) before any
 *   answer can arrive, but each SEND_QUERY waits for its stream to open, and a
 *   fast peer's answer naming a slow starting peer must not push it to hop 2.
 *   PUT_VALUE / ADD_PROVIDER go out after the lookup, so they add one round trip.
 * - responses: answers to requests this query sent (local-store answers are not counted).
 * - ms: from the meter's creation (or `reset()`) to `finish()`, or to the last event.
 */
import type { MessageName, QueryEvent } from '@libp2p/kad-dht'

export interface QueryCost {
  rpcs: number
  rpcsByType: Partial<Record<MessageName, number>>
  responses: number
  responsesByType: Partial<Record<MessageName, number>>
  errors: number
  peersContacted: number
  roundTrips: number
  ms: number
}

const STORE_MESSAGES = new Set<string>(['PUT_VALUE', 'ADD_PROVIDER'])

export class QueryCostMeter {
  /** Give this to kad-dht as `onProgress`; it ignores events that are not query events. */
  readonly onProgress: (event: Event) => void

  private startedAt = 0
  private lastEventAt = 0
  private finishedAt: number | undefined
  private readonly sentTo = new Set<string>()
  private readonly hops = new Map<string, number>()
  private readonly rpcsByType: Partial<Record<MessageName, number>> = {}
  private readonly responsesByType: Partial<Record<MessageName, number>> = {}
  private rpcCount = 0
  private responseCount = 0
  private errorCount = 0
  private lookupDepth = 0
  private storeSent = false
  private readonly listeners: Array<(event: QueryEvent) => void> = []

  constructor () {
    this.onProgress = (event: Event) => {
      if (event.type.startsWith('kad-dht:query:')) {
        const detail = (event as CustomEvent<QueryEvent>).detail
        if (detail != null) this.record(detail)
      }
    }
    this.reset()
  }

  /** Start counting again from zero, with the clock at now. */
  reset (): void {
    this.startedAt = performance.now()
    this.lastEventAt = this.startedAt
    this.finishedAt = undefined
    this.sentTo.clear()
    this.hops.clear()
    for (const k of Object.keys(this.rpcsByType)) delete this.rpcsByType[k as MessageName]
    for (const k of Object.keys(this.responsesByType)) delete this.responsesByType[k as MessageName]
    this.rpcCount = 0
    this.responseCount = 0
    this.errorCount = 0
    this.lookupDepth = 0
    this.storeSent = false
  }

  /** Called for each event after it is counted (budgets hang off this). */
  onEvent (listener: (event: QueryEvent) => void): void {
    this.listeners.push(listener)
  }

  /** Count one query event (for callers that iterate kad-dht's event stream themselves). */
  record (event: QueryEvent): void {
    this.lastEventAt = performance.now()
    switch (event.name) {
      case 'DIAL_PEER': {
        const peer = event.peer.toString()
        if (!this.hops.has(peer)) this.hops.set(peer, 1)
        break
      }
      case 'SEND_QUERY': {
        const to = event.to.toString()
        this.rpcCount++
        this.rpcsByType[event.messageName] = (this.rpcsByType[event.messageName] ?? 0) + 1
        this.sentTo.add(to)
        if (STORE_MESSAGES.has(event.messageName)) {
          this.storeSent = true
        } else {
          const hop = this.hops.get(to) ?? 1
          this.hops.set(to, hop)
          this.lookupDepth = Math.max(this.lookupDepth, hop)
        }
        break
      }
      case 'PEER_RESPONSE': {
        // kad-dht also reports answers from the local store as responses; they cost no RPC
        if (!this.sentTo.has(event.from.toString())) break
        this.responseCount++
        this.responsesByType[event.messageName] = (this.responsesByType[event.messageName] ?? 0) + 1
        const hop = this.hops.get(event.from.toString()) ?? 1
        for (const peer of event.closer) {
          const id = peer.id.toString()
          if (!this.hops.has(id)) this.hops.set(id, hop + 1)
        }
        break
      }
      case 'QUERY_ERROR':
        this.errorCount++
        break
      // what a query found, not what it cost
      case 'ADD_PEER':
      case 'FINAL_PEER':
      case 'PATH_ENDED':
      case 'PROVIDER':
      case 'VALUE':
        break
    }
    for (const listener of this.listeners) listener(event)
  }

  /** Stop the clock; later events are still counted but do not move it. */
  finish (): QueryCost {
    this.finishedAt ??= performance.now()
    return this.cost
  }

  get rpcs (): number { return this.rpcCount }

  get cost (): QueryCost {
    const end = this.finishedAt ?? this.lastEventAt
    return {
      rpcs: this.rpcCount,
      rpcsByType: { ...this.rpcsByType },
      responses: this.responseCount,
      responsesByType: { ...this.responsesByType },
      errors: this.errorCount,
      peersContacted: this.sentTo.size,
      roundTrips: this.lookupDepth + (this.storeSent ? 1 : 0),
      ms: Math.round(end - this.startedAt)
    }
  }
}
