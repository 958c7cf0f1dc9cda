/**
 * The wire protocols of a lafs-club node, each a libp2p stream protocol with
 * protobuf messages in length-prefixed frames:
 *
 * - /lafs-club/storage/1.0.0: allocate, write, close, abort, list, read, lease, corruption advice
 * - /lafs-club/have/1.0.0: which shares of these storage indexes do you hold? (free, rate-limited)
 * - /lafs-club/account/1.0.0: server terms, the caller's usage, invitation codes
 *
 * Servers: registerStorageProtocols(). Clients: StorageClient, queryHave(), AccountClient.
 */
import { registerAccountProtocol } from './account/index.js'
import { registerHaveProtocol } from './have/index.js'
import { registerStorageProtocol } from './storage/index.js'
import type { StorageServer } from '../storage/index.js'
import type { Libp2p, Logger } from '@libp2p/interface'

export {
  StorageClient, createStorageClient, STORAGE_PROTOCOL, MAX_WRITE_SIZE, MAX_READ_LENGTH,
  type StorageClientOptions, type ServerVersion, type LeaseSecrets, type AllocateAnswer, type ShareSize, type StreamOpener
} from './storage/index.js'
export { queryHave, HAVE_PROTOCOL, MAX_HAVE_BATCH, DEFAULT_HAVE_RATE_LIMIT, type QueryHaveOptions } from './have/index.js'
export { AccountClient, createAccountClient, ACCOUNT_PROTOCOL, type ServerTerms, type AccountUsage, type AccountClientOptions } from './account/index.js'
export {
  ProtocolError, RemoteStorageError, SlowDownError, MalformedMessageError, MessageTooLargeError,
  TruncatedFrameError, OutOfOrderError, RequestTimeoutError, StreamClosedError, ClientStoppedError
} from './errors.js'

export interface StorageProtocolsOptions {
  /** have-share budget per peer, in storage indexes (default 5000/s, burst 10 000). */
  haveRateLimit?: { tokensPerSecond: number, burst: number }
  /** Deadline for a request to arrive once started, on every protocol (default 30 s storage, 10 s others). */
  requestTimeoutMs?: number
  /** Storage sessions idle this long are closed (default 100 s). */
  idleTimeoutMs?: number
  log?: Logger
}

/**
 * Serves the storage, have and account protocols from `server` on this node.
 * Resolves to a function that stops serving them (open sessions are closed).
 */
export async function registerStorageProtocols (libp2p: Pick<Libp2p, 'handle' | 'unhandle'> & Partial<Pick<Libp2p, 'logger'>>, server: StorageServer, options: StorageProtocolsOptions = {}): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<void>> = []
  options = { ...options, log: options.log ?? libp2p.logger?.forComponent('lafs-club:protocols') }
  try {
    stops.push(await registerStorageProtocol(libp2p, server, { requestTimeoutMs: options.requestTimeoutMs, idleTimeoutMs: options.idleTimeoutMs, log: options.log }))
    stops.push(await registerHaveProtocol(libp2p, server, { rateLimit: options.haveRateLimit, requestTimeoutMs: options.requestTimeoutMs, log: options.log }))
    stops.push(await registerAccountProtocol(libp2p, server, { requestTimeoutMs: options.requestTimeoutMs, log: options.log }))
  } catch (err) {
    await Promise.allSettled(stops.map(async stop => { await stop() }))
    throw err
  }
  return async () => { await Promise.all(stops.map(async stop => { await stop() })) }
}
