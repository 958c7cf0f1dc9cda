/**
 * One-code club invites: `lafs-club-invite:<base64url of DAG-CBOR {v, club, bootstrap}>`.
 * `bootstrap` holds multiaddrs (bytes, each ending in /p2p/<peer id>) of nodes
 * that are in the DHT, usually the owner's, so a brand-new node can get into
 * the DHT and resolve the roster with nothing else.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { base64url } from 'multiformats/bases/base64'
import { trailingPeerId } from './addresses.js'
import { normalizeClubId } from './club-id.js'
import { INVITE_PREFIX } from './constants.js'
import { InvalidInviteError } from './errors.js'

export interface ClubInvite {
  clubId: string
  bootstrap: Multiaddr[]
}

const INVITE_VERSION = 1
const MAX_INVITE_LENGTH = 4096

export function encodeInvite (invite: ClubInvite): string {
  const clubId = normalizeClubId(invite.clubId)
  if (invite.bootstrap.length === 0) throw new InvalidInviteError('an invite needs at least one bootstrap address')
  const bootstrap = invite.bootstrap.map(a => {
    if (trailingPeerId(a) == null) {
      throw new InvalidInviteError(`bootstrap address ${a.toString()} must end in /p2p/<peer id>`)
    }
    return a.bytes
  })
  // base64url() from multiformats adds a multibase 'u' prefix; drop it, the invite prefix says what follows
  return INVITE_PREFIX + base64url.encode(dagCbor.encode({ v: INVITE_VERSION, club: clubId, bootstrap })).slice(1)
}

export function isInvite (text: string): boolean {
  return text.trim().startsWith(INVITE_PREFIX)
}

export function decodeInvite (text: string): ClubInvite {
  const trimmed = text.trim()
  if (!trimmed.startsWith(INVITE_PREFIX)) throw new InvalidInviteError(`an invite starts with "${INVITE_PREFIX}"`)
  if (trimmed.length > MAX_INVITE_LENGTH) throw new InvalidInviteError('the invite is too long')
  let decoded: any
  try {
    decoded = dagCbor.decode(base64url.decode('u' + trimmed.slice(INVITE_PREFIX.length)))
  } catch (err: any) {
    throw new InvalidInviteError(`the invite is damaged (not base64url DAG-CBOR); copy it again: ${err?.message ?? err}`, { cause: err })
  }
  if (decoded?.v !== INVITE_VERSION) throw new InvalidInviteError(`unsupported invite version ${String(decoded?.v)}`)
  if (typeof decoded.club !== 'string' || !Array.isArray(decoded.bootstrap) || decoded.bootstrap.length === 0) {
    throw new InvalidInviteError('the invite lacks a club ID or bootstrap addresses')
  }
  let clubId: string
  let bootstrap: Multiaddr[]
  try {
    clubId = normalizeClubId(decoded.club)
    bootstrap = decoded.bootstrap.map((b: unknown) => {
      if (!(b instanceof Uint8Array)) throw new Error('address is not bytes')
      return multiaddr(b)
    })
  } catch (err: any) {
    throw new InvalidInviteError(`the invite holds a bad club ID or address: ${err?.message ?? err}`, { cause: err })
  }
  return { clubId, bootstrap }
}
