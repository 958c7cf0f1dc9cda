import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { addressesToAdvertise, createNode, pickAdvertised, type ConfigInput, type LafsNode } from '../../src/node/index.js'
import { YAMUX_OPTIONS } from '../../src/node/libp2p.js'
import { statusLines } from '../../src/cli/render.js'
import { createTestLibp2p } from '../fixtures/libp2p.js'
import { eventually } from '../protocols/helpers.js'
import type { PolicyRelayServer } from '../../src/node/relay-policy.js'
import type { Libp2p } from '@libp2p/interface'

const LOOPBACK = '/ip4/127.0.0.1/tcp/0'
const tcpAddr = (n: LafsNode): string => n.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws') && !a.includes('/p2p-circuit')) as string

describe('node: reachability through a club relay', function () {
  this.timeout(90_000)
  const dirs: string[] = []
  const nodes: LafsNode[] = []
  const raw: Libp2p[] = []
  const start = async (o: { listen?: string[], bootstrap?: string[], storage: boolean, config?: ConfigInput }): Promise<LafsNode> => {
    const dir = await mkdtemp(join(tmpdir(), 'lafs-reach-'))
    dirs.push(dir)
    const node = await createNode({ dataDir: dir, listen: o.listen ?? [LOOPBACK], bootstrap: o.bootstrap ?? [], storage: { enabled: o.storage }, gateway: false, dhtProtocol: '/lafs-reach-test/kad/1.0.0', config: o.config })
    nodes.push(node)
    return node
  }
  after(async () => {
    await Promise.all(raw.map(async n => { await n.stop() }))
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  it('a home server relayed by its club relay gets unlimited circuits, advertises one relayed address, and status says so', async () => {
    const relay = await start({ storage: true, config: { relay: { server: true } } })
    const relayAddr = tcpAddr(relay)
    const home = await start({ storage: true, listen: [LOOPBACK, `${relayAddr}/p2p-circuit`], bootstrap: [relayAddr] })
    await home.bootstrapped
    await eventually(() => home.multiaddrs.some(a => a.includes('/p2p-circuit')), 15_000, 'no reservation on the relay')

    const reach = (await home.admin.status()).reachability
    assert.equal(reach.kind, 'relayed')
    assert.deepEqual(reach.relays, [relay.peerId])
    const advertised = addressesToAdvertise(home.libp2p, { local: true })
    assert.equal(advertised.filter(a => a.includes('/p2p-circuit')).length, 1, 'one relayed address')
    assert.ok(advertised.some(a => !a.includes('/p2p-circuit')), 'and the direct ones, for a local club')
    assert.deepEqual(addressesToAdvertise(home.libp2p), [], 'nothing on loopback is public, the relay included')
    assert.deepEqual(addressesToAdvertise(home.libp2p, { publicRanges: ['127.0.0.0/8'] }).filter(a => a.includes('/p2p-circuit')).length, 1)

    const circuit = `${relayAddr}/p2p-circuit/p2p/${home.peerId}`
    const dialer = await createTestLibp2p({ transports: [tcp(), circuitRelayTransport()], streamMuxers: [yamux(YAMUX_OPTIONS)] })
    raw.push(dialer)
    const before = await dialer.dial(multiaddr(circuit))
    assert.notEqual(before.limits, undefined, 'not a club member yet: the default limit')
    await before.close()

    // the relay owns a club with the home server on its roster: circuits to it are unlimited from now on
    await relay.clubs.create({ name: 'relayed', servers: [tcpAddr(home)] })
    const policy = relay.libp2p.services.relay as PolicyRelayServer
    await eventually(() => policy.reservations.some(r => r.peerId === home.peerId && r.unlimited), 15_000, 'the relay never counted the home server a member')
    const conn = await dialer.dial(multiaddr(circuit))
    assert.equal(conn.limits, undefined)
    const relayStatus = (await relay.admin.status()).relay
    assert.equal(relayStatus?.serving, true)
    assert.equal(relayStatus?.unlimited, 1)

    await eventually(async () => (await home.admin.status()).peers.some(p => p.peerId === dialer.peerId.toString()), 10_000, 'home never saw the dialer')
    const peer = (await home.admin.status()).peers.find(p => p.peerId === dialer.peerId.toString())
    assert.equal(peer?.connection, 'relayed')
    assert.equal(peer?.via, relay.peerId)
    const relayView = (await relay.admin.status()).peers.find(p => p.peerId === home.peerId)
    assert.equal(relayView?.connection, 'direct')

    const lines = statusLines({ ...(await home.admin.status()), gateway: { url: 'http://x', startedAt: 0, uptimeMs: 0 }, transfers: [], totals: { uploadsStarted: 0, uploadsSucceeded: 0, uploadsFailed: 0, uploadBytes: 0, downloadsStarted: 0, downloadsSucceeded: 0, downloadsFailed: 0, downloadBytes: 0 } })
    assert.ok(lines.includes(`reachable behind NAT, via relay ${relay.peerId}`), lines.join('\n'))
    assert.ok(lines.some(l => l.includes(`${dialer.peerId.toString()} relayed via ${relay.peerId}`)), lines.join('\n'))

    // and a share crosses the relay: the dialer's storage client is the one the uploader uses
    const { StorageClient } = await import('../../src/protocols/index.js')
    const { lease, storageIndex } = await import('../protocols/helpers.js')
    const client = new StorageClient(dialer, multiaddr(circuit))
    try {
      const si = storageIndex()
      const share = randomBytes(600_000)
      await client.allocate(si, [0], share.byteLength, lease())
      await client.write(si, 0, 0, share)
      await client.close(si, 0)
      assert.ok(Buffer.from(await client.read(si, 0, 0, share.byteLength)).equals(share))
    } finally {
      await client.stop()
    }

    // a direct connection that opens while the relayed one is up is what DCUtR makes: counted hole-punched
    // (DCUtR itself needs public addresses, which loopback has not; this checks the bookkeeping)
    await dialer.dial(multiaddr(tcpAddr(home)), { force: true })
    await eventually(async () => (await home.admin.status()).peers.find(p => p.peerId === dialer.peerId.toString())?.connection === 'hole-punched', 10_000, 'the upgraded connection is not counted hole-punched')
  })

  it('a home server that joins a club takes a reservation on the club relay, and advertises that relayed address', async () => {
    const other = await start({ storage: false, config: { relay: { server: true, unlimitedFor: 'none' } } })
    const clubRelay = await start({ storage: true, bootstrap: [tcpAddr(other)], config: { relay: { server: true } } })
    const home = await start({ storage: true, listen: [LOOPBACK, '/p2p-circuit'], bootstrap: [tcpAddr(other)] })
    await Promise.all([clubRelay.bootstrapped, home.bootstrapped])
    await eventually(() => home.multiaddrs.some(a => a.includes('/p2p-circuit')), 15_000, 'no reservation on any relay')

    const club = await clubRelay.clubs.create({ name: 'home', servers: [tcpAddr(clubRelay), tcpAddr(home)] })
    await home.clubs.join(club.clubId)
    await eventually(async () => (await home.admin.status()).reachability.relays.includes(clubRelay.peerId), 20_000, 'no reservation on the club relay')
    const relayed = addressesToAdvertise(home.libp2p, { local: true }).filter(a => a.includes('/p2p-circuit'))
    assert.equal(relayed.length, 1)
    assert.ok(relayed[0].includes(`/p2p/${clubRelay.peerId}/p2p-circuit`), `advertises ${relayed[0]}`)

    const dialer = await createTestLibp2p({ transports: [tcp(), circuitRelayTransport()], streamMuxers: [yamux(YAMUX_OPTIONS)] })
    raw.push(dialer)
    const conn = await dialer.dial(multiaddr(`${tcpAddr(clubRelay)}/p2p-circuit/p2p/${home.peerId}`))
    assert.equal(conn.limits, undefined, 'the club relay carries shares for its member')
  })

  it('a node announcing a public address reports itself public and asks no relay for a reservation', async () => {
    const vps = await start({ storage: false, config: { announce: ['/ip4/11.0.0.5/tcp/4001'], network: { publicRanges: ['11.0.0.0/8'] }, relay: { server: true } } })
    const reach = (await vps.admin.status()).reachability
    assert.equal(reach.kind, 'public')
    assert.deepEqual(reach.publicAddrs, ['/ip4/11.0.0.5/tcp/4001'])
    assert.deepEqual(reach.relays, [])
    assert.ok(vps.libp2p.getProtocols().includes('/libp2p/circuit/relay/0.2.0/hop'))
    assert.deepEqual((await vps.admin.status()).relay, { serving: true, reservations: 0, unlimited: 0, relayedBytes: 0 })
  })

  it('pickAdvertised keeps the direct addresses and one relayed address', () => {
    const id = '12D3KooWLRPJAA5o6Z6SvZGYfLfgpTjJ6v4XXHZ3ztpJsbm8jVxD'
    const addrs = [
      '/ip4/11.0.0.9/tcp/1', '/ip4/192.168.1.2/tcp/1',
      `/ip4/11.0.0.5/tcp/4001/p2p/${id}/p2p-circuit`, `/ip4/11.0.0.6/tcp/4001/p2p/${id}/p2p-circuit`
    ].map(a => multiaddr(a))
    const publicOnly = (as: readonly typeof addrs[number][]): string[] => as.map(a => a.toString()).filter(a => a.includes('/11.0.0.'))
    assert.deepEqual(pickAdvertised(addrs, publicOnly), ['/ip4/11.0.0.9/tcp/1', `/ip4/11.0.0.5/tcp/4001/p2p/${id}/p2p-circuit`])
  })
})
