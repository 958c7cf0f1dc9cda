/**
 * `/lafs-club/club-roster/1.0.0`: the owner hands each connected server of a
 * club the roster it just published. One length-prefixed DAG-CBOR message
 * `{ club, record }`, no answer.
 *
 * Members otherwise keep the roster they joined with until it expires, so a
 * club relay would go on treating servers that joined later as strangers
 * (limited circuits: no shares through it) and members would not dial them.
 * A pushed record is checked as one from the DHT (signature under the club
 * key, sequence not lower than the cached one) and kept only by nodes that
 * belong to the club, so pushing gives a peer nothing it could not put into
 * the DHT itself.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { lpStream } from '@libp2p/utils'
import { CLUB_ROSTER_PROTOCOL, MAX_ROSTER_PUSH_BYTES } from './constants.js'
import type { Libp2p, Logger, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const TIMEOUT_MS = 10_000

export interface RosterPush {
  club: string
  record: Uint8Array
}

/** Sends one roster to a peer: a connected one (a relayed, limited connection will do) or one dialled at its addresses. */
export async function pushRoster (libp2p: Pick<Libp2p, 'dialProtocol'>, peer: PeerId | Multiaddr[], push: RosterPush): Promise<void> {
  const signal = AbortSignal.timeout(TIMEOUT_MS)
  const stream = await libp2p.dialProtocol(peer, CLUB_ROSTER_PROTOCOL, { signal, runOnLimitedConnection: true })
  try {
    await lpStream(stream, { maxDataLength: MAX_ROSTER_PUSH_BYTES }).write(dagCbor.encode({ v: 1, club: push.club, record: push.record }), { signal })
    await stream.close({ signal })
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
}

/** Reads one pushed roster and hands it to `accept`; anything malformed is dropped with a log line. */
export function createRosterPushHandler (accept: (from: PeerId, push: RosterPush) => Promise<void>, log: Logger) {
  return async (stream: Stream, connection: { remotePeer: PeerId }): Promise<void> => {
    const signal = AbortSignal.timeout(TIMEOUT_MS)
    try {
      const bytes = await lpStream(stream, { maxDataLength: MAX_ROSTER_PUSH_BYTES }).read({ signal })
      const msg = dagCbor.decode<Record<string, unknown>>(bytes.subarray())
      if (msg == null || typeof msg !== 'object' || msg.v !== 1 || typeof msg.club !== 'string' || !(msg.record instanceof Uint8Array)) {
        throw new Error('not a roster push message')
      }
      await stream.close({ signal })
      await accept(connection.remotePeer, { club: msg.club, record: msg.record })
    } catch (err) {
      log('roster push from %p dropped - %e', connection.remotePeer, err)
      stream.abort(err as Error)
    }
  }
}
