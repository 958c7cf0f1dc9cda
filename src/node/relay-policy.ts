/**
 * A circuit relay server with the operator's policy: who gets a reservation
 * without the default limit (by default the servers of this node's clubs, so
 * a NATed club server can store and serve shares through it), and a cap on
 * the bytes per second all relayed connections together may use.
 *
 * circuit-relay-v2 (4.x) has one global switch, `applyDefaultLimit`, and no
 * per-peer hook. Its server reads a reservation's limit from its reservation
 * store at two moments: when answering the RESERVE request and when
 * bridging a CONNECT to the reserving peer. This module wraps the store's
 * `get` so the limit is decided by the policy at each of those moments (a
 * peer that joins a club gets unlimited circuits from its next connection on,
 * without waiting for its reservation to be refreshed), and wraps the
 * server's CONNECT path to meter both halves of every circuit. Both are
 * internal fields of the library; `policyRelayServer` checks they are there
 * and refuses to start otherwise, so an upgrade that moves them fails loudly
 * in the tests instead of relaying without the policy.
 */
import { circuitRelayServer, type CircuitRelayServerComponents, type CircuitRelayServerInit, type Limit } from '@libp2p/circuit-relay-v2'
import type { Logger, PeerId, Startable, Stream } from '@libp2p/interface'

/** libp2p's default limit for a relayed connection: 128 KiB of data, 2 minutes. */
export const DEFAULT_RELAY_DATA_LIMIT = 128 * 1024
export const DEFAULT_RELAY_DURATION_SECONDS = 120

export interface RelayPolicy {
  /** Whether circuits to this (reserving) peer go without limit. Asked on every reservation and every circuit. */
  unlimited: (peer: PeerId) => boolean
  /** Limit of everyone else's circuits. */
  defaultLimit: { dataBytes: number, durationSeconds: number }
  /** Most reservations held at once (libp2p's default is 15). */
  maxReservations: number
  /** Bytes per second all relayed circuits together may carry; null: no cap. */
  maxBytesPerSecond: number | null
}

interface ReservationLike { limit?: Limit }
interface StoreLike { get: (peer: PeerId) => ReservationLike | undefined }
interface ServerInternals extends Startable {
  reservationStore?: StoreLike
  handleConnect?: (args: { stream: { unwrap: () => Stream } }, options: unknown) => Promise<void>
  stopHop?: (...args: unknown[]) => Promise<Stream | undefined>
}

/** The relay library moved the fields this policy wraps; relaying without the policy would be wrong. */
export class RelayPolicyUnsupportedError extends Error {
  readonly code = 'ERR_RELAY_POLICY_UNSUPPORTED'
  constructor (missing: string) {
    super(`the installed @libp2p/circuit-relay-v2 has no ${missing}, which lafs-club's relay policy wraps; set "relay.server" to false or pin circuit-relay-v2 4.x`)
    this.name = 'RelayPolicyUnsupportedError'
  }
}

/**
 * Shared bytes-per-second meter for every circuit. When a second's budget is
 * spent, every circuit stream is paused until the next second: the peers'
 * muxer windows then push back on the senders.
 */
export class RelayThrottle {
  private readonly streams = new Set<Stream>()
  private used = 0
  private windowStart = Date.now()
  private timer?: ReturnType<typeof setTimeout>
  /** Bytes carried since start, for status and tests. */
  total = 0

  constructor (private readonly bytesPerSecond: number | null) {}

  add (stream: Stream): void {
    this.streams.add(stream)
    // a paused stream may hold a full muxer window (4 MiB) before its sender stops
    stream.maxReadBufferLength = Math.max(stream.maxReadBufferLength ?? 0, 16 * 1024 * 1024)
    const onMessage = (evt: Event): void => { this.count((evt as Event & { data: { byteLength: number } }).data.byteLength) }
    stream.addEventListener('message', onMessage)
    stream.addEventListener('close', () => {
      stream.removeEventListener('message', onMessage)
      this.streams.delete(stream)
    }, { once: true })
    if (this.timer !== undefined) stream.pause()
  }

  private count (bytes: number): void {
    this.total += bytes
    if (this.bytesPerSecond == null) return
    const now = Date.now()
    if (now - this.windowStart >= 1000) {
      this.windowStart = now
      this.used = 0
    }
    this.used += bytes
    if (this.used < this.bytesPerSecond || this.timer !== undefined) return
    for (const s of this.streams) s.pause()
    // over budget: wait out the rest of this second (and longer for a big overshoot)
    const wait = Math.max(1, 1000 - (now - this.windowStart)) + Math.floor(1000 * (this.used - this.bytesPerSecond) / this.bytesPerSecond)
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.windowStart = Date.now()
      this.used = 0
      for (const s of this.streams) s.resume()
    }, wait)
    this.timer.unref?.()
  }

  stop (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.streams.clear()
  }
}

/** The service a relaying node runs: circuitRelayServer with `policy` applied. */
export class PolicyRelayServer implements Startable {
  readonly [Symbol.toStringTag] = 'lafs-club/policy-relay-server'
  readonly throttle: RelayThrottle
  private readonly inner: ServerInternals

  constructor (components: CircuitRelayServerComponents, policy: RelayPolicy, init: CircuitRelayServerInit = {}) {
    const log: Logger = components.logger.forComponent('lafs-club:node:relay-policy')
    this.inner = circuitRelayServer({
      ...init,
      reservations: { ...init.reservations, maxReservations: policy.maxReservations, applyDefaultLimit: true }
    })(components) as unknown as ServerInternals
    const store = this.inner.reservationStore
    if (typeof store?.get !== 'function') throw new RelayPolicyUnsupportedError('reservationStore.get')
    if (typeof this.inner.handleConnect !== 'function') throw new RelayPolicyUnsupportedError('handleConnect')
    if (typeof this.inner.stopHop !== 'function') throw new RelayPolicyUnsupportedError('stopHop')

    const limited: Limit = { data: BigInt(policy.defaultLimit.dataBytes), duration: policy.defaultLimit.durationSeconds * 1000 }
    const get = store.get.bind(store)
    store.get = (peer: PeerId) => {
      const reservation = get(peer)
      if (reservation != null) {
        const free = policy.unlimited(peer)
        reservation.limit = free ? undefined : { ...limited }
        log('reservation of %p: %s', peer, free ? 'unlimited' : 'default limit')
      }
      return reservation
    }

    this.throttle = new RelayThrottle(policy.maxBytesPerSecond)
    const throttle = this.throttle
    const handleConnect = this.inner.handleConnect.bind(this.inner)
    this.inner.handleConnect = async (args, options) => {
      const pb = args.stream
      // the server unwraps the hop stream once, to bridge it; meter it then
      const metered = new Proxy(pb, {
        get (target, prop, receiver) {
          if (prop === 'unwrap') {
            return () => {
              const raw = target.unwrap()
              throttle.add(raw)
              return raw
            }
          }
          const value = Reflect.get(target, prop, receiver) as unknown
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
        }
      })
      await handleConnect({ ...args, stream: metered }, options)
    }
    const stopHop = this.inner.stopHop.bind(this.inner)
    this.inner.stopHop = async (...args: unknown[]) => {
      const stream = await stopHop(...args)
      if (stream != null) throttle.add(stream)
      return stream
    }
  }

  /** Reservations held now (peer IDs), and whether each is unlimited right now. */
  get reservations (): Array<{ peerId: string, unlimited: boolean }> {
    const map = (this.inner as unknown as { reservations?: Map<PeerId, ReservationLike> & Iterable<[PeerId, ReservationLike]> }).reservations
    const out: Array<{ peerId: string, unlimited: boolean }> = []
    for (const [peer] of map ?? []) out.push({ peerId: peer.toString(), unlimited: this.inner.reservationStore?.get(peer)?.limit == null })
    return out
  }

  async start (): Promise<void> {
    await this.inner.start()
  }

  async stop (): Promise<void> {
    this.throttle.stop()
    await this.inner.stop()
  }
}

export function policyRelayServer (policy: RelayPolicy, init: CircuitRelayServerInit = {}): (components: CircuitRelayServerComponents) => PolicyRelayServer {
  return components => new PolicyRelayServer(components, policy, init)
}

/** What status shows of the `relay` service: a PolicyRelayServer, or the auto switch holding one once it serves. */
export function relayServerStatus (service: unknown): { serving: boolean, reservations: number, unlimited: number, relayedBytes: number } | null {
  if (service == null) return null
  const server = service instanceof PolicyRelayServer ? service : (service as { relay?: unknown }).relay
  if (!(server instanceof PolicyRelayServer)) return { serving: false, reservations: 0, unlimited: 0, relayedBytes: 0 }
  const held = server.reservations
  return { serving: true, reservations: held.length, unlimited: held.filter(r => r.unlimited).length, relayedBytes: server.throttle.total }
}
