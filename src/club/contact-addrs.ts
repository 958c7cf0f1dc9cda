/**
 * The addresses a node puts in a roster entry, the owner's contact or a join
 * request: those others can dial (`shareableAddrs`), at most one relayed
 * (`/p2p-circuit`) address (one relay is enough to be reached, and every
 * address costs roster bytes under the 10 KiB IPNS limit), direct ones first,
 * and no more than a roster entry holds.
 */
import { shareableAddrs, type ShareableOptions } from './address-scope.js'
import { withoutPeerId } from './addresses.js'
import { MAX_MULTIADDRS_PER_SERVER, MAX_RELAYED_ADDRS_PER_SERVER } from './constants.js'
import type { Multiaddr } from '@multiformats/multiaddr'

export function isRelayedAddr (addr: string): boolean {
  return addr.includes('/p2p-circuit')
}

/** `addrs` (a node's own, possibly ending in its /p2p/ id) reduced to what a roster entry should list. */
export function contactAddrs (addrs: ReadonlyArray<Multiaddr | string>, options: ShareableOptions = {}): string[] {
  const shareable = [...new Set(shareableAddrs(addrs, options).map(a => withoutPeerId(a)))]
  const direct = shareable.filter(a => !isRelayedAddr(a))
  const relayed = shareable.filter(isRelayedAddr).slice(0, MAX_RELAYED_ADDRS_PER_SERVER)
  const keepRelayed = Math.min(relayed.length, MAX_MULTIADDRS_PER_SERVER)
  return [...direct.slice(0, MAX_MULTIADDRS_PER_SERVER - keepRelayed), ...relayed.slice(0, keepRelayed)]
}
