/** The locate planner's shapes: what it is asked, what it answers, what it needs. */
import type { ClubManager } from '../club/index.js'
import type { KadDHT } from '../dht/index.js'
import type { StreamOpener } from '../protocols/index.js'
import type { ComponentLogger, PeerId } from '@libp2p/interface'

/** A server and the share numbers it said it holds. */
export interface LocatedServer {
  peerId: string
  multiaddrs: string[]
  shares: number[]
  /** Clubs the server said its roster is in (have answers; a hint, checked against the roster before use). */
  clubs?: string[]
}

export type LocateWay = 'dht' | 'club'

export interface LocateBudget {
  /** Most RPCs (DHT messages plus have-share queries) the caller will pay for. Default 200. */
  maxRpcs?: number
  /** Deadline for the whole locate, in ms. Default 30 000. */
  deadlineMs?: number
}

export interface WayEstimate {
  rpcs: number
  roundTrips: number
  /** DHT: the network-size estimate it is based on. */
  networkSize?: number
  /** Club: whether the roster was already cached (no DHT get needed). */
  rosterCached?: boolean
  fitsBudget: boolean
}

export interface WayRun {
  way: LocateWay
  /**
   * Requests that reached a server: DHT messages sent on an open stream and
   * have-share queries whose stream opened. A dial that failed costs time, not an RPC.
   */
  rpcs: number
  roundTrips: number
  ms: number
  servers: number
  distinctShares: number
  error?: string
  /** DHT way: a walk again after every way fell short (a young file's provider records may still be arriving). */
  again?: boolean
  /**
   * DHT way: clubs that holders named and that were asked beside the lookup
   * (their roster, then one have round), because provider records alone had
   * not given k shares within a second. Their RPCs are in `rpcs`.
   */
  namedClubs?: string[]
  /**
   * Club way: other clubs this node belongs to, asked after the first held
   * too few shares (a cap without a hint may belong to any of them). Only
   * rosters already in hand are asked: one have round each.
   */
  otherClubs?: string[]
}

export interface LocateExplain {
  chosen: LocateWay
  estimates: Partial<Record<LocateWay, WayEstimate>>
  runs: WayRun[]
  /** Totals over every way that ran. */
  actual: { rpcs: number, roundTrips: number, ms: number }
  fellBack: boolean
  /**
   * The cap named a club whose roster was not cached and the DHT way found
   * the shares: the roster is being fetched in the background (into the
   * short-lived read cache for a club this node has not joined), so the next
   * locate in that club costs one have-share round. Its RPCs are not in `actual`.
   */
  rosterFetch?: 'background'
}

export interface LocateResult {
  servers: LocatedServer[]
  explain: LocateExplain
}

export interface LocateOptions {
  club?: string
  budget?: LocateBudget
  signal?: AbortSignal
  /** Force one way (tests, `--explain` experiments); the other is still the fallback unless `noFallback`. */
  prefer?: LocateWay
  noFallback?: boolean
  /**
   * When background work this locate leaves (the hinted club's roster fetch)
   * may start: a download passes its first byte, so the fetch does not
   * compete with it. Default: as soon as the locate returns.
   */
  backgroundAfter?: Promise<unknown>
  /**
   * For a cap without a hint: the other clubs this node belongs to, asked
   * (through rosters already cached, one have round each) when `club` holds
   * too few shares. A function is called only then (listing them may cost a
   * disk read, which most locates do not need).
   */
  otherClubs?: readonly string[] | (() => Promise<readonly string[]>)
}

export interface LocateDeps {
  /** `logger` (libp2p's) names the node in `DEBUG=lafs-club:routing:locate` output; default `defaultLogger()`. */
  libp2p: StreamOpener & { peerId: PeerId, getPeers?: () => unknown[], logger?: ComponentLogger }
  dht: KadDHT
  clubs?: Pick<ClubManager, 'roster' | 'cached'>
}

/** What a file's shares look like to the planner: its storage index, k and N. */
export interface LocateTarget {
  storageIndex: Uint8Array
  k: number
  n: number
}
