/**
 * Transfers going through the gateway, for the status page and /metrics:
 * the ones in progress (with bytes done) and running totals since start.
 */

import { base32Encode, parseHintedCap, storageIndexOf, type Transfer, type TransferTotals } from '../node/index.js'

export type { Transfer, TransferTotals }

export class TransferTracker {
  private nextId = 1
  private readonly active = new Map<number, Transfer>()
  readonly totals: TransferTotals = {
    uploadsStarted: 0,
    uploadsSucceeded: 0,
    uploadsFailed: 0,
    uploadBytes: 0,
    downloadsStarted: 0,
    downloadsSucceeded: 0,
    downloadsFailed: 0,
    downloadBytes: 0
  }

  start (direction: Transfer['direction'], init: { cap?: string, bytesTotal?: number } = {}): Transfer {
    const { cap, ...rest } = init
    const t: Transfer = { id: this.nextId++, direction, phase: direction === 'upload' ? 'receiving' : 'locating', bytesDone: 0, startedAt: Date.now(), ...rest }
    if (cap !== undefined) this.setCap(t, cap)
    this.active.set(t.id, t)
    if (direction === 'upload') this.totals.uploadsStarted++
    else this.totals.downloadsStarted++
    return t
  }

  /** The transfer's cap, and its storage index: what the status shows to callers without the API token. */
  setCap (t: Transfer, cap: string): void {
    t.cap = cap
    const si = storageIndexText(cap)
    if (si !== undefined) t.storageIndex = si
  }

  progress (t: Transfer, bytes: number): void {
    t.bytesDone += bytes
    if (t.direction === 'upload') this.totals.uploadBytes += bytes
    else this.totals.downloadBytes += bytes
  }

  /** The node's own progress: for an upload it takes over once the body is in. */
  phase (t: Transfer, p: { phase: string, bytesDone: number, bytesTotal: number }): void {
    if (t.direction === 'upload') {
      t.phase = p.phase
      t.bytesDone = p.bytesDone
      t.bytesTotal = p.bytesTotal
    } else if (p.phase !== 'done') {
      t.phase = p.phase
    }
  }

  finish (t: Transfer, ok: boolean): void {
    if (!this.active.delete(t.id)) return
    if (t.direction === 'upload') {
      if (ok) this.totals.uploadsSucceeded++
      else this.totals.uploadsFailed++
    } else if (ok) this.totals.downloadsSucceeded++
    else this.totals.downloadsFailed++
  }

  list (): Transfer[] {
    return [...this.active.values()].map(t => ({ ...t }))
  }

  /** Counts the bytes of a stream as they pass. */
  async * count (t: Transfer, source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      this.progress(t, chunk.length)
      yield chunk
    }
  }
}

/** The storage index of a CHK cap as base32 text; undefined for a literal cap (it has none) or a bad one. */
function storageIndexText (capText: string): string | undefined {
  try {
    const { cap } = parseHintedCap(capText)
    return cap.kind === 'lit' ? undefined : base32Encode(storageIndexOf(cap))
  } catch {
    return undefined // a download of a malformed cap fails on its own; the status just shows nothing
  }
}
