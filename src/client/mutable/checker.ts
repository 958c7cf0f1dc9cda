/**
 * check / verify / repair of a mutable file, as Tahoe's mutable checker:
 * check maps the servers (signatures verified); verify also reads every
 * share of every version whole and checks every hash; a file is healthy when
 * one version only is found, on N distinct share numbers, with no bad share.
 * Repair (needs the write cap) publishes the newest recoverable version's
 * contents again as the next seqnum over every share found, so servers that
 * held an old version, or a corrupt share, or no share, are brought up to it.
 */
import { verifyMutableShares, type MutableCap } from '../../mutable/index.js'
import { base32Encode } from '../../immutable/index.js'
import { type StreamOpener } from '../../protocols/index.js'
import { happinessOf } from '../../routing/index.js'
import { clientLogger, siText } from '../log.js'
import { publishMutableVersion, type PublishOptions } from './publish.js'
import { adviseCorrupt, retrieveMutable } from './retrieve.js'
import { readWholeShare } from './source.js'
import { updateServermap, type Servermap } from './servermap.js'
import type { ServerInfo } from '../servers.js'
import type { CheckReport } from '../checker.js'

export interface MutableCheckOptions extends Omit<PublishOptions, 'leaseSecret'> {
  servers: readonly ServerInfo[]
  verify?: boolean
  repair?: boolean
  /** Needed for repair. */
  leaseSecret?: Uint8Array
}

/**
 * The CHK check report (same fields, so callers print either) plus what only
 * mutable files have. Seqnums are numbers (JSON-friendly; a file would need
 * 2^53 versions to overflow one).
 */
export interface MutableCheckReport extends CheckReport {
  mutable: true
  /** The newest recoverable version's seqnum (undefined when none is). */
  seqnum?: number
  /** Versions found, newest first: seqnum and distinct shares. */
  versions: Array<{ seqnum: number, shares: number, recoverable: boolean }>
  repaired?: { sharesUploaded: number, sharesFoundAfter: number, happinessAfter: number, seqnum?: number }
  /** Why repair did not run, when asked for and not possible. */
  repairSkipped?: string
}

function summarize (map: Servermap, corrupt: MutableCheckReport['corrupt']): MutableCheckReport {
  const best = map.best
  const bad = new Set(corrupt.map(c => `${c.peerId}/${c.shnum}`))
  const sharemap: Record<number, string[]> = {}
  const byServer = new Map<string, Set<number>>()
  for (const s of best?.shares ?? []) {
    if (bad.has(`${s.server.peerId}/${s.shnum}`)) continue
    ;(sharemap[s.shnum] ??= []).push(s.server.peerId)
    byServer.set(s.server.peerId, (byServer.get(s.server.peerId) ?? new Set()).add(s.shnum))
  }
  const k = best?.prefix.k ?? map.versions[0]?.prefix.k ?? 0
  const n = best?.prefix.n ?? map.versions[0]?.prefix.n ?? 0
  const sharesFound = Object.keys(sharemap).length
  return {
    storageIndex: base32Encode(map.storageIndex),
    mutable: true,
    k,
    n,
    seqnum: best == null ? undefined : Number(best.seqnum),
    sharesFound,
    serversWithShares: byServer.size,
    happiness: happinessOf(byServer),
    recoverable: best != null && sharesFound >= k,
    healthy: best != null && map.versions.length === 1 && sharesFound >= n && corrupt.length === 0,
    versions: map.versions.map(v => ({ seqnum: Number(v.seqnum), shares: v.distinctShares, recoverable: v.recoverable })),
    sharemap,
    corrupt,
    unreachable: map.unreachable.map(u => u.server.peerId)
  }
}

export async function checkMutable (opener: StreamOpener, cap: MutableCap, options: MutableCheckOptions): Promise<MutableCheckReport> {
  const si = cap.storageIndex
  const log = clientLogger(opener, 'mutable-check')
  const map = await updateServermap(opener, cap, options)
  const corrupt: MutableCheckReport['corrupt'] = map.bad.map(b => ({ peerId: b.server.peerId, shnum: b.shnum, check: b.error.check }))
  for (const b of map.bad) await adviseCorrupt(options.pool, si, b.server, b.shnum, `mutable share ${b.error.check} check failed: ${b.error.message}`)
  if (options.verify === true) {
    for (const v of map.versions) {
      for (const s of v.shares) {
        let bytes: Uint8Array
        try {
          bytes = await readWholeShare(options.pool, si, s, options.stats)
        } catch (err) {
          log('%s: share %d could not be read for verify: %s', siText(si), s.shnum, (err as Error).message)
          continue
        }
        const [result] = await verifyMutableShares(cap, new Map([[s.shnum, bytes]]))
        if (!result.ok && result.failure != null) {
          corrupt.push({ peerId: s.server.peerId, shnum: s.shnum, check: result.failure.check })
          await adviseCorrupt(options.pool, si, s.server, s.shnum, `mutable share ${result.failure.check} check failed: ${result.failure.error.message}`)
        }
      }
    }
  }
  const report = summarize(map, corrupt)
  log('%s: %d version(s), newest recoverable seqnum %s with %d of %d share(s), %d corrupt: %s', siText(si), map.versions.length,
    String(report.seqnum), report.sharesFound, report.n, corrupt.length, report.healthy ? 'healthy' : 'unhealthy')
  if (options.repair !== true || report.healthy) return report
  if (cap.kind !== 'mutable-write') return { ...report, repairSkipped: 'repairing a mutable file needs its write cap (a new version must be signed)' }
  if (map.best == null) return { ...report, repairSkipped: 'no recoverable version to repair from' }
  if (options.leaseSecret == null) return { ...report, repairSkipped: 'no lease secret given' }
  const current = await retrieveMutable(opener, cap, map, options)
  // Corrupt shares are rewritten too: their test is what their header says, as the map saw.
  const published = await publishMutableVersion(opener, cap, current.plaintext, map, { ...options, leaseSecret: options.leaseSecret })
  const after = await updateServermap(opener, cap, options)
  const afterReport = summarize(after, [])
  log('%s: repaired as seqnum %d, %d of %d share(s) after', siText(si), published.seqnum, afterReport.sharesFound, afterReport.n)
  return {
    ...report,
    repaired: {
      seqnum: Number(published.seqnum),
      sharesUploaded: [...published.placement.values()].flat().length,
      sharesFoundAfter: afterReport.sharesFound,
      happinessAfter: afterReport.happiness
    }
  }
}
