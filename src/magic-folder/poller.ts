/**
 * The grid → local half of a poll: the collective's participants and each
 * one's personal directory. A directory whose version (one servermap update)
 * equals the one whose entries were all dealt with is not read again; every
 * FULL_POLL_EVERY polls everything is read regardless. Entries are applied a
 * few at a time; names that are one on a case-insensitive folder go one by one.
 */
import { foldPath } from './casefold.js'
import { applyRemote } from './downloader.js'
import { NameCollisionError } from './errors.js'
import { eachLimited, LARGE_TRANSFERS, Slots, SMALL_FILE_BYTES, SMALL_TRANSFERS } from './limit.js'
import { checkRelpath, METADATA_NAME, unmangle } from './magicpath.js'
import type { SyncContext } from './context.js'
import type { Emit, Transfer } from './progress.js'
import type { GridChild } from './grid.js'

/** Every this many polls, every directory is read in full even when its version looks unchanged (a server that hid a version once cannot hide it for ever). */
const FULL_POLL_EVERY = 10

export interface PollHooks {
  report: (relpath: string | undefined, err: unknown) => void
  clear: (relpath: string | undefined) => void
  stopping: () => boolean
  emit: Emit
  /** Runs one download so its bytes count as that file's progress. */
  transfer: <T>(t: Transfer, fn: () => Promise<T>) => Promise<T>
  queuedDownloads: (delta: number) => void
}

export class Poller {
  /** Per personal directory read cap: the version whose every entry was dealt with. Equal on the next poll: nothing to read. */
  private readonly polledVersions = new Map<string, string>()
  private collectiveCache?: { version: string, children: GridChild[] }
  private polls = 0

  constructor (private readonly ctx: SyncContext, private readonly collectiveCap: string, private readonly hooks: PollHooks) {}

  /** Called at the start of every poll. */
  next (): void {
    if (++this.polls % FULL_POLL_EVERY === 0) {
      this.polledVersions.clear()
      this.collectiveCache = undefined
    }
  }

  /** The collective's children; read again only when its version changed (a participant added). */
  async listCollective (): Promise<GridChild[]> {
    const grid = this.ctx.grid
    const version = await grid.version?.(this.collectiveCap, this.ctx.signal)
    if (version !== undefined && this.collectiveCache?.version === version) return this.collectiveCache.children
    const children = await grid.list(this.collectiveCap, this.ctx.signal)
    this.collectiveCache = version === undefined ? undefined : { version, children }
    return children
  }

  async pollParticipant (participant: string, personalReadCap: string): Promise<void> {
    let entries
    let version: string | undefined
    try {
      // A servermap update tells whether the directory changed: an idle poll reads no listing.
      version = await this.ctx.grid.version?.(personalReadCap, this.ctx.signal)
      if (version !== undefined && this.polledVersions.get(personalReadCap) === version) return
      entries = await this.ctx.grid.list(personalReadCap, this.ctx.signal)
    } catch (err) {
      this.hooks.report(undefined, err)
      return
    }
    let complete = true
    // Names first: two entries that are one path in NFC (a writer that does not normalise) cannot both be synced.
    const todo: Array<{ relpath: string, cap: string }> = []
    const byPath = new Map<string, string>()
    for (const e of entries) {
      if (e.name === METADATA_NAME) continue
      let relpath: string
      try {
        relpath = checkRelpath(unmangle(e.name))
      } catch (err) {
        // A name that can never be read stays invalid in this version: no reason to read it again.
        this.hooks.report(e.name, err)
        continue
      }
      const first = byPath.get(relpath)
      if (first !== undefined) {
        // Keyed by the raw name: the first entry syncing cleanly must not clear it.
        this.hooks.report(e.name, new NameCollisionError(e.name, first))
        continue
      }
      byPath.set(relpath, e.name)
      if (this.ctx.state.seen(participant, relpath) !== e.readCap) todo.push({ relpath, cap: e.readCap })
    }
    // Names one with another once case is ignored (the file's, or a folder's: `Docs/a` and `docs/b`) go one at
    // a time, after the rest: the second then sees the first.
    const spelled = new Map<string, string>()
    const now: typeof todo = []
    const later: typeof todo = []
    for (const t of todo) {
      if (this.ctx.caseInsensitive !== true) { now.push(t); continue }
      const parts = t.relpath.split('/')
      const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'))
      const clash = prefixes.some(p => {
        const other = spelled.get(foldPath(p))
        return other !== undefined && (other !== p || p === t.relpath)
      })
      if (clash) later.push(t)
      else { for (const p of prefixes) spelled.set(foldPath(p), p); now.push(t) }
    }
    // Their acknowledgement of our own version is nothing a person waits for: not shown as queued.
    const shown = new Set(todo.filter(t => this.ctx.state.file(t.relpath)?.snapshotCap !== t.cap).map(t => t.relpath))
    this.hooks.queuedDownloads(shown.size)
    for (const relpath of shown) this.hooks.emit('download-queued', { relpath, participant })
    const { emit } = this.hooks
    const large = new Slots(LARGE_TRANSFERS)
    const apply = async ({ relpath, cap }: { relpath: string, cap: string }): Promise<void> => {
      try {
        const outcome = await this.hooks.transfer({ relpath, participant, snapshotCap: cap, size: 0 }, async () => {
          // The snapshot is read first (and kept in the state, where applyRemote finds it) to learn the
          // content's size: a large file waits for a large slot. Our own version coming back is not read.
          if (this.ctx.state.file(relpath)?.snapshotCap !== cap) {
            const s = await this.ctx.history.get(cap)
            if (!s.deleted && s.size > SMALL_FILE_BYTES) return await large.run(async () => await applyRemote(this.ctx, participant, relpath, cap))
          }
          return await applyRemote(this.ctx, participant, relpath, cap)
        })
        this.ctx.state.setSeen(participant, relpath, cap)
        if (outcome !== 'same' && outcome !== 'behind') {
          this.ctx.state.participantChanged(participant, Date.now())
          emit('participant-changed', { relpath, participant })
        }
        if (outcome === 'conflict') {
          const c = this.ctx.state.conflicts().filter(c => c.relpath === relpath && c.participant === participant).pop()
          if (c !== undefined) emit('conflict', { relpath, participant, file: c.file })
        }
        if (shown.has(relpath)) emit('download-done', { relpath, participant, outcome })
        if (outcome !== 'name-collision') this.hooks.clear(relpath)
      } catch (err) {
        complete = false
        const e = err as { code?: string, message?: string }
        if (shown.has(relpath)) emit('download-failed', { relpath, participant, code: e.code ?? 'ERR_MAGIC_FOLDER', message: e.message ?? String(err) })
        this.hooks.report(relpath, err)
      } finally {
        if (shown.delete(relpath)) this.hooks.queuedDownloads(-1)
      }
    }
    await eachLimited(now, SMALL_TRANSFERS, apply, () => this.hooks.stopping())
    await eachLimited(later, 1, apply, () => this.hooks.stopping())
    // Stopped part-way: what was queued and not reached is not waiting any more.
    this.hooks.queuedDownloads(-shown.size)
    // Only a version dealt with in full is skipped next time: a failed entry is retried on the next poll.
    if (version !== undefined && complete && !this.hooks.stopping()) this.polledVersions.set(personalReadCap, version)
  }
}
