/**
 * A libp2p transport over Tor. Dials `/onion3/<addr>:<port>` through tor's
 * SOCKS port, and with `dialAll` also every TCP address (`/ip4`, `/ip6`,
 * `/dns*` … `/tcp/<port>`), names handed to tor unresolved. Listens on
 * `/onion3/<addr>:<port>`: a loopback TCP server that tor forwards the onion
 * service to (ADD_ONION), so the onion address is an ordinary libp2p
 * listen address and is advertised like any other.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { AbortError, TypedEventEmitter, serviceCapabilities, transportSymbol } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { socksConnect, type SocksEndpoint } from './socks.js'
import { socketToConnection } from './socket-conn.js'
import type { ComponentLogger, Connection, CreateListenerOptions, DialTransportOptions, Listener, ListenerEvents, Logger, Transport, Upgrader } from '@libp2p/interface'

/** What the transport needs from the provider (a TorProvider, or a test double around a real tor). */
export interface TorTransportProvider {
  socksEndpoint: () => Promise<SocksEndpoint>
  publishOnion: (o: { virtualPort: number, targetPort: number }) => Promise<string>
  removeOnion: (address: string) => Promise<void>
}

export interface TorTransportInit {
  provider: TorTransportProvider
  /** Dial every TCP address through tor too (Tor-only mode), not only onion addresses. Default false. */
  dialAll?: boolean
  /** Close a connection after this long without traffic. Default 5 minutes (circuits are slow to rebuild). */
  inactivityTimeout?: number
  /**
   * Most connections open through the onion service at once. Default 100.
   * They all come from tor on 127.0.0.1, which the node allow-lists (its
   * per-host limit would refuse honest peers), so libp2p's own limits do not
   * bound them: this does.
   */
  maxInbound?: number
}

interface Target { host: string, port: number }

const TCP_HOSTS = new Set(['ip4', 'ip6', 'dns', 'dns4', 'dns6'])

/** The host and port to ask tor for, or undefined when this transport cannot dial `ma`. */
export function torTarget (ma: Multiaddr, dialAll: boolean): Target | undefined {
  const parts = ma.getComponents()
  if (parts[parts.length - 1]?.name === 'p2p') parts.pop()
  if (parts.length === 1 && parts[0].name === 'onion3') {
    const m = /^([a-z2-7]{56}):(\d{1,5})$/.exec(parts[0].value ?? '')
    if (m === null) return undefined
    return { host: `${m[1]}.onion`, port: Number(m[2]) }
  }
  if (dialAll && parts.length === 2 && TCP_HOSTS.has(parts[0].name) && parts[1].name === 'tcp') {
    const host = parts[0].value ?? ''
    const port = Number(parts[1].value)
    if (host === '' || !(port > 0 && port < 65536)) return undefined
    return { host, port }
  }
  return undefined
}

function onionOf (ma: Multiaddr): { address: string, port: number } | undefined {
  const parts = ma.getComponents()
  if (parts.length !== 1 || parts[0].name !== 'onion3') return undefined
  const m = /^([a-z2-7]{56}):(\d{1,5})$/.exec(parts[0].value ?? '')
  return m === null ? undefined : { address: m[1], port: Number(m[2]) }
}

interface TorTransportComponents { logger: ComponentLogger }

class TorTransport implements Transport {
  readonly [transportSymbol] = true as const
  readonly [Symbol.toStringTag] = 'lafs-club/tor'
  readonly [serviceCapabilities] = ['@libp2p/transport']
  private readonly log: Logger

  constructor (private readonly components: TorTransportComponents, private readonly init: TorTransportInit) {
    this.log = components.logger.forComponent('lafs-club:tor:transport')
  }

  async dial (ma: Multiaddr, options: DialTransportOptions): Promise<Connection> {
    const target = torTarget(ma, this.init.dialAll === true)
    if (target === undefined) throw new Error(`the Tor transport cannot dial ${ma.toString()}`)
    options.signal?.throwIfAborted()
    const socks = await this.init.provider.socksEndpoint()
    this.log('dialing %s:%d through tor', target.host, target.port)
    const socket = await socksConnect(socks, target.host, target.port, { signal: options.signal })
    socket.setNoDelay(true)
    const maConn = socketToConnection({ socket, remoteAddr: ma, direction: 'outbound', log: this.log.newScope('connection'), inactivityTimeout: this.init.inactivityTimeout ?? 300_000 })
    try {
      return await options.upgrader.upgradeOutbound(maConn, options)
    } catch (err) {
      maConn.abort(err as Error)
      throw err
    }
  }

  createListener (options: CreateListenerOptions): Listener {
    return new OnionListener(this.init, options.upgrader, this.log.newScope('listener'), this.init.inactivityTimeout ?? 300_000)
  }

  listenFilter (addrs: Multiaddr[]): Multiaddr[] {
    return addrs.filter(a => onionOf(a) !== undefined)
  }

  dialFilter (addrs: Multiaddr[]): Multiaddr[] {
    return addrs.filter(a => torTarget(a, this.init.dialAll === true) !== undefined)
  }
}

/** The loopback server behind one onion service. */
class OnionListener extends TypedEventEmitter<ListenerEvents> implements Listener {
  private server: Server | undefined
  private listening: Multiaddr | undefined
  private address: string | undefined
  private readonly sockets = new Set<Socket>()
  private readonly shutdown = new AbortController()

  constructor (private readonly init: TorTransportInit, private readonly upgrader: Upgrader, private readonly log: Logger, private readonly inactivityTimeout: number) {
    super()
  }

  async listen (ma: Multiaddr): Promise<void> {
    const onion = onionOf(ma)
    if (onion === undefined) throw new Error(`not an onion address: ${ma.toString()}`)
    const server = this.server = createServer({ noDelay: true, keepAlive: true }, socket => { this.onSocket(socket) })
    // beyond this the kernel-accepted socket is closed at once: strangers cannot hold more through the onion
    server.maxConnections = this.init.maxInbound ?? 100
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      // loopback only: tor is the one who connects
      server.listen({ host: '127.0.0.1', port: 0 }, () => { server.off('error', reject); resolve() })
    })
    const port = (server.address() as { port: number }).port
    try {
      this.address = await this.init.provider.publishOnion({ virtualPort: onion.port, targetPort: port })
    } catch (err) {
      server.close()
      throw err
    }
    if (this.address !== onion.address) {
      server.close()
      throw new Error(`the onion key gives ${this.address}.onion, but the listen address names ${onion.address}.onion`)
    }
    this.listening = multiaddr(`/onion3/${onion.address}:${onion.port}`)
    this.log('onion %s.onion:%d forwards to 127.0.0.1:%d', onion.address, onion.port, port)
    this.safeDispatchEvent('listening')
  }

  private onSocket (socket: Socket): void {
    if (this.listening === undefined) { socket.destroy(); return }
    this.sockets.add(socket)
    socket.once('close', () => { this.sockets.delete(socket) })
    // tor connects from loopback; the real peer is anonymous
    const remoteAddr = multiaddr(`/ip4/127.0.0.1/tcp/${socket.remotePort ?? 0}`)
    const maConn = socketToConnection({ socket, remoteAddr, direction: 'inbound', log: this.log.newScope('connection'), inactivityTimeout: this.inactivityTimeout })
    this.upgrader.upgradeInbound(maConn, { signal: this.shutdown.signal }).catch((err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err))
      this.log('inbound upgrade failed: %s', e.message)
      maConn.abort(e)
    })
  }

  getAddrs (): Multiaddr[] {
    return this.listening === undefined ? [] : [this.listening]
  }

  updateAnnounceAddrs (): void {}

  async close (): Promise<void> {
    this.shutdown.abort(new AbortError('listener closed'))
    const server = this.server
    this.server = undefined
    const wasListening = this.listening !== undefined
    this.listening = undefined
    if (this.address !== undefined) await this.init.provider.removeOnion(this.address).catch((err: unknown) => { this.log('DEL_ONION failed: %s', String(err)) })
    for (const s of this.sockets) s.destroy()
    if (server?.listening === true) await new Promise<void>(resolve => server.close(() => { resolve() }))
    if (wasListening) this.safeDispatchEvent('close')
  }
}

/** The transport factory for libp2p's `transports` list. */
export function torTransport (init: TorTransportInit): (components: TorTransportComponents) => Transport {
  return (components) => new TorTransport(components, init)
}
