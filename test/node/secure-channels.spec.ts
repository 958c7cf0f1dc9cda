import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { noise } from '@chainsafe/libp2p-noise'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { tls } from '@libp2p/tls'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { createNode, type LafsNode } from '../../src/node/index.js'
import { AccountClient, StorageClient } from '../../src/protocols/index.js'
import { createTestLibp2p } from '../fixtures/libp2p.js'
import type { Libp2p, PrivateKey } from '@libp2p/interface'

const NOISE = '/noise'
const TLS = '/tls/1.0.0'

describe('node: secure channels (network.secureChannels: Noise and TLS, Noise preferred)', function () {
  this.timeout(60_000)
  let base: string
  const nodes: LafsNode[] = []
  const peers: Libp2p[] = []
  const start = async (name: string, storage: boolean, config: Record<string, unknown> = {}): Promise<LafsNode> => {
    const node = await createNode({ dataDir: join(base, name), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], gateway: false, storage: { enabled: storage }, config })
    nodes.push(node)
    return node
  }
  /** A bare libp2p peer that speaks only one channel, as an older lafs-club or another implementation may. */
  const peerWith = async (channel: 'noise' | 'tls', privateKey?: PrivateKey): Promise<Libp2p> => {
    const peer = await createTestLibp2p({ connectionEncrypters: [channel === 'tls' ? tls() : noise()], ...(privateKey != null ? { privateKey } : {}) })
    peers.push(peer)
    return peer
  }
  /** Stores one 300-byte share as `peer`; returns the account the server reports for it afterwards. */
  const storeOneShare = async (peer: Libp2p, at: Multiaddr): Promise<{ account: string, shares: number }> => {
    const storage = new StorageClient(peer, at)
    try {
      const si = randomBytes(16)
      await storage.allocate(si, [0], 300, { renewSecret: randomBytes(32), cancelSecret: randomBytes(32) })
      await storage.write(si, 0, 0, new Uint8Array(300))
      await storage.close(si, 0)
    } finally {
      await storage.stop()
    }
    const usage = await new AccountClient(peer, at).usage()
    return { account: usage.account, shares: usage.shares }
  }
  const encryptionTo = (from: Libp2p, to: string): string[] => from.getConnections().filter(c => c.remotePeer.toString() === to).map(c => c.encryption ?? '')

  before(async () => { base = await mkdtemp(join(tmpdir(), 'lafs-channels-')) })
  afterEach(async () => { await Promise.all(peers.splice(0).map(async p => { await p.stop() })) })
  after(async () => {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await rm(base, { recursive: true, force: true })
  })

  it('two default nodes agree on Noise; a node that prefers TLS gets TLS; a Noise-only node still connects', async () => {
    const server = await start('server', true)
    assert.deepEqual(server.config.network.secureChannels, ['noise', 'tls'])
    const client = await start('client', false)
    await client.libp2p.dial(multiaddr(server.multiaddrs[0]))
    assert.deepEqual(encryptionTo(client.libp2p, server.peerId), [NOISE])

    const tlsFirst = await start('tls-first', false, { network: { secureChannels: ['tls', 'noise'] } })
    await tlsFirst.libp2p.dial(multiaddr(server.multiaddrs[0]))
    assert.deepEqual(encryptionTo(tlsFirst.libp2p, server.peerId), [TLS])
    assert.equal((await new AccountClient(tlsFirst.libp2p, multiaddr(server.multiaddrs[0])).usage()).account, tlsFirst.peerId)

    const old = await start('noise-only', false, { network: { secureChannels: ['noise'] } })
    await old.libp2p.dial(multiaddr(server.multiaddrs[0]))
    assert.deepEqual(encryptionTo(old.libp2p, server.peerId), [NOISE])
    assert.equal((await new AccountClient(old.libp2p, multiaddr(server.multiaddrs[0])).usage()).account, old.peerId)
  })

  // Old code (Noise only): the TLS-only peer's dial fails, no encrypter in common.
  it('a storage server accounts a peer by the peer ID its handshake authenticated, the same over TLS as over Noise', async () => {
    const server = nodes[0] ?? await start('server', true)
    const at = multiaddr(server.multiaddrs[0])
    const key = await generateKeyPair('Ed25519')
    const overNoise = await peerWith('noise', key)
    const first = await storeOneShare(overNoise, at)
    assert.deepEqual(encryptionTo(overNoise, server.peerId), [NOISE])
    await overNoise.stop()

    const overTls = await peerWith('tls', key)
    assert.equal(overTls.peerId.toString(), overNoise.peerId.toString())
    const second = await storeOneShare(overTls, at)
    assert.deepEqual(encryptionTo(overTls, server.peerId), [TLS])

    assert.equal(first.account, overNoise.peerId.toString())
    assert.equal(second.account, first.account, 'the same account over TLS as over Noise')
    assert.equal(second.shares, first.shares + 1, 'the share stored over TLS joined the one stored over Noise')
  })

  it('refuses a secureChannels list that is empty, repeats a channel or names an unknown one', async () => {
    for (const bad of [[], ['tls', 'tls'], ['quic'], 'tls']) {
      await assert.rejects(start(`bad-${String(bad)}`, false, { network: { secureChannels: bad } }), (err: Error) => /network\.secureChannels/.test(err.message))
    }
  })
})
