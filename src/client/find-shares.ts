/**
 * Which of these servers hold shares of a storage index: the have-share
 * fan-out of the protocols layer, with the holders in permuted-ring order.
 */
import { queryHaveAcross, type HaveBatch, type StreamOpener } from '../protocols/index.js'
import { permute, type LocatedServer } from '../routing/index.js'
import { clientLogger, shortPeer, siText } from './log.js'
import { setMaxListeners } from 'node:events'
import { raceSignal } from 'race-signal'
import type { ServerInfo, StorageClientPool } from './servers.js'

export interface FindSharesOptions {
  signal?: AbortSignal
  /** Per-server deadline (default 10 s). */
  timeoutMs?: number
  /** Answers shared with other files of the same pass (HaveBatch); findShares only. */
  batch?: HaveBatch
}

export interface FoundShares {
  holders: LocatedServer[]
  failures: Array<{ peerId: string, error: Error }>
}

const DEFAULT_TIMEOUT_MS = 10_000

/** Asks every server in parallel which shares of the storage index it holds. */
export async function findShares (opener: StreamOpener, storageIndex: Uint8Array, servers: readonly ServerInfo[], options: FindSharesOptions = {}): Promise<FoundShares> {
  const log = clientLogger(opener, 'find-shares')
  const { holders, failures } = await queryHaveAcross(opener, storageIndex, servers, { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal: options.signal, batch: options.batch })
  log('%s: asked %d server(s); %s hold shares%s', siText(storageIndex), servers.length,
    holders.length === 0 ? 'none' : holders.map(h => `${shortPeer(h.peerId)} [${h.shares.join(',')}]`).join(' '),
    failures.length === 0 ? '' : `; ${failures.length} unreachable (${failures.map(f => `${shortPeer(f.peerId)}: ${f.error.message}`).join('; ')})`)
  return { holders: permute(storageIndex, holders), failures }
}

/**
 * The same question asked on the pool's storage sessions (which the transfer uses next) instead of a
 * have-share stream per server: no stream to negotiate, and none of the peer-store writes libp2p makes
 * on both ends for every new stream. Many small files in a row (a magic folder) paid more for those
 * than for their bytes. A server that does not answer within the deadline counts as failed, as there.
 */
export async function findSharesOnSessions (pool: StorageClientPool, storageIndex: Uint8Array, servers: readonly ServerInfo[], options: FindSharesOptions = {}): Promise<FoundShares> {
  const signal = options.signal
  signal?.throwIfAborted()
  // One scope for the whole fan-out: a listener on the caller's signal and a timer, both gone on return.
  const scope = new AbortController()
  setMaxListeners(Infinity, scope.signal)
  const onAbort = (): void => { scope.abort(signal?.reason) }
  signal?.addEventListener('abort', onAbort, { once: true })
  const timer = setTimeout(() => { scope.abort(new Error(`no answer within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)) }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  let answers
  try {
    answers = await Promise.all(servers.map(async server => {
      try {
        const shares = await raceSignal(pool.get(server, 'small').listShares(storageIndex), scope.signal)
        return { server, shares: shares.map(s => s.shareNumber) }
      } catch (err) {
        return { server, error: err instanceof Error ? err : new Error(String(err)) }
      }
    }))
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
  }
  signal?.throwIfAborted()
  const found: FoundShares = { holders: [], failures: [] }
  for (const a of answers) {
    if (a.error !== undefined) found.failures.push({ peerId: a.server.peerId, error: a.error })
    else if (a.shares.length > 0) found.holders.push({ ...a.server, shares: a.shares })
  }
  found.holders = permute(storageIndex, found.holders)
  return found
}
