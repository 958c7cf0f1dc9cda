/**
 * Downloads an immutable file: asks servers which shares they hold (the free
 * have-share query), then streams the plaintext through the CHK decoder from
 * k shares, with read-ahead on each. A share that fails a check is dropped,
 * its server is told (advise-corrupt) and another share takes its place.
 */
import { readImmutable, storageIndexOf, toCap, type Cap, type BadShareReport } from '../immutable/index.js'
import { queryHave, type StreamOpener } from '../protocols/index.js'
import { permute } from '../routing/index.js'
import { SharesNotFoundError } from './errors.js'
import { RemoteShare } from './remote-share.js'
import { ReputationTable } from './reputation.js'
import { dialTarget, StorageClientPool, type ServerInfo } from './servers.js'
import type { ProgressHandler } from './progress.js'

/** A server with the share numbers it said it holds. */
export interface ShareHolder extends ServerInfo {
  shares: number[]
}

export interface FindSharesOptions {
  signal?: AbortSignal
  /** Per-server deadline (default 10 s). */
  timeoutMs?: number
}

/** Asks every server in parallel which shares of the storage index it holds. */
export async function findShares (opener: StreamOpener, storageIndex: Uint8Array, servers: readonly ServerInfo[], options: FindSharesOptions = {}): Promise<{ holders: ShareHolder[], failures: Array<{ peerId: string, error: Error }> }> {
  const holders: ShareHolder[] = []
  const failures: Array<{ peerId: string, error: Error }> = []
  await Promise.all(servers.map(async server => {
    try {
      const [shares] = await queryHave(opener, dialTarget(server), [storageIndex], { timeoutMs: options.timeoutMs ?? 10_000, signal: options.signal })
      if (shares.length > 0) holders.push({ ...server, shares })
    } catch (err) {
      failures.push({ peerId: server.peerId, error: err as Error })
    }
  }))
  return { holders: permute(storageIndex, holders), failures }
}

export interface DownloadOptions {
  /** Servers holding shares (from findShares or the locate planner). */
  holders: readonly ShareHolder[]
  offset?: number
  length?: number
  signal?: AbortSignal
  onProgress?: ProgressHandler
  reputation?: ReputationTable
  /** Called for every share that failed a check (after advise-corrupt was sent). */
  onBadShare?: (report: { peerId: string, shnum: number, check: string, message: string }) => void
  readAheadBytes?: number
}

/** Streams the plaintext (or a range of it) of a read-cap. */
export async function * download (opener: StreamOpener, capIn: string | Cap, options: DownloadOptions): AsyncGenerator<Uint8Array> {
  const cap = toCap(capIn)
  if (cap.kind === 'lit') {
    yield * readImmutable(cap, [], { offset: options.offset, length: options.length, signal: options.signal })
    return
  }
  const si = storageIndexOf(cap)
  const reputation = options.reputation ?? new ReputationTable()
  const pool = new StorageClientPool(opener)
  const sources: RemoteShare[] = []
  for (const holder of reputation.order(options.holders)) {
    for (const shnum of holder.shares) {
      sources.push(new RemoteShare(pool.get(holder), holder.peerId, si, shnum, { readAheadBytes: options.readAheadBytes, smallReads: pool.get(holder, 'small') }))
    }
  }
  if (sources.length === 0) throw new SharesNotFoundError(`no server holds shares of ${cap.kind === 'chk' ? 'this file' : 'this storage index'}`)
  const onBadShare = (report: BadShareReport): void => {
    const source = report.source as RemoteShare
    source.discard()
    if (report.check === 'read-error') {
      reputation.failed(source.serverId)
    } else {
      reputation.corrupt(source.serverId)
      // Fire and forget: the download must not wait on a server that just served garbage.
      pool.get({ peerId: source.serverId, multiaddrs: holderAddrs(options.holders, source.serverId) }, 'small')
        .adviseCorrupt(si, source.shnum, `${report.check}: ${report.error.message}`.slice(0, 1000)).catch(() => {})
    }
    options.onBadShare?.({ peerId: source.serverId, shnum: source.shnum, check: report.check, message: report.error.message })
  }
  try {
    yield * readImmutable(cap, sources, {
      offset: options.offset,
      length: options.length,
      signal: options.signal,
      onBadShare,
      onProgress: p => options.onProgress?.({ phase: 'downloading', bytesDone: p.bytesDone, bytesTotal: p.bytesTotal })
    })
    for (const s of sources) if (s.bytesRead > 0) reputation.good(s.serverId)
  } finally {
    for (const s of sources) s.discard()
    await pool.stop()
  }
}

function holderAddrs (holders: readonly ShareHolder[], peerId: string): string[] {
  return holders.find(h => h.peerId === peerId)?.multiaddrs ?? []
}
