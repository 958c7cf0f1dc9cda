/**
 * The kad-dht service for a lafs-club node, with IPNS validation that resists
 * replays. Defaults target the public IPFS DHT; tests and LAN deployments
 * change the protocol and the address filter.
 */
import { kadDHT, passthroughMapper, removePrivateAddressesMapper, removePublicAddressesMapper } from '@libp2p/kad-dht'
import { DEFAULT_DATASTORE_PREFIX, DEFAULT_DHT_PROTOCOL } from './constants.js'
import { createIpnsValidator, selectIpnsRecord, type IpnsRecordCheck } from './ipns-validation.js'
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
  /** ms before the first self-lookup; every other query waits for it. kad-dht default 1000. */
  initialQuerySelfInterval?: number
  querySelfInterval?: number
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
    return kadDHT(init)(components)
  }
}
