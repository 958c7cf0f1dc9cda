/**
 * Rosters of clubs this node does NOT belong to, read for one job (a hinted
 * cap's locate, `clubs.show`): memory only, bounded in count and age, so a
 * web page or a link that names an attacker's club leaves nothing behind that
 * the roster keeper or the republisher would act on. Entries are verified
 * rosters (the caller verifies before `put`) and a lower sequence than the one
 * held is refused, as in the on-disk cache; once an entry is forgotten that
 * guard goes with it, which is why clubs the user joined use the disk cache.
 */
import { normalizeClubId } from './club-id.js'
import { DEFAULT_READ_CACHE_ENTRIES, DEFAULT_READ_CACHE_TTL_MS } from './constants.js'
import { StaleRosterError } from './errors.js'
import type { SignedRoster } from './roster-record.js'

export interface ReadRosterCacheOptions {
  /** Most rosters held at once; the least recently stored goes first. Default 64. */
  maxEntries?: number
  /** How long a roster is kept after it was stored. Default 10 min. */
  ttlMs?: number
  /** The clock (tests move it instead of sleeping). Default Date.now. */
  now?: () => number
}

interface Entry { signed: SignedRoster, storedAt: number }

export class ReadRosterCache {
  readonly maxEntries: number
  readonly ttlMs: number
  private readonly now: () => number
  // a Map keeps insertion order: the first key is the oldest entry
  private readonly entries = new Map<string, Entry>()

  constructor (options: ReadRosterCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? DEFAULT_READ_CACHE_ENTRIES
    this.ttlMs = options.ttlMs ?? DEFAULT_READ_CACHE_TTL_MS
    this.now = options.now ?? Date.now
    if (!(this.maxEntries >= 1) || !(this.ttlMs >= 0)) throw new RangeError('the read cache needs maxEntries >= 1 and ttlMs >= 0')
  }

  get (clubId: string): SignedRoster | undefined {
    const id = normalizeClubId(clubId)
    const entry = this.entries.get(id)
    if (entry == null) return undefined
    if (this.now() - entry.storedAt >= this.ttlMs) {
      this.entries.delete(id)
      return undefined
    }
    return entry.signed
  }

  /** Keeps a verified roster; a lower sequence than the one held throws StaleRosterError. */
  put (signed: SignedRoster): void {
    const current = this.get(signed.clubId)
    if (current != null && signed.sequence < current.sequence) {
      throw new StaleRosterError(`club ${signed.clubId}: roster sequence ${signed.sequence} is lower than the ${current.sequence} read ${Math.round((this.now() - this.entries.get(signed.clubId)!.storedAt) / 1000)} s ago; refusing a replayed or rolled-back roster`)
    }
    if (current != null && signed.sequence === current.sequence && signed.expiresAt <= current.expiresAt) return
    this.entries.delete(signed.clubId)
    this.entries.set(signed.clubId, { signed, storedAt: this.now() })
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string)
  }

  delete (clubId: string): void {
    this.entries.delete(normalizeClubId(clubId))
  }

  /** Club IDs held and not yet expired (for tests and the status page, never for dialling). */
  list (): string[] {
    return [...this.entries.keys()].filter(id => this.get(id) != null).sort()
  }
}
