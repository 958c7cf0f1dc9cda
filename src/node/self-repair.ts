/**
 * Self-repair: the node looks after the files in its lease book — the ones it
 * uploaded and the ones it adopted with `keep` — on a schedule. Each pass, per
 * file: a health check (have-share counts on the file's club, the servers
 * holding it and, without a club, whoever the DHT names), a verify of a sample
 * of the files, the lease renewal when it is due, and a repair when fewer than
 * `happy` servers hold distinct shares, onto servers of the file's club.
 *
 * Sampling: a pass checks every file whose lease is due, then the least
 * recently checked others up to `repair.maxChecksPerPass`. Verifying downloads
 * every share of a file (about size × N / k bytes), so a pass verifies the
 * least recently verified files while `repair.verifyBytesPerPass` lasts; the
 * first in line is verified even when it alone is larger, so no file waits forever.
 *
 * Rate: one repair at a time, and each repair is charged size × N / k bytes
 * against `repair.maxBytesPerSecond` before it starts (a mutable file, whose
 * size the cap does not tell, is charged 1 MiB): the next repair waits until
 * the previous charge is paid off, so repairs never crowd out the node's own
 * transfers for long.
 *
 * Nothing here logs or publishes a cap: files are named by storage index.
 */
import { base32Encode, InvalidCapError, parseHintedCap, storageIndexOf } from '../immutable/index.js'
import { capStrings, isMutableCapString, parseHintedMutableCap } from '../mutable/index.js'
import { DEFAULT_RENEW_MARGIN_MS, type FileHealth, type LeaseBook, type LeaseRecord, type RenewFn } from './leases.js'
import type { CheckOptions } from './api.js'
import type { RepairConfig } from './config-types.js'
import type { NodeLogger } from './log.js'
import type { CheckReport, MutableCheckReport } from '../client/index.js'
import type { Logger } from '@libp2p/interface'

/** What a repair of a mutable file is charged: its cap does not tell its size. */
export const MUTABLE_REPAIR_CHARGE = 2 ** 20
/** Repairs the status page lists. */
const RECENT_REPAIRS = 20
/** Files checked at once within a pass (repairs still run one at a time). */
const CHECK_CONCURRENCY = 4

/** A file this node keeps, as `keep --list` shows it: named by storage index, never by cap. */
export interface KeptFile {
  storageIndex: string
  kind: 'chk' | 'mutable'
  club?: string
  /** Adopted with `keep`. */
  kept: boolean
  /** Uploaded by this node. */
  uploaded: boolean
  /** ms since the epoch when this node's lease runs out (0: not leased by this node yet). */
  expiresAt: number
  renewedAt?: number
  checkedAt?: number
  verifiedAt?: number
  health?: FileHealth
  lastError?: string
}

/** One repair, as logged and listed on the status page. */
export interface RepairLogEntry {
  storageIndex: string
  club?: string
  at: number
  durationMs: number
  sharesFoundBefore: number
  happinessBefore: number
  sharesFoundAfter?: number
  happinessAfter?: number
  sharesPlaced: number
  error?: string
}

/**
 * What one check of one file found: the seam for server reputation (a server
 * that held a share at the last check and answers now without it lost it).
 */
export interface FileCheckEvent {
  storageIndex: string
  club?: string
  at: number
  verified: boolean
  /** The check's findings; absent when the check itself failed (see `error`). */
  report?: CheckReport | MutableCheckReport
  /** Peer IDs the book named as holders that answered now without any share of the file. */
  lostBy: string[]
  /** Peer IDs the book named as holders that could not be asked. */
  unreachable: string[]
  repair?: RepairLogEntry
  error?: string
}

export interface RepairPassReport {
  startedAt: number
  durationMs: number
  checked: number
  verified: number
  renewed: number
  repaired: number
  sharesPlaced: number
  failures: Array<{ storageIndex: string, stage: 'check' | 'renew' | 'repair', error: string }>
}

/** Counters since the node started, for the status page and /metrics. */
export interface RepairStats {
  /** Files adopted with `keep`. */
  kept: number
  /** Files the passes look after (uploaded or kept). */
  maintained: number
  passes: number
  lastPassAt: number | null
  running: boolean
  checks: number
  verifies: number
  checkFailures: number
  renewals: number
  renewFailures: number
  repairs: number
  repairFailures: number
  sharesPlaced: number
  /** The newest repairs, newest first (at most 20). */
  recent: RepairLogEntry[]
}

export interface SelfRepairInit {
  leases: LeaseBook
  /** The node's check (files.check): servers of the file's club, holders, the DHT. */
  check: (cap: string, opts: CheckOptions) => Promise<CheckReport>
  renew: RenewFn
  /** Read at every pass: the share count a file must reach (config client.happy) and the repair settings. */
  settings: () => { happy: number, repair: RepairConfig }
  log: Logger
  say: NodeLogger
  /** Told about every check (reputation's input). */
  onCheck?: (event: FileCheckEvent) => void
  now?: () => number
}

export interface SelfRepair {
  /** Adopts caps (hinted or not): renewed and repaired from the next pass on. Answers their entries. */
  keep: (caps: string[]) => KeptFile[]
  /** Stops keeping a cap (by cap or storage index); a file this node uploaded is still looked after. */
  unkeep: (capOrStorageIndex: string) => { removed: number }
  /** Kept files; with `all`, the uploaded ones too. */
  kept: (opts?: { all?: boolean }) => KeptFile[]
  /** Runs a pass now; while one runs, one more follows it (and this resolves with that one). */
  runNow: () => Promise<RepairPassReport>
  stats: () => RepairStats
  /** Adds a listener for every check; returns its removal. */
  onCheck: (listener: (event: FileCheckEvent) => void) => () => void
  /** Starts the timer (config repair.intervalSeconds; 0 = passes only on demand). */
  start: () => void
  /** Stops the timer and aborts the pass in progress; resolves once it has settled. */
  stop: () => Promise<void>
}

interface ParsedKeep { cap: string, storageIndex: string, club?: string, canRepair: boolean }

/** A cap as the lease book stores it: without its hint; the hint becomes the file's club. */
export function parseKeptCap (text: string): ParsedKeep {
  const t = text.trim()
  if (isMutableCapString(t)) {
    const { cap, hint } = parseHintedMutableCap(t)
    return { cap: hint === undefined ? t : t.slice(0, t.length - hint.length - 1), storageIndex: base32Encode(cap.storageIndex), club: hint, canRepair: cap.kind === 'mutable-write' }
  }
  if (t.startsWith('URI:DIR2')) {
    throw new InvalidCapError('unknown-type', 'keep takes file caps (URI:CHK:…, URI:SSK:…, URI:MDMF:… or their verify caps); a directory\'s children are not followed')
  }
  const { cap, hint } = parseHintedCap(t)
  if (cap.kind === 'lit') throw new InvalidCapError('unknown-type', 'a literal cap (URI:LIT:) holds its data itself: there is nothing on the grid to keep')
  return { cap: hint === undefined ? t : t.slice(0, t.length - hint.length - 1), storageIndex: base32Encode(storageIndexOf(cap)), club: hint, canRepair: cap.kind === 'chk' }
}

/** Bytes a verify or a repair of the file moves: every share once (size × N / k). */
function transferCost (cap: string): number {
  if (isMutableCapString(cap)) return MUTABLE_REPAIR_CHARGE
  const c = parseHintedCap(cap).cap
  return c.kind === 'lit' ? 0 : Math.ceil(c.size * c.n / c.k)
}

function peerOf (entry: string): string {
  const at = entry.lastIndexOf('/p2p/')
  return at < 0 ? entry : entry.slice(at + '/p2p/'.length)
}

function healthOf (r: CheckReport): FileHealth {
  return { k: r.k, n: r.n, sharesFound: r.sharesFound, happiness: r.happiness, healthy: r.healthy, recoverable: r.recoverable }
}

function keptFileOf (l: LeaseRecord): KeptFile {
  const out: KeptFile = {
    storageIndex: l.storageIndex,
    kind: isMutableCapString(l.cap) ? 'mutable' : 'chk',
    kept: l.kept,
    uploaded: l.uploaded,
    expiresAt: l.expiresAt
  }
  if (l.club !== undefined) out.club = l.club
  if (l.renewedAt !== undefined) out.renewedAt = l.renewedAt
  if (l.checkedAt !== undefined) out.checkedAt = l.checkedAt
  if (l.verifiedAt !== undefined) out.verifiedAt = l.verifiedAt
  if (l.health !== undefined) out.health = l.health
  if (l.lastError !== undefined) out.lastError = l.lastError
  return out
}

/** Sleeps until `at` (ms since the epoch) unless the signal aborts first. */
async function sleepUntil (at: number, now: () => number, signal: AbortSignal): Promise<void> {
  const ms = at - now()
  if (ms <= 0) return
  signal.throwIfAborted()
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => { clearTimeout(timer); reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason))) }
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve() }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

export function createSelfRepair (init: SelfRepairInit): SelfRepair {
  const { leases, log, say } = init
  const now = init.now ?? Date.now
  const listeners = new Set<(e: FileCheckEvent) => void>()
  if (init.onCheck !== undefined) listeners.add(init.onCheck)
  const counters = { passes: 0, checks: 0, verifies: 0, checkFailures: 0, renewals: 0, renewFailures: 0, repairs: 0, repairFailures: 0, sharesPlaced: 0 }
  const recent: RepairLogEntry[] = []
  let lastPassAt: number | null = null
  let running: Promise<RepairPassReport> | undefined
  let queued: Promise<RepairPassReport> | undefined
  let timer: ReturnType<typeof setInterval> | undefined
  const stopping = new AbortController()

  // One repair at a time, paced by the bytes each one is charged.
  let repairChain: Promise<void> = Promise.resolve()
  let nextRepairAt = 0
  const gated = async <T>(cost: number, signal: AbortSignal, fn: () => Promise<T>): Promise<T> => {
    const before = repairChain
    let release = (): void => {}
    repairChain = new Promise<void>(resolve => { release = resolve })
    try {
      await before
      await sleepUntil(nextRepairAt, now, signal)
      const rate = init.settings().repair.maxBytesPerSecond
      nextRepairAt = Math.max(now(), nextRepairAt) + (rate > 0 ? cost / rate * 1000 : 0)
      return await fn()
    } finally {
      release()
    }
  }

  const emit = (event: FileCheckEvent): void => {
    for (const l of listeners) {
      try { l(event) } catch (err) { log.error('a check listener failed: %s', (err as Error).message) }
    }
  }

  const repairFile = async (lease: LeaseRecord, capText: string, where: CheckOptions, before: CheckReport, report: RepairPassReport, signal: AbortSignal): Promise<RepairLogEntry> => {
    return await gated(transferCost(lease.cap), signal, async () => {
      const started = now()
      const entry: RepairLogEntry = {
        storageIndex: lease.storageIndex,
        at: started,
        durationMs: 0,
        sharesFoundBefore: before.sharesFound,
        happinessBefore: before.happiness,
        sharesPlaced: 0
      }
      if (lease.club !== undefined) entry.club = lease.club
      try {
        const r = await init.check(capText, { ...where, repair: true, signal }) as MutableCheckReport
        if (r.repairSkipped !== undefined) throw new Error(`repair skipped: ${r.repairSkipped}`)
        if (r.repaired === undefined) {
          // Healthy again when the repair looked (another keeper was quicker): nothing to count.
          log('repair %s: healthy again, nothing to do', lease.storageIndex)
          entry.sharesFoundAfter = r.sharesFound
          entry.happinessAfter = r.happiness
          return entry
        }
        entry.sharesPlaced = r.repaired.sharesUploaded
        entry.sharesFoundAfter = r.repaired?.sharesFoundAfter ?? r.sharesFound
        entry.happinessAfter = r.repaired?.happinessAfter ?? r.happiness
        const happy = Math.min(init.settings().happy, r.n)
        leases.recordCheck(lease.cap, {
          ...healthOf(r),
          sharesFound: entry.sharesFoundAfter,
          happiness: entry.happinessAfter,
          healthy: entry.sharesFoundAfter === r.n && entry.happinessAfter >= happy
        })
        // Nothing placed: every reachable server of the club already holds a share (or refused one).
        if (entry.sharesPlaced === 0) throw new Error(`no server of the club could take a new share (${r.serversWithShares} hold shares): the club needs more servers`)
        counters.repairs++
        counters.sharesPlaced += entry.sharesPlaced
        report.repaired++
        report.sharesPlaced += entry.sharesPlaced
        say.info(`repaired ${lease.storageIndex}: ${entry.sharesPlaced} share(s) placed; ${entry.sharesFoundBefore} → ${entry.sharesFoundAfter} of ${r.n} shares, happiness ${entry.happinessBefore} → ${entry.happinessAfter}`)
      } catch (err) {
        entry.error = (err as Error).message
        counters.repairFailures++
        report.failures.push({ storageIndex: lease.storageIndex, stage: 'repair', error: entry.error })
        leases.markFailed(lease.cap, `repair: ${entry.error}`)
        say.warn(`could not repair ${lease.storageIndex} (happiness ${before.happiness}): ${entry.error}`)
      }
      entry.durationMs = now() - started
      recent.unshift(entry)
      recent.splice(RECENT_REPAIRS)
      log('repair %s: %o', lease.storageIndex, entry)
      return entry
    })
  }

  const maintain = async (lease: LeaseRecord, verify: boolean, dueBy: number, report: RepairPassReport, signal: AbortSignal): Promise<void> => {
    const capText = lease.club !== undefined ? `${lease.cap}@${lease.club}` : lease.cap
    const previous = lease.servers.map(peerOf)
    // Where to look and repair: the file's club; without one, every server the node knows (connected ones,
    // its default club, the DHT) and the holders the book names by address (servers uploaded to by address).
    const where: CheckOptions = lease.club !== undefined ? { club: lease.club } : { alsoAsk: lease.servers.filter(s => s.startsWith('/')) }
    const event: FileCheckEvent = { storageIndex: lease.storageIndex, at: now(), verified: false, lostBy: [], unreachable: [] }
    if (lease.club !== undefined) event.club = lease.club
    let checked: CheckReport | undefined
    let servers = lease.servers
    try {
      checked = await init.check(capText, { ...where, verify, signal })
      counters.checks++
      report.checked++
      if (verify) { counters.verifies++; report.verified++; event.verified = true }
      event.report = checked
      const holders = new Set(Object.values(checked.sharemap).flat())
      event.lostBy = previous.filter(p => !holders.has(p) && !checked?.unreachable.includes(p))
      event.unreachable = previous.filter(p => checked?.unreachable.includes(p) === true)
      if (holders.size > 0) {
        // Keep the address the book had for a holder; a new holder is dialled by peer ID.
        servers = [...holders].map(p => lease.servers.find(s => peerOf(s) === p) ?? p)
      }
      leases.recordCheck(lease.cap, healthOf(checked), { servers: holders.size > 0 ? servers : undefined, verified: verify })
      log('check %s: %d of %d shares, happiness %d%s', lease.storageIndex, checked.sharesFound, checked.n, checked.happiness, verify ? ', verified' : '')
    } catch (err) {
      if (signal.aborted) throw err
      event.error = (err as Error).message
      counters.checkFailures++
      report.failures.push({ storageIndex: lease.storageIndex, stage: 'check', error: event.error })
      leases.markFailed(lease.cap, `check: ${event.error}`)
      log('check %s failed: %s', lease.storageIndex, event.error)
    }

    if (lease.expiresAt <= dueBy && servers.length > 0) {
      try {
        const out = await init.renew({ ...lease, servers }, { signal })
        leases.markRenewed(lease.cap, { expiresAt: out.expiresAt, servers })
        counters.renewals++
        report.renewed++
      } catch (err) {
        if (signal.aborted) throw err
        counters.renewFailures++
        report.failures.push({ storageIndex: lease.storageIndex, stage: 'renew', error: (err as Error).message })
        leases.markFailed(lease.cap, (err as Error).message)
        say.warn(`could not renew the leases of ${lease.storageIndex}: ${(err as Error).message}`)
      }
    }

    if (checked !== undefined && checked.happiness < Math.min(init.settings().happy, checked.n)) {
      if (!checked.recoverable) {
        const error = `only ${checked.sharesFound} good share(s) found, ${checked.k} needed: cannot be repaired until more servers holding shares come back`
        counters.repairFailures++
        report.failures.push({ storageIndex: lease.storageIndex, stage: 'repair', error })
        leases.markFailed(lease.cap, `repair: ${error}`)
        say.warn(`${lease.storageIndex} is not recoverable: ${error}`)
      } else {
        event.repair = await repairFile(lease, capText, where, checked, report, signal)
      }
    }
    emit(event)
  }

  const pass = async (): Promise<RepairPassReport> => {
    const signal = stopping.signal
    const { repair } = init.settings()
    const startedAt = now()
    const report: RepairPassReport = { startedAt, durationMs: 0, checked: 0, verified: 0, renewed: 0, repaired: 0, sharesPlaced: 0, failures: [] }
    const dueBy = startedAt + DEFAULT_RENEW_MARGIN_MS
    const all = leases.byLastCheck()
    const due = all.filter(l => l.expiresAt <= dueBy)
    const others = all.filter(l => l.expiresAt > dueBy).slice(0, Math.max(0, repair.maxChecksPerPass - due.length))
    const todo = [...due, ...others]

    // The verify sample: least recently verified first, while the byte budget lasts.
    const verify = new Set<string>()
    let budget = repair.verifyBytesPerPass
    for (const l of [...todo].sort((a, b) => (a.verifiedAt ?? 0) - (b.verifiedAt ?? 0))) {
      if (budget <= 0) break
      const cost = transferCost(l.cap)
      if (cost > budget && verify.size > 0) break
      verify.add(l.cap)
      budget -= cost
    }

    let next = 0
    const worker = async (): Promise<void> => {
      while (next < todo.length && !signal.aborted) {
        const lease = todo[next++]
        try {
          await maintain(lease, verify.has(lease.cap), dueBy, report, signal)
        } catch (err) {
          if (!signal.aborted) log.error('pass: %s: %s', lease.storageIndex, (err as Error).message)
        }
      }
    }
    await Promise.all(Array.from({ length: CHECK_CONCURRENCY }, worker))
    counters.passes++
    lastPassAt = now()
    report.durationMs = lastPassAt - startedAt
    log('pass: %d checked (%d verified), %d renewed, %d repaired (%d shares), %d failures in %d ms',
      report.checked, report.verified, report.renewed, report.repaired, report.sharesPlaced, report.failures.length, report.durationMs)
    return report
  }

  const runNow = async (): Promise<RepairPassReport> => {
    if (stopping.signal.aborted) throw new Error('the node is stopping')
    if (running === undefined) {
      running = pass().finally(() => { running = undefined })
      return await running
    }
    // A pass is under way (it may have listed the files before a keep): one more follows it.
    queued ??= running.catch(() => {}).then(async () => {
      queued = undefined
      return await runNow()
    })
    return await queued
  }

  return {
    keep: (caps) => {
      const parsed = caps.map(parseKeptCap)
      let added = 0
      for (const p of parsed) {
        const isNew = leases.keep(p)
        if (isNew) added++
        log('keep %s%s: %s', p.storageIndex, p.club !== undefined ? ` (club ${p.club})` : '', isNew ? 'new' : 'already in the book')
      }
      // A new cap gets this node's lease (and a first check) at once, unless passes run only on demand.
      if (added > 0 && timer !== undefined) runNow().catch((err: unknown) => { log.error('pass after keep failed: %s', (err as Error).message) })
      return parsed.map(p => keptFileOf(leases.get(p.cap) ?? leases.list().find(l => l.storageIndex === p.storageIndex) as LeaseRecord))
    },
    unkeep: (capOrSi) => {
      const key = capOrSi.trim()
      let removed = leases.unkeep(key)
      if (removed.length === 0 && key.startsWith('URI:')) removed = leases.unkeep(parseKeptCap(key).cap)
      for (const r of removed) {
        log('unkeep %s', r.storageIndex)
        // An upload stays in the book, but not with a write cap it was given to keep: back to the read cap its uploader recorded.
        if (r.uploaded && isMutableCapString(r.cap)) {
          const cap = parseHintedMutableCap(r.cap).cap
          if (cap.kind === 'mutable-write') leases.replaceCap(r.cap, capStrings(cap).readCap)
        }
      }
      return { removed: removed.length }
    },
    kept: (opts = {}) => (opts.all === true ? leases.list() : leases.keptList()).map(keptFileOf),
    runNow,
    stats: () => ({
      kept: leases.keptList().length,
      maintained: leases.list().length,
      passes: counters.passes,
      lastPassAt,
      running: running !== undefined,
      checks: counters.checks,
      verifies: counters.verifies,
      checkFailures: counters.checkFailures,
      renewals: counters.renewals,
      renewFailures: counters.renewFailures,
      repairs: counters.repairs,
      repairFailures: counters.repairFailures,
      sharesPlaced: counters.sharesPlaced,
      recent: recent.map(e => ({ ...e }))
    }),
    onCheck: (listener) => {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    },
    start: () => {
      const seconds = init.settings().repair.intervalSeconds
      if (seconds <= 0 || timer !== undefined) return
      timer = setInterval(() => { runNow().catch((err: unknown) => { log.error('scheduled pass failed: %s', (err as Error).message) }) }, seconds * 1000)
      timer.unref()
    },
    stop: async () => {
      if (timer !== undefined) clearInterval(timer)
      timer = undefined
      stopping.abort(new Error('the node is stopping'))
      await Promise.allSettled([running, queued])
    }
  }
}
