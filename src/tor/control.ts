/**
 * A minimal client of tor's control protocol (control-spec.txt): cookie
 * authentication (SAFECOOKIE, else COOKIE, else none when tor allows it),
 * GETINFO, ADD_ONION, DEL_ONION, SIGNAL and TAKEOWNERSHIP. Commands go out
 * one after the other; tor answers them in order, and asynchronous event
 * lines (6xx) are kept apart.
 */
import { createHmac, randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { connect, type Socket } from 'node:net'
import { logger } from '@libp2p/logger'
import { TorControlClosedError, TorControlCommandError, TorControlUnreachableError } from './errors.js'
import { ReplyParser, parseBootstrapPhase, parseGetInfo, parseKeywords, type BootstrapPhase, type Reply } from './reply.js'

const log = logger('lafs-club:tor:control')

/** Where tor's control port is: a unix socket, or a TCP port (normally on 127.0.0.1). */
export type ControlEndpoint = { path: string } | { host: string, port: number }

export function endpointText (e: ControlEndpoint): string {
  return 'path' in e ? `unix:${e.path}` : `${e.host}:${e.port}`
}

/**
 * Parses `unix:/path`, `/path`, `host:port` or a bare port number (on
 * 127.0.0.1) into an endpoint; undefined when it is none of these.
 */
export function parseControlEndpoint (text: string): ControlEndpoint | undefined {
  if (text.startsWith('unix:')) return text.length > 5 ? { path: text.slice(5) } : undefined
  if (text.startsWith('/')) return { path: text }
  const m = /^(?:\[?([^\]]+?)\]?:)?(\d{1,5})$/.exec(text)
  if (m === null) return undefined
  const port = Number(m[2])
  if (port < 1 || port > 65535) return undefined
  return { host: m[1] ?? '127.0.0.1', port }
}

const SAFECOOKIE_SERVER_KEY = 'Tor safe cookie authentication server-to-controller hash'
const SAFECOOKIE_CLIENT_KEY = 'Tor safe cookie authentication controller-to-server hash'

/** One onion service port: the virtual port peers dial, forwarded to `target` (`127.0.0.1:port`). */
export interface OnionPort { virtualPort: number, target: string }

export interface AddOnionResult {
  serviceId: string
  /** Only when tor made the key (`NEW:`): `ED25519-V3:<base64>`. */
  privateKey?: string
}

export class TorControl {
  private readonly parser: ReplyParser
  private readonly waiting: Array<{ resolve: (r: Reply) => void, reject: (e: Error) => void }> = []
  private queue: Promise<unknown> = Promise.resolve()
  private closedError: Error | undefined
  /** Resolves when the connection closes (tor stopped, or close() was called). */
  readonly closed: Promise<void>

  private constructor (private readonly socket: Socket, readonly endpoint: ControlEndpoint) {
    this.parser = new ReplyParser(reply => {
      if (reply.status >= 600 && reply.status < 700) return // an event; we subscribe to none
      this.waiting.shift()?.resolve(reply)
    })
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      try { this.parser.push(chunk) } catch (err) { socket.destroy(err as Error) }
    })
    this.closed = new Promise(resolve => {
      socket.once('close', () => {
        this.closedError ??= new TorControlClosedError()
        for (const w of this.waiting.splice(0)) w.reject(this.closedError)
        resolve()
      })
    })
    socket.on('error', err => { this.closedError = new TorControlClosedError(); log('control connection error: %s', err.message) })
  }

  /** Opens a connection; no command is sent yet (see authenticate()). */
  static async connect (endpoint: ControlEndpoint, options: { timeoutMs?: number } = {}): Promise<TorControl> {
    const where = endpointText(endpoint)
    const socket = 'path' in endpoint ? connect({ path: endpoint.path }) : connect({ host: endpoint.host, port: endpoint.port })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { socket.destroy(); reject(new TorControlUnreachableError(where, `no answer within ${options.timeoutMs ?? 10_000} ms`)) }, options.timeoutMs ?? 10_000)
      socket.once('connect', () => { clearTimeout(timer); resolve() })
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        reject(new TorControlUnreachableError(where, err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? `nothing listens there (${err.code}); is tor running with that ControlPort/ControlSocket?` : err.message, err))
      })
    })
    return new TorControl(socket, endpoint)
  }

  /** Sends one command line (or several, for a multi-line command) and waits for its reply. */
  async raw (line: string): Promise<Reply> {
    const run = async (): Promise<Reply> => {
      if (this.closedError !== undefined) throw this.closedError
      const reply = new Promise<Reply>((resolve, reject) => { this.waiting.push({ resolve, reject }) })
      this.socket.write(line + '\r\n')
      return await reply
    }
    const p = this.queue.then(run, run)
    this.queue = p.catch(() => {})
    return await p
  }

  /** Like raw(), but a 4xx/5xx answer throws TorControlCommandError. */
  async command (line: string, shownAs = line.split(' ')[0]): Promise<Reply> {
    const reply = await this.raw(line)
    if (reply.status >= 400) throw new TorControlCommandError(shownAs, reply.status, reply.lines.map(l => l.text).join(' / '))
    return reply
  }

  /**
   * Authenticates with the method tor offers: none (NULL), SAFECOOKIE (proves
   * both sides know the cookie) or COOKIE. A password-only tor is refused with
   * a message saying to enable cookie authentication.
   */
  async authenticate (): Promise<void> {
    const info = await this.command('PROTOCOLINFO 1')
    const auth = info.lines.find(l => l.text.startsWith('AUTH '))
    const k = parseKeywords(auth?.text ?? '')
    const methods = (k.METHODS ?? '').split(',')
    const where = endpointText(this.endpoint)
    if (methods.includes('NULL')) {
      await this.command('AUTHENTICATE')
      return
    }
    if (!methods.includes('SAFECOOKIE') && !methods.includes('COOKIE')) {
      throw new TorControlUnreachableError(where, `tor offers only ${methods.join(', ')} authentication; set "CookieAuthentication 1" in its torrc`)
    }
    let cookie: Buffer
    try {
      cookie = await readFile(k.COOKIEFILE ?? '')
    } catch (err: any) {
      throw new TorControlUnreachableError(where, `cannot read tor's auth cookie ${k.COOKIEFILE ?? '(no COOKIEFILE given)'} (${err?.code ?? err}); run as a user that may read it (Debian: a member of the debian-tor group)`, err)
    }
    if (methods.includes('SAFECOOKIE')) {
      const clientNonce = randomBytes(32)
      const challenge = await this.command(`AUTHCHALLENGE SAFECOOKIE ${clientNonce.toString('hex')}`, 'AUTHCHALLENGE')
      const c = parseKeywords(challenge.lines[0]?.text.replace(/^AUTHCHALLENGE /, '') ?? '')
      const serverNonce = Buffer.from(c.SERVERNONCE ?? '', 'hex')
      const expected = createHmac('sha256', SAFECOOKIE_SERVER_KEY).update(Buffer.concat([cookie, clientNonce, serverNonce])).digest('hex')
      if ((c.SERVERHASH ?? '').toLowerCase() !== expected) {
        throw new TorControlUnreachableError(where, 'the control port did not prove it knows the auth cookie (SAFECOOKIE server hash mismatch): it may not be the tor that wrote the cookie file')
      }
      const hash = createHmac('sha256', SAFECOOKIE_CLIENT_KEY).update(Buffer.concat([cookie, clientNonce, serverNonce])).digest('hex')
      await this.command(`AUTHENTICATE ${hash}`, 'AUTHENTICATE')
      return
    }
    await this.command(`AUTHENTICATE ${cookie.toString('hex')}`, 'AUTHENTICATE')
  }

  async getInfo (...keys: string[]): Promise<Record<string, string>> {
    return parseGetInfo(await this.command(`GETINFO ${keys.join(' ')}`))
  }

  async bootstrapPhase (): Promise<BootstrapPhase> {
    const v = await this.getInfo('status/bootstrap-phase')
    return parseBootstrapPhase(v['status/bootstrap-phase'] ?? '')
  }

  /**
   * ADD_ONION: `key` is `NEW:ED25519-V3` or `ED25519-V3:<base64 of the
   * expanded secret key>`. The service lives as long as this control
   * connection unless `detach` (Flags=Detach).
   */
  async addOnion (key: string, ports: OnionPort[], options: { detach?: boolean } = {}): Promise<AddOnionResult> {
    const flags = options.detach === true ? ['Detach'] : []
    const portArgs = ports.map(p => `Port=${p.virtualPort},${p.target}`).join(' ')
    const reply = await this.command(`ADD_ONION ${key}${flags.length > 0 ? ` Flags=${flags.join(',')}` : ''} ${portArgs}`, 'ADD_ONION')
    const v = parseGetInfo(reply)
    if (v.ServiceID === undefined) throw new TorControlCommandError('ADD_ONION', reply.status, 'no ServiceID in the answer')
    return { serviceId: v.ServiceID, ...(v.PrivateKey !== undefined ? { privateKey: v.PrivateKey } : {}) }
  }

  async delOnion (serviceId: string): Promise<void> {
    await this.command(`DEL_ONION ${serviceId}`)
  }

  async signal (name: 'SHUTDOWN' | 'HALT' | 'NEWNYM' | 'RELOAD' | 'DORMANT' | 'ACTIVE'): Promise<void> {
    await this.command(`SIGNAL ${name}`)
  }

  /** tor exits when this connection closes (so a crash of ours never leaves a tor behind). */
  async takeOwnership (): Promise<void> {
    await this.command('TAKEOWNERSHIP')
  }

  /** SETCONF with `KEY=value` pairs (values quoted). */
  async setConf (pairs: Record<string, string>): Promise<void> {
    const args = Object.entries(pairs).map(([k, v]) => `${k}="${v.replace(/(["\\])/g, '\\$1')}"`).join(' ')
    await this.command(`SETCONF ${args}`, 'SETCONF')
  }

  close (): void {
    this.socket.end()
    this.socket.destroy()
  }
}
