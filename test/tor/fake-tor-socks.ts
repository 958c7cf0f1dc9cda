/**
 * A stand-in for tor's SOCKS port and onion services, for the transport's
 * tests without a Tor network: a SOCKS5 server (CONNECT, no auth) that
 * records what it was asked for, connects host names and IPs as tor's exit
 * would (on loopback only), and forwards `<address>.onion:<port>` to the
 * loopback port the "onion service" was published with.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'

export interface SocksRequest { atyp: number, host: string, port: number }

export interface FakeTor {
  server: Server
  port: number
  requests: SocksRequest[]
  /** onion address → loopback port, filled by publishOnion */
  onions: Map<string, number>
  provider: {
    socksEndpoint: () => Promise<{ host: string, port: number }>
    publishOnion: (o: { virtualPort: number, targetPort: number }) => Promise<string>
    removeOnion: (address: string) => Promise<void>
  }
  close: () => Promise<void>
}

export async function startFakeTor (onionAddress: string): Promise<FakeTor> {
  const requests: SocksRequest[] = []
  const onions = new Map<string, number>()
  const sockets = new Set<Socket>()
  const server = createServer(client => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => {})
    let buf = Buffer.alloc(0)
    let stage = 0
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk])
      if (stage === 0 && buf.length >= 3) {
        buf = buf.subarray(2 + buf[1])
        client.write(Buffer.from([5, 0]))
        stage = 1
      }
      if (stage !== 1 || buf.length < 5) return
      const atyp = buf[3]
      let host: string
      let end: number
      if (atyp === 1) { host = [...buf.subarray(4, 8)].join('.'); end = 8 } else if (atyp === 3) { end = 5 + buf[4]; host = buf.subarray(5, end).toString() } else { client.destroy(); return }
      if (buf.length < end + 2) return
      const port = buf.readUInt16BE(end)
      const rest = buf.subarray(end + 2)
      stage = 2
      client.off('data', onData)
      requests.push({ atyp, host, port })
      const onion = /^([a-z2-7]{56})\.onion$/.exec(host)
      const target = onion !== null ? { host: '127.0.0.1', port: onions.get(onion[1]) ?? 1 } : { host: host === 'localhost' ? '127.0.0.1' : host, port }
      const upstream = connect(target)
      sockets.add(upstream)
      upstream.on('close', () => { sockets.delete(upstream); client.destroy() })
      upstream.on('error', () => { client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0])) })
      upstream.on('connect', () => {
        client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]))
        if (rest.length > 0) upstream.write(rest)
        client.pipe(upstream)
        upstream.pipe(client)
      })
    }
    client.on('data', onData)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    server,
    port,
    requests,
    onions,
    provider: {
      socksEndpoint: async () => ({ host: '127.0.0.1', port }),
      publishOnion: async ({ targetPort }) => { onions.set(onionAddress, targetPort); return onionAddress },
      removeOnion: async (address) => { onions.delete(address) }
    },
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise(resolve => server.close(resolve))
    }
  }
}
