/**
 * Relay service for `relay.server: "auto"`: a node behind NAT should not
 * offer to relay (nobody could reach it to ask), while a publicly reachable
 * node helps others a lot by doing so. libp2p fixes its services at creation,
 * so this service sits in the service map from the start and creates the real
 * circuit relay server only once the address manager holds a verified public
 * address (a VPS's interface address, or one AutoNAT/UPnP confirmed).
 */
import { circuitRelayServer, type CircuitRelayServerComponents } from '@libp2p/circuit-relay-v2'
import { isPublicAddr, type PublicRanges } from '../club/index.js'
import type { Libp2pEvents, Startable } from '@libp2p/interface'
import type { NodeAddress } from '@libp2p/interface-internal'
import type { TypedEventTarget } from 'main-event'

export interface AutoRelayServerComponents extends CircuitRelayServerComponents {
  events: TypedEventTarget<Libp2pEvents>
}

/** True when `addresses` include a verified public IP address (`publicRanges`: config network.publicRanges, for labs). */
export function hasPublicAddress (addresses: NodeAddress[], publicRanges: PublicRanges = []): boolean {
  return addresses.some(a => a.verified && /^\/ip[46]\//.test(a.multiaddr.toString()) && !a.multiaddr.toString().includes('/p2p-circuit') &&
    isPublicAddr(a.multiaddr, publicRanges))
}

/** Makes the real relay server once a public address is confirmed. */
export type RelayServerFactory = (components: CircuitRelayServerComponents) => Startable

export interface AutoRelayServerInit {
  create?: RelayServerFactory
  publicRanges?: PublicRanges
}

export class AutoRelayServer implements Startable {
  readonly [Symbol.toStringTag] = 'lafs-club/auto-relay-server'
  private server?: Startable
  private running = false

  constructor (private readonly components: AutoRelayServerComponents, private readonly init: AutoRelayServerInit = {}) {}

  /** The relay server once it runs. */
  get relay (): Startable | undefined {
    return this.server
  }

  /** Whether this node is relaying for others right now. */
  get serving (): boolean {
    return this.server !== undefined
  }

  start (): void {
    this.running = true
    this.components.events.addEventListener('self:peer:update', this.check)
  }

  afterStart (): void {
    this.check()
  }

  async stop (): Promise<void> {
    this.running = false
    this.components.events.removeEventListener('self:peer:update', this.check)
    const server = this.server
    this.server = undefined
    await server?.stop()
  }

  // an arrow function, so the same function can be added and removed as a listener
  private readonly check = (): void => {
    if (!this.running || this.server !== undefined) return
    if (!hasPublicAddress(this.components.addressManager.getAddressesWithMetadata(), this.init.publicRanges)) return
    const create = this.init.create ?? (circuitRelayServer() as unknown as RelayServerFactory)
    const server = create(this.components)
    this.server = server
    Promise.resolve(server.start()).catch(() => {
      if (this.server === server) this.server = undefined
    })
  }
}

export function autoRelayServer (init: AutoRelayServerInit = {}): (components: AutoRelayServerComponents) => AutoRelayServer {
  return components => new AutoRelayServer(components, init)
}
