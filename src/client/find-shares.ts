/**
 * Which of these servers hold shares of a storage index: the have-share
 * fan-out of the protocols layer, with the holders in permuted-ring order.
 */
import { queryHaveAcross, type StreamOpener } from '../protocols/index.js'
import { permute, type LocatedServer } from '../routing/index.js'
import { clientLogger, shortPeer, siText } from './log.js'
import type { ServerInfo } from './servers.js'

export interface FindSharesOptions {
  signal?: AbortSignal
  /** Per-server deadline (default 10 s). */
  timeoutMs?: number
}

export interface FoundShares {
  holders: LocatedServer[]
  failures: Array<{ peerId: string, error: Error }>
}

const DEFAULT_TIMEOUT_MS = 10_000

/** Asks every server in parallel which shares of the storage index it holds. */
export async function findShares (opener: StreamOpener, storageIndex: Uint8Array, servers: readonly ServerInfo[], options: FindSharesOptions = {}): Promise<FoundShares> {
  const log = clientLogger(opener, 'find-shares')
  const { holders, failures } = await queryHaveAcross(opener, storageIndex, servers, { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal: options.signal })
  log('%s: asked %d server(s); %s hold shares%s', siText(storageIndex), servers.length,
    holders.length === 0 ? 'none' : holders.map(h => `${shortPeer(h.peerId)} [${h.shares.join(',')}]`).join(' '),
    failures.length === 0 ? '' : `; ${failures.length} unreachable (${failures.map(f => `${shortPeer(f.peerId)}: ${f.error.message}`).join('; ')})`)
  return { holders: permute(storageIndex, holders), failures }
}
