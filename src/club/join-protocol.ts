/**
 * `/lafs-club/club-join/1.0.0`: a server asks a club owner's node to be added.
 * One length-prefixed DAG-CBOR request, one answer, then both sides close.
 * The server being added is always the authenticated remote peer of the
 * connection, so nobody can ask on another server's behalf.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { lpStream } from '@libp2p/utils'
import { CLUB_JOIN_PROTOCOL, MAX_JOIN_MESSAGE_BYTES } from './constants.js'
import { JoinProtocolError } from './errors.js'
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface JoinRequestBody {
  clubId: string
  /** Addresses the server wants listed (no /p2p suffix needed). */
  multiaddrs: string[]
  capacity?: number
  /** Free text for the owner ("I'm Alice's NAS"). */
  note?: string
}

export type JoinStatus = 'accepted' | 'pending' | 'refused'

export interface JoinAnswer {
  status: JoinStatus
  reason?: string
  /** With 'refused': the owner's error code (e.g. ERR_JOIN_RATE_LIMITED), which the joiner throws as its own typed error. */
  code?: string
  /** Roster sequence that lists the server, when accepted. */
  sequence?: number
}

/** The owner side decides; the peer ID is the connection's authenticated remote peer. */
export type JoinDecider = (peerId: PeerId, request: JoinRequestBody) => Promise<JoinAnswer>

const TIMEOUT_MS = 20_000

function encodeRequest (r: JoinRequestBody): Uint8Array {
  const wire: Record<string, unknown> = { v: 1, club: r.clubId, multiaddrs: r.multiaddrs }
  if (r.capacity != null) wire.capacity = r.capacity
  if (r.note != null) wire.note = r.note
  return dagCbor.encode(wire)
}

function decodeRequest (bytes: Uint8Array): JoinRequestBody {
  const w: any = dagCbor.decode(bytes)
  if (w?.v !== 1 || typeof w.club !== 'string' || !Array.isArray(w.multiaddrs) || !w.multiaddrs.every((a: unknown) => typeof a === 'string')) {
    throw new JoinProtocolError('malformed join request')
  }
  if (w.capacity != null && (!Number.isSafeInteger(w.capacity) || w.capacity < 0)) throw new JoinProtocolError('capacity must be a non-negative integer')
  if (w.note != null && typeof w.note !== 'string') throw new JoinProtocolError('note must be text')
  return { clubId: w.club, multiaddrs: w.multiaddrs, capacity: w.capacity ?? undefined, note: w.note ?? undefined }
}

function encodeAnswer (a: JoinAnswer): Uint8Array {
  const wire: Record<string, unknown> = { v: 1, status: a.status }
  if (a.reason != null) wire.reason = a.reason
  if (a.code != null) wire.code = a.code
  if (a.sequence != null) wire.sequence = a.sequence
  return dagCbor.encode(wire)
}

function decodeAnswer (bytes: Uint8Array): JoinAnswer {
  const w: any = dagCbor.decode(bytes)
  if (w?.v !== 1 || !['accepted', 'pending', 'refused'].includes(w.status)) throw new JoinProtocolError('malformed join answer from the owner')
  return { status: w.status, reason: typeof w.reason === 'string' ? w.reason : undefined, code: typeof w.code === 'string' ? w.code : undefined, sequence: typeof w.sequence === 'number' ? w.sequence : undefined }
}

export function createJoinHandler (decide: JoinDecider): (stream: Stream, connection: Connection) => Promise<void> {
  return async (stream, connection) => {
    const signal = AbortSignal.timeout(TIMEOUT_MS)
    const lp = lpStream(stream, { maxDataLength: MAX_JOIN_MESSAGE_BYTES })
    try {
      let answer: JoinAnswer
      try {
        const request = decodeRequest((await lp.read({ signal })).subarray())
        answer = await decide(connection.remotePeer, request)
      } catch (err: any) {
        answer = err?.code != null
          ? { status: 'refused', code: String(err.code), reason: `${err.code}: ${err.message}` }
          : { status: 'refused', reason: 'malformed request' }
      }
      await lp.write(encodeAnswer(answer), { signal })
      await stream.close({ signal })
    } catch (err: any) {
      stream.abort(err)
    }
  }
}

export async function sendJoinRequest (libp2p: Pick<Libp2p, 'dialProtocol'>, owner: PeerId | Multiaddr, request: JoinRequestBody, options: { signal?: AbortSignal } = {}): Promise<JoinAnswer> {
  const signal = options.signal ?? AbortSignal.timeout(TIMEOUT_MS)
  let stream: Stream | undefined
  try {
    stream = await libp2p.dialProtocol(owner, CLUB_JOIN_PROTOCOL, { signal })
    const lp = lpStream(stream, { maxDataLength: MAX_JOIN_MESSAGE_BYTES })
    await lp.write(encodeRequest(request), { signal })
    const answer = decodeAnswer((await lp.read({ signal })).subarray())
    await stream.close({ signal }).catch(() => {})
    return answer
  } catch (err: any) {
    stream?.abort(err)
    if (err instanceof JoinProtocolError) throw err
    throw new JoinProtocolError(`could not ask the club owner's node ${owner.toString()}: ${err?.message ?? err}`, { cause: err })
  }
}
