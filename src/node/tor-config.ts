/**
 * The `tor` section of config.json: its keys, and the checks that refuse a
 * Tor configuration that would not do what it says — above all a
 * `tor.hideIp` node that would still reveal its IP address (Tahoe's
 * `reveal-IP-address = false` refuses the same things).
 */
import { isLoopback } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { parseControlEndpoint } from '../tor/index.js'
import { ConfigError } from './errors.js'
import type { Validator, Obj } from './config-validator.js'
import type { NodeConfig, TorConfig } from './config-types.js'

export const DEFAULT_TOR_CONFIG: Readonly<TorConfig> = Object.freeze({
  launch: false,
  controlPort: null,
  executable: 'tor',
  extraConfig: [],
  listenOnion: false,
  onionPort: 4001,
  hideIp: false,
  bootstrapTimeoutSeconds: 300
})

/** Validates one key of the `tor` section into `out`. */
export function mergeTorKey (v: Validator, s: Obj, k: string, out: TorConfig): void {
  if (k === 'launch') out.launch = v.boolean('tor.launch', s.launch)
  if (k === 'controlPort') {
    if (s.controlPort === null) out.controlPort = null
    else {
      const text = v.string('tor.controlPort', s.controlPort, { minLength: 1, maxLength: 500 })
      if (parseControlEndpoint(text) === undefined) v.fail('tor.controlPort', `must be a control endpoint such as "unix:/run/tor/control", "127.0.0.1:9051" or "9051", got ${JSON.stringify(text)}`)
      out.controlPort = text
    }
  }
  if (k === 'executable') out.executable = v.string('tor.executable', s.executable, { minLength: 1, maxLength: 4096 })
  if (k === 'extraConfig') {
    if (!Array.isArray(s.extraConfig)) v.fail('tor.extraConfig', 'must be an array of torrc lines such as "TestingTorNetwork 1"')
    out.extraConfig = s.extraConfig.map((line: unknown, i: number) => {
      const l = v.string(`tor.extraConfig[${i}]`, line, { minLength: 1, maxLength: 4096 })
      if (/[\r\n]/.test(l)) v.fail(`tor.extraConfig[${i}]`, 'must be one torrc line (no line breaks)')
      return l
    })
  }
  if (k === 'listenOnion') out.listenOnion = v.boolean('tor.listenOnion', s.listenOnion)
  if (k === 'onionPort') out.onionPort = v.integer('tor.onionPort', s.onionPort, { min: 1, max: 65535 })
  if (k === 'hideIp') out.hideIp = v.boolean('tor.hideIp', s.hideIp)
  if (k === 'bootstrapTimeoutSeconds') out.bootstrapTimeoutSeconds = v.integer('tor.bootstrapTimeoutSeconds', s.bootstrapTimeoutSeconds, { min: 1, max: 86_400 })
}

/** Tor is configured: launched by us or attached through a control port. */
export function torEnabled (c: NodeConfig): boolean {
  return c.tor.launch || c.tor.controlPort !== null
}

function isOnion (a: string): boolean {
  return a.startsWith('/onion3/')
}

/** A listen address a Tor-only node may have: loopback (tor forwards to it; local tools) only. */
function listensPrivately (a: string): boolean {
  try {
    const ma = multiaddr(a)
    return /^\/(ip4|ip6)\//.test(a) && isLoopback(ma) && !a.includes('/p2p-circuit')
  } catch {
    return false
  }
}

/** Refuses Tor settings that contradict each other or, with hideIp, would reveal this node's IP address. */
export function checkTorCoherent (c: NodeConfig, source: string): void {
  const t = c.tor
  const fail = (key: string, problem: string): never => { throw new ConfigError(key, problem, source) }
  if (t.launch && t.controlPort !== null) fail('tor.controlPort', 'cannot be used together with "tor.launch": either launch our own tor, or attach to the one at the control port')
  const how = 'set "tor.launch" to true (lafs-club init --tor-launch) or "tor.controlPort" to a running tor\'s control port'
  if (t.extraConfig.length > 0 && !t.launch) fail('tor.extraConfig', 'only applies to a tor we launch ("tor.launch": true); an attached tor keeps its own torrc')
  if (t.listenOnion && !torEnabled(c)) fail('tor.listenOnion', `needs Tor: ${how}`)
  if (c.listen.some(isOnion)) fail('listen', 'names an /onion3 address; set "tor.listenOnion" instead (the address comes from the key kept in private/tor/)')
  if (!t.hideIp) return

  const why = 'while "tor.hideIp" is true (this node must never reveal its IP address)'
  if (!torEnabled(c)) fail('tor.hideIp', `needs Tor, or every connection would be direct: ${how}`)
  c.listen.forEach((a, i) => {
    if (!listensPrivately(a)) fail(`listen[${i}]`, `would accept direct connections on ${a} ${why}; remove it (peers reach this node through "tor.listenOnion"), or listen on 127.0.0.1 only`)
  })
  c.announce.forEach((a, i) => {
    if (!isOnion(a)) fail(`announce[${i}]`, `would tell peers a direct address (${a}) ${why}; announce nothing, or only /onion3 addresses`)
  })
  if (c.relay.server === true) fail('relay.server', `must not be true ${why}: a relay accepts direct connections; use "auto" or false (both mean off here)`)
  if (c.dht.clientMode === 'server') fail('dht.clientMode', `must not be "server" ${why}: a Tor-only node runs the DHT as a client; use "auto" or "client"`)
  const h = c.gateway.host
  if (c.gateway.enabled && !(h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h))) {
    fail('gateway.host', `must be a loopback interface (127.0.0.1) ${why}: the gateway would accept direct connections on ${h}`)
  }
}
