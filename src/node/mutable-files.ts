/**
 * The mutable half of `node.files`: create, read, overwrite, modify and
 * check Tahoe mutable files (SDMF, MDMF) by cap. Which servers: the ones the
 * caller names; else the storage servers this node is connected to plus the
 * club's roster (named, the cap's `@<clubId>` hint, or the node's default).
 * Signature keys of files this node wrote are kept in memory so a large
 * SDMF file's update needs no extra read for its key.
 */
import {
  checkMutable, modifyMutable, newStats, NoServersError, overwriteMutable, publishNewMutable, retrieveMutable, serversFromMultiaddrs,
  updateServermap, type StorageClientPool, type MutableCheckReport, type MutableStats, type ReputationTable, type ServerInfo
} from '../client/index.js'
import {
  capStrings, formatMutableCap, generateMutableKeyPair, InvalidMutableCapError, writeCapFromKeyPair, parseHintedMutableCap, type MutableCap, type MutableKeyPair, type MutableWriteCap
} from '../mutable/index.js'
import { base32Encode } from '../immutable/index.js'
import { recordMutableRead } from './mutable-reputation.js'
import { connectedStorageServers } from './peers.js'
import { locate, type LocatedServer } from '../routing/index.js'
import type { CreateMutableOptions, MutableCreated, MutableModifier, MutableWriteOptions, MutableWritten } from './api.js'
import type { FilesInit } from './files.js'
import type { Logger } from '@libp2p/interface'

export interface MutableFiles {
  /** `data` may depend on the new file's write cap (a directory encrypts its children's write caps with the writekey). */
  createMutable: (data: Uint8Array | ((cap: MutableWriteCap) => Uint8Array), opts?: CreateMutableOptions) => Promise<MutableCreated>
  /** Newest recoverable contents (or a range), with its seqnum. */
  readMutable: (cap: string, opts?: MutableWriteOptions & { offset?: number, length?: number }) => Promise<{ data: Uint8Array, seqnum: number, holders: LocatedServer[] }>
  overwrite: (cap: string, data: Uint8Array, opts?: MutableWriteOptions) => Promise<MutableWritten>
  modify: (cap: string, fn: MutableModifier, opts?: MutableWriteOptions) => Promise<MutableWritten>
  checkMutable: (cap: string, opts: { verify?: boolean, repair?: boolean, servers?: string[], club?: string, signal?: AbortSignal }) => Promise<MutableCheckReport>
  /**
   * The newest recoverable version's seqnum and root hash (hex) from a servermap
   * update alone: one round trip of small reads, no retrieve. Undefined when no
   * version is recoverable. Lets a poller skip reading a file that has not changed.
   */
  version: (cap: string, opts?: { servers?: string[], club?: string, signal?: AbortSignal }) => Promise<MutableVersion | undefined>
}

export interface MutableVersion {
  seqnum: number
  /** Hex of the version's root hash: with the seqnum, it names one version. */
  roothash: string
}

const KEY_CACHE_SIZE = 256
/** Bytes of each share a version check reads from an SDMF file (a servermap update reads PREFIX_READ). */
const VERSION_PREFIX_READ = 1024

/** `pool`: the node's storage sessions, shared with its other transfers. */
export function createMutableFiles (init: FilesInit, withStop: (signal?: AbortSignal) => AbortSignal, pool: StorageClientPool, reputation?: ReputationTable): MutableFiles {
  const { libp2p } = init
  const log: Logger = libp2p.logger.forComponent('lafs-club:node:mutable')
  const keys = new Map<string, MutableKeyPair>()
  const remember = (cap: MutableWriteCap, pair: MutableKeyPair): void => {
    const id = base32Encode(cap.writekey)
    keys.delete(id)
    keys.set(id, pair)
    if (keys.size > KEY_CACHE_SIZE) keys.delete(keys.keys().next().value as string)
  }

  const parse = (capText: string): { cap: MutableCap, hint?: string } => parseHintedMutableCap(capText.trim())
  const writeCap = (capText: string, what: string): { cap: MutableWriteCap, hint?: string } => {
    const p = parse(capText)
    if (p.cap.kind !== 'mutable-write') {
      throw new InvalidMutableCapError('unknown-type', `${what} needs the file's write cap (URI:SSK:… or URI:MDMF:…); a read or verify cap cannot change it`)
    }
    return { cap: p.cap, hint: p.hint }
  }

  /**
   * Servers for an operation: the ones named; else the connected storage
   * servers and the club's roster; for an existing file with no club known,
   * also whoever the DHT names as providers of its storage index (servers
   * announce slots as they announce immutable shares).
   */
  const serversFor = async (opts: { servers?: string[], club?: string }, hint: string | undefined, signal: AbortSignal, storageIndex?: Uint8Array): Promise<{ servers: ServerInfo[], club?: string }> => {
    if (opts.servers != null && opts.servers.length > 0) return { servers: serversFromMultiaddrs(opts.servers) }
    const byPeer = new Map<string, ServerInfo>()
    for (const s of await connectedStorageServers(libp2p)) byPeer.set(s.peerId, s)
    const club = opts.club ?? hint ?? init.clientConfig().club ?? undefined
    if (club != null) {
      try {
        for (const s of await init.clubServers(club, { signal })) byPeer.set(s.peerId, s)
      } catch (err) {
        if (byPeer.size === 0) throw err
        log('club %s roster unavailable, using %d connected server(s): %s', club, byPeer.size, (err as Error).message)
      }
    } else if (storageIndex != null) {
      const { k, n } = init.clientConfig()
      try {
        const found = await locate(init.locateDeps, { storageIndex, k, n }, { signal, prefer: 'dht', budget: { deadlineMs: byPeer.size > 0 ? 10_000 : 30_000 } })
        for (const s of found.servers) if (!byPeer.has(s.peerId)) byPeer.set(s.peerId, { peerId: s.peerId, multiaddrs: s.multiaddrs })
      } catch (err) {
        log('locating %s by provider records failed: %s', base32Encode(storageIndex), (err as Error).message)
      }
    }
    byPeer.delete(libp2p.peerId.toString())
    if (byPeer.size === 0) {
      throw new NoServersError('no storage servers for this mutable file: this node has no default club, is connected to no storage server, and no provider record named one. ' +
        'Join a club ("lafs-club club join <club id>"), or name a club (--club ID, ?club=ID, or a cap@clubID hint) or servers (--server MULTIADDR, ?server=MULTIADDR).')
    }
    return { servers: [...byPeer.values()], club }
  }

  const withPool = async <T>(fn: (pool: StorageClientPool) => Promise<T>): Promise<T> => await fn(pool)

  const written = (seqnum: bigint, happiness: number, stats: MutableStats, changed = true): MutableWritten =>
    ({ seqnum: Number(seqnum), happiness, changed, roundTrips: stats.roundTrips, requests: stats.requests })

  return {
    createMutable: async (data, opts = {}) => {
      const signal = withStop(opts.signal)
      const { servers, club } = await serversFor(opts, undefined, signal)
      const client = init.clientConfig()
      const format = opts.format ?? 'sdmf'
      let keyPair: MutableKeyPair | undefined
      if (typeof data === 'function') {
        keyPair = await generateMutableKeyPair()
        data = data(writeCapFromKeyPair(keyPair, format))
      }
      const bytes = data
      return await withPool(async pool => {
        const res = await publishNewMutable(libp2p, bytes, {
          servers, pool, leaseSecret: init.leaseSecret, format, signal, keyPair,
          k: opts.k ?? client.k, n: opts.n ?? client.n, happy: opts.happy ?? client.happy
        })
        remember(res.cap, res.keyPair)
        const strings = capStrings(res.cap)
        // Kept alive like uploads; the lease book gets the read cap (renewal needs only the storage index), never the write cap.
        init.leases.record({
          cap: strings.readCap,
          storageIndex: base32Encode(res.cap.storageIndex),
          servers: [...res.placement.keys()].map(peerId => servers.find(s => s.peerId === peerId)?.multiaddrs[0] ?? peerId),
          club
        })
        log('created a %s file %s: %d bytes, happiness %d', format, base32Encode(res.cap.storageIndex), bytes.length, res.happiness)
        return {
          cap: strings.writeCap,
          readCap: strings.readCap,
          verifyCap: strings.verifyCap,
          hintedCap: club != null ? formatMutableCap(res.cap, club) : undefined,
          format,
          size: bytes.length,
          seqnum: Number(res.seqnum),
          happiness: res.happiness
        }
      })
    },

    readMutable: async (capText, opts = {}) => {
      const { cap, hint } = parse(capText)
      if (cap.kind === 'mutable-verify') throw new InvalidMutableCapError('unknown-type', 'reading a mutable file needs its read or write cap, not a verify cap')
      const signal = withStop(opts.signal)
      const { servers, club } = await serversFor(opts, hint, signal, cap.storageIndex)
      return await withPool(async pool => {
        const map = await updateServermap(libp2p, cap, { servers, pool, signal })
        const got = await retrieveMutable(libp2p, cap, map, { pool, signal, offset: opts.offset, length: opts.length })
        if (reputation != null) recordMutableRead(reputation, map, got, club ?? '')
        const holders = new Map<string, LocatedServer>()
        for (const sh of got.version.shares) {
          const h = holders.get(sh.server.peerId) ?? { peerId: sh.server.peerId, multiaddrs: sh.server.multiaddrs, shares: [] }
          h.shares.push(sh.shnum)
          holders.set(sh.server.peerId, h)
        }
        return { data: got.plaintext, seqnum: Number(got.seqnum), holders: [...holders.values()] }
      })
    },

    overwrite: async (capText, data, opts = {}) => {
      const { cap, hint } = writeCap(capText, 'overwriting a mutable file')
      const signal = withStop(opts.signal)
      const { servers } = await serversFor(opts, hint, signal, cap.storageIndex)
      const stats = newStats()
      return await withPool(async pool => {
        const res = await overwriteMutable(libp2p, cap, data, {
          servers, pool, stats, signal, leaseSecret: init.leaseSecret, happy: opts.happy ?? init.clientConfig().happy,
          keyPair: keys.get(base32Encode(cap.writekey))
        })
        remember(cap, res.keyPair)
        return written(res.seqnum, res.happiness, stats)
      })
    },

    modify: async (capText, fn, opts = {}) => {
      const { cap, hint } = writeCap(capText, 'modifying a mutable file')
      const signal = withStop(opts.signal)
      const { servers } = await serversFor(opts, hint, signal, cap.storageIndex)
      const stats = newStats()
      return await withPool(async pool => {
        const res = await modifyMutable(libp2p, cap, async (old, info) => await fn(old, { seqnum: Number(info.seqnum), attempt: info.attempt }), {
          servers, pool, stats, signal, leaseSecret: init.leaseSecret, happy: opts.happy ?? init.clientConfig().happy,
          keyPair: keys.get(base32Encode(cap.writekey)), maxAttempts: opts.maxAttempts
        })
        if (res.keyPair != null) remember(cap, res.keyPair)
        return written(res.seqnum ?? 0n, res.happiness ?? 0, stats, res.changed)
      })
    },

    version: async (capText, opts = {}) => {
      const { cap, hint } = parse(capText)
      if (cap.kind === 'mutable-verify') throw new InvalidMutableCapError('unknown-type', 'the version of a mutable file needs its read or write cap, not a verify cap')
      const signal = withStop(opts.signal)
      const { servers } = await serversFor(opts, hint, signal, cap.storageIndex)
      // An SDMF share's verification key and signature end about 660 bytes in (2048-bit keys): a short read proves its version.
      let map = await updateServermap(libp2p, cap, { servers, pool, signal, prefixBytes: cap.format === 'sdmf' ? VERSION_PREFIX_READ : undefined })
      if (map.best === undefined && map.bad.length > 0) map = await updateServermap(libp2p, cap, { servers, pool, signal })
      const best = map.best
      return best === undefined ? undefined : { seqnum: Number(best.seqnum), roothash: Buffer.from(best.prefix.rootHash).toString('hex') }
    },

    checkMutable: async (capText, opts) => {
      const { cap, hint } = parse(capText)
      const signal = withStop(opts.signal)
      const { servers } = await serversFor(opts, hint, signal, cap.storageIndex)
      log('check mutable %s on %d servers (verify %s, repair %s)', base32Encode(cap.storageIndex), servers.length, opts.verify === true, opts.repair === true)
      return await withPool(async pool => await checkMutable(libp2p, cap, {
        servers, pool, signal, verify: opts.verify, repair: opts.repair, leaseSecret: init.leaseSecret, happy: init.clientConfig().happy
      }))
    }
  }
}

