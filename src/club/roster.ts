/**
 * The roster: what a club says about itself. It travels inside the IPNS
 * record's signed DAG-CBOR data under the `LafsClub` field. Peer IDs and
 * multiaddrs are stored as bytes (not strings) so about a hundred servers fit
 * in the 10 KiB IPNS limit.
 */
import { peerIdFromMultihash, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import * as Digest from 'multiformats/hashes/digest'
import { withoutPeerId } from './addresses.js'
import { MAX_DESCRIPTION_LENGTH, MAX_MULTIADDRS_PER_SERVER, MAX_NAME_LENGTH, MAX_ROSTER_HELPERS, ROSTER_VERSION } from './constants.js'
import { InvalidRosterError } from './errors.js'

export type ClubPolicy = 'open' | 'invitation'

export interface RosterServer {
  /** libp2p peer ID string (`12D3KooW…`). */
  peerId: string
  /** Where to reach the server, without the `/p2p/<id>` suffix. */
  multiaddrs: string[]
  /** Bytes the server offers to the club, if it says. */
  capacity?: number
}

/** How to reach the owner's node: where join and leave requests go (members forward them when it cannot be dialled). */
export interface RosterOwner {
  peerId: string
  /** Addresses others can dial (or all of them for a local club), without `/p2p/<id>`. */
  multiaddrs: string[]
}

export interface Roster {
  name: string
  description: string
  policy: ClubPolicy
  servers: RosterServer[]
  /** ms since the epoch of the last change to the roster's content. */
  updatedAt: number
  /**
   * The owner's node. Absent in rosters signed before it was added; then a
   * joiner needs the owner's address (an invite or `owner`) as before.
   */
  owner?: RosterOwner
  /**
   * A local club (the demo, loopback grids, one LAN): loopback and private
   * addresses are fine in its invites and roster entries. Set at creation.
   */
  local?: boolean
  /**
   * Upload helpers the club offers its users (/lafs-club/helper/1.0.0), at
   * most 8. Absent in rosters signed before it was added, and when empty.
   */
  helpers?: RosterOwner[]
}

/** The CBOR shape of the `LafsClub` field. */
interface RosterWire {
  v: number
  name: string
  description: string
  policy: string
  servers: Array<{ peerId: Uint8Array, multiaddrs: Uint8Array[], capacity?: number }>
  updatedAt: number
  /** Optional (added within version 1: older readers ignore it, rosters without it still parse). */
  owner?: { peerId: Uint8Array, multiaddrs: Uint8Array[] }
  /** Present (true) only for a local club. */
  local?: boolean
  /** Optional, like owner: older readers ignore it. */
  helpers?: Array<{ peerId: Uint8Array, multiaddrs: Uint8Array[] }>
}

export function rosterToWire (roster: Roster): RosterWire {
  const checked = checkRoster(roster)
  return {
    v: ROSTER_VERSION,
    name: checked.name,
    description: checked.description,
    policy: checked.policy,
    servers: checked.servers.map(s => {
      const entry: RosterWire['servers'][number] = {
        peerId: peerIdFromString(s.peerId).toMultihash().bytes,
        multiaddrs: s.multiaddrs.map(a => multiaddr(a).bytes)
      }
      if (s.capacity != null) entry.capacity = s.capacity
      return entry
    }),
    updatedAt: checked.updatedAt,
    ...(checked.owner != null ? { owner: { peerId: peerIdFromString(checked.owner.peerId).toMultihash().bytes, multiaddrs: checked.owner.multiaddrs.map(a => multiaddr(a).bytes) } } : {}),
    ...(checked.local === true ? { local: true } : {}),
    ...(checked.helpers != null && checked.helpers.length > 0
      ? { helpers: checked.helpers.map(h => ({ peerId: peerIdFromString(h.peerId).toMultihash().bytes, multiaddrs: h.multiaddrs.map(a => multiaddr(a).bytes) })) }
      : {})
  }
}

function ownerFromWire (o: any, what = 'owner'): RosterOwner | undefined {
  if (o == null) return undefined
  if (!(o.peerId instanceof Uint8Array) || !Array.isArray(o.multiaddrs)) throw new InvalidRosterError(`the roster's ${what} entry is malformed`)
  try {
    return {
      peerId: peerIdFromMultihash(Digest.decode(o.peerId)).toString(),
      multiaddrs: o.multiaddrs.map((a: unknown) => {
        if (!(a instanceof Uint8Array)) throw new Error('multiaddr is not bytes')
        return multiaddr(a).toString()
      })
    }
  } catch (err: any) {
    throw new InvalidRosterError(`the roster's ${what} entry has a bad peer ID or address: ${err?.message ?? err}`, { cause: err })
  }
}

export function rosterFromWire (wire: unknown): Roster {
  if (wire == null || typeof wire !== 'object') throw new InvalidRosterError('the record carries no club roster (missing LafsClub field)')
  const w = wire as Record<string, any>
  if (w.v !== ROSTER_VERSION) throw new InvalidRosterError(`unsupported roster version ${String(w.v)}; this node reads version ${ROSTER_VERSION}`)
  if (!Array.isArray(w.servers)) throw new InvalidRosterError('roster servers must be a list')
  const servers = w.servers.map((s: any, i: number): RosterServer => {
    if (s == null || !(s.peerId instanceof Uint8Array) || !Array.isArray(s.multiaddrs)) {
      throw new InvalidRosterError(`roster server #${i} is malformed`)
    }
    let peerId: string
    let multiaddrs: string[]
    try {
      peerId = peerIdFromMultihash(Digest.decode(s.peerId)).toString()
      multiaddrs = s.multiaddrs.map((a: unknown) => {
        if (!(a instanceof Uint8Array)) throw new Error('multiaddr is not bytes')
        return multiaddr(a).toString()
      })
    } catch (err: any) {
      throw new InvalidRosterError(`roster server #${i} has a bad peer ID or address: ${err?.message ?? err}`, { cause: err })
    }
    const server: RosterServer = { peerId, multiaddrs }
    if (s.capacity != null) server.capacity = s.capacity
    return server
  })
  const roster: Roster = { name: w.name, description: w.description, policy: w.policy, servers, updatedAt: w.updatedAt }
  const owner = ownerFromWire(w.owner)
  if (owner != null) roster.owner = owner
  if (w.local === true) roster.local = true
  if (w.helpers != null) {
    if (!Array.isArray(w.helpers)) throw new InvalidRosterError('roster helpers must be a list')
    roster.helpers = w.helpers.map((h: unknown) => ownerFromWire(h, 'helper') as RosterOwner)
  }
  return checkRoster(roster)
}

/** Throws InvalidRosterError unless the roster is well formed; returns a normalised copy. */
export function checkRoster (roster: Roster): Roster {
  const { name, description, policy, servers, updatedAt, owner, local, helpers } = roster ?? ({} as Roster)
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new InvalidRosterError(`club name must be 1–${MAX_NAME_LENGTH} characters`)
  }
  if (typeof description !== 'string' || description.length > MAX_DESCRIPTION_LENGTH) {
    throw new InvalidRosterError(`club description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`)
  }
  if (policy !== 'open' && policy !== 'invitation') {
    throw new InvalidRosterError(`club policy must be 'open' or 'invitation', got ${JSON.stringify(policy)}`)
  }
  if (!Number.isSafeInteger(updatedAt) || updatedAt < 0) throw new InvalidRosterError('roster updatedAt must be a non-negative integer (ms)')
  if (!Array.isArray(servers)) throw new InvalidRosterError('roster servers must be a list')
  const seen = new Set<string>()
  const normalised = servers.map((s, i) => {
    let peerId: string
    try {
      peerId = peerIdFromString(s.peerId).toString()
    } catch (err: any) {
      throw new InvalidRosterError(`roster server #${i} has an invalid peer ID ${JSON.stringify(s?.peerId)}`, { cause: err })
    }
    if (seen.has(peerId)) throw new InvalidRosterError(`server ${peerId} is listed twice`)
    seen.add(peerId)
    if (!Array.isArray(s.multiaddrs) || s.multiaddrs.length > MAX_MULTIADDRS_PER_SERVER) {
      throw new InvalidRosterError(`server ${peerId} must list at most ${MAX_MULTIADDRS_PER_SERVER} addresses`)
    }
    const multiaddrs = s.multiaddrs.map(a => {
      try {
        return withoutPeerId(a, peerId) // the peer ID is stored once, not on every address
      } catch (err: any) {
        throw new InvalidRosterError(`server ${peerId} has an invalid address ${JSON.stringify(a)}: ${err?.message ?? err}`, { cause: err })
      }
    })
    const out: RosterServer = { peerId, multiaddrs }
    if (s.capacity != null) {
      if (!Number.isSafeInteger(s.capacity) || s.capacity < 0) throw new InvalidRosterError(`server ${peerId} capacity must be a non-negative integer`)
      out.capacity = s.capacity
    }
    return out
  })
  const out: Roster = { name, description, policy, servers: normalised, updatedAt }
  if (owner != null) out.owner = checkEntry(owner, 'owner')
  if (helpers != null && helpers.length > 0) {
    if (!Array.isArray(helpers) || helpers.length > MAX_ROSTER_HELPERS) throw new InvalidRosterError(`a roster lists at most ${MAX_ROSTER_HELPERS} upload helpers`)
    out.helpers = helpers.map(h => checkEntry(h, 'helper'))
  }
  if (local === true) out.local = true
  return out
}

/** A peer and its addresses (the owner, a helper), normalised: addresses without the /p2p/ suffix. */
function checkEntry (entry: RosterOwner, what: string): RosterOwner {
  let peerId: string
  try {
    peerId = peerIdFromString(entry.peerId).toString()
  } catch (err: any) {
    throw new InvalidRosterError(`the roster's ${what} has an invalid peer ID ${JSON.stringify(entry?.peerId)}`, { cause: err })
  }
  if (!Array.isArray(entry.multiaddrs) || entry.multiaddrs.length > MAX_MULTIADDRS_PER_SERVER) {
    throw new InvalidRosterError(`the roster's ${what} must list at most ${MAX_MULTIADDRS_PER_SERVER} addresses`)
  }
  const multiaddrs = entry.multiaddrs.map(a => {
    try {
      return withoutPeerId(a, peerId)
    } catch (err: any) {
      throw new InvalidRosterError(`the roster's ${what} has an invalid address ${JSON.stringify(a)}: ${err?.message ?? err}`, { cause: err })
    }
  })
  return { peerId, multiaddrs }
}
