/**
 * Hook for the client layer (src/client: uploader, downloader). The node
 * builds a NodeCore and hands it to a ClientFactory; whatever the factory
 * returns becomes `node.put/get/cat`. Until src/client is wired in, the
 * default factory answers with NotImplementedError.
 *
 * WIRING POINT (lead): replace `defaultClientFactory` with one that builds
 * the uploader/downloader from src/client over `core.libp2p`, records every
 * upload in `core.leases` (cap, storage index, servers, lease expiry), and
 * returns a RenewFn through `renewLease` so the node renews leases on a timer.
 */
import { NotImplementedError } from './errors.js'
import type { NodeConfig } from './config.js'
import type { LeaseBook, RenewFn } from './leases.js'
import type { LafsLibp2p } from './libp2p.js'
import type { NodeLogger } from './log.js'
import type { StorageServer } from '../storage/index.js'

export interface PutOptions {
  /** Multiaddrs (with /p2p/) of the servers to upload to; default: the club's roster. */
  servers?: string[]
  /** Club ID to upload through; also becomes the hint in `hintedCap`. */
  club?: string
  k?: number
  happy?: number
  n?: number
  /** Default: the node's convergence secret (private/convergence). */
  convergenceSecret?: Uint8Array
  signal?: AbortSignal
}

export interface PutResult {
  cap: string
  /** The cap with `@<club id>` appended, when uploaded through a club. */
  hintedCap?: string
}

export interface GetOptions {
  /** Servers to ask first (multiaddrs with /p2p/); otherwise the DHT or the cap's club hint. */
  servers?: string[]
  signal?: AbortSignal
}

/** What the client layer adds to a node. */
export interface NodeClient {
  put: (data: Uint8Array | AsyncIterable<Uint8Array>, opts?: PutOptions) => Promise<PutResult>
  get: (cap: string, opts?: GetOptions) => Promise<Uint8Array>
  cat: (cap: string, opts?: GetOptions) => AsyncIterable<Uint8Array>
  /** Renews the leases of one upload; when present the node renews due leases on a timer. */
  renewLease?: RenewFn
  /** Abort transfers in progress; called first when the node stops. */
  close?: () => Promise<void>
}

/** Everything the client layer may use from the node. */
export interface NodeCore {
  peerId: string
  libp2p: LafsLibp2p
  config: NodeConfig
  convergenceSecret: Uint8Array
  leaseSecret: Uint8Array
  leases: LeaseBook
  /** This node's own storage server, when storage is enabled. */
  storage?: StorageServer
  log: NodeLogger
}

export type ClientFactory = (core: NodeCore) => NodeClient | Promise<NodeClient>

export const defaultClientFactory: ClientFactory = () => ({
  put: async () => { throw new NotImplementedError('node.put (upload)') },
  get: async () => { throw new NotImplementedError('node.get (download)') },
  cat: (): AsyncIterable<Uint8Array> => ({
    [Symbol.asyncIterator]: () => ({ next: async () => { throw new NotImplementedError('node.cat (streaming download)') } })
  })
})
