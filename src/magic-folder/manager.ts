/**
 * Several magic folders on one node: creating (collective + own personal
 * directory), inviting, joining, removing, and keeping them in a private
 * JSON file of the data folder so they start again with the node. Each
 * folder's sync state is its own SQLite file next to that JSON.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { FolderExistsError, InvalidFolderInputError, NoSuchFolderError, NotAdminError } from './errors.js'
import { MagicFolder, type FolderConfig } from './folder.js'
import { MAGIC_FOLDER_EVENT_NAMES, MagicFolderEmitter } from './events.js'
import { decodeInvite, encodeInvite } from './invite.js'
import { checkParticipantName, METADATA_NAME } from './magicpath.js'
import type { CaseCheck } from './casefold.js'
import type { FileVersion, RestoreResult } from './restore.js'
import type { MagicGrid } from './grid.js'
import type { FolderIntervals, MagicFolderStatus } from './status.js'

export const DEFAULT_POLL_SECONDS = 60
export const DEFAULT_SCAN_SECONDS = 60
export const DEFAULT_SETTLE_MS = 2000
const MIN_SECONDS = 0.2
const MAX_SECONDS = 7 * 24 * 3600

export interface GridWhere { servers?: string[], club?: string }

export interface MagicFoldersDeps {
  /** Folder of folders.json and the state files; private (they hold write caps). */
  dir: string
  gridFor: (where: GridWhere) => MagicGrid
  /** The participant name used when none is given. */
  defaultParticipant: string
  /** Dials an inviter's addresses before the first poll (best effort). */
  connect?: (addrs: string[]) => Promise<void>
  /** This node's addresses, put into invites. */
  ownAddrs?: () => string[]
  /** The club used when a folder names neither servers nor a club (the node's default), for invites. */
  defaultClub?: () => string | null | undefined
  /** A club invite code for invites of folders that sync through a club (best effort). */
  clubInvite?: (clubId: string) => Promise<string>
  /** Joins a club (through its invite code when there is one) unless already in it, before a joined folder starts (best effort). */
  joinClub?: (clubId: string, invite?: string) => Promise<void>
  log: (fmt: string, ...args: unknown[]) => void
  /** Whether a local folder's filesystem ignores case (default: a probe file in it); tests simulate one. */
  caseCheck?: CaseCheck
}

export interface FolderOptions extends Partial<FolderIntervals>, GridWhere {
  /** A local change is uploaded once unchanged this long (ms, default 2000). */
  settleMs?: number
}

export interface CreateFolderOptions extends FolderOptions {
  /** This node's name in the collective (default: from the node's peer ID). */
  participant?: string
}

const METADATA_JSON = new TextEncoder().encode('{"version":1}')

function checkSeconds (what: string, v: number | undefined): void {
  if (v === undefined) return
  if (typeof v !== 'number' || !Number.isFinite(v) || v < MIN_SECONDS || v > MAX_SECONDS) {
    throw new InvalidFolderInputError(what, `must be a number of seconds from ${MIN_SECONDS} to ${MAX_SECONDS}`)
  }
}

function checkName (name: string): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 100 || /[/\\\0]/.test(name)) {
    throw new InvalidFolderInputError(`folder name '${String(name)}'`, "must be 1–100 characters without '/' or '\\'")
  }
  return name.normalize('NFC')
}

export class MagicFolders {
  /** The events of every folder (each carries its folder's name), and folders added and removed. */
  readonly events = new MagicFolderEmitter()
  private readonly folders = new Map<string, MagicFolder>()
  private writing: Promise<void> = Promise.resolve()
  private stopped = false

  private constructor (private readonly deps: MagicFoldersDeps) {}

  /** Reads the saved folders and starts each. */
  static async open (deps: MagicFoldersDeps): Promise<MagicFolders> {
    const m = new MagicFolders(deps)
    let saved: FolderConfig[] = []
    try {
      saved = JSON.parse(await readFile(m.configFile, 'utf8')).folders ?? []
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    for (const cfg of saved) await m.startFolder(cfg)
    return m
  }

  private get configFile (): string { return join(this.deps.dir, 'folders.json') }

  private stateFile (name: string): string {
    return join(this.deps.dir, `${createHash('sha256').update(name).digest('hex').slice(0, 16)}.sqlite`)
  }

  private async startFolder (cfg: FolderConfig, create = false): Promise<MagicFolder> {
    if (create) await mkdir(cfg.localPath, { recursive: true })
    // Made with the first folder, so a node without magic folders has no trace of them.
    await mkdir(this.deps.dir, { recursive: true, mode: 0o700 })
    const folder = new MagicFolder(cfg, { grid: this.deps.gridFor({ servers: cfg.servers, club: cfg.club }), stateFile: this.stateFile(cfg.name), log: this.deps.log, caseCheck: this.deps.caseCheck })
    this.folders.set(cfg.name, folder)
    for (const name of MAGIC_FOLDER_EVENT_NAMES) {
      folder.events.addEventListener(name, (e: CustomEvent) => { this.events.emit(name, e.detail) })
    }
    this.events.emit('folder-added', { folder: cfg.name, at: Date.now(), localPath: cfg.localPath })
    await folder.start()
    return folder
  }

  private async save (): Promise<void> {
    const next = this.writing.then(async () => {
      const tmp = `${this.configFile}.tmp`
      await writeFile(tmp, JSON.stringify({ folders: [...this.folders.values()].map(f => f.config) }, null, 2), { mode: 0o600 })
      await rename(tmp, this.configFile)
    })
    this.writing = next.catch(() => {})
    await next
  }

  private get (name: string): MagicFolder {
    const f = this.folders.get(name)
    if (f === undefined) throw new NoSuchFolderError(name)
    return f
  }

  private newConfig (name: string, localPath: string, opts: FolderOptions): Omit<FolderConfig, 'participant' | 'collectiveCap' | 'collectiveReadCap' | 'admin' | 'personalCap'> {
    checkSeconds('pollSeconds', opts.pollSeconds)
    checkSeconds('scanSeconds', opts.scanSeconds)
    if (opts.settleMs !== undefined && (!Number.isFinite(opts.settleMs) || opts.settleMs < 0)) throw new InvalidFolderInputError('settleMs', 'must be a number of ms, 0 or more')
    if (typeof localPath !== 'string' || localPath === '') throw new InvalidFolderInputError('local path', 'is required')
    if (this.folders.has(name)) throw new FolderExistsError(name)
    const path = isAbsolute(localPath) ? localPath : resolve(localPath)
    for (const f of this.folders.values()) {
      if (f.config.localPath === path) throw new InvalidFolderInputError(`local path ${path}`, `is already magic folder '${f.name}'`)
    }
    return {
      name,
      localPath: path,
      pollSeconds: opts.pollSeconds ?? DEFAULT_POLL_SECONDS,
      scanSeconds: opts.scanSeconds ?? DEFAULT_SCAN_SECONDS,
      settleMs: opts.settleMs ?? DEFAULT_SETTLE_MS,
      servers: opts.servers,
      club: opts.club
    }
  }

  /** A new folder: the collective and our personal directory, with us as its first participant. */
  async create (name: string, localPath: string, opts: CreateFolderOptions = {}): Promise<MagicFolderStatus> {
    name = checkName(name)
    const base = this.newConfig(name, localPath, opts)
    const participant = checkParticipantName(opts.participant ?? this.deps.defaultParticipant)
    const grid = this.deps.gridFor(base)
    const meta = await grid.upload(METADATA_JSON)
    const personal = await grid.mkdirMutable({ [METADATA_NAME]: meta })
    const collective = await grid.mkdirMutable({ [METADATA_NAME]: meta, [participant]: personal.readCap })
    if (this.folders.has(name)) throw new FolderExistsError(name)
    const folder = await this.startFolder({ ...base, participant, collectiveCap: collective.writeCap, collectiveReadCap: collective.readCap, admin: true, personalCap: personal.writeCap }, true)
    await this.save()
    return folder.status()
  }

  list (): MagicFolderStatus[] {
    return [...this.folders.values()].map(f => f.status())
  }

  status (name: string): MagicFolderStatus {
    return this.get(name).status()
  }

  /** A file's versions, newest first. */
  async history (name: string, relpath: string): Promise<FileVersion[]> {
    return await this.get(name).history(relpath)
  }

  /** Writes a version of a file (default: the newest that is not a deletion) back into the local folder; it then syncs as a local change. */
  async restore (name: string, relpath: string, opts: { version?: number } = {}): Promise<RestoreResult> {
    return await this.get(name).restore(relpath, opts.version)
  }

  async setIntervals (name: string, iv: Partial<FolderIntervals>): Promise<MagicFolderStatus> {
    checkSeconds('pollSeconds', iv.pollSeconds)
    checkSeconds('scanSeconds', iv.scanSeconds)
    const f = this.get(name)
    f.setIntervals(iv)
    await this.save()
    return f.status()
  }

  /** Stops syncing and forgets the folder; the local files stay, and so does everything on the grid. */
  async remove (name: string): Promise<void> {
    const f = this.get(name)
    this.folders.delete(name)
    await f.stop()
    this.events.emit('folder-removed', { folder: name, at: Date.now() })
    await this.save()
    for (const ext of ['', '-wal', '-shm']) await rm(this.stateFile(name) + ext, { force: true })
  }

  /**
   * Makes a personal directory for a new participant, links its read cap
   * into the collective and answers a code holding its write cap (which this
   * node does not keep).
   */
  async invite (name: string, participant: string): Promise<{ code: string, participant: string }> {
    const f = this.get(name)
    if (!f.config.admin) throw new NotAdminError(name)
    participant = checkParticipantName(participant)
    const grid = this.deps.gridFor(f.config)
    const existing = await grid.list(f.config.collectiveCap)
    if (existing.some(c => c.name === participant)) throw new InvalidFolderInputError(`participant '${participant}'`, `is already in folder '${name}'; pick another name`)
    const meta = await grid.upload(METADATA_JSON)
    const personal = await grid.mkdirMutable({ [METADATA_NAME]: meta })
    await grid.linkMany(f.config.collectiveCap, { [participant]: personal.readCap })
    // A folder without servers or a club syncs through the node's default club: the joiner needs to know which.
    const club = f.config.club ?? (f.config.servers === undefined ? this.deps.defaultClub?.() ?? undefined : undefined)
    const clubInvite = club === undefined ? undefined : await this.deps.clubInvite?.(club).catch((err: unknown) => { this.deps.log('no club invite: %s', (err as Error).message); return undefined })
    const code = encodeInvite({
      folder: name, collectiveReadCap: f.config.collectiveReadCap, personalWriteCap: personal.writeCap, participant,
      servers: f.config.servers, club, clubInvite, addrs: this.deps.ownAddrs?.()
    })
    f.pollSoon()
    return { code, participant }
  }

  /** Joins a folder from an invite code, syncing it into `localPath`. */
  async join (code: string, name: string, localPath: string, opts: FolderOptions = {}): Promise<MagicFolderStatus> {
    const invite = decodeInvite(code)
    name = checkName(name)
    const base = this.newConfig(name, localPath, { ...opts, servers: opts.servers ?? invite.servers, club: opts.club ?? invite.club })
    if (invite.addrs !== undefined && invite.addrs.length > 0 && this.deps.connect !== undefined) {
      await this.deps.connect(invite.addrs).catch((err: unknown) => { this.deps.log('could not dial the inviter: %s', (err as Error).message) })
    }
    const club = opts.club ?? invite.club
    if (club !== undefined && opts.servers === undefined && this.deps.joinClub !== undefined) {
      await this.deps.joinClub(club, club === invite.club ? invite.clubInvite : undefined).catch((err: unknown) => { this.deps.log('could not join the folder\'s club: %s', (err as Error).message) })
    }
    const folder = await this.startFolder({
      ...base, participant: invite.participant, collectiveCap: invite.collectiveReadCap, collectiveReadCap: invite.collectiveReadCap, admin: false, personalCap: invite.personalWriteCap
    }, true)
    await this.save()
    return folder.status()
  }

  /** Stops every folder (each finishes the file it is on). */
  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    await Promise.all([...this.folders.values()].map(async f => { await f.stop() }))
    await this.writing
  }
}
