/**
 * `LafsNode`, the one door above src/node/: what the CLI, the gateway and
 * embedding applications may use. Its parts are typed sub-APIs in the Helia
 * style (`node.files`, `node.clubs`, `node.accounts`, `node.admin`); the flat
 * methods of earlier versions (`node.put`, `node.clubAdd`, …) remain as aliases.
 */
import type { BootstrapReport } from './bootstrap.js'
import type { NodeConfig } from './config.js'
import type { LeaseBook } from './leases.js'
import type { LafsLibp2p, NetworkProfile } from './libp2p.js'
import type {
  ClubExpiryWarning, ClubJoinResult, ClubLeaveResult, ClubStatus, GcResult, GrantedAccountStatus, Invitation, JoinRequestStatus, NodeSnapshot, ReprovideStatus, ServerAnswer, Terms, TorNodeStatus, TransferPhase, Usage
} from './shapes.js'
import type { TorProvider } from '../tor/index.js'
import type { CheckReport, ReputationTable } from '../client/index.js'
import type { Roster, SignedRoster } from '../club/index.js'
import type { ProviderAnnouncer } from '../dht/index.js'
import type { LocatedServer, LocateExplain, LocateOptions, LocateResult } from '../routing/index.js'
import type { StorageServer } from '../storage/index.js'
import type { UploadHelper } from '../helper/index.js'
import type { FileCheckEvent, KeptFile, RepairPassReport, RepairStats } from './self-repair-types.js'
import type { DirsApi } from './dirs-api.js'
import type { MagicFoldersApi } from './magic-folders-api.js'

export interface PutOptions {
  /** Multiaddrs (with /p2p/) of the servers to upload to. */
  servers?: string[]
  /**
   * Club ID to upload through; also becomes the hint in `hintedCap`.
   * Default: the node's default club (config `client.club`), else the
   * storage servers it is connected to.
   */
  club?: string
  /**
   * Upload through this helper (multiaddr with /p2p/): the file's crypttext
   * is sent once and the helper places the shares. `"club"`: a helper the
   * club's roster lists. Default: config `client.helper` (null: direct).
   * Ignored when `servers` are named. A helper that cannot be reached fails
   * the put (ERR_HELPER_UNAVAILABLE); there is no silent direct upload.
   */
  helper?: string
  k?: number
  happy?: number
  n?: number
  signal?: AbortSignal
  onProgress?: (progress: TransferPhase) => void
}

export interface PutResult {
  cap: string
  /** The cap with `@<club id>` appended, when uploaded through a club. */
  hintedCap?: string
  size?: number
  /** Distinct servers holding shares (servers of happiness). */
  happiness?: number
  /** Servers the upload skipped because of their reputation (lost or lied about shares), and why. */
  skipped?: Array<{ peerId: string, reason: string }>
  /** Through a helper: which, whether the file was stored already, and the crypttext bytes sent. */
  helper?: { peerId: string, alreadyStored: boolean, sentBytes: number }
}

/** How a download found the shares it read: what `--explain` prints. */
export type DownloadExplain =
  /** A literal cap holds the file itself: nothing was asked of anyone. */
  | { way: 'literal' }
  /** The servers the caller named held enough shares: nothing was located. */
  | { way: 'servers', servers: LocatedServer[], ranking?: HolderRanking[] }
  /** The locate planner found them (DHT provider records or the club hint). */
  | { way: 'located', servers: LocatedServer[], explain: LocateExplain, ranking?: HolderRanking[] }

/** Where a holder went in the download's order and why (its reputation): tier 0 is read first, ties keep ring order. */
export interface HolderRanking {
  peerId: string
  tier: number
  note: string
}

export interface GetOptions {
  /** Servers to ask first (multiaddrs with /p2p/); otherwise the DHT or the cap's club hint. */
  servers?: string[]
  signal?: AbortSignal
  offset?: number
  length?: number
  onProgress?: (progress: TransferPhase) => void
  /** Told, once and before the first byte, how the shares were found (the locate this download really ran). */
  onExplain?: (explain: DownloadExplain) => void
}

export interface CheckOptions {
  verify?: boolean
  repair?: boolean
  /** Check on these servers only (multiaddrs with /p2p/). */
  servers?: string[]
  /**
   * The club the file belongs to (instead of the cap's hint or the default club):
   * only its roster is asked (not every connected server, nor the DHT, unless
   * the roster is empty), and with `repair` new CHK shares go only to its servers.
   */
  club?: string
  /** Servers to ask besides the ones found (multiaddrs with /p2p/): where the file was uploaded to. Ignored with `servers`. */
  alsoAsk?: string[]
  signal?: AbortSignal
}

/** Where a mutable-file operation runs, as for `put`; the cap's `@<clubId>` hint is used when no club is named. */
export interface MutableWriteOptions {
  servers?: string[]
  club?: string
  happy?: number
  signal?: AbortSignal
  /** `modify` only: attempts when other writers keep changing the file (default 5). */
  maxAttempts?: number
}

export interface CreateMutableOptions extends MutableWriteOptions {
  /** Tahoe's two mutable formats (default 'sdmf', as Tahoe's). */
  format?: 'sdmf' | 'mdmf'
  k?: number
  n?: number
}

export interface MutableCreated {
  /** The write cap (URI:SSK:… or URI:MDMF:…): whoever holds it can change the file. */
  cap: string
  readCap: string
  verifyCap: string
  /** The write cap with `@<club id>`, when created through a club. */
  hintedCap?: string
  format: 'sdmf' | 'mdmf'
  size: number
  seqnum: number
  happiness: number
}

export interface MutableWritten {
  /** The version now on the servers (unchanged when a modifier returned undefined). */
  seqnum: number
  changed: boolean
  happiness: number
  /** What the write cost: waves of parallel requests (an overwrite of a small file: 2) and requests sent. */
  roundTrips: number
  requests: number
}

/** Gets the current contents; returns the new ones, or undefined to leave the file unchanged. May run more than once (on collisions). */
export type MutableModifier = (current: Uint8Array, info: { seqnum: number, attempt: number }) => Uint8Array | undefined | Promise<Uint8Array | undefined>

export type NodeLocateOptions = Omit<LocateOptions, 'club'> & { club?: string }

/** Files: upload, download, check and locate by cap. */
export interface FilesApi {
  put: (data: Uint8Array | AsyncIterable<Uint8Array>, opts?: PutOptions) => Promise<PutResult>
  get: (cap: string, opts?: GetOptions) => Promise<Uint8Array>
  cat: (cap: string, opts?: GetOptions) => AsyncIterable<Uint8Array>
  /**
   * Tahoe-style check: counts the shares servers hold; `verify` downloads and
   * checks every block; `repair` regenerates missing or corrupt shares onto
   * servers that hold none.
   */
  check: (cap: string, opts?: CheckOptions) => Promise<CheckReport>
  /** Finds servers holding shares of a CHK cap: DHT provider records or the club hint, whichever is cheaper. */
  locate: (cap: string, opts?: NodeLocateOptions) => Promise<LocateResult>
  /**
   * Mutable files (Tahoe SDMF/MDMF). `get`, `cat` and `check` above take
   * their caps too (`get`/`cat`: the newest recoverable contents; `check`:
   * a MutableCheckReport, `repair` needs the write cap).
   */
  createMutable: (data: Uint8Array, opts?: CreateMutableOptions) => Promise<MutableCreated>
  /** Newest recoverable contents of a mutable file (or a range), with its seqnum. */
  read: (cap: string, opts?: GetOptions) => Promise<{ data: Uint8Array, seqnum: number }>
  /** Replaces the contents (servermap update then write: two round trips); fails with ERR_UNCOORDINATED_WRITE if another writer raced. */
  overwrite: (cap: string, data: Uint8Array, opts?: MutableWriteOptions) => Promise<MutableWritten>
  /** Read, apply `fn`, write; on a collision everything again (bounded). */
  modify: (cap: string, fn: MutableModifier, opts?: MutableWriteOptions) => Promise<MutableWritten>
  /**
   * A mutable file's newest recoverable version (seqnum, root hash in hex) from one servermap update
   * of small reads, without retrieving it: equal to a version seen before means unchanged. Undefined
   * when no version is recoverable.
   */
  version: (cap: string, opts?: { servers?: string[], club?: string, signal?: AbortSignal }) => Promise<{ seqnum: number, roothash: string } | undefined>
}

export interface CreateClubInput {
  name: string
  description?: string
  policy?: 'open' | 'invitation'
  /** First servers, multiaddrs ending in /p2p/<peer id>. */
  servers?: string[]
  /** A local club (demo, loopback, one LAN): invites and roster entries may carry loopback and private addresses. */
  local?: boolean
  /** How long each published roster stays valid: ms, or text such as `30d`, `36h`. Default 30 days. */
  valid?: number | string
}

export interface JoinClubOptions {
  signal?: AbortSignal
  /** Also ask to serve the club as a storage server (needs storage enabled). */
  serve?: boolean
  /** With `serve`: free text for the owner ("Alice's NAS"). */
  note?: string
}

/** Clubs this node owns, has joined or serves. Changes keep the club's servers connected. */
export interface ClubsApi {
  list: () => Promise<ClubStatus[]>
  /** The cached roster; `refresh` resolves the newest one from the DHT. */
  show: (clubId: string, opts?: { refresh?: boolean, signal?: AbortSignal }) => Promise<ClubStatus>
  create: (input: CreateClubInput) => Promise<ClubStatus>
  /** Adds a server (multiaddr ending in /p2p/<id>) to a club this node owns and publishes the next roster. */
  add: (clubId: string, server: string) => Promise<ClubStatus>
  /** Removes a server (peer ID or multiaddr) and publishes the next roster. */
  remove: (clubId: string, server: string) => Promise<ClubStatus>
  /** Replaces the upload helpers a club this node owns lists (multiaddrs with /p2p/; [] clears) and publishes the next roster. */
  setHelpers: (clubId: string, helpers: string[]) => Promise<ClubStatus>
  /** Publishes the roster again with the next sequence number. */
  publish: (clubId: string, opts?: { valid?: number | string }) => Promise<ClubStatus>
  /**
   * Joins as a user, by club ID or one-code invite: resolves, checks and keeps
   * the roster; becomes the default club when there is none. With `serve`, then
   * asks the owner (named in the roster; through a member when the owner cannot
   * be dialled) to list this node as a server: `server.status` says accepted or pending.
   */
  join: (clubIdOrInvite: string, opts?: JoinClubOptions) => Promise<ClubJoinResult>
  /**
   * Leaves a club: a server asks the owner to take it off the roster; the
   * membership is forgotten (no more re-puts, no kept connections) and the
   * default club unset if it was this one.
   */
  leave: (clubId: string, opts?: { signal?: AbortSignal }) => Promise<ClubLeaveResult>
  /** A one-code invite: the club ID plus this node's addresses to bootstrap from. */
  invite: (clubId: string) => Promise<{ invite: string }>
  /** Servers asking to join an invitation-only club this node owns (kept across restarts), oldest first. */
  requests: (clubId?: string) => JoinRequestStatus[]
  /** Lists a pending server after probing it on its listed addresses, and publishes. */
  approve: (clubId: string, peerId: string) => Promise<ClubStatus>
  /** Refuses a pending server; asking again gets the same answer. */
  deny: (clubId: string, peerId: string, reason?: string) => void
  /** `approve` */
  accept: (clubId: string, peerId: string) => Promise<ClubStatus>
  /** `deny` */
  refuse: (clubId: string, peerId: string, reason?: string) => void
  /** Owned clubs whose roster's validity ends within 3 days (the owner's node could not republish). */
  expiringSoon: () => Promise<ClubExpiryWarning[]>
  /** The roster as its owner signed it (with the IPNS record bytes): cached while valid, else resolved from the DHT. */
  signedRoster: (clubId: string, opts?: { signal?: AbortSignal }) => Promise<SignedRoster>
  /** The club uploads go through when none is named (config `client.club`), or null. */
  readonly defaultClub: string | null
  setDefault: (clubId: string | null) => Promise<void>
}

/** This node's accounts on storage servers, and the invitations its own server hands out. */
export interface AccountsApi {
  /** What servers accept. Without `server`: this node's own server and every connected storage server. */
  terms: (server?: string) => Promise<Array<ServerAnswer<Terms>>>
  /** This node's usage on one server, or on every connected storage server. */
  usage: (server?: string) => Promise<Array<ServerAnswer<Usage>>>
  /** Redeems an invitation code at one server, or at every connected storage server. */
  redeem: (code: string, server?: string) => Promise<Array<ServerAnswer<{ quota: number }>>>
  /** A single-use code that raises an account's quota on this node's own storage server. */
  createInvitation: (opts: { quota: number, note?: string }) => Promise<Invitation>
  /** Serves a client key (a friend, a club's helper) on this node's storage server with the granted limits and this quota. */
  grant: (peerId: string, opts: { quota: number, note?: string }) => Promise<GrantedAccountStatus>
  /** Returns a granted account to the free limits; false when it was not granted. */
  revoke: (peerId: string) => Promise<{ revoked: boolean }>
  /** Accounts granted on this node's storage server, newest first. */
  list: (opts?: { limit?: number, offset?: number }) => Promise<{ total: number, accounts: GrantedAccountStatus[] }>
}

/**
 * Self-repair: the files this node looks after (its uploads and the caps it
 * keeps for others) are checked, renewed and repaired on a schedule
 * (config `repair`). Files are listed by storage index: a cap given to `keep`
 * is never shown, logged or published again.
 */
export interface RepairApi {
  /** Adopts caps (hinted with `@<club id>` or not): this node renews their leases and repairs them from now on. */
  keep: (caps: string | string[]) => Promise<KeptFile[]>
  /** Files kept with `keep`; `all` adds the ones this node uploaded. */
  kept: (opts?: { all?: boolean }) => Promise<KeptFile[]>
  /** Stops keeping a cap (by cap or storage index); this node's own uploads are still looked after. */
  unkeep: (capOrStorageIndex: string) => Promise<{ removed: number }>
  /** Runs a pass now (checks, verify sample, renewals, repairs) and resolves with what it did. */
  runNow: () => Promise<RepairPassReport>
  /** Counters since start and the newest repairs. */
  stats: () => RepairStats
  /** Called after every check of a file (reputation's input); returns the removal. */
  onCheck: (listener: (event: FileCheckEvent) => void) => () => void
}

/** The node's tor: its state, and the provider below for embedders and tests. */
export interface TorApi {
  status: () => Promise<TorNodeStatus>
  /** Resolves true once tor reports 100% bootstrap, false when it did not within `tor.bootstrapTimeoutSeconds` or the node stopped. Never rejects. */
  readonly bootstrapped: Promise<boolean>
  /** This node's onion listen addresses (`/onion3/<address>:<port>`), known from the start. */
  readonly onionAddrs: string[]
  /** The Tor provider itself (control connection, SOCKS endpoint, log tail). */
  readonly provider: TorProvider
}

/** Running the node: garbage collection and what the status page shows. */
export interface AdminApi {
  /** Deletes shares whose leases have all expired, now. */
  gc: () => Promise<GcResult>
  /** Announces every storage index this node holds in the DHT now; resolves once the announcements are done. */
  reprovide: () => Promise<ReprovideStatus>
  /** Peers, storage, accounts, clubs, leases and warnings, read at once. */
  status: () => Promise<NodeSnapshot>
}

export interface LafsNode {
  /** This node's peer ID (base58btc, `12D3KooW…`). */
  readonly peerId: string
  /** The addresses this node can be dialled on right now, each ending in /p2p/<peerId>. */
  readonly multiaddrs: string[]
  /** The effective config: file, then `options.config`, then the option shortcuts. */
  readonly config: NodeConfig
  readonly dataDir: string
  readonly profile: NetworkProfile
  /** Settles once the bootstrap peers were tried; `alone` when none answered. Never rejects. */
  readonly bootstrapped: Promise<BootstrapReport>
  readonly stopped: boolean

  readonly files: FilesApi
  /** Tahoe directories: mkdir, list, link, unlink, move, put a file at a path. */
  readonly dirs: DirsApi
  /** Magic folders: local folders kept in sync with other participants through the grid. */
  readonly magicFolders: MagicFoldersApi
  readonly clubs: ClubsApi
  readonly accounts: AccountsApi
  readonly admin: AdminApi
  /** Self-repair and `keep`. */
  readonly repair: RepairApi
  /** The node's tor (config `tor`), or null when it uses none. */
  readonly tor: TorApi | null

  /**
   * The parts below the door, as Helia exposes `helia.libp2p`: for embedders
   * and tests that need a lower layer. The CLI and the gateway never use them.
   */
  readonly libp2p: LafsLibp2p
  /** This node's storage server, when storage is enabled. */
  readonly storage?: StorageServer
  /** Keeps provider records for the storage indexes this node holds, when storage is enabled. */
  readonly announcer?: ProviderAnnouncer
  /** The upload helper this node offers, when `helper.enabled` (its stats: uploads placed, bytes received, spool). */
  readonly helper?: UploadHelper
  /** The caps this node uploaded and their lease expiry. */
  readonly leases: LeaseBook
  /**
   * What this node saw of each storage server (persisted): downloads prefer
   * good holders, uploads skip servers on probation. Checks run outside
   * `files.check` feed it with `reputation.checked(…)`.
   */
  readonly reputation: ReputationTable

  /** `files.put` */
  put: (data: Uint8Array | AsyncIterable<Uint8Array>, opts?: PutOptions) => Promise<PutResult>
  /** `files.get` */
  get: (cap: string, opts?: GetOptions) => Promise<Uint8Array>
  /** `files.cat` */
  cat: (cap: string, opts?: GetOptions) => AsyncIterable<Uint8Array>
  /** `files.locate` */
  locate: (cap: string, opts?: NodeLocateOptions) => Promise<LocateResult>
  /** `files.check` */
  check: (cap: string, opts?: CheckOptions) => Promise<CheckReport>
  /** `repair.keep` */
  keep: (caps: string | string[]) => Promise<KeptFile[]>
  /** `repair.kept` */
  kept: (opts?: { all?: boolean }) => Promise<KeptFile[]>
  /** `repair.unkeep` */
  unkeep: (capOrStorageIndex: string) => Promise<{ removed: number }>
  /** `clubs.create`, resolving to the club ID. */
  createClub: (opts: { name: string, description?: string, policy?: 'open' | 'invitation' }) => Promise<string>
  /** `clubs.add`, resolving to the new roster. */
  clubAdd: (clubId: string, serverMultiaddr: string) => Promise<Roster>
  /** `clubs.remove`, resolving to the new roster. */
  clubRemove: (clubId: string, peerId: string) => Promise<Roster>
  /** `clubs.publish`, resolving to the roster. */
  clubPublish: (clubId: string) => Promise<Roster>
  /** `clubs.join`, resolving to the roster. */
  joinClub: (clubIdOrInvite: string) => Promise<Roster>
  /** Stops transfers, libp2p, the storage server and the datastore, in that order. Safe to call twice. */
  stop: () => Promise<void>
}
