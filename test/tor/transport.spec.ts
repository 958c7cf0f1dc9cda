/*
 * The Tor transport between real libp2p nodes on loopback, with a stand-in
 * for tor's SOCKS port (test/tor/fake-tor-socks.ts): onion dial and onion
 * listening end to end (Noise, Yamux, ping), names handed to the proxy
 * unresolved, and Tor-only dialing of ordinary addresses.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect } from 'node:net'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import { onionKeyFromSeed, torTransport } from '../../src/tor/index.js'
import { startFakeTor, type FakeTor } from './fake-tor-socks.js'

const ONION = onionKeyFromSeed(new Uint8Array(32).fill(9)).address

async function node (transports: any[], listen: string[]): Promise<Libp2p<{ ping: any, identify: any }>> {
  return await createLibp2p({
    addresses: { listen },
    transports,
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { allow: ['/ip4/127.0.0.0/ipcidr/8'] },
    services: { identify: identify(), ping: ping() }
  }) as any
}

describe('Tor transport (with a stand-in SOCKS proxy)', function () {
  this.timeout(30_000)
  let tor: FakeTor
  const nodes: Libp2p[] = []

  beforeEach(async () => { tor = await startFakeTor(ONION) })
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async n => { await n.stop() }))
    await tor.close()
  })

  it('listens on /onion3 and is dialled there through the proxy: Noise, Yamux and ping work', async () => {
    const server = await node([torTransport({ provider: tor.provider })], [`/onion3/${ONION}:4001`])
    nodes.push(server)
    assert.deepEqual(server.getMultiaddrs().map(a => a.toString()), [`/onion3/${ONION}:4001/p2p/${server.peerId.toString()}`])
    assert.ok(tor.onions.has(ONION), 'the listener published its onion service')

    const client = await node([torTransport({ provider: tor.provider })], [])
    nodes.push(client)
    const rtt = await client.services.ping.ping(multiaddr(`/onion3/${ONION}:4001/p2p/${server.peerId.toString()}`))
    assert.ok(rtt >= 0)
    assert.deepEqual(tor.requests, [{ atyp: 3, host: `${ONION}.onion`, port: 4001 }])
    // the server sees the peer authenticated by Noise, arriving from loopback (tor)
    const conns = server.getConnections(client.peerId)
    assert.equal(conns.length, 1)
    assert.match(conns[0].remoteAddr.toString(), /^\/ip4\/127\.0\.0\.1\/tcp\//)

    await server.stop()
    assert.equal(tor.onions.has(ONION), false, 'closing the listener removes the onion service')
  })

  it('holds at most maxInbound connections through the onion service (they all come from 127.0.0.1)', async () => {
    const server = await node([torTransport({ provider: tor.provider, maxInbound: 2 })], [`/onion3/${ONION}:4001`])
    nodes.push(server)
    const port = tor.onions.get(ONION) as number
    const sockets = [0, 1, 2].map(() => connect({ host: '127.0.0.1', port }))
    const closed = sockets.map(s => new Promise<void>(resolve => { s.once('close', () => { resolve() }) }))
    try {
      await Promise.all(sockets.slice(0, 2).map(async s => { await once(s, 'connect') }))
      // the third is accepted by the kernel and closed at once by the listener
      await Promise.race([closed[2], new Promise((_resolve, reject) => setTimeout(() => { reject(new Error('the third connection was not closed within 5 s')) }, 5_000))])
      assert.deepEqual(sockets.slice(0, 2).map(s => s.destroyed), [false, false], 'the first two are kept')
    } finally {
      for (const s of sockets) s.destroy()
    }
  })

  it('carries 8 MiB each way over an onion connection, with backpressure', async () => {
    const server = await node([torTransport({ provider: tor.provider })], [`/onion3/${ONION}:4001`])
    nodes.push(server)
    await server.handle('/test/echo/1.0.0', async (stream) => {
      for await (const chunk of stream) {
        if (!stream.send(chunk)) await new Promise(resolve => stream.addEventListener('drain', resolve, { once: true }))
      }
      await stream.close()
    })
    const client = await node([torTransport({ provider: tor.provider })], [])
    nodes.push(client)
    const stream = await client.dialProtocol(multiaddr(`/onion3/${ONION}:4001/p2p/${server.peerId.toString()}`), '/test/echo/1.0.0')
    const total = 8 * 2 ** 20
    const chunk = new Uint8Array(64 * 1024).fill(7)
    const reading = (async () => {
      let got = 0
      for await (const c of stream) got += c.byteLength
      return got
    })()
    for (let sent = 0; sent < total; sent += chunk.length) {
      if (!stream.send(chunk)) await new Promise(resolve => stream.addEventListener('drain', resolve, { once: true }))
    }
    await stream.close()
    assert.equal(await reading, total)
  })

  it('in Tor-only mode dials ordinary addresses through the proxy, names unresolved', async () => {
    const target = await node([tcp()], ['/ip4/127.0.0.1/tcp/0'])
    nodes.push(target)
    const port = Number(target.getMultiaddrs()[0].getComponents()[1].value)
    const client = await node([torTransport({ provider: tor.provider, dialAll: true })], [])
    nodes.push(client)
    await client.services.ping.ping(multiaddr(`/dns4/localhost/tcp/${port}/p2p/${target.peerId.toString()}`))
    await client.hangUp(target.peerId)
    await client.services.ping.ping(multiaddr(`/ip4/127.0.0.1/tcp/${port}/p2p/${target.peerId.toString()}`))
    assert.deepEqual(tor.requests, [{ atyp: 3, host: 'localhost', port }, { atyp: 1, host: '127.0.0.1', port }])
  })

  it('without Tor-only mode leaves ordinary addresses to other transports', async () => {
    const target = await node([tcp()], ['/ip4/127.0.0.1/tcp/0'])
    nodes.push(target)
    const client = await node([torTransport({ provider: tor.provider }), tcp()], [])
    nodes.push(client)
    await client.services.ping.ping(target.getMultiaddrs()[0])
    assert.deepEqual(tor.requests, [])
  })
})
