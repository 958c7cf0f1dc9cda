/**
 * What the disks say: which live servers hold which shares of a file. A
 * failed download is only a real failure if k distinct shares sat on servers
 * that were running both when it started and when it failed; a file is below
 * `happy` while fewer than `happy` live servers hold a share of it.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { formatCap, parseHintedCap, toVerifyCap } from '../../src/index.js'
import { isRunning } from '../grid/lib.js'
import type { ScaleNode } from './topology.js'

/** The storage index folder name (Tahoe base32) of a CHK cap, or undefined for a literal cap. */
export function storageIndexDir (capText: string): string | undefined {
  const { cap } = parseHintedCap(capText)
  if (cap.kind !== 'chk') return undefined
  // URI:CHK-Verifier:<storage index>:<ueb hash>:k:n:size
  return formatCap(toVerifyCap(cap)).split(':')[2]
}

/** A server counts once its daemon printed its addresses and until it is killed. */
export function isLive (n: ScaleNode): boolean {
  return !n.retired && n.daemon !== undefined && isRunning(n.daemon)
}

export function liveNames (servers: ScaleNode[]): Set<string> {
  return new Set(servers.filter(isLive).map(s => s.name))
}

/** Of the servers live when an operation started (`atStart`, at `since`), those live now and not killed since. */
export function liveThroughout (servers: ScaleNode[], atStart: Set<string>, since: number): Set<string> {
  return new Set(servers.filter(s => atStart.has(s.name) && isLive(s) && (s.lastKilledAt === undefined || s.lastKilledAt < since)).map(s => s.name))
}

/** Share numbers of one storage index on one server's disk (finished shares only, not incoming/). */
export function sharesOn (server: ScaleNode, si: string): number[] {
  try {
    return readdirSync(join(server.dir, 'storage', 'shares', si.slice(0, 2), si)).map(Number).filter(Number.isInteger)
  } catch {
    return []
  }
}

export interface Holding {
  /** Distinct share numbers on the given servers. */
  distinct: number
  /** Servers (among the given) holding at least one share. */
  holders: number
}

export function holding (servers: ScaleNode[], si: string, among: Set<string>): Holding {
  const shares = new Set<number>()
  let holders = 0
  for (const s of servers) {
    if (!among.has(s.name)) continue
    const on = sharesOn(s, si)
    if (on.length > 0) holders++
    for (const sh of on) shares.add(sh)
  }
  return { distinct: shares.size, holders }
}

export interface FileHealth {
  cap: string
  si: string
  /** When the file was first seen below happy in this spell, or undefined while it is healthy. */
  belowSince?: number
  /** Every spell below happy: start, end (undefined: still below at the end), and whether a server restart (not a repair) ended it. */
  spells: Array<{ from: number, to?: number, lowest: number, restored?: 'restart' | 'new-shares' }>
  /** Holders at the last scan. */
  holders: number
  /** (server, share) pairs at the last scan, and every pair ever seen: a repair adds pairs never seen, a restart brings old ones back. */
  pairs: Set<string>
  everHeld: Set<string>
}

/**
 * Scans every file's holders among live servers. A file that drops below
 * happy opens a spell; it closes once happy holders are back, marked
 * 'new-shares' when shares appeared that no server held before (a repair) and
 * 'restart' when only restarted servers brought old shares back.
 */
export function scanHealth (files: FileHealth[], servers: ScaleNode[], happy: number, now = Date.now()): void {
  const live = liveNames(servers)
  for (const f of files) {
    const pairs = new Set<string>()
    let holders = 0
    for (const s of servers) {
      if (!live.has(s.name)) continue
      const on = sharesOn(s, f.si)
      if (on.length > 0) holders++
      for (const sh of on) pairs.add(`${s.name}/${sh}`)
    }
    const fresh = [...pairs].some(p => !f.everHeld.has(p))
    const spell = f.spells.at(-1)
    if (holders < happy) {
      if (f.belowSince === undefined) {
        f.belowSince = now
        f.spells.push({ from: now, lowest: holders })
      } else if (spell !== undefined) spell.lowest = Math.min(spell.lowest, holders)
    } else if (f.belowSince !== undefined && spell !== undefined) {
      spell.to = now
      spell.restored = fresh ? 'new-shares' : 'restart'
      f.belowSince = undefined
    }
    for (const p of pairs) f.everHeld.add(p)
    f.pairs = pairs
    f.holders = holders
  }
}

/** A new entry for a file just uploaded (holders counted at the next scan). */
export function newHealth (cap: string, si: string): FileHealth {
  return { cap, si, spells: [], holders: 0, pairs: new Set(), everHeld: new Set() }
}
