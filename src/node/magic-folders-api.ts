/**
 * `node.magicFolders`: several magic folders per node, each a local folder
 * kept in sync with other participants' copies through the grid (the model
 * is in src/magic-folder/README.md). This file is the door's shape and the
 * wiring: the folders reach the network through `node.files` and
 * `node.dirs` with each folder's servers or club.
 */
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import {
  MAGIC_FOLDER_EVENT_NAMES, MagicFolders, type CreateFolderOptions, type FolderIntervals, type FolderOptions, type GridWhere, type MagicFolderEventDetails,
  type MagicFolderEventName, type MagicFolderEvents, type MagicFolderStatus, type MagicGrid, type FileVersion, type RestoreResult
} from '../magic-folder/index.js'
import type { JsonObject } from '../dirnode/index.js'
import type { DirsApi } from './dirs-api.js'
import type { ClubsApi, FilesApi } from './api.js'
import type { LafsLibp2p } from './libp2p.js'
import type { Logger, TypedEventTarget } from '@libp2p/interface'

export { MAGIC_FOLDER_EVENT_NAMES }
export type { MagicFolderStatus, FolderIntervals, CreateFolderOptions, FolderOptions, MagicFolderEvents, MagicFolderEventDetails, MagicFolderEventName, FileVersion, RestoreResult }

export interface MagicFoldersApi {
  /** Creates the folder's collective and this node's personal directory and starts syncing `localPath` (made if missing). */
  create: (name: string, localPath: string, opts?: CreateFolderOptions) => Promise<MagicFolderStatus>
  list: () => Promise<MagicFolderStatus[]>
  status: (name: string) => Promise<MagicFolderStatus>
  /** Changes how often the folder polls the others and scans the local folder; takes effect at once and is kept. */
  setIntervals: (name: string, intervals: Partial<FolderIntervals>) => Promise<MagicFolderStatus>
  /** Stops syncing and forgets the folder (local files and grid data stay). */
  remove: (name: string) => Promise<void>
  /** Admin only: adds a participant and answers the one-line code that lets it join (hand it over privately, once). */
  invite: (name: string, participant: string) => Promise<{ code: string, participant: string }>
  /** Joins a folder with an invite code, syncing it into `localPath` under the local name `name`. */
  join: (code: string, name: string, localPath: string, opts?: FolderOptions) => Promise<MagicFolderStatus>
  /**
   * What happens in every folder, as it happens: `events.addEventListener('upload-done', e => e.detail.relpath)`.
   * Names and payloads: src/magic-folder/events.ts (no caps in them).
   */
  readonly events: TypedEventTarget<MagicFolderEvents>
  /** The versions of a file (relative path in the folder), newest first, from the snapshot history. */
  history: (name: string, relpath: string) => Promise<FileVersion[]>
  /** Writes a version (default: the newest that is not a deletion) back into the local folder; it syncs to the others as a new change. */
  restore: (name: string, relpath: string, opts?: { version?: number }) => Promise<RestoreResult>
}

export interface MagicFoldersInit {
  files: FilesApi
  dirs: DirsApi
  clubs: Pick<ClubsApi, 'list' | 'join' | 'invite' | 'defaultClub'>
  libp2p: LafsLibp2p
  /** Where folders.json and the state files go (private: they hold write caps). */
  dir: string
  log: Logger
}

/** The folder's grid: every read and write through its servers, else its club (else the node's default). */
export function gridOver (files: FilesApi, dirs: DirsApi, where: GridWhere): MagicGrid {
  const hinted = (cap: string): string => where.club !== undefined && !cap.includes('@') && !cap.startsWith('URI:LIT:') ? `${cap}@${where.club}` : cap
  const opts = (signal?: AbortSignal): { servers?: string[], club?: string, signal?: AbortSignal } => ({ servers: where.servers, club: where.club, signal })
  return {
    upload: async (data, signal) => (await files.put(data, opts(signal))).cap,
    read: async (cap, signal) => await files.get(hinted(cap), { servers: where.servers, signal }),
    cat: (cap, signal) => files.cat(hinted(cap), { servers: where.servers, signal }),
    mkdirImmutable: async (children, signal) => (await dirs.mkdir({
      ...opts(signal), immutable: true, children: Object.fromEntries(Object.entries(children).map(([k, v]) => [k, { readCap: v.cap, metadata: v.metadata as JsonObject | undefined }]))
    })).cap,
    mkdirMutable: async (children, signal) => {
      const made = await dirs.mkdir({ ...opts(signal), children })
      return { writeCap: made.cap, readCap: made.readCap }
    },
    list: async (dircap, signal) => (await dirs.list(dircap, '', opts(signal))).children.map(c => {
      const { tahoe: _t, ...metadata } = c.metadata
      return { name: c.name, readCap: c.readCap ?? c.writeCap ?? '', type: c.type, metadata }
    }),
    version: async (dircap, signal) => {
      const v = await dirs.version(dircap, opts(signal))
      return v === undefined ? undefined : `${v.seqnum}:${v.roothash}`
    },
    linkMany: async (dircap, children, signal) => { await dirs.linkMany(dircap, '', children, { ...opts(signal), replace: true }) }
  }
}

export async function startMagicFolders (init: MagicFoldersInit): Promise<{ api: MagicFoldersApi, stop: () => Promise<void> }> {
  const { libp2p } = init
  const folders = await MagicFolders.open({
    dir: init.dir,
    gridFor: where => gridOver(init.files, init.dirs, where),
    defaultParticipant: `node-${libp2p.peerId.toString().slice(-8)}`,
    ownAddrs: () => libp2p.getMultiaddrs().map(ma => ma.toString()),
    defaultClub: () => init.clubs.defaultClub,
    clubInvite: async clubId => (await init.clubs.invite(clubId)).invite,
    joinClub: async (clubId, invite) => {
      if ((await init.clubs.list()).some(c => c.clubId === clubId)) return
      await init.clubs.join(invite ?? clubId)
    },
    connect: async addrs => {
      await Promise.any(addrs.map(async a => await libp2p.dial(multiaddr(a), { signal: AbortSignal.timeout(10_000) })))
    },
    log: init.log
  })
  const api: MagicFoldersApi = {
    create: async (name, localPath, opts) => await folders.create(name, localPath, opts),
    list: async () => folders.list(),
    status: async name => folders.status(name),
    setIntervals: async (name, iv) => await folders.setIntervals(name, iv),
    remove: async name => { await folders.remove(name) },
    invite: async (name, participant) => await folders.invite(name, participant),
    join: async (code, name, localPath, opts) => await folders.join(code, name, localPath, opts),
    get events () { return folders.events },
    history: async (name, relpath) => await folders.history(name, relpath),
    restore: async (name, relpath, opts) => await folders.restore(name, relpath, opts)
  }
  return { api, stop: async () => { await folders.stop() } }
}

/** `<dataDir>/private/magic-folders/`: the folders' caps and sync state. */
export function magicFoldersDir (privateDir: string): string {
  return join(privateDir, 'magic-folders')
}
