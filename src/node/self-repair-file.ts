/**
 * One file's turn in a pass: its health check (or verify), its lease renewal
 * when due, and its repair when fewer than `happy` servers hold distinct
 * shares. Repairs run one at a time, each charged size × N / k bytes against
 * `repair.maxBytesPerSecond` before it starts.
 */
import type { LeaseRecord } from './leases.js'
import type { CheckOptions } from './api.js'
import type { HaveBatch } from '../protocols/index.js'
import type { CheckReport, MutableCheckReport } from '../client/index.js'
import { healthOf, peerOf, transferCost } from './self-repair-caps.js'
import type { FileCheckEvent, RepairCounters, RepairLogEntry, RepairPassReport, SelfRepairInit } from './self-repair-types.js'

/** Repairs the status page lists. */
const RECENT_REPAIRS = 20

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

/** What one file's maintenance shares with the pass: the counters, the recent repairs, the check listeners. */
export interface FileMaintainerState {
  counters: RepairCounters
  /** The newest repairs, newest first. */
  recent: RepairLogEntry[]
  listeners: Set<(e: FileCheckEvent) => void>
  now: () => number
}

export type MaintainFile = (lease: LeaseRecord, verify: boolean, dueBy: number, report: RepairPassReport, signal: AbortSignal, haveBatch?: HaveBatch) => Promise<void>

/** Builds `maintain`: check, renew when due, repair when unhappy, then tell the listeners. */
export function createFileMaintainer (init: SelfRepairInit, state: FileMaintainerState): MaintainFile {
  const { leases, log, say } = init
  const { counters, recent, listeners, now } = state

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

  const maintain = async (lease: LeaseRecord, verify: boolean, dueBy: number, report: RepairPassReport, signal: AbortSignal, haveBatch?: HaveBatch): Promise<void> => {
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
      checked = await init.check(capText, { ...where, verify, signal, haveBatch })
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

  return maintain
}
