import { answer } from '../framing/index.js'
import { MalformedMessageError, errorMessage } from '../errors.js'
import { ACCOUNT_PROTOCOL, DEFAULT_ACCOUNT_TIMEOUT_MS, MAX_ACCOUNT_REQUEST_FRAME, MAX_INBOUND_STREAMS } from './constants.js'
import { handleRedeem } from './handlers/redeem.js'
import { handleTerms } from './handlers/terms.js'
import { handleUsage } from './handlers/usage.js'
import { AccountRequest, AccountResponse } from './message/account.js'
import type { AccountContext } from './handlers/context.js'
import type { StorageServer } from '../../storage/index.js'
import type { Libp2p, Logger } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface AccountProtocolOptions {
  requestTimeoutMs?: number
  log?: Logger
}

function handle (ctx: AccountContext, frame: Uint8ArrayList): Uint8Array {
  let req: AccountRequest
  try {
    req = AccountRequest.decode(frame)
  } catch (err) {
    throw new MalformedMessageError(`undecodable account request: ${errorMessage(err)}`)
  }
  if (req.terms != null) return AccountResponse.encode(handleTerms(ctx))
  if (req.usage != null) return AccountResponse.encode(handleUsage(ctx))
  if (req.redeem != null) return AccountResponse.encode(handleRedeem(ctx, req.redeem))
  throw new MalformedMessageError('account request has no known body')
}

/** Serves /lafs-club/account/1.0.0; returns the function that stops serving it. */
export async function registerAccountProtocol (libp2p: Pick<Libp2p, 'handle' | 'unhandle'>, server: StorageServer, options: AccountProtocolOptions = {}): Promise<() => Promise<void>> {
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_ACCOUNT_TIMEOUT_MS
  await libp2p.handle(ACCOUNT_PROTOCOL, async (stream, connection) => {
    const account = connection.remotePeer.toString()
    await answer(stream, {
      maxRequestLength: MAX_ACCOUNT_REQUEST_FRAME,
      timeoutMs,
      encodeError: (code, message) => AccountResponse.encode({ error: { code, message } }),
      onError: err => options.log?.('account request from %s failed - %e', account, err)
    }, async frame => handle({ server, account }, frame))
  }, { maxInboundStreams: MAX_INBOUND_STREAMS, runOnLimitedConnection: true })
  return async () => { await libp2p.unhandle(ACCOUNT_PROTOCOL) }
}
