/**
 * Opening a storage stream when the only connection to the server is a
 * limited circuit-relay one. Share data does not fit in a relay's default
 * limit (128 KiB / 2 min), so the stream is not opened over it: libp2p's
 * DCUtR service tries to upgrade such a connection to a direct one on its
 * own, and this waits a little for that before giving up with an error that
 * names the relay and its limit. (js-libp2p cannot hole-punch TCP on Node
 * today, so between two NATed TCP-only nodes the wait usually ends in the
 * error; a relay that grants the server an unlimited reservation avoids it.)
 */
import { RelayLimitedError } from '../errors.js'
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** How long to wait for DCUtR to turn a limited relayed connection into a direct one. */
export const DEFAULT_DIRECT_UPGRADE_WAIT_MS = 5_000

export type LimitAwareOpener = Pick<Libp2p, 'dialProtocol'> & Partial<Pick<Libp2p, 'getConnections' | 'addEventListener' | 'removeEventListener'>>

function isLimitedError (err: unknown): boolean {
  return (err as { name?: string } | undefined)?.name === 'LimitedConnectionError'
}

function peerOf (target: PeerId | Multiaddr): string | undefined {
  if ('getComponents' in target) return target.getComponents().findLast(c => c.name === 'p2p')?.value
  return target.toString()
}

/** The relay's peer ID in a `/…/p2p/<relay>/p2p-circuit/…` address. */
export function relayOf (addr: Multiaddr): string | undefined {
  const parts = addr.getComponents()
  const circuit = parts.findIndex(c => c.name === 'p2p-circuit')
  if (circuit <= 0) return undefined
  return parts.slice(0, circuit).findLast(c => c.name === 'p2p')?.value
}

/** What is left of a relay limit, in words: "130452 more bytes or 118 more seconds". */
export function describeLimits (limits: Connection['limits']): string {
  if (limits == null) return 'no limit'
  const parts: string[] = []
  if (limits.bytes != null) parts.push(`${limits.bytes.toString()} more bytes`)
  if (limits.seconds != null) parts.push(`${limits.seconds} more seconds`)
  return parts.length > 0 ? parts.join(' or ') : 'a limit'
}

function limitedConnection (opener: LimitAwareOpener, peer: string): Connection | undefined {
  return opener.getConnections?.().find(c => c.remotePeer.toString() === peer && c.limits != null && c.status === 'open')
}

function directConnection (opener: LimitAwareOpener, peer: string): boolean {
  return opener.getConnections?.().some(c => c.remotePeer.toString() === peer && c.limits == null && c.status === 'open') === true
}

/** Resolves true once an unlimited connection to `peer` opens, false after `ms` or on abort. */
async function waitForDirect (opener: LimitAwareOpener, peer: string, ms: number, signal?: AbortSignal): Promise<boolean> {
  if (directConnection(opener, peer)) return true
  if (opener.addEventListener == null || opener.removeEventListener == null || ms <= 0) return false
  const add = opener.addEventListener.bind(opener)
  const remove = opener.removeEventListener.bind(opener)
  return await new Promise<boolean>(resolve => {
    const done = (ok: boolean): void => {
      clearTimeout(timer)
      remove('connection:open', onOpen)
      signal?.removeEventListener('abort', onAbort)
      resolve(ok)
    }
    const onOpen = (): void => { if (directConnection(opener, peer)) done(true) }
    const onAbort = (): void => { done(false) }
    const timer = setTimeout(() => { done(false) }, ms)
    // a failed upgrade must not keep the process alive on its own
    timer.unref?.()
    add('connection:open', onOpen)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * `opener.dialProtocol(target, protocol)`, except that a limited (relayed)
 * connection first gets a chance to become direct, and otherwise fails with
 * RelayLimitedError instead of libp2p's bare LimitedConnectionError.
 */
export async function dialUnlimited (opener: LimitAwareOpener, target: PeerId | Multiaddr, protocol: string, options: { signal?: AbortSignal, upgradeWaitMs?: number } = {}): Promise<Stream> {
  try {
    return await opener.dialProtocol(target, protocol, { signal: options.signal })
  } catch (err) {
    if (!isLimitedError(err)) throw err
    const peer = peerOf(target)
    const limited = peer == null ? undefined : limitedConnection(opener, peer)
    if (peer != null && await waitForDirect(opener, peer, options.upgradeWaitMs ?? DEFAULT_DIRECT_UPGRADE_WAIT_MS, options.signal)) {
      return await opener.dialProtocol(target, protocol, { signal: options.signal })
    }
    throw new RelayLimitedError(peer ?? target.toString(), limited == null ? 'an unknown relay' : relayOf(limited.remoteAddr) ?? 'an unknown relay', describeLimits(limited?.limits))
  }
}
