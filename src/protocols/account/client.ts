import { ask } from '../framing/index.js'
import { MalformedMessageError, RemoteStorageError, errorMessage } from '../errors.js'
import { ACCOUNT_PROTOCOL, DEFAULT_ACCOUNT_TIMEOUT_MS, MAX_ACCOUNT_RESPONSE_FRAME } from './constants.js'
import { AccountRequest, AccountResponse } from './message/account.js'
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface ServerTerms {
  /** Bytes any account may store without an invitation. */
  freeQuota: number
  /** Other ways to get more space (invitation, payment), each with a URL and a human explanation. */
  methods: Array<{ name: string, url?: string, explanation: string }>
}

export interface AccountUsage {
  /** The account as the server sees it: this node's peer ID. */
  account: string
  bytes: number
  shares: number
  leases: number
  quota: number
  reserved: number
}

export interface AccountClientOptions {
  timeoutMs?: number
}

/** Asks one server about its terms and this node's account there. */
export class AccountClient {
  readonly peer: PeerId | Multiaddr
  private readonly libp2p: Pick<Libp2p, 'dialProtocol'>
  private readonly timeoutMs: number

  constructor (libp2p: Pick<Libp2p, 'dialProtocol'>, peer: PeerId | Multiaddr, options: AccountClientOptions = {}) {
    this.libp2p = libp2p
    this.peer = peer
    this.timeoutMs = options.timeoutMs ?? DEFAULT_ACCOUNT_TIMEOUT_MS
  }

  async terms (options: { signal?: AbortSignal } = {}): Promise<ServerTerms> {
    const res = await this.ask({ terms: {} }, options.signal)
    if (res.terms == null) throw new MalformedMessageError('answer has no terms')
    return { freeQuota: res.terms.freeQuota, methods: res.terms.methods.map(m => ({ name: m.name, url: m.url, explanation: m.explanation })) }
  }

  async usage (options: { signal?: AbortSignal } = {}): Promise<AccountUsage> {
    const res = await this.ask({ usage: {} }, options.signal)
    if (res.usage == null) throw new MalformedMessageError('answer has no usage')
    return { ...res.usage }
  }

  /** Redeems an invitation code; resolves to the account's new quota. Errors: ERR_INVITATION_UNKNOWN, ERR_INVITATION_USED. */
  async redeem (code: string, options: { signal?: AbortSignal } = {}): Promise<{ quota: number }> {
    const res = await this.ask({ redeem: { code } }, options.signal)
    if (res.redeem == null) throw new MalformedMessageError('answer has no redeem result')
    return { quota: res.redeem.quota }
  }

  private async ask (req: AccountRequest, signal?: AbortSignal): Promise<AccountResponse> {
    const frame = await ask(this.libp2p, this.peer, ACCOUNT_PROTOCOL, AccountRequest.encode(req), {
      maxAnswerLength: MAX_ACCOUNT_RESPONSE_FRAME, timeoutMs: this.timeoutMs, signal
    })
    let res: AccountResponse
    try {
      res = AccountResponse.decode(frame)
    } catch (err) {
      throw new MalformedMessageError(`undecodable account answer: ${errorMessage(err)}`)
    }
    if (res.error != null) throw new RemoteStorageError(res.error.code, res.error.message)
    return res
  }
}
