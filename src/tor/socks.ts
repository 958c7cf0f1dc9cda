/**
 * A SOCKS5 client (RFC 1928) for tor's SocksPort, CONNECT only. Host names
 * always go to tor as names (ATYP 3): nothing here calls the system
 * resolver, so a dial through Tor leaks no DNS query.
 */
import { connect, isIP, type Socket } from 'node:net'
import { SocksError } from './errors.js'

/** tor's SOCKS port: TCP (normally 127.0.0.1) or a unix socket. */
export type SocksEndpoint = { host: string, port: number } | { path: string }

const REPLIES: Record<number, string> = {
  1: 'general SOCKS server failure',
  2: 'connection not allowed by ruleset',
  3: 'network unreachable',
  4: 'host unreachable',
  5: 'connection refused',
  6: 'TTL expired (timed out)',
  7: 'command not supported',
  8: 'address type not supported',
  // tor's extended errors (ExtendedErrors flag), for onion services
  0xF0: 'onion service descriptor not found (the service is offline or not yet published)',
  0xF1: 'onion service descriptor is invalid',
  0xF2: 'onion service introduction failed',
  0xF3: 'onion service rendezvous failed',
  0xF4: 'onion service needs client authorization',
  0xF5: 'onion service client authorization is wrong',
  0xF6: 'bad onion address',
  0xF7: 'onion service introduction timed out'
}

export interface SocksConnectOptions {
  signal?: AbortSignal
  /**
   * SOCKS username/password: tor puts streams with different credentials on
   * different circuits (IsolateSOCKSAuth). Optional.
   */
  isolation?: { username: string, password: string }
}

interface Reader {
  /** Resolves with exactly `n` bytes. */
  read: (n: number) => Promise<Buffer>
  /** Stops reading; bytes read ahead go back to the (paused) socket. */
  done: () => void
}

function reader (socket: Socket): Reader {
  let buffered = Buffer.alloc(0)
  let want: { n: number, resolve: (b: Buffer) => void, reject: (e: Error) => void } | undefined
  const pump = (): void => {
    if (want !== undefined && buffered.length >= want.n) {
      const out = buffered.subarray(0, want.n)
      buffered = buffered.subarray(want.n)
      const w = want
      want = undefined
      w.resolve(out)
    }
  }
  const onData = (chunk: Buffer): void => { buffered = Buffer.concat([buffered, chunk]); pump() }
  const onEnd = (): void => { want?.reject(new Error('tor closed the SOCKS connection')) }
  socket.on('data', onData)
  socket.on('end', onEnd)
  socket.on('close', onEnd)
  const read = async (n: number): Promise<Buffer> => await new Promise((resolve, reject) => { want = { n, resolve, reject }; pump() })
  const done = (): void => {
    socket.off('data', onData)
    socket.off('end', onEnd)
    socket.off('close', onEnd)
    // bytes that came right after the reply belong to the caller, who resumes the socket
    socket.pause()
    if (buffered.length > 0) socket.unshift(buffered)
  }
  return { read, done }
}

/**
 * Opens a TCP stream to `host:port` through tor. Resolves with the socket,
 * ready for the caller's bytes; rejects with SocksError when tor refuses.
 */
export async function socksConnect (proxy: SocksEndpoint, host: string, port: number, options: SocksConnectOptions = {}): Promise<Socket> {
  const target = `${host}:${port}`
  options.signal?.throwIfAborted()
  if (Buffer.byteLength(host) > 255 || host.length === 0) throw new SocksError(target, -1, 'the host name is empty or longer than 255 bytes')
  const socket = 'path' in proxy ? connect({ path: proxy.path }) : connect({ host: proxy.host, port: proxy.port })
  const onAbort = (): void => { socket.destroy(options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted')) }
  options.signal?.addEventListener('abort', onAbort, { once: true })
  const { read, done } = reader(socket)
  const failed = new Promise<never>((_resolve, reject) => {
    socket.once('error', (err: NodeJS.ErrnoException) => {
      reject(options.signal?.aborted === true ? err : new SocksError(target, -1, `tor's SOCKS port is unreachable (${err.code ?? err.message}); is tor running?`))
    })
  })
  failed.catch(() => {})
  try {
    await Promise.race([new Promise(resolve => socket.once('connect', resolve)), failed])
    const auth = options.isolation
    socket.write(Buffer.from(auth !== undefined ? [5, 1, 2] : [5, 1, 0]))
    const [ver, method] = await Promise.race([read(2), failed])
    if (ver !== 5) throw new SocksError(target, -1, `the SOCKS port answered version ${ver}, not SOCKS5 (is it really tor's SocksPort?)`)
    if (method === 2 && auth !== undefined) {
      const u = Buffer.from(auth.username)
      const pw = Buffer.from(auth.password)
      socket.write(Buffer.concat([Buffer.from([1, u.length]), u, Buffer.from([pw.length]), pw]))
      const [, status] = await Promise.race([read(2), failed])
      if (status !== 0) throw new SocksError(target, -1, 'tor refused the SOCKS credentials')
    } else if (method !== 0) {
      throw new SocksError(target, -1, `the SOCKS port wants authentication method ${method}, which we do not speak`)
    }
    // IP literals go as addresses; every name goes to tor as a name.
    const family = isIP(host)
    const addr = family === 4
      ? Buffer.concat([Buffer.from([1]), Buffer.from(host.split('.').map(Number))])
      : family === 6
        ? Buffer.concat([Buffer.from([4]), ipv6Bytes(host)])
        : Buffer.concat([Buffer.from([3, Buffer.byteLength(host)]), Buffer.from(host)])
    socket.write(Buffer.concat([Buffer.from([5, 1, 0]), addr, Buffer.from([port >> 8, port & 255])]))
    const [, rep, , atyp] = await Promise.race([read(4), failed])
    if (rep !== 0) throw new SocksError(target, rep, REPLIES[rep] ?? `SOCKS reply ${rep}`)
    const rest = atyp === 1 ? 4 + 2 : atyp === 4 ? 16 + 2 : atyp === 3 ? (await read(1))[0] + 2 : -1
    if (rest < 0) throw new SocksError(target, -1, `malformed SOCKS reply (address type ${atyp})`)
    await Promise.race([read(rest), failed])
    done()
    return socket
  } catch (err) {
    socket.destroy()
    throw err
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
  }
}

function ipv6Bytes (ip: string): Buffer {
  const [head, tail = ''] = ip.split('::')
  const h = head === '' ? [] : head.split(':')
  const t = tail === '' ? [] : tail.split(':')
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h
  const out = Buffer.alloc(16)
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2))
  return out
}
