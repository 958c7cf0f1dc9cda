/**
 * How others can reach this node, and how each peer is connected to it, as
 * `lafs-club status` and the status page show them; and which of this node's
 * addresses are worth giving out (invites, roster entries).
 *
 * A libp2p service, because the address manager (which knows whether an
 * address was verified, announced or mapped by UPnP) is only handed to
 * services. libp2p does not mark a connection that DCUtR upgraded from a
 * relayed one, so the service remembers it: a direct connection that opens
 * while the same peer has a relayed one is counted as hole-punched (DCUtR
 * then closes the relayed one). A unilateral upgrade (dialing the peer's
 * public address it learned over the relay) counts the same way.
 */
import { isPublicAddr, shareableAddrs, type PublicRanges, type ShareableOptions } from '../club/index.js'
import { relayOf } from '../protocols/index.js'
import type { Connection, Libp2p, Libp2pEvents, Startable } from '@libp2p/interface'
import type { AddressManager, ConnectionManager, TransportManager } from '@libp2p/interface-internal'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { TypedEventTarget } from 'main-event'

/** How others reach this node. */
export interface Reachability {
  /**
   * `public`: a verified public address (an interface address AutoNAT
   * confirmed, or one the operator announced); `upnp`: a public address the
   * router mapped for it; `relayed`: behind NAT, reachable through relays;
   * `unknown`: none of these yet.
   */
  kind: 'public' | 'upnp' | 'relayed' | 'unknown'
  /** The verified public addresses (announced, confirmed or UPnP-mapped). */
  publicAddrs: string[]
  /** Peer IDs of the relays this node holds a reservation with. */
  relays: string[]
}

/** How one connection to a peer runs. */
export interface ConnectionKind {
  connection: 'direct' | 'hole-punched' | 'relayed'
  /** The relay's peer ID, for a relayed connection. */
  via?: string
}

export interface ReachabilityComponents {
  addressManager: AddressManager
  connectionManager: ConnectionManager
  transportManager: TransportManager
  events: TypedEventTarget<Libp2pEvents>
}

function isCircuit (ma: Multiaddr): boolean {
  return ma.getComponents().some(c => c.name === 'p2p-circuit')
}

/**
 * Picks the addresses to give out: the shareable direct ones, plus at most
 * one relayed address (through a preferred relay, a club's, when there is one).
 */
export function pickAdvertised (addrs: readonly Multiaddr[], shareable: (addrs: readonly Multiaddr[]) => string[], preferRelay: (relayId: string) => boolean = () => false): string[] {
  const direct = shareable(addrs.filter(a => !isCircuit(a)))
  const preferred = (a: string): number => { const r = relayOf(multiaddr(a)); return r !== undefined && preferRelay(r) ? 0 : 1 }
  const relayed = shareable(addrs.filter(isCircuit)).sort((a, b) => preferred(a) - preferred(b))
  // one relayed address is enough to reach a NATed node, and rosters must stay small (10 KiB IPNS records)
  return relayed.length > 0 ? [...direct, relayed[0]] : direct
}

export class ReachabilityService implements Startable {
  readonly [Symbol.toStringTag] = 'lafs-club/reachability'
  /** Ids of direct connections that opened while the peer had a relayed one. */
  private readonly upgraded = new Set<string>()
  /** Relays this node asked for a reservation itself (its clubs' relays): their relayed address is the one given out. */
  readonly preferredRelays = new Set<string>()

  constructor (private readonly components: ReachabilityComponents, private readonly publicRanges: PublicRanges = []) {}

  start (): void {
    this.components.events.addEventListener('connection:open', this.onOpen)
    this.components.events.addEventListener('connection:close', this.onClose)
  }

  stop (): void {
    this.components.events.removeEventListener('connection:open', this.onOpen)
    this.components.events.removeEventListener('connection:close', this.onClose)
    this.upgraded.clear()
  }

  private readonly onOpen = (evt: CustomEvent<Connection>): void => {
    const conn = evt.detail
    if (isCircuit(conn.remoteAddr)) return
    const relayed = this.components.connectionManager.getConnections(conn.remotePeer)
      .some(c => c.id !== conn.id && c.status === 'open' && isCircuit(c.remoteAddr))
    if (relayed) this.upgraded.add(conn.id)
  }

  private readonly onClose = (evt: CustomEvent<Connection>): void => {
    this.upgraded.delete(evt.detail.id)
  }

  /** Asks `relayId` (connected, speaking the hop protocol) for a reservation, as listening on `/p2p/<relayId>/p2p-circuit` does. */
  async reserveOn (relayId: string): Promise<void> {
    this.preferredRelays.add(relayId)
    try {
      await this.components.transportManager.listen([multiaddr(`/p2p/${relayId}/p2p-circuit`)])
    } catch (err) {
      this.preferredRelays.delete(relayId)
      throw err
    }
  }

  /** How `conn` runs: relayed (and through which relay), hole-punched, or direct. */
  connectionKind (conn: Connection): ConnectionKind {
    if (isCircuit(conn.remoteAddr)) {
      const via = relayOf(conn.remoteAddr)
      return via === undefined ? { connection: 'relayed' } : { connection: 'relayed', via }
    }
    return { connection: this.upgraded.has(conn.id) ? 'hole-punched' : 'direct' }
  }

  reachability (): Reachability {
    const addrs = this.components.addressManager.getAddressesWithMetadata()
    const publicOnes = addrs.filter(a => a.verified && !isCircuit(a.multiaddr) && isPublicAddr(a.multiaddr, this.publicRanges))
    const relays = new Set<string>()
    for (const ma of this.components.addressManager.getAddresses()) {
      if (!isCircuit(ma)) continue
      const relay = relayOf(ma)
      if (relay !== undefined) relays.add(relay)
    }
    const kind: Reachability['kind'] = publicOnes.some(a => a.type !== 'ip-mapping')
      ? 'public'
      : publicOnes.length > 0 ? 'upnp' : relays.size > 0 ? 'relayed' : 'unknown'
    return { kind, publicAddrs: [...new Set(publicOnes.map(a => a.multiaddr.toString()))], relays: [...relays] }
  }
}

export function reachabilityService (init: { publicRanges?: PublicRanges } = {}): (components: ReachabilityComponents) => ReachabilityService {
  return components => new ReachabilityService(components, init.publicRanges)
}

/**
 * The addresses this node gives out (invites, its roster entries): the ones
 * others can dial (`shareableAddrs`: all of them for a local club, else the
 * public ones, `publicRanges` counting as public), plus at most one relayed
 * address (through a club relay when it has one), so a NATed server stays
 * reachable and rosters stay small.
 */
export function addressesToAdvertise (libp2p: Pick<Libp2p<{ reachability?: ReachabilityService }>, 'getMultiaddrs' | 'services'>, options: ShareableOptions = {}): string[] {
  const preferred = libp2p.services.reachability?.preferredRelays
  return pickAdvertised(libp2p.getMultiaddrs(), addrs => shareableAddrs(addrs, options), id => preferred?.has(id) === true)
}
