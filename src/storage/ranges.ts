/**
 * The byte ranges of an upload written so far, as sorted, disjoint, non-adjacent
 * half-open intervals. Clients may write out of order and repeat writes, so
 * completeness is "the intervals cover [0, size)", not a byte counter.
 */
import { LimitExceededError } from './errors.js'
export interface Range { start: number, end: number }

/**
 * Separate ranges one upload may have: a client writes a share in order,
 * or in a few out-of-order pieces on a retry; a million one-byte writes at
 * every other offset would make each next write re-sort them all.
 */
export const MAX_WRITTEN_RANGES = 1024

export class WrittenRanges {
  private ranges: Range[] = []
  /** Total bytes written (overlaps counted once). */
  covered = 0

  /** The parts of [start, end) already written. */
  overlaps (start: number, end: number): Range[] {
    const found: Range[] = []
    for (const r of this.ranges) {
      if (r.start >= end) break
      if (r.end <= start) continue
      found.push({ start: Math.max(r.start, start), end: Math.min(r.end, end) })
    }
    return found
  }

  add (start: number, end: number): void {
    if (end <= start) return
    const kept: Range[] = []
    let merged = { start, end }
    for (const r of this.ranges) {
      if (r.end < merged.start || r.start > merged.end) {
        kept.push(r)
      } else {
        merged = { start: Math.min(r.start, merged.start), end: Math.max(r.end, merged.end) }
      }
    }
    kept.push(merged)
    if (kept.length > MAX_WRITTEN_RANGES) {
      throw new LimitExceededError(`an upload may have at most ${MAX_WRITTEN_RANGES} separate written ranges; write each share from start to end`)
    }
    kept.sort((a, b) => a.start - b.start)
    this.ranges = kept
    this.covered = kept.reduce((sum, r) => sum + r.end - r.start, 0)
  }

  /** The parts of [0, size) still missing. */
  missing (size: number): Range[] {
    const gaps: Range[] = []
    let cursor = 0
    for (const r of this.ranges) {
      if (r.start > cursor) gaps.push({ start: cursor, end: Math.min(r.start, size) })
      cursor = Math.max(cursor, r.end)
      if (cursor >= size) break
    }
    if (cursor < size) gaps.push({ start: cursor, end: size })
    return gaps
  }

  isComplete (size: number): boolean {
    if (size === 0) return true
    const first = this.ranges[0]
    return first !== undefined && first.start === 0 && first.end >= size
  }
}

export function describeRanges (ranges: Range[], limit = 5): string {
  const shown = ranges.slice(0, limit).map(r => `[${r.start}, ${r.end})`).join(', ')
  return ranges.length > limit ? `${shown} and ${ranges.length - limit} more` : shown
}
