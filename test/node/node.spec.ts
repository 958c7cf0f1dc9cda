import assert from 'node:assert/strict'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import {
  createNode, defaultConfig, mergeConfig, DataDirInUseError, MissingDataDirError, NodeStoppedError,
  installProcessHandlers, type CreateNodeOptions, type DownloadExplain, type LafsNode, type NodeLogger
} from '../../src/node/index.js'
import { networkProfile } from '../../src/node/libp2p.js'
import { parseCap, storageIndexOf } from '../../src/immutable/index.js'
import { hasPublicAddress } from '../../src/node/relay-auto.js'
import type { SingleKadDHT } from '@libp2p/kad-dht'
import { randomBytes } from 'node:crypto'
import { findProvidersList } from '../../src/dht/index.js'
import { queryHave, STORAGE_PROTOCOL } from '../../src/protocols/index.js'
import { createTestLibp2p } from '../fixtures/libp2p.js'

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0']

function recordingLogger (): NodeLogger & { lines: string[] } {
  const lines: string[] = []
  return { lines, info: m => lines.push(`info ${m}`), warn: m => lines.push(`warn ${m}`), error: m => lines.push(`error ${m}`) }
}

async function until (what: string, cond: () => boolean, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

function parseCapSi (cap: string): Uint8Array {
  const parsed = parseCap(cap)
  if (parsed.kind !== 'chk') throw new Error(`not a CHK cap: ${cap}`)
  return storageIndexOf(parsed)
}

function tableSize (node: LafsNode): number {
  return (node.libp2p.services.dht as unknown as SingleKadDHT).routingTable.size
}

describe('node', function () {
  this.timeout(30_000)
  let base: string
  const nodes: LafsNode[] = []

  const start = async (name: string, extra: Partial<CreateNodeOptions> = {}): Promise<LafsNode> => {
    const node = await createNode({ dataDir: join(base, name), listen: LOOPBACK, bootstrap: [], gateway: false, logger: recordingLogger(), ...extra })
    nodes.push(node)
    return node
  }

  beforeEach(async () => { base = await mkdtemp(join(tmpdir(), 'lafs-node-')) })
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async n => { await n.stop() }))
    await rm(base, { recursive: true, force: true })
  })

  it('two nodes on loopback connect and see each other in their DHT routing tables', async () => {
    const a = await start('a', { storage: { enabled: true } })
    assert.equal(a.multiaddrs.length, 1)
    assert.ok(a.multiaddrs[0].startsWith('/ip4/127.0.0.1/tcp/') && a.multiaddrs[0].endsWith(`/p2p/${a.peerId}`))
    assert.equal(a.profile.loopbackOnly, true)
    assert.equal(a.profile.lan, true)
    assert.equal(a.libp2p.services.dht.getMode(), 'server')

    const b = await start('b', { storage: { enabled: true }, bootstrap: [a.multiaddrs[0]] })
    const report = await b.bootstrapped
    assert.deepEqual(report.connected, [a.peerId])
    assert.equal(report.alone, false)
    await until('both routing tables to hold the other node', () => tableSize(a) === 1 && tableSize(b) === 1)

    // the storage server answers on its protocols
    assert.ok(a.storage !== undefined)
    assert.ok(a.libp2p.getProtocols().includes('/lafs-club/storage/1.1.0'))
    assert.ok(a.libp2p.getProtocols().includes('/lafs-club/have/1.0.0'))
    assert.ok(a.libp2p.getProtocols().includes('/lafs-club/account/1.0.0'))
    assert.ok((await stat(join(base, 'a', 'storage'))).isDirectory())
    assert.equal(a.libp2p.services.upnp, undefined)
  })

  it('listens on WebSockets as well as TCP, and peers can dial either', async () => {
    const a = await start('ws', { listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'] })
    const ws = a.multiaddrs.find(m => m.includes('/ws/'))
    assert.ok(ws !== undefined, `no WebSockets address in ${a.multiaddrs.join(' ')}`)
    const b = await start('ws-dialer', { bootstrap: [ws] })
    const report = await b.bootstrapped
    assert.deepEqual(report.connected, [a.peerId], JSON.stringify(report.failed))
    assert.ok(b.libp2p.getConnections().some(c => c.remoteAddr.toString().includes('/ws')))
  })

  it('a stored share is answered by have-share and announced in the DHT', async function () {
    this.timeout(40_000)
    const server = await start('server')
    const client = await start('client', { bootstrap: [server.multiaddrs[0]] })
    await client.bootstrapped
    await until('routing tables to fill', () => tableSize(server) === 1 && tableSize(client) === 1)

    const si = new Uint8Array(randomBytes(16))
    const share = new Uint8Array(randomBytes(1000))
    const lease = { renewSecret: new Uint8Array(32).fill(1), cancelSecret: new Uint8Array(32).fill(2) }
    await server.storage!.allocate(client.peerId, si, [4], share.length, lease)
    await server.storage!.write(client.peerId, si, 4, 0, share)
    await server.storage!.closeShare(client.peerId, si, 4)

    const have = await queryHave(client.libp2p, multiaddr(server.multiaddrs[0]), [si, new Uint8Array(16)])
    assert.deepEqual(have, [[4], []])

    // the node's announcer provides the storage index once the share is stored
    await server.announcer!.onIdle()
    // A provider answers GET_PROVIDERS with its own peer-store entry, which libp2p fills with its
    // listen addresses up to 1 s after start (debounced); an entry without addresses is left out of
    // the answer. Queries no longer wait 1 s for kad-dht's first self-lookup, so this test can ask first.
    const selfAddrs = async (): Promise<number> => (await server.libp2p.peerStore.get(server.libp2p.peerId)).addresses.length
    const end = Date.now() + 5_000
    while (await selfAddrs() === 0) {
      assert.ok(Date.now() < end, 'the server never put its own addresses in its peer store')
      await new Promise(resolve => setTimeout(resolve, 25))
    }
    assert.equal(server.announcer!.stats.announced, 1)
    const providers = await findProvidersList(client.libp2p.services.dht, si, { want: 1 })
    assert.deepEqual(providers.map(p => p.id.toString()), [server.peerId])
  })

  it('relay service: on with relay.server true, off until a public address with "auto"', async () => {
    const hop = '/libp2p/circuit/relay/0.2.0/hop'
    const always = await start('relay-on', { storage: { enabled: false }, config: { relay: { server: true } } })
    assert.ok(always.libp2p.getProtocols().includes(hop))
    const auto = await start('relay-auto', { storage: { enabled: false } })
    assert.equal(auto.config.relay.server, 'auto')
    assert.equal(auto.libp2p.getProtocols().includes(hop), false)
    assert.equal((auto.libp2p.services.relay as any).serving, false)
    const never = await start('relay-off', { storage: { enabled: false }, config: { relay: { server: false } } })
    assert.equal(never.libp2p.services.relay, undefined)
  })

  it('reports that it runs alone when no bootstrap peer is reachable', async () => {
    const ghost = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const logger = recordingLogger()
    // port 1 on loopback: nothing listens there, so the dial is refused at once
    const node = await start('alone', { bootstrap: [`/ip4/127.0.0.1/tcp/1/p2p/${ghost}`], logger })
    const report = await node.bootstrapped
    assert.equal(report.alone, true)
    assert.equal(report.configured, 1)
    assert.equal(report.failed.length, 1)
    assert.ok(logger.lines.some(l => l.startsWith('warn none of the 1 bootstrap peers answered: this node runs alone')), logger.lines.join('\n'))
    // and it still works: another node can reach it
    const other = await start('other', { bootstrap: [node.multiaddrs[0]] })
    assert.equal((await other.bootstrapped).alone, false)
  })

  it('stop is idempotent and releases the data folder; the same identity comes back', async () => {
    const first = await start('n', { storage: { enabled: true } })
    await assert.rejects(createNode({ dataDir: join(base, 'n'), listen: LOOPBACK, bootstrap: [], gateway: false, logger: recordingLogger() }),
      (err: any) => err instanceof DataDirInUseError && err.code === 'ERR_DATA_DIR_IN_USE')
    const peerId = first.peerId
    const si = new Uint8Array(16).fill(7)
    await first.storage!.allocate('12D3KooWclient', si, [0], 3, { renewSecret: new Uint8Array(32), cancelSecret: new Uint8Array(32).fill(1) })
    await first.storage!.write('12D3KooWclient', si, 0, 0, new Uint8Array([1, 2, 3]))
    await first.storage!.closeShare('12D3KooWclient', si, 0)
    first.leases.record({ cap: 'URI:CHK:test', storageIndex: 'si', servers: [peerId] })
    await Promise.all([first.stop(), first.stop()])
    await first.stop()
    assert.equal(first.stopped, true)
    assert.equal(first.libp2p.status, 'stopped')
    await assert.rejects(async () => { await first.get('URI:CHK:x') }, NodeStoppedError)

    const again = await start('n', { storage: { enabled: true } })
    assert.equal(again.peerId, peerId)
    assert.deepEqual(await again.storage!.have([si]), [[0]])
    assert.deepEqual(again.leases.list().map(l => l.cap), ['URI:CHK:test'])
  })

  it('initializes a missing folder when embedded, but not with requireInit', async () => {
    await assert.rejects(createNode({ dataDir: join(base, 'cli'), requireInit: true, listen: LOOPBACK, bootstrap: [] }),
      (err: any) => err instanceof MissingDataDirError && /lafs-club init/.test(err.message))
    const node = await start('embedded', { storage: { enabled: false } })
    assert.equal(node.storage, undefined)
    assert.equal(node.config.gateway.enabled, false)
    assert.deepEqual(node.config.listen, LOOPBACK)
    assert.ok((await stat(join(base, 'embedded', 'config.json'))).isFile())
  })

  it('never runs UPnP on a loopback-only node, even when the config asks for it', async () => {
    const node = await start('noupnp', { config: { nat: { upnp: true } } })
    assert.equal(node.config.nat.upnp, true)
    assert.equal(node.profile.upnp, false)
    assert.equal(node.libp2p.services.upnp, undefined)
  })

  it('applies option shortcuts over the config file and validates options.config', async () => {
    const node = await start('opts', { dhtProtocol: '/lafs-test/kad/1.0.0', storage: { enabled: true, capacity: 5_000_000 } })
    assert.equal(node.config.dht.protocol, '/lafs-test/kad/1.0.0')
    assert.equal(node.config.storage.capacity, 5_000_000)
    assert.equal(node.storage!.stats().capacity, 5_000_000)
    assert.ok(node.libp2p.getProtocols().includes('/lafs-test/kad/1.0.0'))
    await assert.rejects(createNode({ dataDir: join(base, 'bad'), config: { dht: { clientMode: 'nope' as any } } }),
      (err: any) => err.code === 'ERR_INVALID_CONFIG' && err.key === 'dht.clientMode')
  })

  // storage.sessionsPerConnection reaches the storage protocol: with 1, a second session on the
  // same connection is reset while the first is open (with the default 4 it stays open).
  it('storage.sessionsPerConnection from config.json limits the storage sessions of one connection', async () => {
    const server = await start('sessions', { storage: { enabled: true }, config: { storage: { sessionsPerConnection: 1 } } })
    const peer = await createTestLibp2p()
    try {
      const addr = multiaddr(server.multiaddrs[0])
      const first = await peer.dialProtocol(addr, STORAGE_PROTOCOL, { signal: AbortSignal.timeout(5000) })
      // libp2p negotiates the protocol, then the server resets a stream over the limit
      const second = await peer.dialProtocol(addr, STORAGE_PROTOCOL, { signal: AbortSignal.timeout(5000) })
      await until('the second session to be reset', () => second.status !== 'open', 5000)
      assert.equal(first.status, 'open', 'the first session is untouched')
      first.abort(new Error('test over'))
    } finally {
      await peer.stop()
    }
  })

  it('put without a club or servers: a clear error when nothing is connected, else the connected storage servers', async () => {
    const client = await start('client', { storage: { enabled: false }, config: { client: { k: 1, happy: 1, n: 2 } } })
    await assert.rejects(client.put(randomBytes(100)), (e: Error & { code?: string }) =>
      e.code === 'ERR_NO_SERVERS' && /club join/.test(e.message) && /--server/.test(e.message))
    const server = await start('server', { storage: { enabled: true } })
    await client.libp2p.dial(multiaddr(server.multiaddrs[0]))
    const deadline = Date.now() + 10_000
    while ((await client.admin.status()).storageServersConnected < 1) {
      if (Date.now() > deadline) throw new Error('the server never showed up as a connected storage server')
      await new Promise(resolve => setTimeout(resolve, 25))
    }
    const data = randomBytes(10_000)
    const { cap, hintedCap } = await client.put(data)
    assert.equal(hintedCap, undefined, 'no club, no hint')
    assert.deepEqual(await server.storage!.have([parseCapSi(cap)]), [[0, 1]])
    let explained: DownloadExplain | undefined
    const got = await client.get(cap, { servers: [server.multiaddrs[0]], onExplain: e => { explained = e } })
    assert.ok(Buffer.from(got).equals(data))
    assert.equal(explained?.way, 'servers')
    assert.deepEqual(explained?.way === 'servers' ? explained.servers.map(s => s.peerId) : [], [server.peerId])
  })

  it('process handlers stop the node on SIGTERM, exit 0, and log stray rejections', async () => {
    const node = await start('daemon', { storage: { enabled: false } })
    const logger = recordingLogger()
    let exitCode: number | undefined
    const before = process.listeners('unhandledRejection')
    const sigtermBefore = process.listeners('SIGTERM')
    const uninstall = installProcessHandlers(node, { logger, exit: code => { exitCode = code } })
    try {
      const ours = process.listeners('unhandledRejection').filter(l => !before.includes(l))
      assert.equal(ours.length, 1)
      ours[0](new Error('stream reset'), Promise.resolve())
      assert.ok(logger.lines.some(l => l.startsWith('warn ignored an unhandled promise rejection (Error: stream reset)')))

      process.emit('SIGTERM', 'SIGTERM')
      await until('the node to stop and exit', () => exitCode !== undefined)
      assert.equal(exitCode, 0)
      assert.equal(node.stopped, true)
      assert.equal(node.libp2p.status, 'stopped')
    } finally {
      uninstall()
    }
    assert.deepEqual(process.listeners('SIGTERM'), sigtermBefore)
    assert.deepEqual(process.listeners('unhandledRejection'), before)
  })

  it('derives the network profile from the listen addresses', () => {
    const profile = (input: object): object => networkProfile(mergeConfig(defaultConfig(), input))
    // the defaults (every interface) are a public node: kad-dht decides its mode, UPnP runs
    assert.deepEqual(profile({}), { loopbackOnly: false, lan: false, upnp: true, dhtClientMode: undefined, torOnly: false })
    assert.deepEqual(profile({ listen: ['/ip6/::/tcp/4001'] }), { loopbackOnly: false, lan: false, upnp: true, dhtClientMode: undefined, torOnly: false })
    assert.deepEqual(profile({ listen: ['/ip4/192.168.1.5/tcp/4001'] }), { loopbackOnly: false, lan: true, upnp: true, dhtClientMode: false, torOnly: false })
    assert.deepEqual(profile({ listen: LOOPBACK }), { loopbackOnly: true, lan: true, upnp: false, dhtClientMode: false, torOnly: false })
    assert.deepEqual(profile({ listen: [] }), { loopbackOnly: false, lan: false, upnp: false, dhtClientMode: undefined, torOnly: false })
    assert.deepEqual(profile({ listen: LOOPBACK, dht: { lan: false, clientMode: 'client' }, nat: { upnp: true } }),
      { loopbackOnly: true, lan: false, upnp: false, dhtClientMode: true, torOnly: false })
    assert.equal((profile({ nat: { upnp: false } }) as any).upnp, false)
  })

  it('relay server "auto" waits for a verified public address', () => {
    const at = (a: string, verified: boolean): any => ({ multiaddr: multiaddr(a), verified, type: 'transport', expires: 0 })
    assert.equal(hasPublicAddress([at('/ip4/127.0.0.1/tcp/1', true), at('/ip4/192.168.1.2/tcp/1', true)]), false)
    assert.equal(hasPublicAddress([at('/ip4/93.184.216.34/tcp/4001', false)]), false)
    assert.equal(hasPublicAddress([at('/ip4/93.184.216.34/tcp/4001', true)]), true)
  })
})
