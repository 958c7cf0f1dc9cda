import { sendFrame } from '../framing/index.js'
import { wireError } from '../errors.js'
import { PeerTokenBuckets } from '../rate-limit/token-bucket.js'
import { DEFAULT_HELPER_IDLE_TIMEOUT_MS, DEFAULT_HELPER_RATE_LIMIT, HELPER_PROTOCOL, MAX_INBOUND_STREAMS } from './constants.js'
import { handleUpload } from './handlers/upload.js'
import { HelperResponse } from './message/helper.js'
import type { HelperBackend } from './types.js'
import type { Libp2p, Logger } from '@libp2p/interface'

export interface HelperProtocolOptions {
  /** Uploads started per peer (default 20/s, burst 100). */
  rateLimit?: { tokensPerSecond: number, burst: number }
  /** Deadline for the check and for each next data frame (default 30 s). */
  idleTimeoutMs?: number
  /** Crypttext an upload must bring per window to keep its slot (default 1 MiB per minute). */
  minRate?: { bytes: number, windowMs: number }
  /** Called with every crypttext chunk's size as it arrives, before it is spooled (status, tests); a throw breaks the upload off there. */
  onData?: (peer: string, bytes: number) => void
  log?: Logger
}

/** Serves /lafs-club/helper/1.0.0 from `backend`; returns the function that stops serving it. */
export async function registerHelperProtocol (libp2p: Pick<Libp2p, 'handle' | 'unhandle'>, backend: HelperBackend, options: HelperProtocolOptions = {}): Promise<() => Promise<void>> {
  const limiter = new PeerTokenBuckets(options.rateLimit ?? DEFAULT_HELPER_RATE_LIMIT)
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_HELPER_IDLE_TIMEOUT_MS
  await libp2p.handle(HELPER_PROTOCOL, async (stream, connection) => {
    const peer = connection.remotePeer.toString()
    const onData = options.onData == null ? undefined : (bytes: number) => options.onData?.(peer, bytes)
    const signal = AbortSignal.timeout(idleTimeoutMs)
    try {
      await handleUpload({ backend, limiter, peer, idleTimeoutMs, minRate: options.minRate, onData }, stream)
      await stream.close({ signal })
    } catch (err) {
      options.log?.('helper upload from %s failed - %e', peer, err)
      try {
        if (stream.status === 'open' && stream.writeStatus === 'writable') {
          const { code, message } = wireError(err)
          const retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs
          sendFrame(stream, HelperResponse.encode({ error: { code, message }, retryAfterMs: retryAfterMs ?? 0 }))
          await stream.close({ signal })
        } else {
          stream.abort(err instanceof Error ? err : new Error(String(err)))
        }
      } catch {
        stream.abort(err instanceof Error ? err : new Error(String(err)))
      }
    }
  }, { maxInboundStreams: MAX_INBOUND_STREAMS })
  return async () => { await libp2p.unhandle(HELPER_PROTOCOL) }
}
