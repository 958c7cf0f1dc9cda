/**
 * Which addresses other people can dial. Invites, roster entries and the
 * relay switch all ask the same question, so the answer lives here once.
 *
 * libp2p counts the private ranges and the documentation ranges as private.
 * A network lab (interop/netlab) plays the internet with addresses of its own
 * that exist only inside its namespaces; `publicRanges` (config
 * `network.publicRanges`) lets such a lab say "treat these as public" without
 * changing what a default node believes.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net'
import { isLoopback, isPrivate, isLinkLocal } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { InvalidAddressError } from './errors.js'

/** CIDR blocks (`11.0.0.0/8`, `fd00::/8`) counted as public, for labs; empty on a default node. */
export type PublicRanges = readonly string[]

const blockLists = new Map<string, BlockList>()

function blockList (ranges: PublicRanges): BlockList {
  const key = ranges.join(',')
  let list = blockLists.get(key)
  if (list === undefined) {
    list = new BlockList()
    for (const range of ranges) {
      const { address, prefix } = parseCidr(range)
      list.addSubnet(address, prefix, isIPv4(address) ? 'ipv4' : 'ipv6')
    }
    blockLists.set(key, list)
  }
  return list
}

/** Splits and checks `a.b.c.d/n` or `x::y/n`; throws InvalidAddressError on anything else. */
export function parseCidr (range: string): { address: string, prefix: number } {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(range)
  const address = m?.[1] ?? ''
  const prefix = Number(m?.[2])
  const max = isIPv4(address) ? 32 : isIPv6(address) ? 128 : -1
  if (m === null || max < 0 || prefix > max) throw new InvalidAddressError(`${JSON.stringify(range)} is not a CIDR block such as 11.0.0.0/8`)
  return { address, prefix }
}

/** The first IP in an address (a circuit address is judged by its relay's), or undefined for DNS and others. */
function firstIp (ma: Multiaddr): { ip: string, family: 'ipv4' | 'ipv6' } | undefined {
  const first = ma.getComponents()[0]
  if (first?.name === 'ip4' && first.value !== undefined) return { ip: first.value, family: 'ipv4' }
  if (first?.name === 'ip6' && first.value !== undefined) return { ip: first.value, family: 'ipv6' }
  return undefined
}

/**
 * True when someone on another network could dial `addr`: DNS names and
 * onion addresses (`/onion3/…`, through Tor) count as public, loopback/private/link-local IPs do not, unless inside `publicRanges`.
 * A relayed address (`…/p2p-circuit`) is as public as its relay's.
 */
export function isPublicAddr (addr: Multiaddr | string, publicRanges: PublicRanges = []): boolean {
  let ma: Multiaddr
  try {
    ma = typeof addr === 'string' ? multiaddr(addr) : addr
  } catch {
    return false
  }
  const ip = firstIp(ma)
  // an onion address is reachable from anywhere with Tor, and says nothing of where the node is
  if (ip === undefined) return /^\/(dns|dns4|dns6|dnsaddr|onion3)\//.test(ma.toString())
  if (ip.ip === '0.0.0.0' || ip.ip === '::') return false
  if (publicRanges.length > 0 && blockList(publicRanges).check(ip.ip, ip.family)) return true
  return !isLoopback(ma) && !isPrivate(ma) && !isLinkLocal(ma)
}

export interface ShareableOptions {
  /** A local club (demo, loopback grids, a LAN): every address is shareable. */
  local?: boolean
  publicRanges?: PublicRanges
}

/** The addresses worth putting in an invite or a roster entry: all for a local club, else the public ones. */
export function shareableAddrs (addrs: ReadonlyArray<Multiaddr | string>, options: ShareableOptions = {}): string[] {
  const all = addrs.map(a => a.toString())
  if (options.local === true) return all
  return all.filter(a => isPublicAddr(a, options.publicRanges))
}
