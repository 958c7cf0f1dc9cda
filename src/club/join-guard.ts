/**
 * What an open club's owner checks before it publishes a server that asked to
 * join (issue #12, item 9): a per-club rate limit on automatic acceptance, and
 * a probe that the server answers, under its own peer ID, on an address it
 * asked to be listed with. Without them any peer ID could fill the roster
 * (about 85 entries) with addresses every member then dials.
 */
import { randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { byteStream } from '@libp2p/utils'
import { withPeerId } from './addresses.js'
import { JOIN_PROBE_MAX_ADDRESSES } from './constants.js'
import { JoinRateLimitedError, JoinServerUnreachableError } from './errors.js'
import type { Connection, Libp2p, PeerId } from '@libp2p/interface'

const MINUTE_MS = 60_000
/** libp2p's ping protocol: every lafs-club node runs it (kad-dht needs it), and it is a complete round trip. */
const PING_PROTOCOL = '/ipfs/ping/1.0.0'
const PING_LENGTH = 32

/** Sliding one-minute window of automatic acceptances, per club. In memory: a restart resets it. */
export class JoinThrottle {
  readonly perMinute: number
  private readonly now: () => number
  private readonly taken = new Map<string, number[]>()

  constructor (perMinute: number, now: () => number = Date.now) {
    if (!Number.isSafeInteger(perMinute) || perMinute < 1) throw new RangeError('openJoinsPerMinute must be a positive integer')
    this.perMinute = perMinute
    this.now = now
  }

  /**
   * Takes one slot for `clubId` or throws JoinRateLimitedError. A slot is taken
   * before the probe, not after a success: the probe (a dial to an address the
   * joiner chose) is itself one of the costs this limit bounds.
   */
  take (clubId: string): void {
    const now = this.now()
    const recent = (this.taken.get(clubId) ?? []).filter(t => now - t < MINUTE_MS)
    if (recent.length >= this.perMinute) {
      this.taken.set(clubId, recent)
      const waitS = Math.ceil((recent[0] + MINUTE_MS - now) / 1000)
      throw new JoinRateLimitedError(`club ${clubId} takes at most ${this.perMinute} new servers a minute and is at that limit; ask again in ${waitS} s`)
    }
    recent.push(now)
    this.taken.set(clubId, recent)
  }
}

/**
 * Dials the joining server on its listed addresses (a new connection, not the
 * one the request came on), checks that the peer there is `peerId` (Noise
 * authenticates it) and completes a libp2p ping. Resolves on the first address
 * that answers; throws JoinServerUnreachableError, naming each failure, when
 * none of the first few does.
 */
export async function probeServer (libp2p: Pick<Libp2p, 'dial' | 'getConnections'>, peerId: PeerId, addrs: string[], options: { timeoutMs: number }): Promise<string> {
  const failures: string[] = []
  for (const addr of addrs.slice(0, JOIN_PROBE_MAX_ADDRESSES)) {
    // A second try only when the peer completed the handshake and then lost the
    // ping stream (seen on a loaded box); a refused or silent address is not retried.
    for (let attempt = 1; attempt <= 2; attempt++) {
      const outcome = await probeOnce(libp2p, peerId, addr, options.timeoutMs)
      if (outcome === 'ok') return addr
      if (attempt === 2 || !outcome.handshaken) failures.push(`${addr}: ${outcome.error}`)
      if (!outcome.handshaken) break
    }
  }
  const tried = failures.length === 0 ? 'no address was listed' : failures.join('; ')
  throw new JoinServerUnreachableError(`the club owner could not reach server ${peerId.toString()} on the addresses it listed (${tried}); list an address other peers can dial (check port forwarding or a relay address)`)
}

async function probeOnce (libp2p: Pick<Libp2p, 'dial' | 'getConnections'>, peerId: PeerId, addr: string, timeoutMs: number): Promise<'ok' | { handshaken: boolean, error: string }> {
  let conn: Connection | undefined
  const before = new Set(libp2p.getConnections(peerId).map(c => c.id))
  const signal = AbortSignal.timeout(timeoutMs)
  try {
    conn = await libp2p.dial(multiaddr(withPeerId(addr, peerId.toString())), { force: true, signal })
    if (!conn.remotePeer.equals(peerId)) throw new Error(`answered by ${conn.remotePeer.toString()}`)
    const stream = await conn.newStream(PING_PROTOCOL, { signal, runOnLimitedConnection: true })
    const bytes = byteStream(stream)
    const challenge = randomBytes(PING_LENGTH)
    await bytes.write(challenge, { signal })
    const echo = (await bytes.read({ bytes: PING_LENGTH, signal })).subarray()
    if (Buffer.compare(Buffer.from(echo), challenge) !== 0) throw new Error('the ping answer did not echo the challenge')
    await stream.close({ signal }).catch(() => {})
    return 'ok'
  } catch (err: any) {
    return { handshaken: conn != null, error: err?.message ?? String(err) }
  } finally {
    // only the probe's own connection: the one the join request came on must stay open for the answer
    if (conn != null && !before.has(conn.id)) await conn.close().catch(() => {})
  }
}
