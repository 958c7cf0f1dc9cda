import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { YAMUX_OPTIONS } from '../../src/node/libp2p.js'
import { policyRelayServer, type PolicyRelayServer, type RelayPolicy } from '../../src/node/relay-policy.js'
import { queryHave, registerStorageProtocols, RelayLimitedError, StorageClient } from '../../src/protocols/index.js'
import { createStorageServer, type StorageServer } from '../../src/storage/index.js'
import { upload, UploadUnhappyError } from '../../src/client/index.js'
import { createTestLibp2p, LOOPBACK_LISTEN, stopAll } from '../fixtures/libp2p.js'
import { eventually, lease, storageIndex } from '../protocols/helpers.js'
import type { Libp2p } from '@libp2p/interface'

const MiB = 1024 * 1024

describe('relay policy: shares over relayed connections', function () {
  this.timeout(60_000)
  const nodes: Libp2p[] = []
  const servers: StorageServer[] = []
  const dirs: string[] = []
  after(async () => {
    await stopAll(nodes.map(n => ({ stop: async () => { await n.stop() } })))
    for (const s of servers) await s.stop().catch(() => {})
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  const members = new Set<string>()
  const policy = (over: Partial<RelayPolicy> = {}): RelayPolicy => ({
    unlimited: peer => members.has(peer.toString()),
    defaultLimit: { dataBytes: 128 * 1024, durationSeconds: 120 },
    maxReservations: 8,
    maxBytesPerSecond: null,
    ...over
  })

  const startRelay = async (p: RelayPolicy): Promise<{ node: Libp2p<{ relay: PolicyRelayServer }>, addr: string }> => {
    const node = await createTestLibp2p<{ relay: PolicyRelayServer }>({ streamMuxers: [yamux(YAMUX_OPTIONS)], services: { relay: policyRelayServer(p) } })
    nodes.push(node)
    return { node, addr: node.getMultiaddrs()[0].toString() }
  }

  /** A storage server that is reachable only through `relayAddr` (it holds a reservation there). */
  const natedServer = async (relayAddr: string, member: boolean): Promise<{ node: Libp2p, circuit: string }> => {
    const dir = await mkdtemp(join(tmpdir(), 'lafs-relay-'))
    dirs.push(dir)
    const storage = await createStorageServer({ dir, gcIntervalMs: 0 })
    servers.push(storage)
    const node = await createTestLibp2p({
      addresses: { listen: [LOOPBACK_LISTEN, `${relayAddr}/p2p-circuit`] },
      transports: [tcp(), circuitRelayTransport()],
      streamMuxers: [yamux(YAMUX_OPTIONS)]
    })
    nodes.push(node)
    if (member) members.add(node.peerId.toString())
    await registerStorageProtocols(node, storage)
    await eventually(() => node.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit')), 10_000, 'no relay reservation')
    return { node, circuit: `${relayAddr}/p2p-circuit/p2p/${node.peerId.toString()}` }
  }

  const dialer = async (): Promise<Libp2p> => {
    const node = await createTestLibp2p({ transports: [tcp(), circuitRelayTransport()], streamMuxers: [yamux(YAMUX_OPTIONS)] })
    nodes.push(node)
    return node
  }

  it('a club member behind a relay stores and serves a 1.5 MiB share over the relayed connection', async () => {
    const relay = await startRelay(policy())
    const target = await natedServer(relay.addr, true)
    const client = await dialer()
    const conn = await client.dial(multiaddr(target.circuit))
    assert.ok(conn.remoteAddr.toString().includes('/p2p-circuit'), 'the connection is relayed')
    assert.equal(conn.limits, undefined, 'the relay granted the member an unlimited circuit')
    assert.deepEqual(relay.node.services.relay.reservations, [{ peerId: target.node.peerId.toString(), unlimited: true }])

    const storage = new StorageClient(client, multiaddr(target.circuit))
    try {
      const si = storageIndex()
      const share = randomBytes(1.5 * MiB)
      await storage.allocate(si, [0], share.byteLength, lease())
      await storage.write(si, 0, 0, share)
      await storage.close(si, 0)
      assert.ok(Buffer.from(await storage.read(si, 0, 0, share.byteLength)).equals(share))
      assert.deepEqual(await queryHave(client, multiaddr(target.circuit), [si]), [[0]])
    } finally {
      await storage.stop()
    }
    assert.ok(relay.node.services.relay.throttle.total >= 3 * MiB, `the relay carried the share both ways (${relay.node.services.relay.throttle.total} bytes)`)
  })

  it('a non-member gets the default limit: have-share works, storage fails naming the relay and the limit', async () => {
    const relay = await startRelay(policy())
    const target = await natedServer(relay.addr, false)
    const client = await dialer()
    const conn = await client.dial(multiaddr(target.circuit))
    assert.notEqual(conn.limits, undefined, 'the circuit is limited')
    assert.ok(conn.limits?.bytes != null && conn.limits.bytes <= 128n * 1024n, 'the default 128 KiB data limit (less what identify used)')
    // have-share is small enough for a limited circuit
    assert.deepEqual(await queryHave(client, multiaddr(target.circuit), [storageIndex()]), [[]])
    const storage = new StorageClient(client, multiaddr(target.circuit))
    try {
      await assert.rejects(storage.version(), (err: Error) => {
        assert.ok(err instanceof RelayLimitedError, `got ${err.name}: ${err.message}`)
        assert.equal(err.relay, relay.node.peerId.toString())
        assert.match(err.message, /\d+ more bytes/)
        assert.match(err.message, new RegExp(relay.node.peerId.toString()))
        return true
      })
    } finally {
      await storage.stop()
    }
  })

  it('an upload counts a server behind a limited relay unusable and says which relay', async () => {
    const relay = await startRelay(policy())
    const [member, stranger] = [await natedServer(relay.addr, true), await natedServer(relay.addr, false)]
    const client = await dialer()
    const servers = [member, stranger].map(t => ({ peerId: t.node.peerId.toString(), multiaddrs: [t.circuit] }))
    await assert.rejects(upload(client, randomBytes(200_000), { servers, k: 1, happy: 2, n: 2, leaseSecret: randomBytes(32) }), (err: Error) => {
      assert.ok(err instanceof UploadUnhappyError, `got ${err.name}: ${err.message}`)
      assert.match(err.message, new RegExp(`reachable only through relay ${relay.node.peerId.toString()}`))
      return true
    })
    const ok = await upload(client, randomBytes(200_000), { servers: servers.slice(0, 1), k: 1, happy: 1, n: 1, leaseSecret: randomBytes(32) })
    assert.equal(ok.happiness, 1, 'the member behind the same relay takes its share')
  })

  it('a peer that becomes a member gets unlimited circuits from its next connection on', async () => {
    const relay = await startRelay(policy())
    const target = await natedServer(relay.addr, false)
    const client = await dialer()
    assert.notEqual((await client.dial(multiaddr(target.circuit))).limits, undefined)
    await client.hangUp(target.node.peerId)
    members.add(target.node.peerId.toString())
    assert.equal((await client.dial(multiaddr(target.circuit))).limits, undefined)
  })

  it('caps the bytes per second of all relayed circuits together', async () => {
    const relay = await startRelay(policy({ unlimited: () => true, maxBytesPerSecond: 512 * 1024 }))
    const target = await natedServer(relay.addr, true)
    const client = await dialer()
    const storage = new StorageClient(client, multiaddr(target.circuit))
    try {
      const si = storageIndex()
      const share = randomBytes(1.5 * MiB)
      await storage.allocate(si, [0], share.byteLength, lease())
      const started = Date.now()
      await storage.write(si, 0, 0, share)
      await storage.close(si, 0)
      const ms = Date.now() - started
      // 1.5 MiB at 0.5 MiB/s: the first second's budget goes at once, the rest takes two more seconds
      assert.ok(ms >= 1500, `1.5 MiB crossed a 512 KiB/s relay in ${ms} ms`)
    } finally {
      await storage.stop()
    }
  })
})

describe('relay config', () => {
  it('defaults, validation and the policy it describes', async () => {
    const { DEFAULT_CONFIG, mergeConfig, relayPolicy } = await import('../../src/node/index.js')
    const { peerIdFromString } = await import('@libp2p/peer-id')
    assert.deepEqual(DEFAULT_CONFIG.relay, {
      client: true, server: 'auto', unlimitedFor: 'club-members', maxReservations: 64, maxRelayedBytesPerSecond: null, limitedDataBytes: 131072, limitedDurationSeconds: 120
    })
    const c = mergeConfig(DEFAULT_CONFIG, { relay: { unlimitedFor: 'none', maxRelayedBytesPerSecond: '5MB', limitedDataBytes: '1MiB' } })
    assert.equal(c.relay.maxRelayedBytesPerSecond, 5_000_000)
    assert.equal(c.relay.limitedDataBytes, 1024 * 1024)
    assert.throws(() => mergeConfig(DEFAULT_CONFIG, { relay: { unlimitedFor: 'friends' } }), /relay\.unlimitedFor/)
    assert.throws(() => mergeConfig(DEFAULT_CONFIG, { relay: { maxRelayedBytesPerSecond: 0 } }), /relay\.maxRelayedBytesPerSecond/)
    assert.throws(() => mergeConfig(DEFAULT_CONFIG, { relay: { limitedDurationSeconds: 0 } }), /relay\.limitedDurationSeconds/)

    const member = peerIdFromString('12D3KooWLRPJAA5o6Z6SvZGYfLfgpTjJ6v4XXHZ3ztpJsbm8jVxD')
    const stranger = peerIdFromString('12D3KooWHejzj4C7UG39XXTahcZY9ovFxqdXcwWeBexRX2VMGDpZ')
    const isMember = (id: string): boolean => id === member.toString()
    const byDefault = relayPolicy(DEFAULT_CONFIG, isMember)
    assert.equal(byDefault.unlimited(member), true)
    assert.equal(byDefault.unlimited(stranger), false)
    assert.deepEqual(byDefault.defaultLimit, { dataBytes: 131072, durationSeconds: 120 })
    assert.equal(relayPolicy(c, isMember).unlimited(member), false, '"none" limits members too')
    assert.equal(relayPolicy(mergeConfig(DEFAULT_CONFIG, { relay: { unlimitedFor: 'all' } })).unlimited(stranger), true)
  })
})
