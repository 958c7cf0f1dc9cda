/**
 * `node.files`: uploads, downloads, check and locate by cap, over the client
 * layer. Decides which servers an operation uses: the ones the caller names,
 * else a club (named, hinted or the node's default), else the storage servers
 * this node is connected to for an upload and the locate planner for a download.
 */
import {
  checkFile, download, findSharesOnSessions, NoServersError, ReputationTable, serversFromMultiaddrs, SharesNotFoundError, StorageClientPool, upload,
  uploadViaHelper, HelperResultError, type CheckReport, type ServerInfo, type UploadResult
} from '../client/index.js'
import { base32Encode, InvalidCapError, LIT_SIZE_THRESHOLD, NotEnoughSharesError, parseHintedCap, storageIndexOf, type ChkReadCap, type PlaintextSource } from '../immutable/index.js'
import { distinctShares, locate, type LocatedServer, type LocateDeps, type LocateResult } from '../routing/index.js'
import { join } from 'node:path'
import { NodeStoppedError } from './errors.js'
import { connectedStorageServers } from './peers.js'
import { spool } from './spool.js'
import { createMutableFiles, type MutableFiles } from './mutable-files.js'
import { isMutableCapString } from '../mutable/index.js'
import type { CheckOptions, DownloadExplain, FilesApi, GetOptions, NodeLocateOptions, PutOptions, PutResult } from './api.js'
import type { ClientConfig } from './config.js'
import type { LeaseBook } from './leases.js'
import type { LafsLibp2p } from './libp2p.js'
import type { HaveBatch, StreamOpener } from '../protocols/index.js'
import type { Logger } from '@libp2p/interface'

export interface FilesInit {
  libp2p: LafsLibp2p
  /** Opens the client's streams; default libp2p. create-node passes one that reaches this node's own storage server in-process. */
  opener?: StreamOpener
  dataDir: string
  /** Read on every call: `client.club` changes when a club is joined. */
  clientConfig: () => ClientConfig
  convergenceSecret: Uint8Array
  leaseSecret: Uint8Array
  leases: LeaseBook
  locateDeps: LocateDeps
  /** The servers of a club's roster (cached, or resolved when missing or expired). */
  clubServers: (clubId: string, opts: { signal?: AbortSignal }) => Promise<ServerInfo[]>
  /** What this node remembers about servers (create-node opens `<dataDir>/reputation.sqlite`); default: in memory. */
  reputation?: ReputationTable
  /** Clubs this node belongs to (a plain cap is looked for in all of them, the default first). */
  memberClubs?: () => Promise<string[]>
  /** The upload helpers a club's roster lists (multiaddrs with /p2p/), for `helper: "club"`. */
  clubHelpers?: (clubId: string, opts: { signal?: AbortSignal }) => Promise<string[]>
}

export interface NodeFiles extends FilesApi {
  /** The mutable half with the options the door does not show (a club for reads, contents made from the new cap): for node.dirs. */
  mutable: MutableFiles
  /** Aborts every transfer in progress and closes the storage sessions (the node is stopping). */
  close: () => Promise<void>
}

/** Locates per download, at most: the first, and again after holders went away mid-download. */
const GET_ATTEMPTS = 3

/** Too few shares because servers could not be read (not because shares were corrupt): a new locate may find others. */
function holdersLeft (err: unknown): boolean {
  return err instanceof NotEnoughSharesError && err.failures.some(f => f.check === 'read-error')
}

function shortCap (cap: string): string {
  return `${cap.slice(0, 12)}…`
}

export function createFiles (init: FilesInit): NodeFiles {
  const { libp2p } = init
  const opener = init.opener ?? libp2p
  const log: Logger = libp2p.logger.forComponent('lafs-club:node:files')
  const reputation = init.reputation ?? ReputationTable.inMemory()
  const transfers = new AbortController()
  const withStop = (signal?: AbortSignal): AbortSignal => signal == null ? transfers.signal : AbortSignal.any([signal, transfers.signal])

  // One pool for every operation: a server allows few sessions per connection, so concurrent transfers share them.
  const pool = new StorageClientPool(opener)
  const mutable = createMutableFiles(init, withStop, pool, reputation)
  const isMutable = (capText: string): boolean => isMutableCapString(capText.trim())

  const parseChk = (capText: string, what: string): { cap: ChkReadCap, hint?: string } => {
    const { cap, hint } = parseHintedCap(capText)
    if (cap.kind === 'lit') throw new InvalidCapError('unknown-type', `${what} needs a CHK read-cap: a literal cap holds its data`)
    if (cap.kind !== 'chk') throw new InvalidCapError('unknown-type', `${what} needs a read-cap (URI:CHK:…), not a verify-cap`)
    return { cap, hint }
  }

  /** `backgroundAfter`: a download's first byte; the locate's background work (a hinted club's roster fetch) waits for it. */
  const locateChk = async (cap: ChkReadCap, hint: string | undefined, o: NodeLocateOptions, backgroundAfter?: Promise<unknown>): Promise<LocateResult> => {
    const club = o.club ?? hint ?? init.clientConfig().club ?? undefined
    const target = { storageIndex: storageIndexOf(cap), k: cap.k, n: cap.n }
    // a cap without a hint may belong to any club this node is in, not only the default one
    const otherClubs = o.club == null && hint == null && club != null ? init.memberClubs : undefined
    return await locate(init.locateDeps, target, { ...o, club, backgroundAfter, otherClubs })
  }

  /** Servers for an upload, and the club that becomes the cap's hint. */
  const uploadServers = async (opts: PutOptions, signal: AbortSignal): Promise<{ servers: ServerInfo[], club?: string }> => {
    if (opts.servers != null && opts.servers.length > 0) return { servers: serversFromMultiaddrs(opts.servers) }
    const club = opts.club ?? init.clientConfig().club ?? undefined
    if (club != null) return { servers: await init.clubServers(club, { signal }), club }
    const connected = await connectedStorageServers(libp2p)
    if (connected.length > 0) return { servers: connected }
    throw new NoServersError('no storage servers to upload to: this node has no default club and is connected to no storage server. ' +
      'Join a club ("lafs-club club join <club id>"), or name a club (--club ID, ?club=ID) or servers (--server MULTIADDR, ?server=MULTIADDR).')
  }

  /**
   * The helpers a put may go through, in order (none when servers are named,
   * or none is configured), and the club whose servers get the shares and
   * which becomes the hint: the one named, else the default club.
   */
  const uploadHelper = async (opts: PutOptions, signal: AbortSignal): Promise<{ helpers: string[], club?: string } | undefined> => {
    if (opts.servers != null && opts.servers.length > 0) return undefined
    const helper = opts.helper ?? init.clientConfig().helper ?? undefined
    if (helper == null || helper === '') return undefined
    const club = opts.club ?? init.clientConfig().club ?? undefined
    if (helper !== 'club') return { helpers: [helper], club }
    if (club == null) throw new NoServersError('helper "club" needs a club: join one, or name it (--club ID, ?club=ID)')
    const listed = await init.clubHelpers?.(club, { signal }) ?? []
    if (listed.length === 0) throw new NoServersError(`club ${club} lists no upload helper in its roster; name one (--helper MULTIADDR) or upload directly`)
    return { helpers: listed, club }
  }

  /** Through each helper in turn until one takes the file: a club's second helper stands in for a first that is down or not for this client. */
  const throughHelpers = async (source: PlaintextSource, size: number, via: { helpers: string[], club?: string }, opts: PutOptions, signal: AbortSignal) => {
    const client = init.clientConfig()
    for (const [i, helper] of via.helpers.entries()) {
      log('put %d bytes through helper %s', size, helper)
      try {
        const result = await uploadViaHelper(opener, source, {
          helper, club: via.club, size, k: opts.k ?? client.k, happy: opts.happy ?? client.happy, n: opts.n ?? client.n, maxSegmentSize: client.maxSegmentSize,
          convergenceSecret: init.convergenceSecret, leaseSecret: init.leaseSecret, onProgress: opts.onProgress, signal, pool
        })
        if (via.club != null && result.storageIndex != null) await checkInClub(result.placement, via.club, signal)
        return result
      } catch (err) {
        const code = (err as { code?: string }).code
        if (i === via.helpers.length - 1 || (code !== 'ERR_HELPER_UNAVAILABLE' && code !== 'ERR_HELPER_NOT_ALLOWED' && code !== 'ERR_HELPER_BAD_RESULT')) throw err
        log('helper %s: %s; trying the next one', helper, (err as Error).message)
      }
    }
    throw new NoServersError('no upload helper to try')
  }

  /** The cap will name the club: its roster must hold the shares, or the club's repair would not find them. */
  const checkInClub = async (placement: ReadonlyMap<string, number[]>, club: string, signal: AbortSignal): Promise<void> => {
    const members = new Set((await init.clubServers(club, { signal })).map(s => s.peerId))
    const outside = [...placement.keys()].filter(peer => !members.has(peer))
    if (outside.length > 0) {
      throw new HelperResultError(`it placed shares on ${outside.length} server(s) outside club ${club} as this node knows its roster (an older helper ignores the club it is asked for); upload directly or through another helper`)
    }
  }

  const putViaHelper = async (source: PlaintextSource, size: number, via: { helpers: string[], club?: string }, opts: PutOptions, signal: AbortSignal): Promise<PutResult> => {
    const result = await throughHelpers(source, size, via, opts, signal)
    recordUpload(result, result.servers ?? [], via.club)
    return {
      cap: result.cap,
      hintedCap: via.club != null && result.storageIndex != null ? `${result.cap}@${via.club}` : undefined,
      size: result.size,
      happiness: result.happiness,
      ...(result.helper != null ? { helper: { peerId: result.helper.peerId, alreadyStored: result.helper.alreadyStored, sentBytes: result.helper.sentBytes } } : {})
    }
  }

  /** Remembers an upload for lease renewal and self-repair, with the servers its shares went to. */
  const recordUpload = (result: UploadResult, servers: readonly ServerInfo[], club: string | undefined): void => {
    if (result.storageIndex == null) return
    const storageIndex = base32Encode(result.storageIndex)
    reputation.placed(storageIndex, result.placement, club)
    log('put %s: happiness %d on %d servers', storageIndex, result.happiness, result.placement.size)
    init.leases.record({
      cap: result.cap,
      storageIndex,
      // Addresses where the upload had them, else the peer ID (dialled through the peer store).
      servers: [...result.placement.keys()].map(peerId => servers.find(s => s.peerId === peerId)?.multiaddrs[0] ?? peerId),
      club
    })
  }

  const put = async (data: Uint8Array | AsyncIterable<Uint8Array>, opts: PutOptions = {}): Promise<PutResult> => {
    const signal = withStop(opts.signal)
    // a bad address is the user's to fix before a long body is spooled, not after
    if (opts.servers != null && opts.servers.length > 0) serversFromMultiaddrs(opts.servers)
    else if (opts.helper != null && opts.helper !== '' && opts.helper !== 'club') serversFromMultiaddrs([opts.helper])
    const spooled = data instanceof Uint8Array ? undefined : await spool(data, join(init.dataDir, 'tmp'))
    try {
      const source: PlaintextSource = spooled?.source ?? data as Uint8Array
      const size = spooled?.size ?? (data as Uint8Array).length
      const via = size <= LIT_SIZE_THRESHOLD ? undefined : await uploadHelper(opts, signal)
      if (via != null) return await putViaHelper(source, size, via, opts, signal)
      // A literal file lives in its cap: no server is needed.
      const { servers, club } = size <= LIT_SIZE_THRESHOLD ? { servers: [] } : await uploadServers(opts, signal)
      const client = init.clientConfig()
      log('put %d bytes to %d servers%s', size, servers.length, club != null ? ` of club ${club}` : '')
      const result = await upload(opener, source, {
        size,
        servers,
        k: opts.k ?? client.k,
        happy: opts.happy ?? client.happy,
        n: opts.n ?? client.n,
        maxSegmentSize: client.maxSegmentSize,
        convergenceSecret: init.convergenceSecret,
        leaseSecret: init.leaseSecret,
        onProgress: opts.onProgress,
        signal,
        pool,
        reputation,
        club
      })
      recordUpload(result, servers, club)
      return {
        cap: result.cap,
        hintedCap: club != null && result.storageIndex != null ? `${result.cap}@${club}` : undefined,
        size: result.size,
        happiness: result.happiness,
        ...(result.skipped.length > 0 ? { skipped: result.skipped } : {})
      }
    } finally {
      await spooled?.remove()
    }
  }

  /** Where the shares are: the servers named (when they hold any), else the locate planner; with the club the download is in. */
  const findHolders = async (cap: ChkReadCap, hint: string | undefined, opts: GetOptions, signal: AbortSignal, firstByte?: Promise<void>): Promise<DownloadExplain & { way: 'servers' | 'located', club: string }> => {
    const si = storageIndexOf(cap)
    let named: LocatedServer[] = []
    if (opts.servers != null && opts.servers.length > 0) {
      const asked = serversFromMultiaddrs(opts.servers)
      // On the pool's sessions, which the download reads over next: no new stream per server and file.
      const { holders, failures } = await findSharesOnSessions(pool, si, asked, { signal })
      for (const f of failures) {
        log('get %s: server %s did not list its shares: %s', base32Encode(si), f.peerId, f.error.message)
        // An answer cut short by our own abort says nothing about the server.
        if (!signal.aborted) reputation.failed(f.peerId, f.error)
      }
      // Servers named by address are in no club, as for put.
      if (distinctShares(holders) >= cap.k) return { way: 'servers', servers: holders, club: '', ranking: reputation.rank(holders, '') }
      log('get %s: the %d servers named hold %d distinct share(s) that answer, %d needed; locating', base32Encode(si), opts.servers.length, distinctShares(holders), cap.k)
      named = holders
    }
    const club = hint ?? init.clientConfig().club ?? ''
    let located: LocateResult
    try {
      located = await locateChk(cap, hint, { signal }, firstByte)
    } catch (err) {
      // Nothing more to be found: the download then says which of the named servers' shares fell short.
      if (named.length === 0 || signal.aborted) throw err
      log('get %s: locate found nothing more - %s', base32Encode(si), (err as Error).message)
      return { way: 'servers', servers: named, club: '', ranking: reputation.rank(named, '') }
    }
    // The named servers' shares stay in: with the located ones they may make k.
    const servers = [...named, ...located.servers.filter(s => !named.some(n => n.peerId === s.peerId))]
    if (servers.length === 0) throw new SharesNotFoundError('no server holds shares of this file')
    return { way: 'located', servers, explain: located.explain, club, ranking: reputation.rank(servers, club) }
  }

  const cat = async function * (capText: string, opts: GetOptions = {}): AsyncGenerator<Uint8Array> {
    if (isMutable(capText)) {
      const { data, holders } = await mutable.readMutable(capText, { servers: opts.servers, signal: opts.signal, offset: opts.offset, length: opts.length })
      opts.onExplain?.({ way: 'servers', servers: holders })
      yield data
      return
    }
    const { cap, hint } = parseHintedCap(capText)
    const signal = withStop(opts.signal)
    if (cap.kind === 'lit') {
      opts.onExplain?.({ way: 'literal' })
      yield * download(opener, cap, { holders: [], signal, offset: opts.offset, length: opts.length })
      return
    }
    if (cap.kind !== 'chk') throw new InvalidCapError('unknown-type', 'downloading needs a read-cap (URI:CHK:… or URI:LIT:…), not a verify-cap')
    let firstByteOut = (): void => {}
    const firstByte = new Promise<void>(resolve => { firstByteOut = resolve })
    let done = 0
    try {
      for (let attempt = 1; ; attempt++) {
        const found = await findHolders(cap, hint, opts, signal, firstByte)
        log('get %s: %d servers by %s', base32Encode(storageIndexOf(cap)), found.servers.length, found.way)
        const { club, ...explain } = found
        if (attempt === 1) opts.onExplain?.(explain)
        const spread = init.clientConfig().spreadDownloads
        const offset = (opts.offset ?? 0) + done
        const length = opts.length == null ? undefined : opts.length - done
        try {
          for await (const chunk of download(opener, cap, { holders: found.servers, signal, reputation, club, pool, spread, offset, length, onProgress: opts.onProgress })) {
            firstByteOut()
            done += chunk.length
            yield chunk
          }
          return
        } catch (err) {
          if (!holdersLeft(err) || signal.aborted || attempt >= GET_ATTEMPTS) throw err
          // Holders that answered the locate went away before their shares were read: others may hold more.
          log('get %s: %s; locating again and going on from byte %d (attempt %d of %d)', base32Encode(storageIndexOf(cap)), (err as Error).message, (opts.offset ?? 0) + done, attempt + 1, GET_ATTEMPTS)
        }
      }
    } finally {
      firstByteOut()
    }
  }

  const get = async (capText: string, opts: GetOptions = {}): Promise<Uint8Array> => {
    const parts: Uint8Array[] = []
    for await (const part of cat(capText, opts)) parts.push(part)
    return Buffer.concat(parts)
  }

  const check = async (capText: string, o: CheckOptions & { haveBatch?: HaveBatch } = {}): Promise<CheckReport> => {
    if (isMutable(capText)) return await mutable.checkMutable(capText, o)
    const signal = withStop(o.signal)
    const byPeer = new Map<string, ServerInfo>()
    let club = ''
    let placeOn: ServerInfo[] | undefined
    if (o.servers != null && o.servers.length > 0) {
      for (const s of serversFromMultiaddrs(o.servers)) byPeer.set(s.peerId, s)
    } else {
      const { cap, hint } = parseHintedCap(capText)
      club = o.club ?? hint ?? init.clientConfig().club ?? ''
      const roster = club === '' ? [] : await init.clubServers(club, { signal })
      // A club named by the caller is where the file belongs: its roster is the grid asked, and repair keeps the shares there.
      // (Asking every connected server too cost a self-repair pass about 80 have queries per file on a 100-node grid.)
      const clubOnly = o.club != null && roster.length > 0
      if (o.club != null) placeOn = roster
      // Otherwise, as Tahoe asks every server it knows: the connected storage servers, the club's roster, and whoever the DHT names.
      if (!clubOnly) for (const s of await connectedStorageServers(libp2p)) byPeer.set(s.peerId, s)
      for (const s of serversFromMultiaddrs(o.alsoAsk ?? [])) byPeer.set(s.peerId, s)
      for (const s of roster) byPeer.set(s.peerId, s)
      if (cap.kind === 'chk' && !clubOnly) {
        try {
          const located = await locateChk(cap, hint, { signal, budget: { deadlineMs: byPeer.size > 0 ? 10_000 : 30_000 } })
          for (const s of located.servers) if (!byPeer.has(s.peerId)) byPeer.set(s.peerId, s)
        } catch (err) {
          if (byPeer.size === 0) throw err
          log('check: locate failed, checking the %d servers known: %s', byPeer.size, (err as Error).message)
        }
      }
    }
    log('check %s on %d servers (verify %s, repair %s)', shortCap(capText), byPeer.size, o.verify === true, o.repair === true)
    const report = await checkFile(opener, capText, {
      servers: [...byPeer.values()],
      verify: o.verify,
      repair: o.repair,
      leaseSecret: init.leaseSecret,
      happy: init.clientConfig().happy,
      placeOn,
      haveBatch: o.haveBatch,
      signal,
      pool
    })
    if (report.storageIndex !== '') {
      const storageIndex = base32Encode(Buffer.from(report.storageIndex, 'hex'))
      const lease = init.leases.list().find(l => l.storageIndex === storageIndex)
      const outcome = reputation.checked({
        storageIndex,
        club,
        leaseExpiredAt: lease !== undefined && lease.expiresAt <= Date.now() ? lease.expiresAt : undefined,
        asked: [...byPeer.keys()],
        verified: o.verify === true || o.repair === true,
        report
      })
      if (outcome.lost.length > 0 || outcome.cleared.length > 0) {
        log('check %s: %d share(s) lost by their servers; %d server(s) left probation', shortCap(capText), outcome.lost.length, outcome.cleared.length)
      }
    }
    return report
  }

  return {
    put,
    get,
    cat,
    check,
    locate: async (capText, o = {}) => {
      const { cap, hint } = parseChk(capText, 'locating shares')
      return await locateChk(cap, hint, o)
    },
    createMutable: mutable.createMutable,
    read: async (capText, o = {}) => {
      if (isMutable(capText)) {
        const { data, seqnum } = await mutable.readMutable(capText, { servers: o.servers, signal: o.signal, offset: o.offset, length: o.length })
        return { data, seqnum }
      }
      return { data: await get(capText, o), seqnum: 0 }
    },
    overwrite: mutable.overwrite,
    modify: mutable.modify,
    version: mutable.version,
    mutable,
    close: async () => {
      transfers.abort(new NodeStoppedError())
      await pool.stop()
    }
  }
}
