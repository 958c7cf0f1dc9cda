import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { checkRoster, dialableAddrs, trailingPeerId, withoutPeerId, withPeerId } from '../../src/club/index.js'

const newPeerId = async (): Promise<string> => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()

describe('club/addresses: /p2p/<id> judged as the last component', function () {
  let server: string
  let relay: string
  let other: string
  before(async () => { [server, relay, other] = await Promise.all([newPeerId(), newPeerId(), newPeerId()]) })

  it('appends the peer ID once, and refuses an address that names another peer', function () {
    assert.equal(withPeerId('/ip4/10.0.0.1/tcp/4001', server), `/ip4/10.0.0.1/tcp/4001/p2p/${server}`)
    assert.equal(withPeerId(`/ip4/10.0.0.1/tcp/4001/p2p/${server}`, server), `/ip4/10.0.0.1/tcp/4001/p2p/${server}`)
    assert.equal(withPeerId(multiaddr('/dns4/example.org/tcp/443/wss'), server), `/dns4/example.org/tcp/443/wss/p2p/${server}`)
    assert.throws(() => withPeerId(`/ip4/10.0.0.1/tcp/4001/p2p/${other}`, server), { code: 'ERR_INVALID_ADDRESS' })
    assert.throws(() => withPeerId('/not/an/address', server), { code: 'ERR_INVALID_ADDRESS' })
  })

  it('a relay address names the relay, not the server: the server\'s ID is still appended, and stripping keeps the relay', function () {
    const viaRelay = `/ip4/10.0.0.1/tcp/4001/p2p/${relay}/p2p-circuit`
    assert.equal(trailingPeerId(viaRelay), undefined)
    assert.equal(withPeerId(viaRelay, server), `${viaRelay}/p2p/${server}`)
    assert.equal(trailingPeerId(`${viaRelay}/p2p/${server}`), server)
    assert.equal(withoutPeerId(`${viaRelay}/p2p/${server}`, server), viaRelay)
    assert.equal(withoutPeerId(viaRelay), viaRelay)
  })

  it('strips only a trailing ID, and only the expected one when told which', function () {
    assert.equal(withoutPeerId(`/ip4/10.0.0.1/tcp/4001/p2p/${server}`), '/ip4/10.0.0.1/tcp/4001')
    assert.equal(withoutPeerId('/ip4/10.0.0.1/tcp/4001'), '/ip4/10.0.0.1/tcp/4001')
    assert.throws(() => withoutPeerId(`/ip4/10.0.0.1/tcp/4001/p2p/${other}`, server), { code: 'ERR_INVALID_ADDRESS' })
  })

  it('dialableAddrs gives every roster address with the server\'s ID; rosters keep relays and refuse other peers\' addresses', function () {
    const viaRelay = `/ip4/10.0.0.1/tcp/4001/p2p/${relay}/p2p-circuit`
    const roster = checkRoster({
      name: 'c', description: '', policy: 'open', updatedAt: 1,
      servers: [{ peerId: server, multiaddrs: [`/ip4/10.0.0.2/tcp/1/p2p/${server}`, `${viaRelay}/p2p/${server}`, viaRelay] }]
    })
    assert.deepEqual(roster.servers[0].multiaddrs, ['/ip4/10.0.0.2/tcp/1', viaRelay, viaRelay])
    assert.deepEqual(dialableAddrs(roster.servers[0]), [`/ip4/10.0.0.2/tcp/1/p2p/${server}`, `${viaRelay}/p2p/${server}`, `${viaRelay}/p2p/${server}`])
    assert.throws(() => checkRoster({ name: 'c', description: '', policy: 'open', updatedAt: 1, servers: [{ peerId: server, multiaddrs: [`/ip4/10.0.0.2/tcp/1/p2p/${other}`] }] }),
      { code: 'ERR_INVALID_ROSTER' })
  })
})
