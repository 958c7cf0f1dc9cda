/**
 * The wire protocols of a lafs-club node, each a libp2p stream protocol with
 * protobuf messages in length-prefixed frames:
 *
 * - /lafs-club/storage/1.1.0: allocate, write, close, abort, list, read, lease, corruption advice; mutable slots
 * - /lafs-club/have/1.0.0: which shares of these storage indexes do you hold? (free, rate-limited)
 * - /lafs-club/account/1.0.0: server terms, the caller's usage, invitation codes
 * - /lafs-club/helper/1.0.0: an upload helper takes crypttext once and places the shares (src/helper serves it)
 *
 * Servers: registerStorageProtocols(). Clients: StorageClient, queryHave(),
 * queryHaveAcross() (one storage index, many servers), AccountClient.
 */
import { defaultLogger } from '@libp2p/logger'
import { registerAccountProtocol } from './account/index.js'
import { registerHaveProtocol } from './have/index.js'
import { registerStorageProtocol, type WriteBudgetOptions } from './storage/index.js'
import type { StorageServer } from '../storage/index.js'
import type { ComponentLogger, Libp2p } from '@libp2p/interface'

export {
  StorageClient, STORAGE_PROTOCOL, dialUnlimited, relayOf, describeLimits,
  DEFAULT_WRITE_BUDGET, DEFAULT_SESSION_WRITE_BUDGET, DEFAULT_BUDGET_STALL_MS,
  type WriteBudgetOptions,
  MAX_SLOT_SHARES, MAX_SLOT_WRITE_VECTORS, MAX_SLOT_WRITE_BYTES, MAX_SLOT_READ_SHARES,
  type StorageClientOptions, type ServerVersion, type LeaseSecrets, type AllocateAnswer, type ShareSize, type StreamOpener,
  type SlotShareWrite, type SlotWriteAnswer, type ReadVector, type TestVector, type WriteVector
} from './storage/index.js'
/** A server's 20-byte id (lease-secret seed, write-enabler node id): both sides compute it. */
export { serverIdOf } from '../storage/index.js'
export { queryHave, queryHaveAnswer, queryHaveAcross, HaveBatch, HAVE_PROTOCOL, type HaveAnswer, type QueryHaveOptions, type HaveAcrossOptions, type HaveAcrossResult } from './have/index.js'
export { AccountClient, ACCOUNT_PROTOCOL, type ServerTerms, type AccountUsage, type AccountClientOptions } from './account/index.js'
export { dialTarget, type ServerAddress } from './dial-target.js'
export {
  helperUploadAttempt, registerHelperProtocol, HELPER_PROTOCOL, MAX_HELPER_CHUNK, HelperBusyError, HelperNotAllowedError, UploadInProgressError, SpoolQuotaError, SpoolFullError, EncodingRefusedError, UploadTooSlowError,
  type HelperAttemptOptions, type HelperAttemptResult, type HelperProtocolOptions,
  type HelperBackend, type HelperCheck, type HelperDone, type HelperPlacement, type HelperUploadSession
} from './helper/index.js'
export {
  ProtocolError, RemoteStorageError, SlowDownError, MalformedMessageError, MessageTooLargeError,
  TruncatedFrameError, OutOfOrderError, RequestTimeoutError, StreamClosedError, ClientStoppedError, RelayLimitedError
} from './errors.js'

export interface StorageProtocolsOptions {
  /** have-share budget per peer, in storage indexes (default 5000/s, burst 10 000). */
  haveRateLimit?: { tokensPerSecond: number, burst: number }
  /** Deadline for a request to arrive once started, on every protocol (default 30 s storage, 10 s others). */
  requestTimeoutMs?: number
  /** Storage sessions idle this long are closed (default 100 s). */
  idleTimeoutMs?: number
  /** Storage sessions per connection (default 4). */
  maxStorageStreamsPerConnection?: number
  /** Memory for received storage requests, shared by all sessions (default 64 MiB in all, 5 MiB per session). */
  writeBudget?: WriteBudgetOptions
  /** A storage session holding part of that budget with no progress for this long is reset (default 10 s). */
  budgetStallMs?: number
  /** Default: the node's own logger. */
  logger?: ComponentLogger
  /** Clubs whose roster lists this server, named in have answers that report a share (default: none). */
  servedClubs?: () => readonly string[]
}

/**
 * Serves the storage, have and account protocols from `server` on this node.
 * Resolves to a function that stops serving them (open sessions are closed).
 */
export async function registerStorageProtocols (libp2p: Pick<Libp2p, 'handle' | 'unhandle'> & Partial<Pick<Libp2p, 'logger'>>, server: StorageServer, options: StorageProtocolsOptions = {}): Promise<() => Promise<void>> {
  const logger = options.logger ?? libp2p.logger ?? defaultLogger()
  const stops: Array<() => Promise<void>> = []
  try {
    stops.push(await registerStorageProtocol(libp2p, server, {
      requestTimeoutMs: options.requestTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs,
      maxStreamsPerConnection: options.maxStorageStreamsPerConnection,
      writeBudget: options.writeBudget,
      budgetStallMs: options.budgetStallMs,
      log: logger.forComponent('lafs-club:protocols:storage-server')
    }))
    stops.push(await registerHaveProtocol(libp2p, server, {
      rateLimit: options.haveRateLimit, requestTimeoutMs: options.requestTimeoutMs, clubs: options.servedClubs, log: logger.forComponent('lafs-club:protocols:have-server')
    }))
    stops.push(await registerAccountProtocol(libp2p, server, {
      requestTimeoutMs: options.requestTimeoutMs, log: logger.forComponent('lafs-club:protocols:account-server')
    }))
  } catch (err) {
    await Promise.allSettled(stops.map(async stop => { await stop() }))
    throw err
  }
  return async () => { await Promise.all(stops.map(async stop => { await stop() })) }
}
