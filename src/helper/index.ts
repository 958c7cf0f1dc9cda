/**
 * The upload helper (Tahoe's helper, on libp2p): a client sends the
 * crypttext of a file once; the helper spools it, erasure-codes it and
 * places the N shares on the grid's servers with servers-of-happiness, so
 * the client's uplink carries the file's size instead of N/k times it. A
 * file already in the grid costs nothing: the helper finds it and answers
 * its UEB hash. The helper never sees the plaintext or the read key: the
 * client encrypts, and a cap needs the key the client keeps.
 *
 * Shares are allocated with the helper's own lease secret (the storage
 * servers see the helper's account); the client then adds its own lease on
 * every placed share, so it can renew and repair without the helper.
 */
import { createReadStream } from 'node:fs'
import { fetchRemoteUeb, findSharesOnSessions, StorageClientPool, uploadEncoded, type ReputationTable, type ServerInfo } from '../client/index.js'
import { base32Encode, encodeCrypttext, planCrypttext, uebHash, validateUeb } from '../immutable/index.js'
import {
  HelperBusyError, HelperNotAllowedError, registerHelperProtocol, UploadInProgressError,
  type HelperBackend, type HelperCheck, type HelperDone, type HelperProtocolOptions, type HelperUploadSession, type StreamOpener
} from '../protocols/index.js'
import { happinessOf } from '../routing/index.js'
import { tailSpool } from './pipeline.js'
import { Spool, type PartialUpload } from './spool.js'
import type { ComponentLogger, Libp2p, Logger } from '@libp2p/interface'

export const DEFAULT_HELPER_SPOOL_BYTES = 10 * 2 ** 30
export const DEFAULT_HELPER_CLIENT_SPOOL_BYTES = 2 * 2 ** 30
export const DEFAULT_HELPER_MAX_UPLOADS = 8
export const DEFAULT_HELPER_PARTIAL_EXPIRY_MS = 24 * 60 * 60 * 1000
/** Uploads one client (peer ID) may run at once on a helper. */
const MAX_UPLOADS_PER_PEER = 2

/** A placement under way gives up after this long without new crypttext (the client's retries come within seconds). */
export const DEFAULT_HELPER_PIPELINE_STALL_MS = 60_000

export { SpoolStalledError } from './pipeline.js'

export interface UploadHelperOptions {
  /** Opens the helper's storage sessions to the servers it places shares on. */
  opener: StreamOpener & Partial<Pick<Libp2p, 'logger'>>
  /** The spool folder (a node uses `<dataDir>/helper`). */
  dir: string
  /** The helper's own lease secret: the placed shares carry the helper's lease (the client adds its own). */
  leaseSecret: Uint8Array
  /** The servers shares go to, asked for every upload: the club's when the client names one, else the helper's choice (a node: its default club's, else those it is connected to). */
  servers: (club?: string) => Promise<ServerInfo[]>
  /** Crypttext held for uploads in progress, all clients together (default 10 GiB). */
  spoolBytes?: number
  /** Of that, what one client (peer ID) may hold (default 2 GiB). */
  clientSpoolBytes?: number
  /** Uploads receiving or placing at once (default 8); more are refused with ERR_HELPER_BUSY. */
  maxUploads?: number
  /** A partial upload no stream touched for this long is deleted (default 24 h). */
  partialExpiryMs?: number
  /**
   * Placement starts when an upload does and follows the spool as it grows;
   * with no new crypttext for this long it is given up and the upload is
   * placed from the whole spool once complete (default 60 s).
   */
  pipelineStallMs?: number
  /** Who may upload (by peer ID); default anyone. */
  allowClient?: (peer: string) => boolean
  reputation?: ReputationTable
  logger?: ComponentLogger
}

export interface HelperStats {
  /** Uploads the helper placed, and files it found stored already. */
  placed: number
  /** Of the placed, those placed again from the whole spool because their pipeline had given up. */
  placedFromSpool: number
  alreadyStored: number
  /** Crypttext bytes received, per client peer ID. */
  received: Record<string, number>
  /** Spool in use (bytes reserved by partial uploads) and per client. */
  spoolBytes: number
  /** `placing`: a pipeline is placing it while the crypttext arrives. */
  partials: Array<{ storageIndex: string, owner: string, have: number, size: number, active: boolean, placing: boolean }>
}

export interface UploadHelper extends HelperBackend {
  /** Loads the spool, and with a libp2p node serves /lafs-club/helper/1.0.0 on it. */
  start: (libp2p?: Pick<Libp2p, 'handle' | 'unhandle'>, protocol?: HelperProtocolOptions) => Promise<void>
  stats: () => HelperStats
  /** Stops serving, aborts the placements in progress; the spool stays for the next start. */
  stop: () => Promise<void>
}

export function createUploadHelper (options: UploadHelperOptions): UploadHelper {
  const logger = options.logger ?? options.opener.logger
  const log: Logger | undefined = logger?.forComponent('lafs-club:helper:service')
  const spool = new Spool(options.dir, {
    totalBytes: options.spoolBytes ?? DEFAULT_HELPER_SPOOL_BYTES,
    clientBytes: options.clientSpoolBytes ?? DEFAULT_HELPER_CLIENT_SPOOL_BYTES
  })
  const maxUploads = options.maxUploads ?? DEFAULT_HELPER_MAX_UPLOADS
  const expiryMs = options.partialExpiryMs ?? DEFAULT_HELPER_PARTIAL_EXPIRY_MS
  const stallMs = options.pipelineStallMs ?? DEFAULT_HELPER_PIPELINE_STALL_MS
  const pool = new StorageClientPool(options.opener)
  const stopping = new AbortController()
  const received: Record<string, number> = {}
  let placed = 0
  let placedFromSpool = 0
  /** Placements under way, by storage index: at most one per file, outliving a dropped stream. */
  const pipelines = new Map<string, { p: PartialUpload, happy: number, club?: string, abort: AbortController, result: Promise<HelperDone> }>()
  let alreadyStored = 0
  let active = 0
  const activeBy = new Map<string, number>()
  const releaseSlot = (peer: string): void => {
    active--
    const left = (activeBy.get(peer) ?? 1) - 1
    if (left <= 0) activeBy.delete(peer)
    else activeBy.set(peer, left)
  }
  const opening = new Set<string>()
  let unregister: (() => Promise<void>) | undefined
  let sweeper: ReturnType<typeof setInterval> | undefined

  const si = (c: HelperCheck): string => base32Encode(c.storageIndex)

  /** The file's placement when servers hold shares with happiness already, with the UEB hash read from one of them. */
  const findStored = async (check: HelperCheck, servers: ServerInfo[]): Promise<HelperDone | undefined> => {
    const { holders } = await findSharesOnSessions(pool, check.storageIndex, servers, { signal: stopping.signal })
    const placement = new Map(holders.map(h => [h.peerId, new Set(h.shares)]))
    const happiness = happinessOf(placement)
    const distinct = new Set(holders.flatMap(h => h.shares)).size
    if (happiness < check.happy || distinct < check.k) return undefined
    for (const h of holders) {
      try {
        const ueb = await fetchRemoteUeb(pool, h, check.storageIndex, h.shares[0], check.n)
        const v = validateUeb(ueb, check)
        if (v.params.segmentSize !== check.segmentSize) continue
        return {
          uebHash: uebHash(ueb),
          placements: holders.map(x => ({ peerId: x.peerId, multiaddrs: x.multiaddrs, shares: x.shares })),
          happiness,
          alreadyStored: true
        }
      } catch (err) {
        log?.('%s: UEB of %s unusable: %s', si(check), h.peerId, (err as Error).message)
      }
    }
    return undefined
  }

  const place = async (p: PartialUpload, signal: AbortSignal, source: () => AsyncIterable<Uint8Array>): Promise<HelperDone> => {
    const servers = await options.servers(p.check.club)
    const plan = planCrypttext(p.check)
    const result = await uploadEncoded(options.opener, plan, () => encodeCrypttext(plan, source), {
      servers, leaseSecret: options.leaseSecret, pool, signal, reputation: options.reputation
    })
    const byPeer = new Map(servers.map(s => [s.peerId, s]))
    return {
      uebHash: result.uebHash as Uint8Array,
      placements: [...result.placement].map(([peerId, shares]) => ({ peerId, multiaddrs: byPeer.get(peerId)?.multiaddrs ?? [], shares })),
      happiness: result.happiness,
      alreadyStored: false
    }
  }

  /** Starts placing `p` from its spool as it grows, unless a placement of it is under way. */
  const startPipeline = async (p: PartialUpload): Promise<void> => {
    const running = pipelines.get(p.key)
    if (running?.p === p && running.happy === p.check.happy && running.club === p.check.club) return
    if (running != null) {
      // the spool was started over for other parameters (that placement reads bytes that are gone),
      // or the resuming client asks another happiness or club than the one the placement aims at
      running.abort.abort(new Error('the partial upload was started over'))
      await running.result.catch(() => {})
    }
    const abort = new AbortController()
    const signal = AbortSignal.any([abort.signal, stopping.signal])
    const tail = tailSpool(p, spool.cryptPath(p.key), { signal, stallMs })
    const result = place(p, signal, tail.source).finally(() => { tail.close().catch(() => {}) })
    const entry = { p, happy: p.check.happy, club: p.check.club, abort, result }
    pipelines.set(p.key, entry)
    result.then(
      () => log?.('%s: pipeline placed every share', p.key),
      (err: unknown) => {
        if (pipelines.get(p.key) === entry) pipelines.delete(p.key)
        log?.('%s: pipeline gave up (%s); the upload is placed from the spool once complete', p.key, (err as Error).message)
      })
  }

  /** The placement of a complete spool file: the pipeline's, or when that gave up, a new one from the file. */
  const placeComplete = async (p: PartialUpload): Promise<HelperDone> => {
    const running = pipelines.get(p.key)
    if (running?.p === p) {
      try {
        return await running.result
      } catch {
        stopping.signal.throwIfAborted()
      } finally {
        if (pipelines.get(p.key) === running) pipelines.delete(p.key)
      }
    }
    placedFromSpool++
    const path = spool.cryptPath(p.key)
    return await place(p, stopping.signal, () => createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Uint8Array>)
  }

  const admit = (peer: string): void => {
    if (options.allowClient != null && !options.allowClient(peer)) throw new HelperNotAllowedError('this helper serves only the clients its operator listed (helper.clients); upload directly, or ask the operator to add your peer ID')
  }

  const open: HelperBackend['open'] = async (peer, check) => {
    stopping.signal.throwIfAborted()
    admit(peer)
    await spool.expire(expiryMs)
    const key = si(check)
    const existing = spool.partials.get(key)
    // `opening`: two checks of one storage index at once would otherwise both get the same partial upload
    if (existing?.active === true || opening.has(key)) throw new UploadInProgressError(`another upload of storage index ${key} is in progress on this helper; retry when it ends`)
    if (active >= maxUploads) throw new HelperBusyError(`this helper runs ${maxUploads} uploads at once; retry later`, 5_000)
    // one peer may not hold every slot (a slow sender would keep the others out)
    if ((activeBy.get(peer) ?? 0) >= MAX_UPLOADS_PER_PEER) throw new HelperBusyError(`this helper runs at most ${MAX_UPLOADS_PER_PEER} uploads per client at once; retry when one ends`, 5_000)
    active++
    activeBy.set(peer, (activeBy.get(peer) ?? 0) + 1)
    opening.add(key)
    let session: HelperUploadSession | undefined
    try {
      if (existing == null) {
        const stored = await findStored(check, await options.servers(check.club))
        if (stored != null) {
          alreadyStored++
          log?.('%s: stored already with happiness %d; nothing to send', key, stored.happiness)
          return { done: stored }
        }
      }
      const p = await spool.begin(peer, check)
      p.check = { ...p.check, happy: check.happy, club: check.club }
      log?.('%s: upload for %s, %d of %d bytes held', key, peer, p.have, check.size)
      try {
        await startPipeline(p)
      } catch (err) {
        // no session will release it: left active, it would never expire and no resume could take it
        p.active = false
        throw err
      }
      let finished = false
      session = {
        get haveBytes () { return p.have },
        append: async data => {
          await spool.append(p, data)
          received[peer] = (received[peer] ?? 0) + data.length
        },
        finish: async () => {
          await spool.closeFile(p)
          const done = await placeComplete(p)
          finished = true
          placed++
          log?.('%s: placed with happiness %d', key, done.happiness)
          await spool.remove(p.key)
          return done
        },
        release: () => {
          if (!p.active) return
          p.active = false
          releaseSlot(peer)
          if (!finished) spool.closeFile(p).catch(() => {})
        }
      }
      return { session }
    } finally {
      opening.delete(key)
      // without a session nothing holds the slot
      if (session == null) releaseSlot(peer)
    }
  }

  return {
    open,
    admit,
    start: async (libp2p, protocol) => {
      await spool.load()
      sweeper = setInterval(() => { spool.expire(expiryMs).catch(() => {}) }, Math.max(1000, Math.min(expiryMs / 2, 60_000)))
      sweeper.unref()
      if (libp2p != null) {
        unregister = await registerHelperProtocol(libp2p, { open, admit }, { log: logger?.forComponent('lafs-club:helper:protocol'), ...protocol })
      }
    },
    stats: () => ({
      placed,
      placedFromSpool,
      alreadyStored,
      received: { ...received },
      spoolBytes: spool.usedBytes,
      partials: [...spool.partials.values()].map(p => ({
        storageIndex: p.key, owner: p.owner, have: p.have, size: p.check.size, active: p.active, placing: pipelines.get(p.key)?.p === p
      }))
    }),
    stop: async () => {
      // a refusal that says when to come back: the client retries and resumes from the spool on the next start
      stopping.abort(new HelperBusyError('the helper is stopping; the upload resumes from what it holds when it is back', 5_000))
      if (sweeper != null) clearInterval(sweeper)
      await unregister?.()
      // the aborted pipelines release their shares on the servers before the sessions close
      await Promise.allSettled([...pipelines.values()].map(async r => await r.result))
      pipelines.clear()
      for (const p of spool.partials.values()) await spool.closeFile(p).catch(() => {})
      await pool.stop()
    }
  }
}
