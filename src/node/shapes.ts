/**
 * The JSON shapes of the node's door: what `node.clubs`, `node.accounts` and
 * `node.admin` answer, what the gateway sends and what the CLI reads. Typed
 * once here so the three cannot drift apart.
 */
import type { RepairStats } from './self-repair-types.js'
import type { ServerRecord } from '../client/index.js'

/** One connected peer as the status page shows it. */
export interface PeerStatus {
  peerId: string
  /** Remote addresses of the open connections. */
  addresses: string[]
  /**
   * `relayed` when every connection goes through a circuit relay; `hole-punched`
   * when the best one is a direct connection DCUtR upgraded from a relayed one;
   * else `direct`.
   */
  connection: 'direct' | 'hole-punched' | 'relayed'
  /** The relay's peer ID, for a relayed peer. */
  via?: string
  direction: 'inbound' | 'outbound'
  /** The peer speaks the lafs-club storage protocol. */
  storageServer: boolean
}

export interface ClubServerStatus {
  peerId: string
  multiaddrs: string[]
  capacity?: number
}

export interface ClubStatus {
  clubId: string
  name: string
  description: string
  policy: 'open' | 'invitation'
  /** Roster sequence number (as a decimal string: IPNS sequences are 64-bit). */
  sequence: string
  /** ms since the epoch when the cached roster record stops being valid. */
  expiresAt: number
  owned: boolean
  /** This is the node's default club (config `client.club`). */
  isDefault: boolean
  servers: ClubServerStatus[]
  /** A local club (created with --local): loopback and private addresses may be listed. */
  local: boolean
  /** The owner's node, where join and leave requests go; null in rosters signed before owners were named. */
  owner: { peerId: string, multiaddrs: string[] } | null
  /** Upload helpers the roster lists (absent when none). */
  helpers?: Array<{ peerId: string, multiaddrs: string[] }>
}

/** What `club join` answers: the club, and with `serve` what the owner said about this node as a server. */
export interface ClubJoinResult extends ClubStatus {
  server?: {
    /** accepted: listed now; pending: an invitation-only club's owner decides later. */
    status: 'accepted' | 'pending'
    /** The roster sequence that lists this node, when accepted. */
    sequence?: number
  }
}

/** What `club leave` answers. */
export interface ClubLeaveResult {
  clubId: string
  /** This node was on the roster as a server and asked the owner to remove it. */
  wasServer: boolean
  /** The owner confirmed the removal. */
  removed: boolean
  /** Why the removal was not confirmed (the membership is forgotten anyway). */
  detail?: string
  /** It was the default club, which is now unset. */
  wasDefault: boolean
}

export interface JoinRequestStatus {
  clubId: string
  peerId: string
  multiaddrs: string[]
  /** ms since the epoch. */
  at: number
  capacity?: number
  note?: string
}

/** An owned club whose roster stops being valid soon: republish it (`lafs-club club publish`) before then. */
export interface ClubExpiryWarning {
  clubId: string
  name: string
  /** ms since the epoch. */
  expiresAt: number
}

export interface StorageStatus {
  shares: number
  bytes: number
  /** Bytes this node offers; null when only free disk space bounds it. */
  capacity: number | null
  accounts: number
  /** Uploads into this server in progress. */
  incoming: number
}

export interface AccountStatus {
  account: string
  bytes: number
  shares: number
  quota: number
}

export interface CorruptionAdvisory {
  storageIndex: string
  shareNumber: number
  reason: string
  reportedBy: string
  at: number
}

export interface LeaseWarning {
  /** Absent in `/status?t=json` answered without the API token (a cap is a read capability). */
  cap?: string
  storageIndex: string
  expiresAt: number
  club?: string
  lastError?: string
}

export interface ReprovideStatus {
  backlog: number
  announced: number
  failed: number
  rounds: number
}

export interface BootstrapStatus {
  configured: number
  connected: number
  alone: boolean
}

/** How others reach this node (src/node/reachability.ts). */
export interface ReachabilityStatus {
  /** public: a verified public address; upnp: a router-mapped one; relayed: behind NAT via `relays`; unknown: none yet. */
  kind: 'public' | 'upnp' | 'relayed' | 'unknown'
  publicAddrs: string[]
  /** Peer IDs of the relays this node holds a reservation with. */
  relays: string[]
}

/** This node as a circuit relay for others (config `relay`). */
export interface RelayServerStatus {
  /** Relaying now (`relay.server: "auto"` waits for a verified public address). */
  serving: boolean
  /** Reservations held, and how many of them are unlimited (club members, or everyone with `unlimitedFor: "all"`). */
  reservations: number
  unlimited: number
  /** Bytes relayed since start, both directions counted. */
  relayedBytes: number
}

/** Everything about the node the status page and metrics need, read at once. */
/** The upload helper this node offers (config helper.enabled). */
export interface HelperStatus {
  /** Uploads placed, and files found stored already, since the node started. */
  placed: number
  alreadyStored: number
  /** Bytes reserved by partial uploads, and the limits (config helper.spoolBytes, helper.clientSpoolBytes). */
  spoolBytes: number
  spoolLimit: number
  clientSpoolLimit: number
  /** Uploads in the spool, and those a stream is sending now. */
  partials: number
  active: number
  /** Crypttext received per client peer ID since the node started, most first (at most 50). */
  clients: Array<{ peerId: string, receivedBytes: number }>
}

export interface NodeSnapshot {
  peerId: string
  multiaddrs: string[]
  reachability: ReachabilityStatus
  /** null when this node never relays (`relay.server: false`). */
  relay: RelayServerStatus | null
  peers: PeerStatus[]
  /** Connections opened since the node started, by who dialled: churn here costs a handshake each. */
  connectionsOpened: { inbound: number, outbound: number }
  /** Since the node started: streams peers opened, by protocol, and kad-dht requests answered, by message type. */
  inbound: { streams: Record<string, number>, kad: Record<string, number> }
  /** Shares of happiness an upload needs (config client.happy). */
  happy: number
  /** Connected peers that serve storage. */
  storageServersConnected: number
  /** At least `happy` storage servers are reachable: an upload can succeed. */
  uploadReady: boolean
  /** The club uploads go through by default (config client.club), or null. */
  defaultClub: string | null
  /** null when this node runs no storage server. */
  storage: StorageStatus | null
  /** Present when this node offers an upload helper. */
  helper?: HelperStatus
  /** The accounts using the most bytes (at most 50). */
  accounts: AccountStatus[]
  /** Every account this storage server knows (0 without one). */
  accountsTotal: number
  /** null when this node runs no storage server (nothing to announce). */
  reprovide: ReprovideStatus | null
  /** The newest corruption advisories (at most 20). */
  corruption: CorruptionAdvisory[]
  /** Advisories kept in all (0 without a storage server). */
  corruptionTotal: number
  leasesExpiringSoon: LeaseWarning[]
  /** Uploads this node keeps leases for. */
  leasesHeld: number
  clubs: ClubStatus[]
  /** Servers asking to join invitation-only clubs this node owns, oldest first. */
  clubRequests: JoinRequestStatus[]
  /** Owned clubs whose roster's validity ends within 3 days. */
  clubsExpiringSoon: ClubExpiryWarning[]
  /** null until the bootstrap peers were tried. */
  bootstrap: BootstrapStatus | null
  /** What this node saw of storage servers: those on probation or with recent problems first (at most 50). */
  reputation: ServerReputationStatus[]
  /** Servers this node remembers in all, and how many of them are on probation in some club. */
  reputationTotal: number
  reputationOnProbation: number
  /** Self-repair counters since start and the newest repairs (files by storage index). */
  repair: RepairStats
  /** null when this node uses no Tor (config `tor`). */
  tor: TorNodeStatus | null
}

/** The node's tor, as the status page shows it. */
export interface TorNodeStatus {
  /** `launched`: our own tor under private/tor/; `attached`: a running tor's control port. */
  mode: 'launched' | 'attached'
  /** Tor-only mode (config `tor.hideIp`): no direct connections. */
  hideIp: boolean
  /** tor's control endpoint (`unix:<path>` or `host:port`). */
  control: string
  /** tor's SOCKS endpoint once used, else null. */
  socks: string | null
  version: string
  /** tor's bootstrap progress (100 = ready), its tag and summary, and a warning when it has trouble. */
  bootstrap: { progress: number, tag: string, summary: string, warning?: string }
  /** This node's onion listen addresses (`/onion3/<56 chars>:<port>`); [] without `tor.listenOnion`. */
  onionAddrs: string[]
  /** Why tor did not bootstrap in time, with its last log lines. */
  error?: string
}

/** One storage server as this node saw it (docs/architecture.md, "Server reputation"): the reputation record, with the uptime worked out and each probation explained. */
export interface ServerReputationStatus extends Omit<ServerRecord, 'probation'> {
  /** Successful contacts / all contacts this node made; null before any. */
  uptime: number | null
  /** Clubs ('' = no club) where it is not preferred until it passes verify checks. */
  probation: Array<{ club: string, kind: string, since: number, passes: number, needed: number, text: string }>
}

/** One server's answer to a question asked of several. */
export interface ServerAnswer<T> {
  /** The server's peer ID (or this node's, for local answers). */
  server: string
  result?: T
  error?: { code: string, message: string }
}

export interface Terms {
  freeQuota: number
  methods: Array<{ name: string, url?: string, explanation: string }>
}

export interface Usage {
  bytes: number
  shares: number
  leases: number
  quota: number
  reserved: number
}

/** An account the operator serves with the larger, granted limits (outside the free budget). */
export interface GrantedAccountStatus {
  /** The client's peer ID. */
  account: string
  quota: number
  note: string | null
  /** ms since the epoch; null for an account granted by an invitation before grants were recorded. */
  grantedAt: number | null
}

export interface Invitation {
  code: string
  quota: number
}

export interface GcResult {
  deletedShares: number
  freedBytes: number
}

/** Progress the node reports while it works on a transfer. */
export interface TransferPhase {
  phase: string
  bytesDone: number
  bytesTotal: number
}

/** A transfer through the gateway, as the status page lists it. */
export interface Transfer {
  id: number
  direction: 'upload' | 'download'
  /**
   * The cap being downloaded; for an upload, set once the upload finishes.
   * Absent in `/status?t=json` answered without the API token.
   */
  cap?: string
  /** The file's storage index (base32), once known; never for a literal cap, which has none. */
  storageIndex?: string
  /**
   * What is happening: `receiving` (an upload's body arriving), then the node's
   * phases (hashing, placing, uploading, locating, downloading).
   */
  phase: string
  bytesDone: number
  /** Known size, when the client sent Content-Length (uploads) or the cap says (downloads). */
  bytesTotal?: number
  /** ms since the epoch. */
  startedAt: number
}

export interface TransferTotals {
  uploadsStarted: number
  uploadsSucceeded: number
  uploadsFailed: number
  uploadBytes: number
  downloadsStarted: number
  downloadsSucceeded: number
  downloadsFailed: number
  downloadBytes: number
}

/** What `GET /status?t=json` answers and `lafs-club status` reads. */
export interface StatusJson extends NodeSnapshot {
  gateway: { url: string, startedAt: number, uptimeMs: number }
  transfers: Transfer[]
  totals: TransferTotals
}

/** What `GET /api/node` answers: enough for the CLI to know it found the right daemon. */
export interface NodeInfo {
  peerId: string
  multiaddrs: string[]
  gateway: StatusJson['gateway']
}

/** What `PUT /uri?t=json` answers. */
export interface PutAnswer {
  cap: string
  hintedCap: string | null
  /** Servers the upload skipped because of their reputation, and why (absent when none was). */
  skipped?: Array<{ peerId: string, reason: string }>
  /** Through an upload helper: which, whether the file was stored already, and the crypttext bytes sent to it. */
  helper?: { peerId: string, alreadyStored: boolean, sentBytes: number }
}
