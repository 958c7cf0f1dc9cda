import { ask } from '../framing/index.js'
import { MalformedMessageError, RemoteStorageError, SlowDownError, errorMessage } from '../errors.js'
import { DEFAULT_HAVE_TIMEOUT_MS, HAVE_PROTOCOL, MAX_HAVE_BATCH, MAX_HAVE_RESPONSE_FRAME } from './constants.js'
import { HaveRequest, HaveResponse } from './message/have.js'
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface QueryHaveOptions {
  /** Per request (default 10 s). */
  timeoutMs?: number
  signal?: AbortSignal
}

/**
 * Asks a server which share numbers it holds for each storage index. The
 * answer has one (sorted) list per index, in the same order. More than 1000
 * indexes go out as several requests, one after the other. Throws
 * SlowDownError (with retryAfterMs) when the server rate-limits this peer.
 */
export async function queryHave (libp2p: Pick<Libp2p, 'dialProtocol'>, peer: PeerId | Multiaddr, storageIndexes: Uint8Array[], options: QueryHaveOptions = {}): Promise<number[][]> {
  return (await queryHaveAnswer(libp2p, peer, storageIndexes, options)).shares
}

export interface HaveAnswer {
  /** One sorted list of share numbers per storage index asked about, in order. */
  shares: number[][]
  /** Clubs whose roster lists the server, as it says (named only when it holds a share asked about). */
  clubs: string[]
}

/** queryHave, plus the clubs a holder names (a hint to check against the club's roster, never trusted alone). */
export async function queryHaveAnswer (libp2p: Pick<Libp2p, 'dialProtocol'>, peer: PeerId | Multiaddr, storageIndexes: Uint8Array[], options: QueryHaveOptions = {}): Promise<HaveAnswer> {
  const out: HaveAnswer = { shares: [], clubs: [] }
  for (let i = 0; i < storageIndexes.length; i += MAX_HAVE_BATCH) {
    const batch = storageIndexes.slice(i, i + MAX_HAVE_BATCH)
    const answer = await queryBatch(libp2p, peer, batch, options)
    out.shares.push(...answer.shares)
    for (const club of answer.clubs) if (!out.clubs.includes(club)) out.clubs.push(club)
  }
  return out
}

async function queryBatch (libp2p: Pick<Libp2p, 'dialProtocol'>, peer: PeerId | Multiaddr, batch: Uint8Array[], options: QueryHaveOptions): Promise<HaveAnswer> {
  const frame = await ask(libp2p, peer, HAVE_PROTOCOL, HaveRequest.encode({ storageIndexes: batch as Array<Uint8Array<ArrayBuffer>> }), {
    maxAnswerLength: MAX_HAVE_RESPONSE_FRAME,
    timeoutMs: options.timeoutMs ?? DEFAULT_HAVE_TIMEOUT_MS,
    signal: options.signal
  })
  let res: HaveResponse
  try {
    res = HaveResponse.decode(frame)
  } catch (err) {
    throw new MalformedMessageError(`undecodable have answer: ${errorMessage(err)}`)
  }
  if (res.error != null) {
    if (res.error.code === SlowDownError.code) throw new SlowDownError(res.retryAfterMs, res.error.message)
    throw new RemoteStorageError(res.error.code, res.error.message)
  }
  if (res.entries.length !== batch.length) {
    throw new MalformedMessageError(`have answer lists ${res.entries.length} storage indexes, asked about ${batch.length}`)
  }
  return { shares: res.entries.map(e => e.shareNumbers), clubs: res.clubs }
}
