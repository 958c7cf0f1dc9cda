import assert from 'node:assert/strict'
import { isPublicAddr, shareableAddrs, parseCidr } from '../../src/club/index.js'
import { mergeConfig, defaultConfig } from '../../src/node/config.js'

describe('club/address-scope: which addresses others can dial', function () {
  it('counts loopback, private, link-local, documentation and wildcard addresses as not public; DNS and real IPs as public', function () {
    for (const a of ['/ip4/127.0.0.1/tcp/1', '/ip4/192.168.1.5/tcp/1', '/ip4/10.1.2.3/tcp/1', '/ip4/169.254.1.1/tcp/1',
      '/ip4/203.0.113.5/tcp/1', '/ip4/0.0.0.0/tcp/1', '/ip6/::1/tcp/1', '/ip6/fe80::1/tcp/1', 'not an address']) {
      assert.equal(isPublicAddr(a), false, a)
    }
    for (const a of ['/ip4/8.8.8.8/tcp/4001', '/dns4/example.org/tcp/443/wss', '/ip6/2001:4860::8888/tcp/1']) {
      assert.equal(isPublicAddr(a), true, a)
    }
  })

  it('an onion address (/onion3) is shareable: rosters and invites carry a Tor-only server\'s address', function () {
    const onion = '/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:4001'
    assert.equal(isPublicAddr(onion), true)
    assert.deepEqual(shareableAddrs(['/ip4/127.0.0.1/tcp/1', onion]), [onion])
  })

  it('a relayed address is as public as its relay; publicRanges makes a lab block public and nothing else', function () {
    const relay = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
    assert.equal(isPublicAddr(`/ip4/8.8.8.8/tcp/4001/p2p/${relay}/p2p-circuit`), true)
    assert.equal(isPublicAddr(`/ip4/192.168.1.1/tcp/4001/p2p/${relay}/p2p-circuit`), false)
    assert.equal(isPublicAddr('/ip4/203.0.113.5/tcp/1', ['203.0.113.0/24']), true)
    assert.equal(isPublicAddr('/ip4/192.168.1.5/tcp/1', ['203.0.113.0/24']), false)
    assert.deepEqual(shareableAddrs(['/ip4/127.0.0.1/tcp/1', '/ip4/8.8.8.8/tcp/1']), ['/ip4/8.8.8.8/tcp/1'])
    assert.deepEqual(shareableAddrs(['/ip4/127.0.0.1/tcp/1', '/ip4/8.8.8.8/tcp/1'], { local: true }), ['/ip4/127.0.0.1/tcp/1', '/ip4/8.8.8.8/tcp/1'])
  })

  it('network.publicRanges takes CIDR blocks only, naming the bad entry', function () {
    assert.deepEqual(parseCidr('fd00::/8'), { address: 'fd00::', prefix: 8 })
    assert.deepEqual(mergeConfig(defaultConfig(), { network: { publicRanges: ['11.0.0.0/8'] } }).network.publicRanges, ['11.0.0.0/8'])
    assert.throws(() => mergeConfig(defaultConfig(), { network: { publicRanges: ['11.0.0.0/33'] } }), /network\.publicRanges\[0\]/)
    assert.throws(() => mergeConfig(defaultConfig(), { network: { publicRanges: ['example.org'] } }), /network\.publicRanges\[0\]/)
    assert.throws(() => mergeConfig(defaultConfig(), { network: { publicRanges: '11.0.0.0/8' } }), /network\.publicRanges/)
  })
})
