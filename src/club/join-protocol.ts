/**
 * `/lafs-club/club-join/1.0.0`: a server asks a club owner's node to add it
 * (or, `op: 'leave'`, to remove it). One length-prefixed DAG-CBOR request, one
 * answer, then both sides close.
 *
 * Asked directly, the server concerned is the connection's authenticated
 * remote peer. A request may also reach the owner through a roster member
 * (the owner behind a NAT the joiner cannot cross): then it must carry the
 * server's peer ID, a time and the server's signature over both and the
 * request, so a member cannot add or remove anyone but the one who signed.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { publicKeyFromMultihash } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { concat as uint8ArrayConcat } from 'uint8arrays/concat'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { CLUB_JOIN_PROTOCOL, FORWARDED_REQUEST_MAX_AGE_MS, MAX_JOIN_MESSAGE_BYTES } from './constants.js'
import { JoinProtocolError } from './errors.js'
import type { Connection, Libp2p, PeerId, PrivateKey, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export type JoinOp = 'join' | 'leave'

export interface JoinRequestBody {
  clubId: string
  /** Addresses the server wants listed (no /p2p suffix needed); empty for a leave. */
  multiaddrs: string[]
  capacity?: number
  /** Free text for the owner ("I'm Alice's NAS"). */
  note?: string
  /** Default 'join'. */
  op?: JoinOp
  /** The server's own signature, which lets a roster member forward the request. */
  signed?: { peer: string, at: number, sig: Uint8Array }
}

const SIGNATURE_PREFIX = uint8ArrayFromString('lafs-club-join-request:')

function signedBytes (r: JoinRequestBody, peer: string, at: number): Uint8Array {
  const fields: Record<string, unknown> = { club: r.clubId, multiaddrs: r.multiaddrs, op: r.op ?? 'join', peer, at }
  if (r.capacity != null) fields.capacity = r.capacity
  if (r.note != null) fields.note = r.note
  return uint8ArrayConcat([SIGNATURE_PREFIX, dagCbor.encode(fields)])
}

/** The request signed by the server's key, so it can travel through a member. */
export async function signJoinRequest (key: PrivateKey, peerId: PeerId, request: JoinRequestBody, now = Date.now()): Promise<JoinRequestBody> {
  const peer = peerId.toString()
  const sig = await key.sign(signedBytes(request, peer, now))
  return { ...request, signed: { peer, at: now, sig } }
}

/**
 * The server a request speaks for: the sender when it came directly (or the
 * sender signed it itself), else the signer, once the signature and its age
 * check out. Throws JoinProtocolError otherwise.
 */
export async function requestingPeer (sender: PeerId, request: JoinRequestBody, now = Date.now()): Promise<PeerId> {
  const signed = request.signed
  if (signed == null || signed.peer === sender.toString()) return sender
  let peer: PeerId
  try {
    peer = peerIdFromString(signed.peer)
  } catch (err) {
    throw new JoinProtocolError(`forwarded request names a bad peer ID ${JSON.stringify(signed.peer)}`, { cause: err })
  }
  if (peer.type !== 'Ed25519' && peer.type !== 'secp256k1') throw new JoinProtocolError('a forwarded request must come from a peer whose ID holds its key (Ed25519)')
  let ok = false
  try {
    ok = await publicKeyFromMultihash(peer.toMultihash()).verify(signedBytes(request, signed.peer, signed.at), signed.sig)
  } catch {
    ok = false
  }
  if (!ok) throw new JoinProtocolError(`forwarded request is not signed by ${signed.peer}`)
  if (Math.abs(now - signed.at) > FORWARDED_REQUEST_MAX_AGE_MS) throw new JoinProtocolError('forwarded request is too old (or the clocks differ by over 10 minutes); ask again')
  return peer
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

/** Reading a request, writing an answer: each its own deadline (the decision between may take longer: a probe, a publish, a forward). */
const TIMEOUT_MS = 20_000
/**
 * How long an asker waits for the answer: an open club's owner probes the
 * server (up to 3 addresses) and publishes the next roster (a DHT put)
 * before it answers, and a forwarding member waits for that too.
 */
export const JOIN_ANSWER_TIMEOUT_MS = 90_000

function encodeRequest (r: JoinRequestBody): Uint8Array {
  const wire: Record<string, unknown> = { v: 1, club: r.clubId, multiaddrs: r.multiaddrs }
  if (r.capacity != null) wire.capacity = r.capacity
  if (r.note != null) wire.note = r.note
  if (r.op != null && r.op !== 'join') wire.op = r.op
  if (r.signed != null) wire.signed = { peer: r.signed.peer, at: r.signed.at, sig: r.signed.sig }
  return dagCbor.encode(wire)
}

function decodeRequest (bytes: Uint8Array): JoinRequestBody {
  const w: any = dagCbor.decode(bytes)
  if (w?.v !== 1 || typeof w.club !== 'string' || !Array.isArray(w.multiaddrs) || !w.multiaddrs.every((a: unknown) => typeof a === 'string')) {
    throw new JoinProtocolError('malformed join request')
  }
  if (w.capacity != null && (!Number.isSafeInteger(w.capacity) || w.capacity < 0)) throw new JoinProtocolError('capacity must be a non-negative integer')
  if (w.note != null && typeof w.note !== 'string') throw new JoinProtocolError('note must be text')
  if (w.op != null && w.op !== 'join' && w.op !== 'leave') throw new JoinProtocolError(`unknown request ${JSON.stringify(w.op)}`)
  const s = w.signed
  if (s != null && (typeof s.peer !== 'string' || !Number.isSafeInteger(s.at) || !(s.sig instanceof Uint8Array))) throw new JoinProtocolError('malformed request signature')
  return {
    clubId: w.club,
    multiaddrs: w.multiaddrs,
    capacity: w.capacity ?? undefined,
    note: w.note ?? undefined,
    op: w.op ?? 'join',
    ...(s != null ? { signed: { peer: s.peer, at: s.at, sig: s.sig } } : {})
  }
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
    const lp = lpStream(stream, { maxDataLength: MAX_JOIN_MESSAGE_BYTES })
    try {
      let answer: JoinAnswer
      try {
        const request = decodeRequest((await lp.read({ signal: AbortSignal.timeout(TIMEOUT_MS) })).subarray())
        answer = await decide(connection.remotePeer, request)
      } catch (err: any) {
        answer = err?.code != null
          ? { status: 'refused', code: String(err.code), reason: `${err.code}: ${err.message}` }
          : { status: 'refused', reason: 'malformed request' }
      }
      const signal = AbortSignal.timeout(TIMEOUT_MS)
      await lp.write(encodeAnswer(answer), { signal })
      await stream.close({ signal })
    } catch (err: any) {
      stream.abort(err)
    }
  }
}

export async function sendJoinRequest (libp2p: Pick<Libp2p, 'dialProtocol'>, owner: PeerId | Multiaddr | Multiaddr[], request: JoinRequestBody, options: { signal?: AbortSignal } = {}): Promise<JoinAnswer> {
  const signal = options.signal ?? AbortSignal.timeout(JOIN_ANSWER_TIMEOUT_MS)
  let stream: Stream | undefined
  try {
    stream = await libp2p.dialProtocol(owner, CLUB_JOIN_PROTOCOL, { signal, runOnLimitedConnection: true })
    const lp = lpStream(stream, { maxDataLength: MAX_JOIN_MESSAGE_BYTES })
    await lp.write(encodeRequest(request), { signal })
    const answer = decodeAnswer((await lp.read({ signal })).subarray())
    await stream.close({ signal }).catch(() => {})
    return answer
  } catch (err: any) {
    stream?.abort(err)
    if (err instanceof JoinProtocolError) throw err
    throw new JoinProtocolError(`could not ask ${Array.isArray(owner) ? owner.map(a => a.toString()).join(' or ') : owner.toString()}: ${err?.message ?? err}`, { cause: err })
  }
}
