/**
 * Share selection for a download (Tahoe's ShareFinder and the share choice
 * in its SegmentFetcher): which k shares are read, and dropping a share that
 * failed a check or a read, with the reason, so another can take its place.
 */
import { logger } from '@libp2p/logger'
import { base32Encode } from './base32.js'
import { storageIndexOf, type ChkReadCap, type ChkVerifyCap } from './caps.js'
import { AbortedError, BadShareError, ImmutableError, NotEnoughSharesError, type ShareCheck, type ShareFailure } from './errors.js'
import { ShareReader, type FileContext, type ShareSource } from './share-reader.js'
import type { ChkParams } from './params.js'

const log = logger('lafs-club:immutable:shares')

export interface BadShareReport {
  shnum: number
  check: ShareCheck
  error: Error
  source: ShareSource
}

export interface ShareSetOptions {
  onBadShare?: (report: BadShareReport) => void
  signal?: AbortSignal
}

/** The server a source names (ShareSource.server), or undefined. */
function serverKey (s: ShareSource): string | undefined {
  return s.server
}

export function checkAborted (signal?: AbortSignal): void {
  if (signal?.aborted === true) throw abortReason(signal)
}

/** What an aborted read throws: the signal's reason when it is an error. */
export function abortReason (signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new AbortedError()
}

/**
 * What a failed read of one share means. Our own integrity errors say which
 * check failed; anything else a source throws (a server that went away, a
 * stream closed mid-read) is that share's read error, so the download moves
 * on to another share instead of failing. An abort (or the end of the read),
 * or a verdict about the whole file, is not about one share: undefined
 * means "rethrow".
 */
export function asBadShare (err: unknown, signal?: AbortSignal): BadShareError | undefined {
  // Once the read is over, a failure may be the cut-off itself: no share is to blame.
  if (signal?.aborted === true) return undefined
  if (err instanceof BadShareError) return err
  if (err instanceof ImmutableError) return undefined
  return new BadShareError('read-error', `reading the share failed: ${(err as Error)?.message ?? String(err)}`, { cause: err })
}

/** What the cap says about every share of the file; the UEB is learned from the first good share. */
export function fileContext (cap: ChkReadCap | ChkVerifyCap): FileContext {
  return { k: cap.k, n: cap.n, size: cap.size, uebHash: cap.uebHash }
}

/** The storage index in base32, which is what logs name a file by (never its key or cap). */
export function fileLabel (cap: ChkReadCap | ChkVerifyCap): string {
  return base32Encode(storageIndexOf(cap))
}

/**
 * Orders candidates (primaries first: they decode cheapest), keeps k open
 * with distinct share numbers, or with openRest() every distinct share
 * number there is (a download spreading its segments over all servers).
 */
export class ShareSet {
  readonly file: FileContext
  /** The file's storage index in base32, for logs. */
  readonly label: string
  readonly active: ShareReader[] = []
  readonly failures: ShareFailure[] = []
  readonly signal?: AbortSignal
  private readonly candidates: ShareSource[]
  private readonly onBadShare?: (report: BadShareReport) => void
  /** Share numbers being opened, so two opens never take the same number. */
  private readonly opening = new Set<number>()
  /** Servers that failed or lied during this file: their other shares are read only when nothing else is left. */
  private readonly distrusted = new Set<string>()
  private rest?: Promise<void>

  constructor (file: FileContext, sources: Iterable<ShareSource>, opts: ShareSetOptions, label: string) {
    this.file = file
    this.label = label
    this.onBadShare = opts.onBadShare
    this.signal = opts.signal
    const rank = (s: ShareSource): number => (s.shnum < file.k ? 0 : 1)
    this.candidates = [...sources].map((s, i) => ({ s, i }))
      .sort((a, b) => (a.s.preference ?? 0) - (b.s.preference ?? 0) || rank(a.s) - rank(b.s) || a.s.shnum - b.s.shnum || a.i - b.i)
      .map(x => x.s)
    log('%s: %d candidate sources, share numbers %s; need %d of %d', label, this.candidates.length, shnumList(this.candidates), file.k, file.n)
  }

  drop (reader: ShareReader, err: BadShareError): void {
    const at = this.active.indexOf(reader)
    if (at >= 0) this.active.splice(at, 1)
    log.error('%s: dropped share %d (%s): %s', this.label, reader.shnum, err.check, err.message)
    this.failures.push({ shnum: reader.shnum, check: err.check, error: err })
    this.onBadShare?.({ shnum: reader.shnum, check: err.check, error: err, source: reader.source })
    this.distrust(reader.source)
  }

  /**
   * The server of a share that was just dropped is set aside for the rest of
   * the file: its other open shares leave the active set (they go back to
   * the end of the candidates, a last resort if nothing else is left).
   */
  private distrust (source: ShareSource): void {
    const server = serverKey(source)
    if (server === undefined || this.distrusted.has(server)) return
    this.distrusted.add(server)
    for (let i = this.active.length - 1; i >= 0; i--) {
      const r = this.active[i]
      if (serverKey(r.source) !== server) continue
      this.active.splice(i, 1)
      this.candidates.push(r.source)
      log('%s: share %d set aside: its server failed or lied for another share', this.label, r.shnum)
    }
  }

  /** Takes up to `want` candidates whose share numbers are neither open nor being opened; trusted servers first. */
  private take (want: number): ShareSource[] {
    const taken = new Set([...this.active.map(r => r.shnum), ...this.opening])
    const batch: ShareSource[] = []
    for (const lastResort of [false, true]) {
      for (let i = 0; i < this.candidates.length && batch.length < want; i++) {
        const c = this.candidates[i]
        const key = serverKey(c)
        if (taken.has(c.shnum) || (!lastResort && key !== undefined && this.distrusted.has(key))) continue
        taken.add(c.shnum)
        batch.push(c)
        this.candidates.splice(i--, 1)
      }
    }
    return batch
  }

  /** Opens `batch`; each good one joins the active set as soon as it is open, failed ones are dropped. */
  private async open (batch: ShareSource[]): Promise<void> {
    log.trace('%s: opening shares %s', this.label, shnumList(batch))
    for (const s of batch) this.opening.add(s.shnum)
    const readers = batch.map(s => new ShareReader(s, this.file))
    try {
      const results = await Promise.allSettled(readers.map(async r => {
        await r.open()
        this.admit(r)
      }))
      results.forEach((res, j) => {
        if (res.status === 'fulfilled') return
        const bad = asBadShare(res.reason, this.signal)
        if (bad == null) throw res.reason
        this.drop(readers[j], bad)
      })
    } finally {
      for (const s of batch) this.opening.delete(s.shnum)
    }
  }

  private admit (r: ShareReader): void {
    const key = serverKey(r.source)
    // A server that failed while this share was being opened: the share waits at the end of the line.
    if (key !== undefined && this.distrusted.has(key) && this.active.length >= this.file.k) {
      this.candidates.push(r.source)
      return
    }
    this.active.push(r)
    this.active.sort((a, b) => a.shnum - b.shnum)
  }

  /**
   * Opens every other distinct share number in the background (after
   * fill(): the first segments need not wait for the slowest server), so a
   * spreading download can read from all of them. Settles when done; never
   * rejects.
   */
  openRest (): Promise<void> {
    this.rest ??= this.open(this.take(this.file.n)).then(() => {
      log('%s: %d shares open for spreading: %s', this.label, this.active.length, shnumList(this.active))
    }, (err: unknown) => {
      if (this.signal?.aborted !== true) log('%s: opening the other shares stopped: %s', this.label, (err as Error)?.message ?? String(err))
    })
    return this.rest
  }

  /** Opens candidates until k good shares with distinct numbers are active. */
  async fill (): Promise<void> {
    const k = this.file.k
    if (this.active.length >= k) return
    while (this.active.length < k) {
      checkAborted(this.signal)
      const batch = this.take(k - this.active.length)
      if (batch.length === 0) {
        // Shares still being opened in the background may be the ones missing.
        if (this.opening.size > 0 && this.rest !== undefined) { await this.rest; continue }
        log.error('%s: only %d good shares of the %d needed, no candidates left', this.label, this.active.length, k)
        throw new NotEnoughSharesError(k, this.active.length, this.failures)
      }
      await this.open(batch)
    }
    log('%s: shares chosen %s', this.label, shnumList(this.active))
  }

  get params (): ChkParams {
    if (this.file.ueb === undefined) throw new Error('internal: no UEB yet')
    return this.file.ueb.params
  }
}

function shnumList (shares: ReadonlyArray<{ shnum: number }>): string {
  return shares.map(s => s.shnum).join(',')
}
