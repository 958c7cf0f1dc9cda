/**
 * A minimal SOCKS5 CONNECT (RFC 1928, no authentication, the host name sent
 * to the proxy) and an HTTP GET over it: the lab checks that a client tor
 * reaches an onion service without depending on the product's own dialer.
 */
import { connect, type Socket } from 'node:net'
import { TorLabError } from './procs.js'

function readBytes (sock: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0)
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d])
      if (buf.length < n) return
      // paused before the listener goes: in flowing mode the unshifted rest would be emitted to nobody
      sock.pause()
      sock.off('data', onData)
      sock.off('error', reject)
      if (buf.length > n) sock.unshift(buf.subarray(n))
      resolve(buf.subarray(0, n))
    }
    sock.on('data', onData)
    sock.once('error', reject)
    sock.resume()
  })
}

/** A TCP stream to host:port through the SOCKS5 proxy at 127.0.0.1:socksPort, paused (call resume() once listening). */
export async function socksConnect (socksPort: number, host: string, port: number, timeoutMs = 60_000): Promise<Socket> {
  const sock = connect({ host: '127.0.0.1', port: socksPort })
  const timer = setTimeout(() => sock.destroy(new TorLabError(`SOCKS connect to ${host}:${port} timed out after ${timeoutMs / 1000} s`)), timeoutMs)
  try {
    await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject) })
    sock.write(Buffer.from([5, 1, 0]))
    const hello = await readBytes(sock, 2)
    if (hello[0] !== 5 || hello[1] !== 0) throw new TorLabError(`SOCKS proxy refused no-auth: ${hello.toString('hex')}`)
    const name = Buffer.from(host)
    const req = Buffer.concat([Buffer.from([5, 1, 0, 3, name.length]), name, Buffer.from([port >> 8, port & 0xff])])
    sock.write(req)
    const head = await readBytes(sock, 4)
    if (head[1] !== 0) throw new TorLabError(`SOCKS CONNECT to ${host}:${port} failed with reply ${head[1]}`)
    const addrLen = head[3] === 1 ? 4 : head[3] === 4 ? 16 : (await readBytes(sock, 1))[0]
    await readBytes(sock, addrLen + 2)
    return sock
  } catch (err) {
    sock.destroy()
    throw err
  } finally {
    clearTimeout(timer)
  }
}

/** GET http://host:port/path through the proxy; the response body. */
export async function socksHttpGet (socksPort: number, host: string, port: number, path = '/', timeoutMs = 60_000): Promise<string> {
  const sock = await socksConnect(socksPort, host, port, timeoutMs)
  return await new Promise((resolve, reject) => {
    let data = ''
    const timer = setTimeout(() => sock.destroy(new TorLabError(`GET ${host}${path} timed out`)), timeoutMs)
    sock.on('data', (d: Buffer) => { data += d.toString() })
    sock.once('error', err => { clearTimeout(timer); reject(err) })
    sock.once('close', () => {
      clearTimeout(timer)
      const split = data.indexOf('\r\n\r\n')
      if (!data.startsWith('HTTP/1.') || split < 0) { reject(new TorLabError(`no HTTP answer from ${host}: ${data.slice(0, 200)}`)); return }
      resolve(data.slice(split + 4))
    })
    sock.resume()
    sock.write(`GET ${path} HTTP/1.0\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)
  })
}
