/**
 * Uploads an immutable file through an upload helper: the client plans the
 * file as a direct upload would (convergent key, storage index, segment
 * size), encrypts it, and sends the crypttext once; the helper encodes and
 * places the shares. The cap is made here from the key (which never leaves
 * this process) and the UEB hash the helper answers; it is the cap a direct
 * upload of the same file gives.
 *
 * The client trusts the helper for nothing it cannot check: it asks the
 * servers the helper named which shares they hold and computes the
 * happiness from their answers, it reads the UEB back from a placed share
 * and compares its hash, parameters and crypttext hash with its own, and
 * it adds its own lease to every placed share (the
 * helper allocated them under its account), so renewal and repair work
 * without the helper.
 */
import {
  bytesEqual, chunksOf, ctrStreamAt, formatCap, planChk, plain, TAGS, TaggedHasher, toVerifyCap, uebHash, validateUeb, type ChkPlan, type ChkReadCap, type PlaintextSource
} from '../immutable/index.js'
import {
  helperUploadAttempt, HelperBusyError, RemoteStorageError, SlowDownError, UploadInProgressError, UploadTooSlowError,
  type HelperAttemptResult, type HelperCheck, type StreamOpener
} from '../protocols/index.js'
import { multiaddr } from '@multiformats/multiaddr'
import { happinessOf } from '../routing/index.js'
import { ClientError, UploadUnhappyError } from './errors.js'
import { findSharesOnSessions } from './find-shares.js'
import { serverLeaseSecrets } from './lease.js'
import { clientLogger, shortPeer, siText } from './log.js'
import { serversFromMultiaddrs, StorageClientPool, type ServerInfo } from './servers.js'
import { fetchRemoteUeb } from './share-ueb.js'
import type { UploadOptions, UploadResult } from './uploader.js'

export interface HelperUploadOptions extends Omit<UploadOptions, 'servers' | 'reputation' | 'club' | 'queryTimeoutMs'> {
  /** The helper's multiaddr, ending in /p2p/<peer id>. */
  helper: string
  /** Attempts after the first when the connection drops (default 3); each resumes where the helper is. */
  retries?: number
  /** Wait before the first retry, doubled for each next one (default 1 s). */
  retryDelayMs?: number
  /**
   * A helper that is busy, or uploading this very file for someone else,
   * says when to come back; such waits use no retry, up to this much
   * waiting in all (default 10 min).
   */
  maxWaitMs?: number
  /** The club whose servers the helper is to place the shares on (its roster); by default the helper's own choice. */
  club?: string
}

export interface HelperUploadResult extends UploadResult {
  helper: {
    peerId: string
    /** The file was in the grid already: no crypttext was sent. */
    alreadyStored: boolean
    /** Crypttext bytes handed to the helper's streams over every attempt (a cut-off attempt's last ones may not have arrived). */
    sentBytes: number
    attempts: number
  }
  /** The servers holding the file's shares, with the addresses the helper gave. */
  servers: ServerInfo[]
  /** Servers that took this client's own lease on their shares, and those that did not. */
  leases: { added: string[], failures: Array<{ peerId: string, error: Error }> }
}

/** The helper could not be reached, or the connection kept dropping, for every attempt. */
export class HelperUnavailableError extends ClientError {
  constructor (helper: string, attempts: number, cause: unknown) {
    super('ERR_HELPER_UNAVAILABLE', `upload helper ${helper} failed ${attempts} time(s), last: ${(cause as Error)?.message ?? String(cause)}. ` +
      'Check that the helper runs (helper.enabled) and is reachable, or upload directly (--helper \'\' when config client.helper names it)', { cause })
    this.name = 'HelperUnavailableError'
  }
}

/**
 * Refusals a helper answers with their own code: what the user can act on
 * (quota, spool, encoding, happiness, the client list). Any other code the
 * helper sends (its own ERR_NO_SERVERS, say) is about the helper, not the
 * user's input, and becomes ERR_HELPER_REFUSED.
 */
const HELPER_REFUSALS = new Set(['ERR_SPOOL_QUOTA', 'ERR_SPOOL_FULL', 'ERR_ENCODING_REFUSED', 'ERR_UPLOAD_UNHAPPY', 'ERR_HELPER_NOT_ALLOWED', 'ERR_UPLOAD_TOO_SLOW'])

/** The helper refused the upload; `code` is its reason (ERR_SPOOL_QUOTA, ERR_SPOOL_FULL, ERR_UPLOAD_UNHAPPY, …) or ERR_HELPER_REFUSED. */
export class HelperRefusedError extends ClientError {
  constructor (code: string, message: string) {
    const own = HELPER_REFUSALS.has(code)
    super(own ? code : 'ERR_HELPER_REFUSED', `the upload helper refused the upload: ${own ? message : `${code}: ${message}`}`)
    this.name = 'HelperRefusedError'
  }
}

/** What the helper placed is not this file (or cannot be read back to check). */
export class HelperResultError extends ClientError {
  constructor (message: string) {
    super('ERR_HELPER_BAD_RESULT', `the upload helper's result does not check out: ${message}`)
    this.name = 'HelperResultError'
  }
}

/** The crypttext from `offset` to the end: AES-CTR seeks, so a resume encrypts only what it sends. */
async function * crypttextFrom (plan: ChkPlan, source: PlaintextSource, offset: number): AsyncGenerator<Uint8Array> {
  const cipher = ctrStreamAt(plan.key, offset)
  let at = 0
  for await (const chunk of chunksOf(source)) {
    const end = at + chunk.length
    if (end > offset) yield plain(cipher.update(chunk.subarray(Math.max(0, offset - at))))
    at = end
  }
}

async function crypttextHashOf (plan: ChkPlan, source: PlaintextSource): Promise<Uint8Array> {
  const h = new TaggedHasher(TAGS.crypttext)
  for await (const c of crypttextFrom(plan, source, 0)) h.update(c)
  return h.digest()
}

function retryable (err: unknown): { wait?: number } | undefined {
  if (err instanceof HelperBusyError || err instanceof UploadInProgressError || err instanceof SlowDownError) return { wait: err.retryAfterMs }
  // one slow stretch of a link: the next attempt resumes where the helper is (each counts as a retry)
  if (err instanceof RemoteStorageError && err.code === UploadTooSlowError.code) return {}
  if (err instanceof RemoteStorageError) return undefined
  if ((err as Error)?.name === 'AbortError' || (err as Error)?.name === 'UnsupportedProtocolError') return undefined
  return {}
}

export async function uploadViaHelper (opener: StreamOpener, source: PlaintextSource, options: HelperUploadOptions): Promise<UploadResult & Partial<HelperUploadResult>> {
  const started = Date.now()
  const signal = options.signal
  signal?.throwIfAborted()
  const [helper] = serversFromMultiaddrs([options.helper])
  const plan = await planChk(source, {
    k: options.k, n: options.n, happy: options.happy, maxSegmentSize: options.maxSegmentSize, convergenceSecret: options.convergenceSecret, size: options.size
  })
  if (plan.kind === 'lit') return { cap: plan.cap, size: plan.size, placement: new Map(), happiness: 0, ms: Date.now() - started, skipped: [] }
  const log = clientLogger(opener, 'helper-upload')
  const si = plan.storageIndex
  const check: HelperCheck = { storageIndex: si, k: plan.k, happy: plan.happy, n: plan.n, segmentSize: plan.segmentSize, size: plan.size, club: options.club }
  const retries = options.retries ?? 3
  const maxWaitMs = options.maxWaitMs ?? 10 * 60_000
  let delay = options.retryDelayMs ?? 1000
  let sentBytes = 0
  let done: HelperAttemptResult | undefined
  let attempts = 0
  let failures = 0
  let waited = 0
  for (;;) {
    attempts++
    let resumedAt = 0
    let sentNow = 0
    try {
      done = await helperUploadAttempt(opener, multiaddr(options.helper), check, offset => crypttextFrom(plan, source, offset), {
        signal,
        onResume: at => {
          resumedAt = at
          log('%s: helper %s holds %d of %d bytes (attempt %d)', siText(si), shortPeer(helper.peerId), at, plan.size, attempts)
        },
        onSent: bytes => {
          sentNow = bytes
          options.onProgress?.({ phase: 'uploading', bytesDone: resumedAt + bytes, bytesTotal: plan.size })
        }
      })
      sentBytes += done.sentBytes
      break
    } catch (err) {
      sentBytes += sentNow
      signal?.throwIfAborted()
      const retry = retryable(err)
      if (retry == null) {
        if (err instanceof RemoteStorageError) throw new HelperRefusedError(err.code, err.message)
        // a peer that does not speak the helper protocol will not start to on a retry
        if ((err as Error)?.name === 'UnsupportedProtocolError') throw new HelperUnavailableError(options.helper, attempts, err)
        throw err
      }
      const wait = Math.min(retry.wait ?? delay, 30_000)
      if (retry.wait != null) waited += wait
      else failures++
      if (failures > retries || waited > maxWaitMs) {
        // a helper that is up but found this client too slow says so, rather than being called unreachable
        if (err instanceof RemoteStorageError && err.code === UploadTooSlowError.code) throw new HelperRefusedError(err.code, err.message)
        throw new HelperUnavailableError(options.helper, attempts, err)
      }
      log('%s: helper attempt %d failed (%s); again in %d ms', siText(si), attempts, (err as Error).message, wait)
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, wait)
        const onAbort = (): void => { clearTimeout(t); reject(signal?.reason instanceof Error ? signal.reason : new Error('upload aborted')) }
        signal?.addEventListener('abort', onAbort, { once: true })
      })
      if (retry.wait == null) delay *= 2
    }
  }
  if (done.happiness < plan.happy) throw new UploadUnhappyError(done.happiness, plan.happy, `the helper placed shares on ${done.happiness} distinct server(s)`)
  const servers: ServerInfo[] = done.placements.map(p => ({ peerId: p.peerId, multiaddrs: p.multiaddrs }))
  const pool = options.pool ?? new StorageClientPool(opener)
  try {
    // what the servers say they hold, not what the helper says it placed; one that does not answer is asked once more
    const found = await findSharesOnSessions(pool, si, servers, { signal })
    const silent = new Set(found.failures.map(f => f.peerId))
    const again = silent.size === 0 ? undefined : await findSharesOnSessions(pool, si, servers.filter(s => silent.has(s.peerId)), { signal })
    const held = new Map([...found.holders, ...again?.holders ?? []].map(h => [h.peerId, h.shares]))
    const happiness = happinessOf(new Map([...held].map(([peer, shares]) => [peer, new Set(shares)])))
    if (happiness < plan.happy) {
      const unreachable = again?.failures.map(f => shortPeer(f.peerId)) ?? []
      throw new UploadUnhappyError(happiness, plan.happy, unreachable.length > 0
        ? `the helper placed shares, but ${unreachable.length} of the servers it named did not answer this node (${unreachable.join(', ')}), and those that did hold shares on ${happiness} distinct server(s)`
        : `the servers the helper named hold shares on ${happiness} distinct server(s), though the helper said ${done.happiness}`)
    }
    const leases = await addOwnLeases(pool, si, servers.filter(s => held.has(s.peerId)), options.leaseSecret)
    await checkResult(pool, plan, source, done, servers)
    const cap: ChkReadCap = { kind: 'chk', key: plan.key, uebHash: done.uebHash, k: plan.k, n: plan.n, size: plan.size }
    log('%s: via helper %s in %d ms, %d attempt(s), %d bytes sent%s; own lease on %d of %d server(s)', siText(si), shortPeer(helper.peerId),
      Date.now() - started, attempts, sentBytes, done.alreadyStored ? ' (stored already)' : '', leases.added.length, held.size)
    options.onProgress?.({ phase: 'done', bytesDone: plan.size, bytesTotal: plan.size })
    return {
      cap: formatCap(cap),
      verifyCap: formatCap(toVerifyCap(cap)),
      storageIndex: si,
      uebHash: done.uebHash,
      size: plan.size,
      placement: held,
      happiness,
      ms: Date.now() - started,
      skipped: [],
      helper: { peerId: helper.peerId, alreadyStored: done.alreadyStored, sentBytes, attempts },
      servers,
      leases
    }
  } finally {
    if (options.pool == null) await pool.stop()
  }
}

async function addOwnLeases (pool: StorageClientPool, si: Uint8Array, servers: ServerInfo[], leaseSecret: Uint8Array): Promise<HelperUploadResult['leases']> {
  const out: HelperUploadResult['leases'] = { added: [], failures: [] }
  await Promise.all(servers.map(async s => {
    try {
      await pool.get(s).addLease(si, serverLeaseSecrets(leaseSecret, si, s.peerId))
      out.added.push(s.peerId)
    } catch (err) {
      out.failures.push({ peerId: s.peerId, error: err as Error })
    }
  }))
  return out
}

/** Reads the UEB back from a placed share: its hash, parameters and crypttext hash must be this file's. */
async function checkResult (pool: StorageClientPool, plan: ChkPlan, source: PlaintextSource, done: HelperAttemptResult, servers: ServerInfo[]): Promise<void> {
  const ours = await crypttextHashOf(plan, source)
  const problems: string[] = []
  for (const [i, s] of servers.entries()) {
    const shnum = done.placements[i].shares[0]
    if (shnum === undefined) continue
    let ueb: Uint8Array
    try {
      ueb = await fetchRemoteUeb(pool, s, plan.storageIndex, shnum, plan.n)
    } catch (err) {
      problems.push(`${shortPeer(s.peerId)}: ${(err as Error).message}`)
      continue
    }
    if (!bytesEqual(uebHash(ueb), done.uebHash)) throw new HelperResultError(`share ${shnum} on ${shortPeer(s.peerId)} has another URI extension block than the helper said`)
    const v = validateUeb(ueb, plan)
    if (v.params.segmentSize !== plan.segmentSize) throw new HelperResultError(`segment size ${v.params.segmentSize}, not ${plan.segmentSize}`)
    if (v.crypttextHash == null || !bytesEqual(v.crypttextHash, ours)) throw new HelperResultError('the shares hold other crypttext than this file\'s')
    return
  }
  throw new HelperResultError(`no placed share could be read back (${problems.slice(0, 3).join('; ')})`)
}
