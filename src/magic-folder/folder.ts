/**
 * One magic folder at work: a single loop that scans and uploads when a scan
 * is due, polls and downloads when a poll is due, and sleeps until the next of
 * the two (fs.watch, where it works, brings a scan forward). One loop means
 * our own personal directory is only ever changed by one step at a time.
 * Every problem is recorded in the status against its file; none stops the loop.
 */
import { setMaxListeners } from 'node:events'
import { watch, type FSWatcher } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { MagicFolderEmitter, type MagicFolderEventDetails, type MagicFolderEventName, type UploadEvent } from './events.js'
import { History } from './history.js'
import { TransferObserver } from './progress.js'
import { detectCaseInsensitive, type CaseCheck } from './casefold.js'
import { FolderStoppedError } from './errors.js'
import { fileHistory, restoreVersion, type FileVersion, type RestoreResult } from './restore.js'
import { checkRelpath, METADATA_NAME, TMP_DIR } from './magicpath.js'
import { scanFolder } from './scanner.js'
import { FolderState } from './state.js'
import { eachLimited, LARGE_TRANSFERS, Slots, SMALL_FILE_BYTES, SMALL_TRANSFERS } from './limit.js'
import { Poller } from './poller.js'
import { rebuildState } from './rebuild.js'
import { linkPending, planChanges, uploadChange } from './uploader.js'
import type { SyncContext } from './context.js'
import type { MagicGrid } from './grid.js'
import type { FolderIntervals, FolderProblem, MagicFolderStatus } from './status.js'

export interface FolderConfig extends FolderIntervals {
  name: string
  /** Absolute path of the local folder. */
  localPath: string
  participant: string
  /** The collective's write cap when this node is its admin, else its read cap. */
  collectiveCap: string
  collectiveReadCap: string
  admin: boolean
  /** Our personal directory's write cap: never shared. */
  personalCap: string
  /** A local change is uploaded once it is this old (ms). */
  settleMs: number
  servers?: string[]
  club?: string
}

export interface FolderDeps {
  grid: MagicGrid
  stateFile: string
  log: (fmt: string, ...args: unknown[]) => void
  /** Whether the local folder ignores case (default: a probe file); a test simulates a case-insensitive one. */
  caseCheck?: CaseCheck
}

const MAX_PROBLEMS = 200
/** Uploads linked into our personal directory in one publish while a scan's uploads go on. */
const LINK_BATCH = 50
/** How long after a watch event the scan runs: editors write in bursts. */
const WATCH_DEBOUNCE_MS = 100

export class MagicFolder {
  private readonly state: FolderState
  private readonly abort = new AbortController()
  private readonly ctx: SyncContext
  private readonly problems = new Map<string, FolderProblem>()
  private participants: string[] = []
  private watcher?: FSWatcher
  private loop?: Promise<void>
  private wakeUp?: () => void
  private stopping = false
  private queued = 0
  private scanProblems: string[] = []
  private lastScan?: number
  private lastPoll?: number
  private nextScan = 0
  private nextPoll = 0
  private linking: Promise<void> = Promise.resolve()
  /** Work that must not run beside a scan or a poll (a restore writes into the folder); the loop runs it between steps. */
  private readonly tasks: Array<{ run: () => Promise<void>, cancel: () => void }> = []
  private readonly poller: Poller
  /** What happens in this folder, as it happens (events.ts). */
  readonly events = new MagicFolderEmitter()
  private readonly transfers: TransferObserver
  /** Uploads recorded but not yet linked: `upload-done` once our personal directory shows them. */
  private unpublished: UploadEvent[] = []
  private queuedDown = 0
  private uploadedSinceLink = 0

  constructor (readonly config: FolderConfig, private readonly deps: FolderDeps) {
    // Every transfer in flight (a few at a time, each with its own steps) listens on this signal.
    setMaxListeners(100, this.abort.signal)
    this.state = new FolderState(deps.stateFile)
    this.transfers = new TransferObserver((name, detail) => { this.emit(name, detail) }, async cap => (await this.ctx.history.get(cap)).size)
    this.ctx = {
      grid: this.transfers.wrap(deps.grid),
      state: this.state,
      history: new History(deps.grid, this.state, this.abort.signal),
      root: config.localPath,
      participant: config.participant,
      personalCap: config.personalCap,
      signal: this.abort.signal,
      onProblem: (relpath, err) => { this.report(relpath, err) },
      log: deps.log
    }
    this.poller = new Poller(this.ctx, config.collectiveCap, {
      report: (relpath, err) => { this.report(relpath, err) },
      clear: relpath => { this.clear(relpath) },
      stopping: () => this.stopping,
      emit: (name, detail) => { this.emit(name, detail) },
      transfer: async (t, fn) => await this.transfers.run(t, fn),
      queuedDownloads: delta => { this.queuedDown += delta }
    })
  }

  private emit<K extends MagicFolderEventName>(name: K, detail: Omit<MagicFolderEventDetails[K], 'folder' | 'at'>): void {
    this.events.emit(name, { folder: this.config.name, at: Date.now(), ...detail } as unknown as MagicFolderEventDetails[K])
  }

  get name (): string { return this.config.name }

  /** The local folder is not made here: a folder that vanished (an unmounted disk) is reported, and never taken for deleted files. */
  async start (): Promise<void> {
    // Leftovers of downloads a stop interrupted: the state never points at them.
    await rm(join(this.config.localPath, TMP_DIR), { recursive: true, force: true })
    try {
      this.ctx.caseInsensitive = await (this.deps.caseCheck ?? detectCaseInsensitive)(this.config.localPath)
    } catch (err) {
      // A folder that cannot be written now (gone, read-only) is reported by the scan; case is checked again at the next start.
      this.deps.log('could not probe the folder for case: %s', (err as Error).message)
    }
    try {
      this.watcher = watch(this.config.localPath, { recursive: true, persistent: false }, (_event, file) => {
        if (typeof file === 'string' && (file === TMP_DIR || file.startsWith(TMP_DIR + '/'))) return
        this.scanSoon(WATCH_DEBOUNCE_MS)
      })
      this.watcher.on('error', () => { this.watcher?.close(); this.watcher = undefined })
    } catch {
      // No recursive watch on this platform or filesystem: the periodic scans do the work.
      this.watcher = undefined
    }
    this.loop = this.run()
  }

  /** Lets the current file finish, then stops; the state says what is done. */
  async stop (): Promise<void> {
    this.stopping = true
    this.watcher?.close()
    this.wakeUp?.()
    const finished = this.loop ?? Promise.resolve()
    // A transfer that does not finish in time is aborted; its file is simply done again after a restart.
    const timer = setTimeout(() => { this.abort.abort() }, 10_000)
    await finished.catch(() => {})
    clearTimeout(timer)
    this.abort.abort()
    // A batch link started while uploads went on may still be publishing: it ends before the state closes.
    await this.linking
    this.state.close()
  }

  setIntervals (iv: Partial<FolderIntervals>): void {
    if (iv.pollSeconds !== undefined) {
      this.config.pollSeconds = iv.pollSeconds
      this.nextPoll = (this.lastPoll ?? 0) + iv.pollSeconds * 1000
    }
    if (iv.scanSeconds !== undefined) {
      this.config.scanSeconds = iv.scanSeconds
      this.nextScan = (this.lastScan ?? 0) + iv.scanSeconds * 1000
    }
    this.emit('intervals-changed', { pollSeconds: this.config.pollSeconds, scanSeconds: this.config.scanSeconds, nextPoll: this.nextPoll, nextScan: this.nextScan })
    this.wakeUp?.()
  }

  /** Brings the next scan forward (a watch event, or a caller who knows a file changed). */
  scanSoon (delayMs = 0): void {
    const at = Date.now() + delayMs
    if (at < this.nextScan) {
      this.nextScan = at
      this.wakeUp?.()
    }
  }

  pollSoon (): void {
    this.nextPoll = Date.now()
    this.wakeUp?.()
  }

  status (): MagicFolderStatus {
    const seen = this.state.participants()
    const names = new Set([...this.participants, ...seen.keys()])
    return {
      name: this.config.name,
      localPath: this.config.localPath,
      participant: this.config.participant,
      admin: this.config.admin,
      running: this.loop !== undefined && !this.stopping,
      caseInsensitive: this.ctx.caseInsensitive === true,
      pollSeconds: this.config.pollSeconds,
      scanSeconds: this.config.scanSeconds,
      settleMs: this.config.settleMs,
      lastScan: this.lastScan,
      nextScan: this.stopping ? undefined : this.nextScan,
      lastPoll: this.lastPoll,
      nextPoll: this.stopping ? undefined : this.nextPoll,
      queuedUploads: this.queued,
      queuedDownloads: this.queuedDown,
      uploads: this.state.counter('uploads'),
      deletionsSent: this.state.counter('deletions_sent'),
      downloads: this.state.counter('downloads'),
      deletionsApplied: this.state.counter('deletions_applied'),
      participants: [...names].sort().map(name => ({ name, lastChange: seen.get(name), me: name === this.config.participant })),
      conflicts: this.state.conflicts().map(c => ({ relpath: c.relpath, participant: c.participant, file: c.file, at: c.at })),
      errors: [...this.problems.values()]
    }
  }

  private report (relpath: string | undefined, err: unknown): void {
    if (this.abort.signal.aborted) return
    const e = err as { code?: string, message?: string }
    const key = relpath ?? ''
    this.problems.delete(key)
    this.problems.set(key, { relpath, code: e.code ?? 'ERR_MAGIC_FOLDER', message: e.message ?? String(err), at: Date.now() })
    if (this.problems.size > MAX_PROBLEMS) this.problems.delete(this.problems.keys().next().value as string)
    this.deps.log('problem with %s: %s', relpath === undefined ? 'the folder' : 'a file', e.code ?? e.message)
    this.emit('error', { relpath, code: e.code ?? 'ERR_MAGIC_FOLDER', message: e.message ?? String(err) })
  }

  private clear (relpath: string | undefined): void { this.problems.delete(relpath ?? '') }

  /** A file's versions, newest first. */
  async history (relpath: string): Promise<FileVersion[]> {
    return await fileHistory(this.ctx, this.config.name, checkRelpath(relpath))
  }

  /** Writes a version of a file back into the folder (between the loop's steps); the scan that follows uploads it as a new change. */
  async restore (relpath: string, version?: number): Promise<RestoreResult> {
    const path = checkRelpath(relpath)
    const done = await this.between(async () => await restoreVersion(this.ctx, this.config.name, path, version))
    if (done.written) this.scanSoon(this.config.settleMs + 10)
    return done
  }

  private async between<T> (fn: () => Promise<T>): Promise<T> {
    if (this.stopping || this.loop === undefined) throw new FolderStoppedError(this.config.name)
    return await new Promise<T>((resolve, reject) => {
      this.tasks.push({
        run: async () => { await fn().then(resolve, reject) },
        cancel: () => { reject(new FolderStoppedError(this.config.name)) }
      })
      this.wakeUp?.()
    })
  }

  private async runTasks (): Promise<void> {
    for (let task = this.tasks.shift(); task !== undefined; task = this.tasks.shift()) await task.run()
  }

  /** A lost state is rebuilt from our personal directory before the first scan, or the scan would upload every file again as new. */
  private async rebuilt (): Promise<boolean> {
    if (!this.state.needsRebuild) return true
    try {
      const r = await rebuildState(this.ctx)
      this.deps.log('state rebuilt from our personal directory: %d matched, %d changed, %d missing', r.matched, r.changed, r.missing)
      this.clear(undefined)
      return true
    } catch (err) {
      this.report(undefined, err)
      this.nextScan = Date.now() + this.config.scanSeconds * 1000
      return false
    }
  }

  private async run (): Promise<void> {
    while (!this.stopping) {
      await this.runTasks()
      if (!await this.rebuilt()) {
        await this.sleep(this.nextScan - Date.now())
        continue
      }
      const now = Date.now()
      if (now >= this.nextScan) await this.scanOnce()
      if (this.stopping) break
      if (Date.now() >= this.nextPoll) await this.pollOnce()
      if (this.stopping) break
      if (this.tasks.length === 0) await this.sleep(Math.min(this.nextScan, this.nextPoll) - Date.now())
    }
    // Asked for while stopping: refused, never left waiting.
    for (let task = this.tasks.shift(); task !== undefined; task = this.tasks.shift()) task.cancel()
  }

  private async sleep (ms: number): Promise<void> {
    if (ms <= 0) return
    await new Promise<void>(resolve => {
      const timer = setTimeout(done, ms)
      function done (): void { clearTimeout(timer); resolve() }
      this.wakeUp = done
    })
    this.wakeUp = undefined
  }

  private async scanOnce (): Promise<void> {
    const started = Date.now()
    this.nextScan = started + this.config.scanSeconds * 1000
    this.emit('scan-started', {})
    let due = 0
    try {
      await this.link()
      const scan = await scanFolder(this.config.localPath)
      // The last scan's problems that are gone now (a folder readable again, a name collision resolved) are cleared.
      for (const key of this.scanProblems) this.clear(key)
      this.scanProblems = scan.problems.map(p => p.relpath)
      for (const p of scan.problems) this.report(p.relpath, p)
      const plan = planChanges(this.ctx, scan, Date.now(), this.config.settleMs)
      this.queued = due = plan.due.length
      const upload = (c: typeof plan.due[number]): UploadEvent => ({ folder: this.config.name, at: Date.now(), relpath: c.relpath, kind: c.local === undefined ? 'deletion' : 'change', size: c.local?.size ?? 0 })
      for (const change of plan.due) this.emit('upload-queued', upload(change))
      if (plan.settlesAt !== undefined) this.nextScan = Math.min(this.nextScan, plan.settlesAt + 10)
      // Many small files at a time (each is a few round trips of waiting on servers, not of work), few large
      // ones: a worker that meets a large file waits for a large slot, so at most LARGE_TRANSFERS stream at once.
      const large = new Slots(LARGE_TRANSFERS)
      await eachLimited(plan.due, SMALL_TRANSFERS, async change => {
        const size = change.local?.size ?? 0
        const send = async (): Promise<void> => {
          this.emit('upload-started', upload(change))
          try {
            await this.transfers.run({ relpath: change.relpath, size }, async () => { await uploadChange(this.ctx, change) })
            this.unpublished.push(upload(change))
            this.clear(change.relpath)
          } catch (err) {
            const e = err as { code?: string, message?: string }
            this.emit('upload-failed', { relpath: change.relpath, code: e.code ?? 'ERR_MAGIC_FOLDER', message: e.message ?? String(err) })
            this.report(change.relpath, err)
          }
        }
        if (size > SMALL_FILE_BYTES) await large.run(send)
        else await send()
        this.queued--
        // Linked in batches while the uploads go on: no worker waits for the publish (the loop's last link does).
        if (++this.uploadedSinceLink >= LINK_BATCH) {
          this.uploadedSinceLink = 0
          this.link().catch((err: unknown) => { this.report(undefined, err) })
        }
      }, () => this.stopping)
      await this.link()
      if (!scan.problems.some(p => p.relpath === '.')) this.clear(undefined)
    } catch (err) {
      this.report(undefined, err)
    }
    this.queued = 0
    this.lastScan = started
    this.emit('scan-finished', { startedAt: started, queued: due, nextScan: this.nextScan })
  }

  /** One link publish at a time: two at once would race each other on our own personal directory. */
  private async link (): Promise<void> {
    const next = this.linking.then(async () => {
      if (this.abort.signal.aborted) return
      // Taken before the publish: an upload finishing meanwhile is not in it, and waits for the next link.
      const published = this.unpublished
      this.unpublished = []
      try {
        await linkPending(this.ctx)
      } catch (err) {
        this.unpublished.unshift(...published)
        throw err
      }
      for (const { folder: _f, at: _a, ...u } of published) this.emit('upload-done', u)
    })
    this.linking = next.catch(() => {})
    await next
  }

  private async pollOnce (): Promise<void> {
    const started = Date.now()
    this.emit('poll-started', {})
    let ok = false
    this.poller.next()
    try {
      const collective = await this.poller.listCollective()
      this.participants = collective.filter(c => c.name !== METADATA_NAME && c.type === 'dirnode').map(c => c.name)
      for (const p of collective) {
        if (p.name === METADATA_NAME || p.type !== 'dirnode' || p.name === this.config.participant) continue
        if (this.stopping) break
        await this.poller.pollParticipant(p.name, p.readCap)
      }
      await this.link()
      this.clear(undefined)
      ok = true
    } catch (err) {
      this.report(undefined, err)
    }
    this.lastPoll = started
    // Measured from the start, so the bound a user sees is the interval, not the interval plus the transfer time.
    this.nextPoll = Math.max(started + this.config.pollSeconds * 1000, Date.now())
    this.emit('poll-finished', { startedAt: started, ok, participants: this.participants, nextPoll: this.nextPoll })
  }
}
