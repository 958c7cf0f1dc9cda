/**
 * What the gateway needs from a node. The gateway is written against this
 * small interface rather than LafsNode so that it does not care which layer
 * provides each operation; `backendFromNode` (node-backend.ts) fills it from a
 * running node and answers NotSupportedError (HTTP 501) for what the node
 * cannot do yet.
 */

export interface BackendPutOptions {
  /** Club ID to upload through (its roster gives the servers; it becomes the cap's hint). */
  club?: string
  /** Server multiaddrs (with /p2p/) to upload to instead of a club's roster. */
  servers?: string[]
  signal?: AbortSignal
  onProgress?: (p: TransferPhase) => void
}

/** Progress the node reports while it works on a transfer. */
export interface TransferPhase {
  phase: string
  bytesDone: number
  bytesTotal: number
}

export interface BackendCatOptions {
  /** First plaintext byte wanted (default 0). */
  offset?: number
  /** Bytes wanted from `offset` (default: to the end). */
  length?: number
  /** Servers to ask first (multiaddrs with /p2p/). */
  servers?: string[]
  signal?: AbortSignal
  onProgress?: (p: TransferPhase) => void
}

export interface BackendCheckOptions {
  verify?: boolean
  repair?: boolean
  servers?: string[]
  signal?: AbortSignal
}

/** One connected peer as the status page shows it. */
export interface PeerStatus {
  peerId: string
  /** Remote addresses of the open connections. */
  addresses: string[]
  /** `relayed` when every connection goes through a circuit relay (limited), else `direct`. */
  connection: 'direct' | 'relayed'
  direction: 'inbound' | 'outbound'
  /** The peer speaks the lafs-club storage protocol. */
  storageServer: boolean
}

export interface ClubStatus {
  clubId: string
  name: string
  description: string
  policy: string
  /** Roster sequence number (as a decimal string: IPNS sequences are 64-bit). */
  sequence: string
  /** ms since the epoch when the cached roster record stops being valid. */
  expiresAt: number
  owned: boolean
  servers: Array<{ peerId: string, multiaddrs: string[], capacity?: number }>
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
  cap: string
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

/** Everything about the node the status page and metrics need, read at once. */
export interface NodeSnapshot {
  peerId: string
  multiaddrs: string[]
  peers: PeerStatus[]
  /** Shares of happiness an upload needs (config client.happy). */
  happy: number
  /** Connected peers that serve storage. */
  storageServersConnected: number
  /** At least `happy` storage servers are reachable: an upload can succeed. */
  uploadReady: boolean
  /** null when this node runs no storage server. */
  storage: StorageStatus | null
  accounts: AccountStatus[]
  /** null when this node runs no storage server (nothing to announce). */
  reprovide: ReprovideStatus | null
  corruption: CorruptionAdvisory[]
  leasesExpiringSoon: LeaseWarning[]
  /** Uploads this node keeps leases for. */
  leasesHeld: number
  /** null when the node has no club support yet. */
  clubs: ClubStatus[] | null
  bootstrap: { configured: number, connected: number, alone: boolean } | null
}

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

export interface ClubsBackend {
  list: () => Promise<ClubStatus[]>
  show: (clubId: string, opts?: { refresh?: boolean }) => Promise<ClubStatus>
  create: (opts: { name: string, description?: string, policy?: 'open' | 'invitation', servers?: string[] }) => Promise<ClubStatus>
  /** Adds a server by multiaddr with /p2p/ (or bare peer ID known to the peer store). */
  add: (clubId: string, server: string) => Promise<ClubStatus>
  remove: (clubId: string, peerId: string) => Promise<ClubStatus>
  publish: (clubId: string) => Promise<ClubStatus>
  /** Join as a user, by club ID or invite. */
  join: (clubIdOrInvite: string) => Promise<ClubStatus>
  /** An invite string carrying the club ID and this node's addresses. */
  invite: (clubId: string) => Promise<{ invite: string }>
}

export interface GatewayBackend {
  readonly peerId: string
  put: (data: AsyncIterable<Uint8Array>, opts: BackendPutOptions) => Promise<{ cap: string, hintedCap?: string }>
  /** Streams plaintext; throws (on first iteration at the latest) when the file cannot be found. */
  cat: (cap: string, opts: BackendCatOptions) => AsyncIterable<Uint8Array>
  check: (cap: string, opts: BackendCheckOptions) => Promise<unknown>
  /** Where the shares of a cap are and how they were found (the locate planner's explanation). */
  locate: (cap: string, opts: { signal?: AbortSignal }) => Promise<unknown>
  clubs: ClubsBackend
  /** An invitation code for this node's own storage server. */
  createInvitation: (opts: { quota: number, note?: string }) => Promise<{ code: string, quota: number }>
  /** Redeems a code at one server (multiaddr) or, without `server`, at every connected storage server. */
  redeemInvitation: (code: string, server?: string) => Promise<Array<ServerAnswer<{ quota: number }>>>
  accountUsage: (server?: string) => Promise<Array<ServerAnswer<Usage>>>
  accountTerms: (server?: string) => Promise<Array<ServerAnswer<Terms>>>
  gc: () => Promise<{ deletedShares: number, freedBytes: number }>
  snapshot: () => Promise<NodeSnapshot>
}
