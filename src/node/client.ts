/**
 * The node's client side: `node.put/get/cat` come from a ClientFactory that
 * the node hands a NodeCore (libp2p, config, secrets, lease book, club and
 * locate helpers). The default factory builds them from src/client: it picks
 * servers (given multiaddrs, else the club's roster), spools a streamed
 * upload to <data>/tmp for the convergent key's first pass, records every
 * upload in the lease book and returns a RenewFn, so the node renews leases
 * on a timer. Tests and embedders may pass their own factory.
 */
import {
  download, findShares, NoServersError, renewLeases, ReputationTable, serversFromMultiaddrs, SharesNotFoundError,
  upload, type ProgressHandler, type ServerInfo, type ShareHolder
} from '../client/index.js'
import { base32Encode, InvalidCapError, LIT_SIZE_THRESHOLD, parseHintedCap, storageIndexOf, toCap, type ChkReadCap, type PlaintextSource } from '../immutable/index.js'
import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { NodeStoppedError } from './errors.js'
import type { NodeConfig } from './config.js'
import type { LeaseBook, RenewFn } from './leases.js'
import type { LafsLibp2p } from './libp2p.js'
import type { NodeLogger } from './log.js'
import type { StorageServer } from '../storage/index.js'

export interface PutOptions {
  /** Multiaddrs (with /p2p/) of the servers to upload to; default: the club's roster. */
  servers?: string[]
  /** Club ID to upload through; also becomes the hint in `hintedCap`. */
  club?: string
  k?: number
  happy?: number
  n?: number
  /** Default: the node's convergence secret (private/convergence). */
  convergenceSecret?: Uint8Array
  signal?: AbortSignal
  onProgress?: ProgressHandler
}

export interface PutResult {
  cap: string
  /** The cap with `@<club id>` appended, when uploaded through a club. */
  hintedCap?: string
  size?: number
  /** Distinct servers holding shares (servers of happiness). */
  happiness?: number
}

export interface GetOptions {
  /** Servers to ask first (multiaddrs with /p2p/); otherwise the DHT or the cap's club hint. */
  servers?: string[]
  signal?: AbortSignal
  offset?: number
  length?: number
  onProgress?: ProgressHandler
}

/** What the client layer adds to a node. */
export interface NodeClient {
  put: (data: Uint8Array | AsyncIterable<Uint8Array>, opts?: PutOptions) => Promise<PutResult>
  get: (cap: string, opts?: GetOptions) => Promise<Uint8Array>
  cat: (cap: string, opts?: GetOptions) => AsyncIterable<Uint8Array>
  /** Renews the leases of one upload; when present the node renews due leases on a timer. */
  renewLease?: RenewFn
  /** Abort transfers in progress; called first when the node stops. */
  close?: () => Promise<void>
  /** The downloader's memory of server behaviour. */
  reputation?: ReputationTable
}

/** Everything the client layer may use from the node. */
export interface NodeCore {
  peerId: string
  /** The node's data folder (uploads from streams are spooled to <dataDir>/tmp). */
  dataDir: string
  libp2p: LafsLibp2p
  config: NodeConfig
  convergenceSecret: Uint8Array
  leaseSecret: Uint8Array
  leases: LeaseBook
  /** This node's own storage server, when storage is enabled. */
  storage?: StorageServer
  log: NodeLogger
  /** The servers of a club's roster (resolved and cached by the club layer). */
  clubServers?: (clubId: string, opts: { signal?: AbortSignal }) => Promise<ServerInfo[]>
  /** Finds servers holding shares without being told where: DHT providers or the club hint. */
  locate?: (cap: ChkReadCap, opts: { club?: string, signal?: AbortSignal }) => Promise<{ holders: ShareHolder[] }>
}

export type ClientFactory = (core: NodeCore) => NodeClient | Promise<NodeClient>

/**
 * The client layer over this node's libp2p: uploads go to the given servers
 * (or the club's roster), downloads find shares through the given servers,
 * or through `locate` (DHT provider records or the club hint).
 */
export const defaultClientFactory: ClientFactory = (core) => {
  const reputation = new ReputationTable()
  const transfers = new AbortController()
  const clientOpts = core.config.client

  const serversFor = async (opts: PutOptions): Promise<ServerInfo[]> => {
    if (opts.servers != null && opts.servers.length > 0) return serversFromMultiaddrs(opts.servers)
    if (opts.club != null && core.clubServers != null) return await core.clubServers(opts.club, { signal: opts.signal })
    throw new NoServersError('no storage servers given: pass server multiaddrs (servers) or a club ID (club)')
  }

  const holdersFor = async (cap: ChkReadCap, hint: string | undefined, opts: GetOptions): Promise<ShareHolder[]> => {
    const si = storageIndexOf(cap)
    if (opts.servers != null && opts.servers.length > 0) {
      const { holders } = await findShares(core.libp2p, si, serversFromMultiaddrs(opts.servers), { signal: opts.signal })
      if (holders.length > 0) return holders
    }
    if (core.locate != null) return (await core.locate(cap, { club: hint, signal: opts.signal })).holders
    throw new SharesNotFoundError('no server holds shares of this file (no servers given and no way to locate them)')
  }

  const cat = async function * (capText: string, opts: GetOptions = {}): AsyncGenerator<Uint8Array> {
    const { cap, hint: club } = parseHintedCap(capText)
    const signal = anySignal(opts.signal, transfers.signal)
    if (cap.kind === 'lit') {
      yield * download(core.libp2p, cap, { holders: [], signal, offset: opts.offset, length: opts.length })
      return
    }
    if (cap.kind !== 'chk') throw new InvalidCapError('unknown-type', 'downloading needs a read-cap (URI:CHK:… or URI:LIT:…), not a verify-cap')
    const holders = await holdersFor(cap, club, { ...opts, signal })
    yield * download(core.libp2p, cap, { holders, signal, reputation, offset: opts.offset, length: opts.length, onProgress: opts.onProgress })
  }

  return {
    reputation,
    async put (data, opts = {}) {
      const signal = anySignal(opts.signal, transfers.signal)
      // Convergent encryption reads the plaintext twice (key, then shares); a
      // stream can be read once, so it is spooled to a private file first.
      const spooled = data instanceof Uint8Array ? undefined : await spool(data, join(core.dataDir, 'tmp'))
      try {
        const source: PlaintextSource = spooled?.source ?? data as Uint8Array
        const size = spooled?.size ?? (data as Uint8Array).length
        // A literal file lives in its cap: no server is needed.
        const servers = size <= LIT_SIZE_THRESHOLD ? [] : await serversFor(opts)
        const result = await upload(core.libp2p, source, {
          size,
          servers,
          k: opts.k ?? clientOpts.k,
          happy: opts.happy ?? clientOpts.happy,
          n: opts.n ?? clientOpts.n,
          maxSegmentSize: clientOpts.maxSegmentSize,
          convergenceSecret: opts.convergenceSecret ?? core.convergenceSecret,
          leaseSecret: core.leaseSecret,
          onProgress: opts.onProgress,
          signal
        })
        if (result.storageIndex != null) {
          await core.leases.record({
            cap: result.cap,
            storageIndex: base32Encode(result.storageIndex),
            servers: [...result.placement.keys()].map(peerId => servers.find(s => s.peerId === peerId)?.multiaddrs[0] ?? peerId),
            club: opts.club
          })
        }
        return {
          cap: result.cap,
          hintedCap: opts.club != null && result.storageIndex != null ? `${result.cap}@${opts.club}` : undefined,
          size: result.size,
          happiness: result.happiness
        }
      } finally {
        await spooled?.remove()
      }
    },
    async get (cap, opts = {}) {
      const parts: Uint8Array[] = []
      for await (const part of cat(cap, opts)) parts.push(part)
      return Buffer.concat(parts)
    },
    cat,
    async renewLease (lease, { signal } = {}) {
      const cap = toCap(lease.cap)
      if (cap.kind !== 'chk') return { expiresAt: Number.MAX_SAFE_INTEGER }
      const si = storageIndexOf(cap)
      const servers = serversFromMultiaddrs(lease.servers.filter(s => s.startsWith('/')))
      const { renewed } = await renewLeases(core.libp2p, si, servers, core.leaseSecret)
      signal?.throwIfAborted()
      if (renewed.length === 0) throw new SharesNotFoundError(`no server of ${lease.cap.slice(0, 24)}… accepted the lease renewal`)
      return { expiresAt: Date.now() + core.config.storage.leaseDays * 24 * 3600 * 1000 }
    },
    async close () {
      transfers.abort(new NodeStoppedError())
    }
  }
}

/** Writes a one-shot stream to a private temporary file that can be read as often as needed. */
async function spool (data: AsyncIterable<Uint8Array>, dir: string): Promise<{ source: () => AsyncIterable<Uint8Array>, size: number, remove: () => Promise<void> }> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const file = join(dir, `upload-${randomBytes(8).toString('hex')}`)
  const remove = async (): Promise<void> => { await rm(file, { force: true }) }
  try {
    await pipeline(Readable.from(data), createWriteStream(file, { mode: 0o600 }))
    const { size } = await stat(file)
    return { source: () => createReadStream(file, { highWaterMark: 1024 * 1024 }), size, remove }
  } catch (err) {
    await remove()
    throw err
  }
}

function anySignal (...signals: Array<AbortSignal | undefined>): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s != null))
}
