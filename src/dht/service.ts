/**
 * The kad-dht service for a lafs-club node, with IPNS validation that resists
 * replays. Defaults target the public IPFS DHT; tests and LAN deployments
 * change the protocol and the address filter.
 */
import { kadDHT, passthroughMapper, removePrivateAddressesMapper, removePublicAddressesMapper } from '@libp2p/kad-dht'
import { DEFAULT_DATASTORE_PREFIX, DEFAULT_DHT_PROTOCOL } from './constants.js'
import { createIpnsValidator, selectIpnsRecord, type IpnsRecordCheck } from './ipns-validation.js'
import { whenRoutable } from './routable.js'
import type { KadDHT, KadDHTComponents, KadDHTInit, PeerInfoMapper } from '@libp2p/kad-dht'

/**
 * Which peer addresses the DHT keeps: 'public' drops private and loopback
 * addresses (the right thing on the Internet), 'private' keeps only LAN ones,
 * 'all' keeps everything (loopback tests).
 */
export type DhtAddressScope = 'public' | 'private' | 'all'

export interface DhtServiceOptions {
  /** Full protocol id. Default `/ipfs/kad/1.0.0`, so any IPFS DHT can hold our records. */
  protocol?: string
  /**
   * `undefined` (default): kad-dht starts as a client and turns server once identify
   * reports a public address. `false` forces server mode (storage servers, tests);
   * `true` forces client mode.
   */
  clientMode?: boolean
  addressScope?: DhtAddressScope
  /** Where records and provider records live in the node's datastore. Default `/dht`. */
  datastorePrefix?: string
  /** Extra rules for `/ipns/` records on top of the standard ones and the replay check. */
  ipnsChecks?: IpnsRecordCheck[]
  kBucketSize?: number
  alpha?: number
  disjointPaths?: number
  /** ms before the first self-lookup; every other query waits for it unless `allowQueryWithZeroPeers`. kad-dht default 1000. */
  initialQuerySelfInterval?: number
  querySelfInterval?: number
  /**
   * true: queries do not wait for kad-dht's first self-lookup. Our get, put,
   * provide and findProviders still wait for a first routing-table peer
   * (routable.ts), and a first self-lookup that found the table empty is run
   * again once a peer arrives. kad-dht default false.
   */
  allowQueryWithZeroPeers?: boolean
  /** Anything else kad-dht accepts; wins over the fields above. */
  kadInit?: Partial<KadDHTInit>
}

const MAPPERS: Record<DhtAddressScope, PeerInfoMapper> = {
  public: removePrivateAddressesMapper,
  private: removePublicAddressesMapper,
  all: passthroughMapper
}

/**
 * A libp2p service factory: `services: { dht: createDhtService({...}) }`.
 * The `/ipns/` validator reads the same datastore kad-dht writes to, which is
 * the datastore given to `createLibp2p` (pass a datastore-level instance for
 * records that survive restarts).
 */
export function createDhtService (options: DhtServiceOptions = {}): (components: KadDHTComponents) => KadDHT {
  const datastorePrefix = options.datastorePrefix ?? DEFAULT_DATASTORE_PREFIX
  return (components) => {
    const log = components.logger.forComponent('lafs-club:dht:service')
    const init: KadDHTInit = {
      protocol: options.protocol ?? DEFAULT_DHT_PROTOCOL,
      clientMode: options.clientMode,
      peerInfoMapper: MAPPERS[options.addressScope ?? 'public'],
      datastorePrefix,
      kBucketSize: options.kBucketSize,
      alpha: options.alpha,
      disjointPaths: options.disjointPaths,
      initialQuerySelfInterval: options.initialQuerySelfInterval,
      querySelfInterval: options.querySelfInterval,
      allowQueryWithZeroPeers: options.allowQueryWithZeroPeers,
      validators: {
        ipns: createIpnsValidator(components.datastore, { datastorePrefix, checks: options.ipnsChecks, log: components.logger.forComponent('lafs-club:dht:validator') })
      },
      selectors: { ipns: selectIpnsRecord },
      ...options.kadInit
    }
    log('kad-dht on %s, %s mode, %s addresses, records under %s', init.protocol, init.clientMode === undefined ? 'automatic' : init.clientMode ? 'client' : 'server',
      options.addressScope ?? 'public', datastorePrefix)
    // kad-dht treats an explicit `undefined` like a missing key for all of these
    const dht = kadDHT(init)(components)
    if (init.allowQueryWithZeroPeers === true) {
      waitForAPeerFirst(dht)
      redoEmptySelfLookup(dht, components, log)
    }
    return dht
  }
}

const SELF_LOOKUP_TIMEOUT_MS = 30_000

/** The KadDHT methods libp2p's own peer and content routing call (kad-dht's DHTPeerRouting/DHTContentRouting go through them). */
const ROUTED_METHODS = ['getClosestPeers', 'findPeer', 'findProviders', 'get', 'put', 'provide'] as const

/**
 * With `allowQueryWithZeroPeers` a query on an empty routing table ends at
 * once, in microtasks only. libp2p's random walk (relay discovery) calls
 * getClosestPeers in a loop until it finds a peer: on an empty table that
 * loop never yields to the event loop and the process spins at 100 % CPU
 * (seen: a node listening on /p2p-circuit before any DHT peer). Every call
 * from outside kad-dht therefore waits, as ours do (routable.ts), for a first
 * routing-table peer; kad-dht's internal lookups do not go through these.
 */
function waitForAPeerFirst (dht: KadDHT): void {
  const methods = dht as unknown as Record<string, (...args: unknown[]) => AsyncIterable<unknown>>
  for (const name of ROUTED_METHODS) {
    const original = methods[name]?.bind(dht)
    if (original == null) continue
    methods[name] = async function * (...args: unknown[]): AsyncGenerator<unknown> {
      const last = args[args.length - 1] as { signal?: AbortSignal } | undefined
      const signal = last != null && !(last instanceof Uint8Array) && typeof last === 'object' ? last.signal : undefined
      await whenRoutable(dht, signal)
      yield * original(...args)
    }
  }
}

/**
 * Without the wait for peers, kad-dht's first self-lookup (1 s after start)
 * finds nothing when the bootstrap peer is slower than that, and the next
 * one comes only after `querySelfInterval` (5 min): the node would learn its
 * neighbourhood from its queries alone. This runs that lookup once more, as
 * soon as the routing table holds a peer.
 */
function redoEmptySelfLookup (dht: KadDHT, components: KadDHTComponents, log: (f: string, ...a: unknown[]) => void): void {
  let redone = false
  // kad-dht's lookups end when it stops, so this one needs no stop hook of its own
  const events = components.events as unknown as EventTarget
  events.addEventListener('kad-dht:query:self', (event) => {
    if (redone || (event as CustomEvent<{ peers?: number }>).detail?.peers !== 0) return
    redone = true
    void (async () => {
      await whenRoutable(dht, AbortSignal.timeout(SELF_LOOKUP_TIMEOUT_MS))
      let peers = 0
      for await (const e of dht.getClosestPeers(components.peerId.toMultihash().bytes, { signal: AbortSignal.timeout(SELF_LOOKUP_TIMEOUT_MS) })) if (e.name === 'FINAL_PEER') peers++
      log('first self-lookup found an empty routing table; ran it again once a peer arrived: %d peer(s)', peers)
    })().catch((err: unknown) => { log('self-lookup after the first peer did not run - %s', (err as Error)?.message ?? String(err)) })
  })
}
