/**
 * The shapes of the node's settings (config.json after defaults are applied)
 * and of the deep-partial input it is merged from. The defaults, validation
 * and merging are in config.ts; the reference for users is docs/config.md.
 */
/** One way a storage server accepts new users, shown to clients by the account protocol. */
export interface PaymentMethodConfig {
  /** Short name, e.g. "invitation" or "liberapay". */
  name: string
  /** Where the user goes to pay or ask (https:, mailto:, …). */
  url: string
  /** One or two sentences for a human: what they get and how. */
  explanation: string
}

export interface DhtConfig {
  /** Kademlia protocol id. Default `/ipfs/kad/1.0.0` joins the public IPFS DHT. */
  protocol: string
  /**
   * `server` answers DHT queries from the start; `client` only asks;
   * `auto` lets kad-dht switch to server once a public address is confirmed
   * (in LAN mode, where that never happens, `auto` means server).
   */
  clientMode: 'auto' | 'client' | 'server'
  /**
   * Keep private and loopback addresses in the routing table (for a LAN grid or
   * tests) instead of dropping them as the public DHT does. `auto`: on when
   * every listen address is loopback or private.
   */
  lan: 'auto' | boolean
}

export interface StorageConfig {
  /** Run a storage server that keeps other people's shares. Default true. */
  enabled: boolean
  /** Most bytes of shares this node keeps; null = bounded only by free disk space. File form may be "50GB". */
  capacity: number | null
  /** Bytes an account (client key) may store without an invitation. Default 1 GiB. */
  freeQuota: number
  /** How long a lease lasts after it is added or renewed, in days. Default 31, as Tahoe. */
  leaseDays: number
  /** Ways a user can get more than the free quota, shown by `account terms`. */
  paymentMethods: PaymentMethodConfig[]
  /** Have-share answers that report a share name the clubs whose roster lists this server. Default true. */
  nameClubs: boolean
  /** What a user must do to get an invitation, shown by `account terms`. */
  invitationExplanation: string
  // Limits against hostile peers (docs/config.md gives each default's reason).
  /** Uploads in progress on the whole server. Default 8192. */
  maxUploads: number
  /** Uploads in progress per free (anonymous) account. Default 256. */
  freeMaxUploads: number
  /** Uploads in progress per granted account. Default 4096. */
  grantedMaxUploads: number
  /** Shares (stored plus in progress) per free account. Default 20,000. */
  freeMaxShares: number
  /** Shares per granted account. Default 2,000,000. */
  grantedMaxShares: number
  /** Storage indexes per free account. Default 10,000. */
  freeMaxStorageIndexes: number
  /** Storage indexes per granted account. Default 1,000,000. */
  grantedMaxStorageIndexes: number
  /** Bytes all free accounts together may use; null = half of capacity, or of the free disk at start. */
  freeBudget: number | null
  /** Uploads in progress of all free accounts together. Default 2048. */
  freeMaxReservations: number
  /** An upload nothing was written to is dropped this long after its allocation. Default 120. */
  reservationTimeoutSeconds: number
  /** An account's uploads are dropped this long after its last connection closed. Default 300. */
  disconnectGraceSeconds: number
  /** Standing corruption advisories kept per reporter. Default 100. */
  advisoriesPerReporter: number
  /** Corruption advisories kept in all (oldest dropped first). Default 10,000. */
  maxAdvisories: number
  /** Corruption advisories are deleted after this many days. Default 30. */
  advisoryRetentionDays: number
  /** Corruption advisories one reporter may send per minute. Default 20. */
  advisoriesPerMinute: number
  /** Bytes of received storage requests held in memory by all sessions together. Default 64 MiB. File form may be "64MiB". */
  writeBudget: number
  /** Bytes of that budget one storage session may hold. Default 5 MiB. */
  sessionWriteBudget: number
  /** Storage sessions (protocol streams) one connection may have open. Default 4. */
  sessionsPerConnection: number
}

export interface GatewayConfig {
  /** Serve the HTTP gateway and status page. Default true. */
  enabled: boolean
  /** Interface to listen on. Default 127.0.0.1; anything else exposes the gateway to the network. */
  host: string
  /** TCP port. Default 3456, as Tahoe's web API. 0 picks a free port. */
  port: number
  /**
   * Serve active content (HTML, SVG, XML, JavaScript) from /uri inline instead
   * of as a download. Default false: a cap anyone can make would otherwise run
   * a page next to the gateway (sandboxed by CSP either way).
   */
  inlineActiveContent: boolean
}

export interface RelayConfig {
  /** Use circuit relays to be reachable from behind NAT (and dial relayed peers). Default true. */
  client: boolean
  /** Act as a relay for others: true, false, or `auto` = once this node's public address is confirmed. */
  server: 'auto' | boolean
  /**
   * Whose relayed connections go without limit when this node relays:
   * `club-members` (default) = the servers on the rosters of the clubs this
   * node owns, serves or joined; `all`; `none` (everyone gets the limit below).
   */
  unlimitedFor: 'club-members' | 'all' | 'none'
  /** Most reservations this relay holds at once. Default 64 (libp2p's own default is 15). */
  maxReservations: number
  /** Bytes per second all relayed connections together may carry; null (default) = no cap. File form may be "5MB". */
  maxRelayedBytesPerSecond: number | null
  /** Data limit of a relayed connection that is not unlimited. Default 131072 (libp2p's 128 KiB). */
  limitedDataBytes: number
  /** Duration limit of a relayed connection that is not unlimited. Default 120 (libp2p's 2 minutes). */
  limitedDurationSeconds: number
}

export interface NatConfig {
  /** Ask the home router for a port mapping with UPnP/NAT-PMP. Default true; never on a loopback-only node. */
  upnp: boolean
  /** Ask peers to dial back to confirm which addresses are public (AutoNAT). Default true. */
  autonat: boolean
}

export interface NetworkConfig {
  /**
   * CIDR blocks treated as public addresses (e.g. `["11.0.0.0/8"]`), for a
   * network lab that plays the internet with addresses of its own. Default []:
   * a normal node judges addresses as libp2p does.
   */
  publicRanges: string[]
  /**
   * Secure channels this node speaks, most preferred first (each one at most
   * once). libp2p negotiates: a dialler proposes them in this order and the
   * listener takes the first it also speaks. Default `["noise", "tls"]`.
   */
  secureChannels: SecureChannel[]
}

export const SECURE_CHANNELS = ['tls', 'noise'] as const
export type SecureChannel = typeof SECURE_CHANNELS[number]

export interface ClubsConfig {
  /**
   * How often the node re-signs the rosters of clubs it owns and re-puts the
   * owner's signed roster of clubs it joined or serves, so the club stays
   * resolvable while its owner is away. Default 43200 (12 h): four chances
   * within kad-dht's fixed 48 h record lifetime.
   */
  republishIntervalSeconds: number
}

export interface RepairConfig {
  /**
   * Seconds between self-repair passes (lease renewal, health check, verify
   * sample, repair) over the files this node uploaded or keeps. Default 21600
   * (6 h); 0 = passes only when asked (`lafs-club keep --now`).
   */
  intervalSeconds: number
  /** Files one pass checks beyond those whose leases are due (least recently checked first). Default 1000. */
  maxChecksPerPass: number
  /** Bytes of shares one pass may download to verify a sample of files (least recently verified first). Default 64 MiB; 0 = no verify. File form may be "64MiB". */
  verifyBytesPerPass: number
  /** Pace of repairs (one at a time; each charged size × N / k bytes before it starts). Default 1 MiB/s; 0 = no pacing. File form may be "1MiB". */
  maxBytesPerSecond: number
}

export interface ConnectionsConfig {
  /** Most open connections; above it the least useful are closed. Default 100, gentle on home routers. */
  maxConnections: number
  /** Most inbound connections still in their handshake. Default 10. */
  maxIncomingPending: number
  /** New inbound connections accepted per second from one IP address. Default 5. */
  inboundPerHostPerSecond: number
  /** Multiaddr prefixes (e.g. `/ip4/10.0.0.0/ipcidr/8`) exempt from the limits above. */
  allow: string[]
  /** Multiaddr prefixes never connected to. */
  deny: string[]
}

export interface ClientConfig {
  /** Shares needed to read a file (Tahoe's `shares.needed`). Default 3. */
  k: number
  /** Distinct servers an upload must reach to succeed (`shares.happy`). Default 7. */
  happy: number
  /** Shares made per file (`shares.total`). Default 10. */
  n: number
  /** Bytes per encrypted segment. Default 1 MiB (131072 × 8), as Tahoe. */
  maxSegmentSize: number
  /**
   * The club uploads go through when none is named, and the club asked first
   * for a cap without a hint. `club join` (and `club create`) set it when it is
   * still null; null = upload to the storage servers this node is connected to.
   */
  club: string | null
  /**
   * Spread a download's segments over every server holding a distinct share,
   * k per segment by measured throughput (true), or read the same k shares
   * throughout (false). Default true.
   */
  spreadDownloads: boolean
  /**
   * The upload helper `put` uses when none is named: a multiaddr ending in
   * /p2p/<peer id>, `"club"` for the first helper the default club's roster
   * lists, or null (default) to upload directly.
   */
  helper: string | null
}

/** The upload helper this node offers (src/helper, /lafs-club/helper/1.0.0). */
export interface HelperConfig {
  /** Serve uploads for other nodes: take their crypttext, encode it and place the shares. Default false. */
  enabled: boolean
  /** Crypttext held for uploads in progress, all clients together. Default 10 GiB. */
  spoolBytes: number
  /** Of that, what one client (peer ID) may hold. Default 2 GiB. */
  clientSpoolBytes: number
  /** Uploads receiving or placing at once; more are told to come back later. Default 8. */
  maxUploads: number
  /** A partial upload nobody resumed for this long is deleted. Default 86400 (a day). */
  partialExpirySeconds: number
  /** Peer IDs allowed to upload through this helper; null (default) lets anyone (who then spends this node's uplink and account). */
  clients: string[] | null
}

/** The node's settings, after defaults are applied. */
export interface NodeConfig {
  /** Multiaddrs to listen on. Default TCP 4001 and WebSockets 4002 on every interface. */
  listen: string[]
  /** Multiaddrs to tell peers instead of the ones observed (e.g. a VPS's public address); [] = automatic. */
  announce: string[]
  /** Peers dialled at start to join the DHT, each with /p2p/<peer id>. Default: the public IPFS bootstrap peers. */
  bootstrap: string[]
  dht: DhtConfig
  storage: StorageConfig
  gateway: GatewayConfig
  relay: RelayConfig
  nat: NatConfig
  network: NetworkConfig
  clubs: ClubsConfig
  repair: RepairConfig
  connections: ConnectionsConfig
  client: ClientConfig
  tor: TorConfig
  helper: HelperConfig
  /** File holding the convergence secret, relative to the data folder. Default `private/convergence`. */
  convergenceSecretFile: string
}

/** A deep-partial config, as found in config.json or passed to createNode. */
export type ConfigInput = {
  [K in keyof NodeConfig]?: NodeConfig[K] extends any[] ? NodeConfig[K]
    : NodeConfig[K] extends object ? { [J in keyof NodeConfig[K]]?: NodeConfig[K][J] | (J extends 'capacity' | 'freeQuota' | 'freeBudget' | 'writeBudget' | 'sessionWriteBudget' | 'verifyBytesPerPass' | 'maxBytesPerSecond' | 'spoolBytes' | 'clientSpoolBytes' ? string : never) }
      : NodeConfig[K]
}

/**
 * Tor (docs/config.md, "tor"; docs/cli.md, "Tor"). Tor is in use when
 * `launch` is true or `controlPort` is set; never both.
 */
export interface TorConfig {
  /** Launch our own tor, with its files under `private/tor/`, stopped with the node. Default false. */
  launch: boolean
  /** Use a running tor through its control port instead: `unix:/run/tor/control`, `/path`, `host:port` or a port on 127.0.0.1. Default null. */
  controlPort: string | null
  /** The tor binary `launch` runs: a name looked up in PATH, or a path. Default `tor`. */
  executable: string
  /** More torrc lines for the launched tor (a private test network's `TestingTorNetwork 1`, `DirAuthority …`, bridges). Default []. */
  extraConfig: string[]
  /** Publish an onion service and listen on it (`/onion3/<address>:<onionPort>`); its key is kept in `private/tor/onion-<port>.key`. Default false. */
  listenOnion: boolean
  /** The onion service's port (part of the address peers dial). Default 4001. */
  onionPort: number
  /**
   * Tahoe's `reveal-IP-address = false`: no direct connection at all (every
   * dial through tor, no DNS lookups of our own), no listening except on
   * loopback and the onion service, DHT client only, no UPnP, AutoNAT,
   * relaying or hole punching. A config that would leak is refused. Default false.
   */
  hideIp: boolean
  /** How long tor may take to reach 100% bootstrap before the node warns (with tor's last log lines). Default 300. */
  bootstrapTimeoutSeconds: number
}
