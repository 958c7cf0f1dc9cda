/* Control-protocol replies, onion keys and which multiaddrs go through Tor: no tor needed. */
import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { ReplyParser, isOnionAddress, onionKeyFromSeed, parseBootstrapPhase, parseControlEndpoint, parseGetInfo, parseKeywords, torTarget, type Reply } from '../../src/tor/index.js'

function parse (text: string): Reply[] {
  const out: Reply[] = []
  const p = new ReplyParser(r => out.push(r))
  // fed in awkward pieces, as a socket delivers them
  for (let i = 0; i < text.length; i += 7) p.push(text.slice(i, i + 7))
  return out
}

describe('tor control replies', () => {
  it('splits replies, keeps data blocks and skips nothing', () => {
    const replies = parse('250-version=0.4.9.11\r\n250+config-text=\r\nSocksPort auto\r\n..dotted\r\n.\r\n250 OK\r\n650 STATUS_CLIENT NOTICE BOOTSTRAP\r\n552 Unrecognized key "x"\r\n')
    assert.equal(replies.length, 3)
    assert.deepEqual(parseGetInfo(replies[0]), { version: '0.4.9.11', 'config-text': 'SocksPort auto\n.dotted' })
    assert.equal(replies[1].status, 650)
    assert.equal(replies[2].status, 552)
  })

  it('refuses a line that is not a reply', () => {
    assert.throws(() => parse('hello\r\n'), /malformed control reply/)
  })

  it('reads keywords with quoted, escaped values', () => {
    assert.deepEqual(parseKeywords('AUTH METHODS=COOKIE,SAFECOOKIE COOKIEFILE="/a b/\\"c\\"\\\\d"'), { AUTH: '', METHODS: 'COOKIE,SAFECOOKIE', COOKIEFILE: '/a b/"c"\\d' })
  })

  it('reads the bootstrap phase, with and without a warning', () => {
    assert.deepEqual(parseBootstrapPhase('NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY="Done"'), { progress: 100, tag: 'done', summary: 'Done' })
    const w = parseBootstrapPhase('WARN BOOTSTRAP PROGRESS=5 TAG=conn SUMMARY="Connecting to a relay" WARNING="Connection refused" REASON=CONNECTREFUSED COUNT=3')
    assert.equal(w.progress, 5)
    assert.equal(w.warning, 'Connection refused')
  })

  it('parses control endpoints', () => {
    assert.deepEqual(parseControlEndpoint('unix:/run/tor/control'), { path: '/run/tor/control' })
    assert.deepEqual(parseControlEndpoint('/run/tor/control'), { path: '/run/tor/control' })
    assert.deepEqual(parseControlEndpoint('9051'), { host: '127.0.0.1', port: 9051 })
    assert.deepEqual(parseControlEndpoint('127.0.0.1:9051'), { host: '127.0.0.1', port: 9051 })
    assert.equal(parseControlEndpoint('70000'), undefined)
    assert.equal(parseControlEndpoint('tor'), undefined)
  })
})

describe('onion keys', () => {
  it('derives a valid v3 address, the same for the same seed', () => {
    const seed = new Uint8Array(32).fill(7)
    const a = onionKeyFromSeed(seed)
    assert.match(a.address, /^[a-z2-7]{55}d$/) // version 3 makes the last character "d"
    assert.ok(isOnionAddress(a.address))
    assert.equal(onionKeyFromSeed(seed).address, a.address)
    assert.notEqual(onionKeyFromSeed(new Uint8Array(32).fill(8)).address, a.address)
    assert.match(a.torKey, /^ED25519-V3:[A-Za-z0-9+/]{86}==$/)
  })

  it('finds a wrong checksum', () => {
    const a = onionKeyFromSeed(new Uint8Array(32).fill(1)).address
    const broken = (a[0] === 'a' ? 'b' : 'a') + a.slice(1)
    assert.equal(isOnionAddress(broken), false)
    assert.equal(isOnionAddress('short'), false)
  })
})

describe('what the Tor transport dials', () => {
  const onion = onionKeyFromSeed(new Uint8Array(32).fill(3)).address
  const peer = '/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'

  it('dials onion addresses, names handed to tor with .onion', () => {
    assert.deepEqual(torTarget(multiaddr(`/onion3/${onion}:4001${peer}`), false), { host: `${onion}.onion`, port: 4001 })
  })

  it('dials TCP addresses only in Tor-only mode, DNS names unresolved', () => {
    assert.equal(torTarget(multiaddr('/ip4/1.2.3.4/tcp/4001'), false), undefined)
    assert.deepEqual(torTarget(multiaddr(`/ip4/1.2.3.4/tcp/4001${peer}`), true), { host: '1.2.3.4', port: 4001 })
    assert.deepEqual(torTarget(multiaddr('/dns4/example.org/tcp/4001'), true), { host: 'example.org', port: 4001 })
    assert.deepEqual(torTarget(multiaddr('/ip6/::1/tcp/4001'), true), { host: '::1', port: 4001 })
  })

  it('leaves what tor cannot carry to others', () => {
    for (const a of ['/ip4/1.2.3.4/tcp/4002/ws', '/ip4/1.2.3.4/udp/4001/quic-v1', '/dnsaddr/bootstrap.libp2p.io', '/ip4/1.2.3.4/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA/p2p-circuit']) {
      assert.equal(torTarget(multiaddr(a), true), undefined, a)
    }
  })
})
