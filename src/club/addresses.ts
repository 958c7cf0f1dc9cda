/**
 * Peer addresses as rosters keep them and as dialers need them. A roster stores
 * each server's peer ID once and its addresses without `/p2p/<id>`; dialing
 * (authenticating the remote end) wants the `/p2p/<id>` on the end.
 *
 * `/p2p/` is judged as the address's last component, never as a substring: a
 * relay address `/…/p2p/<relay>/p2p-circuit` names the relay, not the server,
 * so it still needs the server's ID appended, and stripping must not cut the
 * relay out of it. Every layer above this one uses these helpers, so the rule
 * lives in one place.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { InvalidAddressError } from './errors.js'

/** The multicodec code of the `/p2p/` component. */
const P2P = 421

function parse (addr: Multiaddr | string): Multiaddr {
  if (typeof addr !== 'string') return addr
  try {
    return multiaddr(addr)
  } catch (err: any) {
    throw new InvalidAddressError(`${JSON.stringify(addr)} is not a multiaddr: ${err?.message ?? err}`, { cause: err })
  }
}

function samePeer (a: string, b: string): boolean {
  if (a === b) return true
  try {
    return peerIdFromString(a).equals(peerIdFromString(b))
  } catch {
    return false
  }
}

/** The peer ID an address ends in (`…/p2p/<id>`), or undefined when its last component is something else. */
export function trailingPeerId (addr: Multiaddr | string): string | undefined {
  const last = parse(addr).getComponents().at(-1)
  return last?.code === P2P ? last.value : undefined
}

/**
 * `addr` ending in `/p2p/<peerId>`: returned as it is when it already does,
 * else with the component appended. Throws InvalidAddressError when it ends in
 * another peer's ID (dialing it would reach someone else).
 */
export function withPeerId (addr: Multiaddr | string, peerId: string): string {
  const ma = parse(addr)
  const trailing = trailingPeerId(ma)
  if (trailing == null) return ma.encapsulate(`/p2p/${peerId}`).toString()
  if (!samePeer(trailing, peerId)) throw new InvalidAddressError(`address ${ma.toString()} belongs to peer ${trailing}, not ${peerId}`)
  return ma.toString()
}

/**
 * `addr` without a trailing `/p2p/<id>` (a relay's ID inside a circuit address
 * stays). With `peerId`, an address ending in another peer's ID throws
 * InvalidAddressError instead of being silently re-attributed.
 */
export function withoutPeerId (addr: Multiaddr | string, peerId?: string): string {
  const ma = parse(addr)
  const trailing = trailingPeerId(ma)
  if (trailing == null) return ma.toString()
  if (peerId != null && !samePeer(trailing, peerId)) throw new InvalidAddressError(`address ${ma.toString()} belongs to peer ${trailing}, not ${peerId}`)
  return ma.decapsulateCode(P2P).toString()
}

/** A roster entry's (or any located server's) addresses, each ending in `/p2p/<its peer ID>`, ready to dial. */
export function dialableAddrs (server: { peerId: string, multiaddrs: readonly string[] }): string[] {
  return server.multiaddrs.map(a => withPeerId(a, server.peerId))
}
