/**
 * Downloads an immutable file from servers known to hold its shares (from
 * findShares or the locate planner): streams the plaintext through the CHK
 * decoder. When more than k distinct shares are held, segments are spread
 * over all of them, each read from the k whose servers deliver soonest
 * (measured as the download goes, seeded by the reputation's throughput),
 * with exact block reads; otherwise k shares are read with read-ahead. A
 * share that fails a check is dropped, its server is told (advise-corrupt)
 * and set aside for the rest of the file, and another share takes its place.
 */
import { readImmutable, storageIndexOf, toCap, type Cap, type BadShareReport, type SpreadStats } from '../immutable/index.js'
import { SharesNotFoundError } from './errors.js'
import { clientLogger, shortPeer, siText } from './log.js'
import { RemoteShare } from './remote-share.js'
import type { ReputationTable } from './reputation.js'
import { StorageClientPool } from './servers.js'
import type { LocatedServer } from '../routing/index.js'
import type { ProgressHandler } from './progress.js'
import type { StreamOpener } from '../protocols/index.js'

export interface DownloadOptions {
  /** Sessions shared with the node's other operations (a server allows few per connection); default: this call's own, closed at its end. */
  pool?: StorageClientPool
  /** Servers holding shares (from findShares or the locate planner). */
  holders: readonly LocatedServer[]
  offset?: number
  length?: number
  signal?: AbortSignal
  onProgress?: ProgressHandler
  /** Where the holders' reputation is read (download order) and what this download saw is recorded; default: none kept. */
  reputation?: ReputationTable
  /** The club the download is in ('' or absent: none): a server's probation is per club. */
  club?: string
  /** Called for every share that failed a check (after advise-corrupt was sent). */
  onBadShare?: (report: { peerId: string, shnum: number, check: string, message: string }) => void
  readAheadBytes?: number
  /** Spread segments over every server holding a distinct share (default true); false reads k shares throughout. */
  spread?: boolean
}

/** Streams the plaintext (or a range of it) of a read-cap. */
export async function * download (opener: StreamOpener, capIn: string | Cap, options: DownloadOptions): AsyncGenerator<Uint8Array> {
  const cap = toCap(capIn)
  if (cap.kind === 'lit') {
    yield * readImmutable(cap, [], { offset: options.offset, length: options.length, signal: options.signal })
    return
  }
  const si = storageIndexOf(cap)
  const log = clientLogger(opener, 'download')
  const reputation = options.reputation
  const club = options.club ?? ''
  const pool = options.pool ?? new StorageClientPool(opener)
  const sources: RemoteShare[] = []
  // Holders keep the ring order; the reputation only sets each one's preference tier.
  const ranks = reputation?.rank(options.holders, club)
  const distinct = new Set(options.holders.flatMap(h => h.shares)).size
  const spread = options.spread !== false && distinct > cap.k
  options.holders.forEach((holder, i) => {
    const preference = ranks?.[i].tier ?? 0
    const bytesPerSecond = readThroughput(reputation, holder.peerId)
    for (const shnum of holder.shares) {
      sources.push(new RemoteShare(pool.get(holder), holder.peerId, si, shnum, {
        readAheadBytes: spread ? 0 : options.readAheadBytes, smallReads: pool.get(holder, 'small'), preference, bytesPerSecond
      }))
    }
  })
  log('%s: %d share(s) on %d server(s)%s: %s', siText(si), sources.length, options.holders.length, spread ? ', spreading segments over them' : '',
    options.holders.map((h, i) => `${shortPeer(h.peerId)} [${h.shares.join(',')}]${ranks == null ? '' : ` tier ${ranks[i].tier}`}`).join(' '))
  if (sources.length === 0) throw new SharesNotFoundError(`no server holds shares of ${cap.kind === 'chk' ? 'this file' : 'this storage index'}`)
  const dropped = new Set<RemoteShare>()
  const onBadShare = (report: BadShareReport): void => {
    const source = report.source as RemoteShare
    source.discard()
    dropped.add(source)
    if (report.check === 'read-error') {
      log('%s: share %d on %s dropped, it could not be read: %s', siText(si), source.shnum, shortPeer(source.serverId), report.error.message)
      // The server listed the share, then said it has none: a have-share answer that was wrong.
      if (hasCode(report.error, 'ERR_NO_SUCH_SHARE')) reputation?.wrongHave(source.serverId, { club, detail: `share ${source.shnum}: ${report.error.message}` })
      else reputation?.failed(source.serverId, causeOf(report.error))
    } else {
      log('%s: share %d on %s dropped, it failed the %s check: %s; telling the server', siText(si), source.shnum, shortPeer(source.serverId), report.check, report.error.message)
      reputation?.corrupt(source.serverId, { club, detail: `share ${source.shnum} failed the ${report.check} check` })
      // Fire and forget: the download must not wait on a server that just served garbage.
      pool.get({ peerId: source.serverId, multiaddrs: holderAddrs(options.holders, source.serverId) }, 'small')
        .adviseCorrupt(si, source.shnum, `${report.check}: ${report.error.message}`.slice(0, 1000))
        .catch((err: unknown) => { log('%s: advise-corrupt to %s failed - %e', siText(si), shortPeer(source.serverId), err) })
    }
    options.onBadShare?.({ peerId: source.serverId, shnum: source.shnum, check: report.check, message: report.error.message })
  }
  let spreadStats: SpreadStats[] = []
  try {
    yield * readImmutable(cap, sources, {
      offset: options.offset,
      length: options.length,
      signal: options.signal,
      spread,
      onSpreadStats: stats => { spreadStats = stats },
      onBadShare,
      onProgress: p => options.onProgress?.({ phase: 'downloading', bytesDone: p.bytesDone, bytesTotal: p.bytesTotal })
    })
    if (reputation != null) recordReads(reputation, sources.filter(s => !dropped.has(s)), spreadStats)
    log.trace('%s: done; bytes read per share: %s', siText(si), sources.filter(s => s.bytesRead > 0).map(s => `${s.shnum}@${shortPeer(s.serverId)}=${s.bytesRead}`).join(' '))
  } finally {
    for (const s of sources) s.discard()
    if (options.pool == null) await pool.stop()
  }
}

/**
 * Good reads and the throughput seen, per server: its bytes over the span
 * from its first read asked to its last answered; when the download spread
 * its segments, the throughput the spreading measured (over the time the
 * server was busy: in a spread download a server is idle part of the span).
 */
function recordReads (reputation: ReputationTable, sources: readonly RemoteShare[], spread: readonly SpreadStats[]): void {
  const measured = new Map(spread.filter(t => t.bps > 0 && t.bytes > 0).map(t => [t.server, t]))
  const byServer = new Map<string, { shares: number, bytes: number, from: number, to: number }>()
  for (const s of sources) {
    if (s.bytesRead === 0 || s.firstReadAt == null || s.lastReadAt == null) continue
    const t = byServer.get(s.serverId)
    if (t == null) byServer.set(s.serverId, { shares: 1, bytes: s.bytesRead, from: s.firstReadAt, to: s.lastReadAt })
    else {
      t.shares++
      t.bytes += s.bytesRead
      t.from = Math.min(t.from, s.firstReadAt)
      t.to = Math.max(t.to, s.lastReadAt)
    }
  }
  for (const [peer, t] of byServer) {
    reputation.good(peer, t.shares)
    const m = measured.get(peer)
    if (m != null) reputation.throughput(peer, m.bytes, Math.max(1, 1000 * m.bytes / m.bps))
    else reputation.throughput(peer, t.bytes, Math.max(1, t.to - t.from))
  }
}

/** The read throughput the reputation remembers for a server, if any (advice: never fails the download). */
function readThroughput (reputation: ReputationTable | undefined, peerId: string): number | undefined {
  try {
    return reputation?.get(peerId)?.readBytesPerSec ?? undefined
  } catch {
    return undefined
  }
}

function causeOf (err: Error): unknown {
  return err.cause ?? err
}

function hasCode (err: unknown, code: string): boolean {
  for (let e = err as { code?: string, cause?: unknown } | undefined, depth = 0; e != null && depth < 4; e = e.cause as typeof e, depth++) {
    if (e.code === code) return true
  }
  return false
}

function holderAddrs (holders: readonly LocatedServer[], peerId: string): string[] {
  return holders.find(h => h.peerId === peerId)?.multiaddrs ?? []
}
