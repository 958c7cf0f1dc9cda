import { answer } from '../framing/index.js'
import { PeerTokenBuckets } from '../rate-limit/token-bucket.js'
import { DEFAULT_HAVE_RATE_LIMIT, DEFAULT_HAVE_TIMEOUT_MS, HAVE_PROTOCOL, MAX_HAVE_REQUEST_FRAME, MAX_INBOUND_STREAMS } from './constants.js'
import { handleHave } from './handlers/have.js'
import { HaveResponse } from './message/have.js'
import type { StorageServer } from '../../storage/index.js'
import type { Libp2p, Logger } from '@libp2p/interface'

export interface HaveProtocolOptions {
  /** Per peer, counted in storage indexes asked about. */
  rateLimit?: { tokensPerSecond: number, burst: number }
  requestTimeoutMs?: number
  log?: Logger
  /** Clubs whose roster lists this server; answers that report a share name them. */
  clubs?: () => readonly string[]
}

/** Serves /lafs-club/have/1.0.0; returns the function that stops serving it. */
export async function registerHaveProtocol (libp2p: Pick<Libp2p, 'handle' | 'unhandle'>, server: StorageServer, options: HaveProtocolOptions = {}): Promise<() => Promise<void>> {
  const limiter = new PeerTokenBuckets(options.rateLimit ?? DEFAULT_HAVE_RATE_LIMIT)
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_HAVE_TIMEOUT_MS
  await libp2p.handle(HAVE_PROTOCOL, async (stream, connection) => {
    const peer = connection.remotePeer.toString()
    await answer(stream, {
      maxRequestLength: MAX_HAVE_REQUEST_FRAME,
      timeoutMs,
      encodeError: (code, message) => HaveResponse.encode({ error: { code, message } }),
      onError: err => options.log?.('have request from %s failed - %e', peer, err)
    }, async frame => await handleHave({ server, limiter, peer, clubs: options.clubs }, frame))
  }, { maxInboundStreams: MAX_INBOUND_STREAMS, runOnLimitedConnection: true })
  return async () => { await libp2p.unhandle(HAVE_PROTOCOL) }
}
