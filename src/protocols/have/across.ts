/**
 * The have-share fan-out: one storage index, many servers, asked in
 * parallel. Both the client (before an upload, a download or a check) and
 * the locate planner ask this way; what they do with the answers is theirs.
 */
import { defaultLogger } from '@libp2p/logger'
import { dialTarget, type ServerAddress } from '../dial-target.js'
import { errorMessage } from '../errors.js'
import { scopedSignal } from '../scoped-signal.js'
import { queryHaveAnswer, type QueryHaveOptions } from './client.js'
import type { HaveBatch } from './batch.js'
import { encodeStorageIndex } from '../../storage/index.js'
import type { Libp2p } from '@libp2p/interface'

export interface HaveAcrossResult<S extends ServerAddress> {
  /** Servers holding at least one share, in the order they were given. */
  holders: Array<S & { shares: number[], clubs: string[] }>
  /** Servers that could not be asked (unreachable, timed out, refused), in the order given. */
  failures: Array<{ peerId: string, error: Error }>
}

export interface HaveAcrossOptions extends QueryHaveOptions {
  /** Answers shared with other files' questions (batch.ts), used when it covers this storage index. */
  batch?: HaveBatch
}

/** Asks every server which shares of `storageIndex` it holds. Never throws for one server's failure. */
export async function queryHaveAcross<S extends ServerAddress> (
  opener: Pick<Libp2p, 'dialProtocol'> & Partial<Pick<Libp2p, 'logger'>>, storageIndex: Uint8Array, servers: readonly S[], options: HaveAcrossOptions = {}
): Promise<HaveAcrossResult<S>> {
  const log = (opener.logger ?? defaultLogger()).forComponent('lafs-club:protocols:have-client')
  const si = encodeStorageIndex(storageIndex)
  // one listener on the caller's signal for the whole fan-out, not one per server
  const scope = scopedSignal(options.signal)
  try {
    const batch = options.batch?.covers(storageIndex) === true ? options.batch : undefined
    const answers = await Promise.all(servers.map(async server => {
      try {
        if (batch !== undefined) return { server, ...await batch.ask(opener, server, storageIndex, scope.signal) }
        const { shares: [shares], clubs } = await queryHaveAnswer(opener, dialTarget(server), [storageIndex], { timeoutMs: options.timeoutMs, signal: scope.signal })
        return { server, shares, clubs }
      } catch (err) {
        log('have %s from %s failed - %s', si, server.peerId, errorMessage(err))
        return { server, error: err instanceof Error ? err : new Error(String(err)) }
      }
    }))
    const result: HaveAcrossResult<S> = { holders: [], failures: [] }
    for (const a of answers) {
      if (a.error != null) result.failures.push({ peerId: a.server.peerId, error: a.error })
      else if (a.shares.length > 0) result.holders.push({ ...a.server, shares: a.shares, clubs: a.clubs })
    }
    log.trace('have %s: asked %d server(s), %d hold shares, %d failed', si, servers.length, result.holders.length, result.failures.length)
    return result
  } finally {
    scope.dispose()
  }
}
