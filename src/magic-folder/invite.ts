/**
 * Invite codes: one line, `lafs-mf1:` then base64url of a small JSON object.
 * It carries what the new participant needs and nothing it must not have:
 * the collective's read cap, the write cap of a personal directory the
 * inviter made for it (and linked into the collective, then forgot), its
 * participant name, and where to find the grid (servers, club, addresses).
 * Whoever holds the code can write as that participant: hand it over once,
 * privately.
 */
import { InvalidInviteError } from './errors.js'
import { checkParticipantName } from './magicpath.js'

export const INVITE_PREFIX = 'lafs-mf1:'

export interface InviteContents {
  /** The folder's name at the inviter (a suggestion for the joiner's). */
  folder: string
  collectiveReadCap: string
  personalWriteCap: string
  participant: string
  servers?: string[]
  club?: string
  /** A club invite (club ID plus where to find its roster), for a joiner not yet in the club. */
  clubInvite?: string
  /** Addresses of the inviter's node, to dial before the first poll. */
  addrs?: string[]
}

export function encodeInvite (c: InviteContents): string {
  const body = { v: 1, f: c.folder, c: c.collectiveReadCap, p: c.personalWriteCap, n: c.participant, s: c.servers, k: c.club, ci: c.clubInvite, a: c.addrs }
  return INVITE_PREFIX + Buffer.from(JSON.stringify(body)).toString('base64url')
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every(x => typeof x === 'string')

export function decodeInvite (code: string): InviteContents {
  const text = code.trim()
  if (!text.startsWith(INVITE_PREFIX)) throw new InvalidInviteError(`it does not start with '${INVITE_PREFIX}'`)
  let body: any
  try {
    body = JSON.parse(Buffer.from(text.slice(INVITE_PREFIX.length), 'base64url').toString('utf8'))
  } catch {
    throw new InvalidInviteError('the part after the prefix is damaged')
  }
  if (body?.v !== 1) throw new InvalidInviteError('unknown version')
  for (const k of ['f', 'c', 'p', 'n']) if (typeof body[k] !== 'string' || body[k] === '') throw new InvalidInviteError(`field '${k}' is missing`)
  if (!/^URI:DIR2(-MDMF)?-RO:/.test(body.c)) throw new InvalidInviteError('the collective is not a read-only directory cap')
  if (!/^URI:DIR2(-MDMF)?:/.test(body.p)) throw new InvalidInviteError('the personal directory is not a directory write cap')
  if (body.s !== undefined && !strings(body.s)) throw new InvalidInviteError('servers is not a list')
  if (body.a !== undefined && !strings(body.a)) throw new InvalidInviteError('addresses is not a list')
  if (body.k !== undefined && typeof body.k !== 'string') throw new InvalidInviteError('club is not a string')
  if (body.ci !== undefined && typeof body.ci !== 'string') throw new InvalidInviteError('club invite is not a string')
  return {
    folder: body.f,
    collectiveReadCap: body.c,
    personalWriteCap: body.p,
    participant: checkParticipantName(body.n),
    servers: body.s,
    club: body.k,
    clubInvite: body.ci,
    addrs: body.a
  }
}
