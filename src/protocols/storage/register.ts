import { DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_SERVER_IDLE_TIMEOUT_MS, MAX_INBOUND_STREAMS, STORAGE_PROTOCOL } from './constants.js'
import { serveStorageSession } from './session-server.js'
import { DEFAULT_BUDGET_STALL_MS, WriteBudget, type WriteBudgetOptions } from './write-budget.js'
import type { StorageServer } from '../../storage/index.js'
import type { Libp2p, Logger, Stream } from '@libp2p/interface'

export interface StorageProtocolOptions {
  /** A started request (and the first one on a new stream) must arrive within this time (default 30 s). */
  requestTimeoutMs?: number
  /** Sessions without requests for this long are closed (default 100 s). */
  idleTimeoutMs?: number
  /** Storage sessions per connection (default MAX_INBOUND_STREAMS, 4). */
  maxStreamsPerConnection?: number
  /** Memory for received requests, shared by all sessions (default 64 MiB in all, 5 MiB per session). */
  writeBudget?: WriteBudgetOptions
  /** A session holding part of that budget with no progress for this long is reset (default 10 s). */
  budgetStallMs?: number
  log?: Logger
}

/** Serves /lafs-club/storage/1.1.0; the returned function stops serving and closes open sessions. */
export async function registerStorageProtocol (libp2p: Pick<Libp2p, 'handle' | 'unhandle'>, server: StorageServer, options: StorageProtocolOptions = {}): Promise<() => Promise<void>> {
  const sessions = new Set<Stream>()
  const sessionOptions = {
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_SERVER_IDLE_TIMEOUT_MS,
    budget: new WriteBudget(options.writeBudget),
    budgetStallMs: options.budgetStallMs ?? DEFAULT_BUDGET_STALL_MS,
    log: options.log
  }
  await libp2p.handle(STORAGE_PROTOCOL, async (stream, connection) => {
    sessions.add(stream)
    try {
      await serveStorageSession(stream, connection, server, sessionOptions)
    } catch (err) {
      // serveStorageSession handles its own errors; this is the last line of defence
      options.log?.error('storage session failed - %e', err)
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    } finally {
      sessions.delete(stream)
    }
  }, { maxInboundStreams: options.maxStreamsPerConnection ?? MAX_INBOUND_STREAMS })
  return async () => {
    await libp2p.unhandle(STORAGE_PROTOCOL)
    for (const stream of sessions) stream.abort(new Error('storage protocol unregistered'))
  }
}
