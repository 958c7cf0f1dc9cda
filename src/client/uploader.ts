/**
 * Uploads an immutable file to storage servers: plans the CHK encoding,
 * places shares on the permuted ring with servers-of-happiness, and streams
 * every share segment by segment. Writes are pipelined per server (the
 * StorageClient keeps a window of unacknowledged bytes), so one slow server
 * slows the upload but no segment waits for a round trip.
 */
import { encodeChk, planChk, type CrypttextPlan, type EncodeEvent, type EncodeResult, type PlaintextSource } from '../immutable/index.js'
import { type StorageClient, type StreamOpener } from '../protocols/index.js'
import { findSharesOnSessions } from './find-shares.js'
import { permute, planPlacement, happinessOf } from '../routing/index.js'
import { NoServersError, UploadUnhappyError } from './errors.js'
import { serverLeaseSecrets } from './lease.js'
import { clientLogger, shortPeer as short, siText } from './log.js'
import { StorageClientPool, type ServerInfo } from './servers.js'
import type { ReputationTable } from './reputation.js'
import type { ProgressHandler } from './progress.js'
import type { Logger } from '@libp2p/interface'

export interface UploadOptions {
  /** Sessions shared with the node's other operations (a server allows few per connection); default: this call's own, closed at its end. */
  pool?: StorageClientPool
  servers: readonly ServerInfo[]
  k?: number
  happy?: number
  n?: number
  maxSegmentSize?: number
  /** Convergent encryption secret; without it a random key is used. */
  convergenceSecret?: Uint8Array
  /** The client's lease secret (32 bytes); per-server lease secrets derive from it. */
  leaseSecret: Uint8Array
  /** Plaintext size, when known before reading (required for a random key from a stream). */
  size?: number
  onProgress?: ProgressHandler
  signal?: AbortSignal
  /** Per-server deadline for the have query (default 10 s). */
  queryTimeoutMs?: number
  /** Servers on probation here are skipped as if unreachable (unless the upload cannot be happy without them); what the upload saw is recorded. */
  reputation?: ReputationTable
  /** The club the upload goes through ('' or absent: none): probation is per club. */
  club?: string
}

export interface UploadResult {
  cap: string
  verifyCap?: string
  storageIndex?: Uint8Array
  /** SHA-256d of the URI extension block (absent for a literal cap): with the key, what a cap is made of. */
  uebHash?: Uint8Array
  size: number
  /** Share numbers on each server, new and already present. */
  placement: Map<string, number[]>
  happiness: number
  /** Wall time of the whole upload. */
  ms: number
  /** Candidate servers the reputation had this upload skip, and why. */
  skipped: Array<{ peerId: string, reason: string }>
}

/**
 * Placements per upload, at most: the first, and another when servers failed
 * part way and left the shares below happy.
 */
const UPLOAD_ATTEMPTS = 2

/** Bytes of consecutive blocks per share sent as one write request. */
const WRITE_BATCH = 512 * 1024

interface WriteBatch { offset: number, bytes: number, pieces: Uint8Array[] }

interface ServerState {
  server: ServerInfo
  client: StorageClient
  /** Shares this upload writes to the server. */
  writing: number[]
  /** Shares the server already held (kept, lease renewed). */
  holding: number[]
  failed?: Error
}

export async function upload (opener: StreamOpener, source: PlaintextSource, options: UploadOptions): Promise<UploadResult> {
  const started = Date.now()
  options.signal?.throwIfAborted()
  const plan = await planChk(source, {
    k: options.k,
    n: options.n,
    happy: options.happy,
    maxSegmentSize: options.maxSegmentSize,
    convergenceSecret: options.convergenceSecret,
    size: options.size
  })
  if (plan.kind === 'lit') {
    return { cap: plan.cap, size: plan.size, placement: new Map(), happiness: 0, ms: Date.now() - started, skipped: [] }
  }
  return await uploadEncoded(opener, plan, () => encodeChk(plan, source), options, started)
}

/** What placing and writing encoded shares needs; the encoding parameters are in the plan. */
export type EncodedUploadOptions = Omit<UploadOptions, 'k' | 'happy' | 'n' | 'maxSegmentSize' | 'convergenceSecret' | 'size'>

/**
 * Places and writes the shares of a planned file whose blocks come from
 * `encode` (the plaintext encoder, or an upload helper's crypttext encoder,
 * whose result has no cap: `cap` is then empty and `uebHash` says it all).
 */
export async function uploadEncoded (opener: StreamOpener, plan: CrypttextPlan, encode: () => AsyncGenerator<EncodeEvent, EncodeResult>,
  options: EncodedUploadOptions, started = Date.now()): Promise<UploadResult> {
  if (options.servers.length === 0) throw new NoServersError('no storage servers to upload to: join a club or give server addresses')
  const log = clientLogger(opener, 'upload')
  log('%s: %d bytes, %d-of-%d, happy %d, %d server(s) offered', siText(plan.storageIndex), plan.size, plan.k, plan.n, plan.happy, options.servers.length)
  const pool = options.pool ?? new StorageClientPool(opener)
  try {
    let skipped: UploadResult['skipped'] = []
    let states: Map<string, ServerState>
    let encoded: EncodeResult
    let writing = Date.now()
    const lost = new Set<string>()
    for (let attempt = 1; ; attempt++) {
      skipped = []
      // Servers lost mid-upload are left out of the next attempt: the ring's next servers stand in.
      const servers = options.servers.filter(s => !lost.has(s.peerId))
      states = await placeShares(opener, pool, plan, { ...options, servers }, log, skipped)
      writing = Date.now()
      try {
        encoded = await writeShares(plan, encode, states, options, log, lost)
        break
      } catch (err) {
        // A share cannot move to another server part way (its earlier blocks are gone), so the file is sent again.
        if (!(err instanceof UploadUnhappyError) || lost.size === 0 || attempt >= UPLOAD_ATTEMPTS || options.signal?.aborted === true) throw err
        log('%s: %s; placing and sending again without the %d server(s) lost (attempt %d of %d)', siText(plan.storageIndex), err.message, lost.size, attempt + 1, UPLOAD_ATTEMPTS)
      }
    }
    const writeMs = Date.now() - writing
    for (const st of states.values()) {
      if (st.failed == null) options.reputation?.throughput(st.server.peerId, st.writing.length * plan.shareSize, writeMs, 'write')
    }
    const placement = new Map<string, number[]>()
    for (const st of states.values()) {
      if (st.failed != null) continue
      const all = [...st.holding, ...st.writing].sort((a, b) => a - b)
      if (all.length > 0) placement.set(st.server.peerId, all)
    }
    const happiness = happinessOf(new Map([...placement].map(([s, sh]) => [s, new Set(sh)])))
    // the plan was happy; what was stored must be too, or the caller is told so
    if (happiness < plan.happy) throw new UploadUnhappyError(happiness, plan.happy, `the shares stored are on ${placement.size} server(s): ${[...placement].map(([peer, sh]) => `${short(peer)} [${sh.join(',')}]`).join(' ')}`)
    log('%s: stored in %d ms, happiness %d; %s', siText(plan.storageIndex), Date.now() - started, happiness,
      [...placement].map(([peer, sh]) => `${short(peer)} [${sh.join(',')}]`).join(' '))
    options.onProgress?.({ phase: 'done', bytesDone: plan.size, bytesTotal: plan.size })
    return { cap: encoded.cap, verifyCap: encoded.verifyCap, storageIndex: plan.storageIndex, uebHash: encoded.uebHash, size: plan.size, placement, happiness, ms: Date.now() - started, skipped }
  } finally {
    if (options.pool == null) await pool.stop()
  }
}

async function placeShares (opener: StreamOpener, pool: StorageClientPool, plan: CrypttextPlan, options: EncodedUploadOptions, log: Logger,
  skipped: UploadResult['skipped']): Promise<Map<string, ServerState>> {
  const si = plan.storageIndex
  const reputation = options.reputation
  const candidates = permute(si, options.servers).slice(0, 2 * plan.n)
  log('%s: candidates in ring order: %s', siText(si), candidates.map(c => short(c.peerId)).join(' '))
  options.onProgress?.({ phase: 'placing', bytesDone: 0, bytesTotal: plan.size })
  const existing = new Map<string, Set<number>>()
  const readOnly = new Set<string>()
  const reasons: string[] = []
  // On the pool's sessions, which the allocation and the writes use next: no have-share stream per server.
  const have = await findSharesOnSessions(pool, si, candidates, { timeoutMs: options.queryTimeoutMs ?? 10_000, signal: options.signal })
  // an aborted upload is not an unhappy one, though every have-share failed
  options.signal?.throwIfAborted()
  for (const h of have.holders) existing.set(h.peerId, new Set(h.shares))
  for (const f of have.failures) {
    readOnly.add(f.peerId)
    reasons.push(`${short(f.peerId)}: ${f.error.message}`)
    log('%s: %s not used, have-share failed: %s', siText(si), short(f.peerId), f.error.message)
    reputation?.failed(f.peerId, f.error)
  }
  for (const c of candidates) if (!readOnly.has(c.peerId)) reputation?.contact(c.peerId, true)
  if (existing.size > 0) log('%s: already stored: %s', siText(si), [...existing].map(([p, sh]) => `${short(p)} [${[...sh].join(',')}]`).join(' '))
  const unreachable = new Set(readOnly)
  // Servers on probation are left out as if unreachable, their ring places
  // kept; only when the others cannot make the upload happy are they used.
  const avoided = new Map<string, { held?: Set<number>, reason: string }>()
  for (const c of candidates) {
    const reason = readOnly.has(c.peerId) ? undefined : reputation?.avoidForUpload(c.peerId, options.club ?? '')
    if (reason == null) continue
    avoided.set(c.peerId, { held: existing.get(c.peerId), reason })
    existing.delete(c.peerId)
    readOnly.add(c.peerId)
  }
  const useAvoided = (happiness: number): void => {
    log('%s: %d server(s) on probation are used after all: without them happiness is %d of %d', siText(si), avoided.size, happiness, plan.happy)
    for (const [peer, { held }] of avoided) {
      readOnly.delete(peer)
      if (held != null) existing.set(peer, held)
    }
    avoided.clear()
  }
  if (avoided.size > 0) {
    const without = planPlacement({ servers: candidates.map(s => s.peerId), existing, readOnly, totalShares: plan.n })
    if (without.happiness < plan.happy) useAvoided(without.happiness)
  }
  const states = new Map<string, ServerState>()
  const order = candidates.map(s => s.peerId)
  // Allocate, and when a server refuses, treat it as read-only and plan again.
  for (let round = 0; round <= candidates.length; round++) {
    const placement = planPlacement({ servers: order, existing, readOnly, totalShares: plan.n })
    log('%s: placement round %d: happiness %d; %s', siText(si), round, placement.happiness,
      [...placement.uploads].map(([peer, sh]) => `${short(peer)} [${sh.join(',')}]`).join(' '))
    if (placement.happiness < plan.happy && avoided.size > 0) {
      // Refusals left too few others: an upload that could succeed never fails because of reputation.
      useAvoided(placement.happiness)
      continue
    }
    if (placement.happiness < plan.happy) {
      await abortAll(si, states)
      throw new UploadUnhappyError(placement.happiness, plan.happy,
        `${candidates.length} candidate server(s), ${unreachable.size} unreachable, ${readOnly.size - unreachable.size} refused` +
        (reasons.length > 0 ? ` (${reasons.slice(0, 5).join('; ')})` : ''))
    }
    // Servers whose new assignment differs from what they allocated: release the difference.
    for (const [peerId, st] of states) {
      const want = new Set(placement.uploads.get(peerId) ?? [])
      const drop = st.writing.filter(sh => !want.has(sh))
      if (drop.length > 0) log('%s: %s releases share(s) %s after re-planning', siText(si), short(peerId), drop.join(','))
      for (const sh of drop) await st.client.abort(si, sh).catch(() => {})
      st.writing = st.writing.filter(sh => want.has(sh))
    }
    let refused = false
    await Promise.all(candidates.map(async server => {
      if (readOnly.has(server.peerId)) {
        // Shares a server holds count for happiness though it takes no new ones (it is full, say): with
        // our lease on them, so they are renewed with the file; without it the plan must do without them.
        const held = existing.get(server.peerId)
        if (held == null || held.size === 0 || states.has(server.peerId)) return
        const client = pool.get(server)
        try {
          await client.addLease(si, serverLeaseSecrets(options.leaseSecret, si, server.peerId))
          states.set(server.peerId, { server, client, writing: [], holding: [...held] })
        } catch (err) {
          log('%s: %s holds share(s) %s but took no lease: %s; planning without them', siText(si), short(server.peerId), [...held].join(','), (err as Error).message)
          existing.delete(server.peerId)
          reasons.push(`${short(server.peerId)}: ${(err as Error).message}`)
          refused = true
        }
        return
      }
      const wanted = placement.uploads.get(server.peerId) ?? []
      const holding = [...(existing.get(server.peerId) ?? [])]
      let st = states.get(server.peerId)
      const missing = wanted.filter(sh => st?.writing.includes(sh) !== true)
      if (missing.length === 0 && (st != null || holding.length === 0)) return
      const client = st?.client ?? pool.get(server)
      try {
        if (missing.length === 0) {
          // It already holds all it is meant to hold: renew our lease on it (an allocation must name shares).
          await client.addLease(si, serverLeaseSecrets(options.leaseSecret, si, server.peerId))
          states.set(server.peerId, { server, client, writing: [], holding })
          return
        }
        const answer = await client.allocate(si, missing, plan.shareSize, serverLeaseSecrets(options.leaseSecret, si, server.peerId))
        st ??= { server, client, writing: [], holding: [] }
        st.writing.push(...answer.allocated)
        st.holding = answer.alreadyHave
        states.set(server.peerId, st)
        if (answer.alreadyHave.length > 0) existing.set(server.peerId, new Set(answer.alreadyHave))
        // Asked-for shares the server neither allocated nor holds (another upload is writing them): plan again.
        const notGiven = missing.filter(sh => !answer.allocated.includes(sh) && !answer.alreadyHave.includes(sh))
        if (notGiven.length > 0) {
          log('%s: %s refused share(s) %s (another upload is writing them); planning again', siText(si), short(server.peerId), notGiven.join(','))
          readOnly.add(server.peerId)
          refused = true
        }
      } catch (err) {
        reputation?.failed(server.peerId, err)
        log('%s: %s refused the allocation: %s; planning again', siText(si), short(server.peerId), (err as Error).message)
        readOnly.add(server.peerId)
        reasons.push(`${short(server.peerId)}: ${(err as Error).message}`)
        refused = true
      }
    }))
    if (!refused) {
      for (const [peer, { reason }] of avoided) {
        skipped.push({ peerId: peer, reason })
        log('%s: %s skipped: %s', siText(si), short(peer), reason)
      }
      return states
    }
  }
  await abortAll(si, states)
  throw new UploadUnhappyError(0, plan.happy, 'placement did not settle')
}

/** `lost` collects the servers that failed while their shares were written. */
async function writeShares (plan: CrypttextPlan, encode: () => AsyncGenerator<EncodeEvent, EncodeResult>, states: Map<string, ServerState>, options: EncodedUploadOptions, log: Logger,
  lost: Set<string>): Promise<EncodeResult> {
  const si = plan.storageIndex
  const live = (): ServerState[] => [...states.values()].filter(st => st.failed == null && st.writing.length > 0)
  const fail = async (st: ServerState, err: unknown): Promise<void> => {
    if (st.failed != null) return
    st.failed = err as Error
    lost.add(st.server.peerId)
    options.reputation?.failed(st.server.peerId, err)
    log('%s: %s failed during the upload, its share(s) %s are dropped: %s', siText(si), short(st.server.peerId), st.writing.join(','), st.failed.message)
    // Not waited for: a server that stalled would hold every other server's writes for a dial timeout per
    // share, and one that is gone drops the allocations itself when their time runs out.
    const dropped = st.writing
    st.writing = []
    for (const sh of dropped) st.client.abort(si, sh).catch(() => {})
    const placement = new Map<string, Set<number>>()
    for (const s of states.values()) {
      if (s.failed == null) placement.set(s.server.peerId, new Set([...s.writing, ...s.holding]))
    }
    const happiness = happinessOf(placement)
    if (happiness < plan.happy) {
      throw new UploadUnhappyError(happiness, plan.happy, `server ${short(st.server.peerId)} failed during the upload: ${(err as Error).message}`)
    }
  }
  // Consecutive blocks of a share go out as one write of about WRITE_BATCH
  // bytes: a request per block costs a frame, an answer and a file write
  // each, and on the wire two socket writes per Noise message.
  const batches = new Map<ServerState, Map<number, WriteBatch>>()
  const flushShare = async (st: ServerState, sh: number): Promise<void> => {
    const b = batches.get(st)?.get(sh)
    if (b == null || b.pieces.length === 0) return
    batches.get(st)?.delete(sh)
    await st.client.write(si, sh, b.offset, b.pieces)
  }
  const writeAll = async (offsetOf: (sh: number) => number, dataOf: (sh: number) => Uint8Array, batch = false): Promise<void> => {
    await allOrFirstError(live().map(async st => {
      try {
        let mine = batches.get(st)
        if (mine == null) batches.set(st, mine = new Map())
        for (const sh of st.writing) {
          const offset = offsetOf(sh)
          const data = dataOf(sh)
          let b = mine.get(sh)
          if (b != null && b.offset + b.bytes !== offset) { await flushShare(st, sh); b = undefined }
          if (b == null) mine.set(sh, b = { offset, bytes: 0, pieces: [] })
          b.pieces.push(data)
          b.bytes += data.byteLength
          if (!batch || b.bytes >= WRITE_BATCH) await flushShare(st, sh)
        }
      } catch (err) {
        await fail(st, err)
      }
    }))
  }
  try {
    await writeAll(() => 0, () => plan.header)
    const gen = encode()
    let result: EncodeResult
    for (;;) {
      if (options.signal?.aborted === true) throw options.signal.reason ?? new Error('upload aborted')
      const step = await gen.next()
      if (step.done === true) {
        result = step.value
        break
      }
      const ev = step.value
      if (ev.type === 'blocks') {
        await writeAll(() => ev.offset, sh => ev.blocks[sh], true)
        options.onProgress?.({ phase: 'uploading', bytesDone: Math.min(plan.size, (ev.segment + 1) * plan.segmentSize), bytesTotal: plan.size })
      } else if (ev.type === 'trailer') {
        await writeAll(() => ev.offset, sh => ev.trailers[sh])
      }
    }
    await allOrFirstError(live().map(async st => {
      try {
        for (const sh of st.writing) await flushShare(st, sh)
        for (const sh of st.writing) await st.client.close(si, sh)
      } catch (err) {
        await fail(st, err)
      }
    }))
    return result
  } catch (err) {
    log('%s: upload failed, aborting every share: %s', siText(si), (err as Error).message)
    await abortAll(si, states)
    throw err
  }
}

/**
 * Waits for every task, then throws the first failure: with Promise.all the
 * upload would abort its shares while other servers' writes and closes
 * were still running, and a close could win.
 */
async function allOrFirstError (tasks: Array<Promise<void>>): Promise<void> {
  const results = await Promise.allSettled(tasks)
  const failed = results.find(r => r.status === 'rejected')
  if (failed != null) throw failed.reason
}

async function abortAll (si: Uint8Array, states: Map<string, ServerState>): Promise<void> {
  await Promise.allSettled([...states.values()].map(async st => {
    for (const sh of st.writing) await st.client.abort(si, sh).catch(() => {})
  }))
}
