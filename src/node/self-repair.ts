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
import { base32Decode } from '../immutable/index.js'
import { capStrings, isMutableCapString, parseHintedMutableCap } from '../mutable/index.js'
import { HaveBatch } from '../protocols/index.js'
import { DEFAULT_RENEW_MARGIN_MS, type LeaseRecord } from './leases.js'
import { keptFileOf, parseKeptCap, transferCost } from './self-repair-caps.js'
import { createFileMaintainer } from './self-repair-file.js'
import type { FileCheckEvent, RepairCounters, RepairLogEntry, RepairPassReport, SelfRepair, SelfRepairInit } from './self-repair-types.js'

/** Files checked at once within a pass (repairs still run one at a time). */
const CHECK_CONCURRENCY = 4

export function createSelfRepair (init: SelfRepairInit): SelfRepair {
  const { leases, log } = init
  const now = init.now ?? Date.now
  const listeners = new Set<(e: FileCheckEvent) => void>()
  if (init.onCheck !== undefined) listeners.add(init.onCheck)
  const counters: RepairCounters = { passes: 0, checks: 0, verifies: 0, checkFailures: 0, renewals: 0, renewFailures: 0, repairs: 0, repairFailures: 0, sharesPlaced: 0 }
  const recent: RepairLogEntry[] = []
  let lastPassAt: number | null = null
  let running: Promise<RepairPassReport> | undefined
  let queued: Promise<RepairPassReport> | undefined
  let timer: ReturnType<typeof setInterval> | undefined
  const stopping = new AbortController()

  const maintain = createFileMaintainer(init, { counters, recent, listeners, now })

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

    // One have question per server for the pass's immutable files (mutable ones ask their own way)
    const haveBatch = new HaveBatch(todo.filter(l => !isMutableCapString(l.cap)).map(l => base32Decode(l.storageIndex)), { signal })
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < todo.length && !signal.aborted) {
        const lease = todo[next++]
        try {
          await maintain(lease, verify.has(lease.cap), dueBy, report, signal, haveBatch)
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
