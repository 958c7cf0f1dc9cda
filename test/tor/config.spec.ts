/* The `tor` config section: keys, defaults, and the leaky configurations Tor-only mode refuses. */
import assert from 'node:assert/strict'
import { ConfigError, defaultConfig, mergeConfig, torEnabled, type ConfigInput } from '../../src/node/index.js'
import { networkProfile, seeksRelayReservations } from '../../src/node/libp2p.js'

/** A Tor-only node that is fine: launched tor, nothing public. */
const SAFE: ConfigInput = { listen: [], tor: { launch: true, hideIp: true, listenOnion: true } }

function merged (...inputs: ConfigInput[]): ReturnType<typeof defaultConfig> {
  let c = defaultConfig()
  for (const i of inputs) c = mergeConfig(c, i)
  return c
}

function refused (input: ConfigInput, key: string, words: RegExp): void {
  assert.throws(() => mergeConfig(defaultConfig(), input), (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`)
    assert.equal(err.key, key)
    assert.ok(err.message.includes(`"${key}"`), err.message)
    assert.match(err.message, words)
    return true
  })
}

describe('tor config', () => {
  it('is off by default', () => {
    const c = defaultConfig()
    assert.deepEqual(c.tor, { launch: false, controlPort: null, executable: 'tor', extraConfig: [], listenOnion: false, onionPort: 4001, hideIp: false, bootstrapTimeoutSeconds: 300 })
    assert.equal(torEnabled(c), false)
    assert.equal(networkProfile(c).torOnly, false)
  })

  it('takes a launched tor with extra torrc lines, or a control port', () => {
    const c = merged({ tor: { launch: true, executable: '/opt/tor/bin/tor', extraConfig: ['TestingTorNetwork 1', 'DirAuthority a1 orport=5101 no-v2 v3ident=AB 127.0.0.1:7101 CD'] } })
    assert.equal(torEnabled(c), true)
    assert.equal(c.tor.extraConfig.length, 2)
    for (const port of ['unix:/run/tor/control', '/run/tor/control', '127.0.0.1:9051', '9051']) {
      assert.equal(merged({ tor: { controlPort: port } }).tor.controlPort, port)
    }
  })

  it('names wrong values', () => {
    refused({ tor: { controlPort: 'tor please' } }, 'tor.controlPort', /control endpoint/)
    refused({ tor: { onionPort: 0 } }, 'tor.onionPort', /between 1 and 65535/)
    refused({ tor: { launch: true, extraConfig: ['A 1\nB 2'] } }, 'tor.extraConfig[0]', /one torrc line/)
    refused({ tor: { hiddenIp: true } } as any, 'tor.hiddenIp', /not a known key/)
  })

  it('refuses contradictions: two tors, extra lines for a tor we do not launch, an onion without Tor', () => {
    refused({ tor: { launch: true, controlPort: '9051' } }, 'tor.controlPort', /either launch/)
    refused({ tor: { controlPort: '9051', extraConfig: ['X 1'] } }, 'tor.extraConfig', /only applies to a tor we launch/)
    refused({ tor: { listenOnion: true } }, 'tor.listenOnion', /needs Tor.*tor\.launch/)
    refused({ listen: ['/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:4001'], tor: { launch: true } }, 'listen', /tor\.listenOnion/)
  })

  describe('hideIp refuses what would reveal the IP address, naming the key and why', () => {
    it('hideIp without Tor', () => {
      refused({ listen: [], tor: { hideIp: true } }, 'tor.hideIp', /needs Tor.*direct/)
    })
    it('a public or wildcard listen address (the default listen)', () => {
      refused({ tor: { launch: true, hideIp: true } }, 'listen[0]', /direct connections on \/ip4\/0\.0\.0\.0\/tcp\/4001.*hideIp/)
      refused({ ...SAFE, listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/192.168.1.5/tcp/4001'] }, 'listen[1]', /192\.168\.1\.5/)
      refused({ ...SAFE, listen: ['/p2p-circuit'] }, 'listen[0]', /direct connections/)
    })
    it('an announced direct address', () => {
      refused({ ...SAFE, announce: ['/dns4/me.example.org/tcp/4001'] }, 'announce[0]', /direct address.*onion3/)
    })
    it('a relay server, a DHT server, a gateway on the network', () => {
      refused({ ...SAFE, relay: { server: true } }, 'relay.server', /accepts direct connections/)
      refused({ ...SAFE, dht: { clientMode: 'server' } }, 'dht.clientMode', /client/)
      refused({ ...SAFE, gateway: { host: '0.0.0.0' } }, 'gateway.host', /loopback/)
    })
    it('accepts loopback listening and an onion announce, and turns off NAT traversal and relaying', () => {
      const c = merged({ ...SAFE, listen: ['/ip4/127.0.0.1/tcp/0'], announce: ['/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:4001'] })
      const p = networkProfile(c)
      assert.equal(p.torOnly, true)
      assert.equal(p.dhtClientMode, true)
      assert.equal(p.upnp, false)
      assert.equal(seeksRelayReservations(c), false)
      // defaults that mean "automatic" are fine; the node turns them off
      assert.equal(c.nat.upnp, true)
      assert.equal(c.relay.server, 'auto')
    })
  })
})
