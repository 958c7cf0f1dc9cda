/**
 * The lab's network, built from Linux network namespaces: one namespace that
 * routes between "public" subnets (the internet), two VPSes on it, five home
 * routers doing NAT, and the hosts of each home LAN. Everything is created
 * inside namespaces named with PREFIX, so deleting those namespaces removes
 * every address, link and rule the lab made; nothing touches the root
 * namespace. See README.md for the address plan and why 11.0.0.0/8.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { openSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Every lab namespace starts with this; leftovers of a crashed run are found by it. */
export const PREFIX = 'lafsnl-'
/** The block that plays the public internet (README.md says why this one). */
export const PUBLIC_RANGE = '11.0.0.0/8'
export const INET = `${PREFIX}inet`

export type NatKind = 'cone' | 'symmetric' | 'upnp'

/** A machine with an address in the public block: a VPS or a home router's WAN side. */
export interface WanSite { ns: string, net: number, up: string, down: string }

export interface Router extends WanSite { name: string, kind: NatKind, lan: number, hosts: string[] }
export interface Vps extends WanSite { name: string }

/** A host (VPS or home machine) with where it sits. */
export interface Host { name: string, ns: string, ip: string, router?: Router }

export const HOME_UP = '20mbit'
export const HOME_DOWN = '100mbit'
export const VPS_LINE = '1gbit'

export const VPSES: Vps[] = [
  { name: 'vps1', ns: `${PREFIX}vps1`, net: 1, up: VPS_LINE, down: VPS_LINE },
  { name: 'vps2', ns: `${PREFIX}vps2`, net: 2, up: VPS_LINE, down: VPS_LINE }
]

export const ROUTERS: Router[] = [
  { name: 'r1', ns: `${PREFIX}r1`, net: 11, lan: 1, kind: 'cone', hosts: ['home1'], up: HOME_UP, down: HOME_DOWN },
  { name: 'r2', ns: `${PREFIX}r2`, net: 12, lan: 2, kind: 'upnp', hosts: ['home2'], up: HOME_UP, down: HOME_DOWN },
  { name: 'r3', ns: `${PREFIX}r3`, net: 13, lan: 3, kind: 'symmetric', hosts: ['home3', 'reader6', 'reader7'], up: HOME_UP, down: HOME_DOWN },
  { name: 'r4', ns: `${PREFIX}r4`, net: 14, lan: 4, kind: 'cone', hosts: ['home4'], up: HOME_UP, down: HOME_DOWN },
  { name: 'r5', ns: `${PREFIX}r5`, net: 15, lan: 5, kind: 'cone', hosts: ['laptop5'], up: HOME_UP, down: HOME_DOWN }
]

/** The WAN address of a VPS or router: one /24 per site, each in a /16 of its own (AutoNAT counts distinct /16s). */
export function wanIp (site: { net: number }): string { return `11.${site.net}.0.2` }
function gwIp (site: { net: number }): string { return `11.${site.net}.0.1` }

export function hosts (): Host[] {
  const out: Host[] = VPSES.map(v => ({ name: v.name, ns: v.ns, ip: wanIp(v) }))
  for (const r of ROUTERS) {
    r.hosts.forEach((h, i) => out.push({ name: h, ns: `${PREFIX}${h}`, ip: `192.168.${r.lan}.${i + 2}`, router: r }))
  }
  return out
}

export function host (name: string): Host {
  const h = hosts().find(x => x.name === name)
  if (h === undefined) throw new Error(`no lab host ${name}`)
  return h
}

function sh (cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] })
}
const ip = (...args: string[]): string => sh('ip', args)
const inNs = (ns: string, cmd: string, args: string[], input?: string): string => sh('ip', ['netns', 'exec', ns, cmd, ...args], input)

/** Lab namespaces that exist now (ours by their prefix; the shaped-link bench passes its own). */
export function labNamespaces (prefix = PREFIX): string[] {
  let list = ''
  try { list = ip('netns', 'list') } catch { return [] }
  return list.split('\n').map(l => l.split(' ')[0]).filter(n => n.startsWith(prefix))
}

/**
 * Kills whatever still runs inside the lab's namespaces (only processes the lab
 * put there) and deletes the namespaces, which removes their links with them.
 */
export function destroyLab (prefix = PREFIX): string[] {
  const gone = labNamespaces(prefix)
  for (const ns of gone) {
    let pids: string[] = []
    try { pids = ip('netns', 'pids', ns).split('\n').filter(p => /^\d+$/.test(p)) } catch { /* namespace already half gone */ }
    for (const pid of pids) { try { process.kill(Number(pid), 'SIGKILL') } catch { /* exited meanwhile */ } }
  }
  for (const ns of gone) { try { ip('netns', 'del', ns) } catch { /* deleted by a racing cleanup */ } }
  return gone
}

/** `tc … tbf` on a link's egress: what leaves through `dev` is held to `rate`. */
export function shape (ns: string, dev: string, rate: string): void {
  // veth hands over 64 KiB GSO packets: a bucket smaller than that would drop them outright
  const burst = rate === VPS_LINE ? '1mb' : '96kb'
  inNs(ns, 'tc', ['qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', rate, 'burst', burst, 'latency', '50ms'])
}

export function addNs (ns: string): void {
  ip('netns', 'add', ns)
  ip('-n', ns, 'link', 'set', 'lo', 'up')
}

/**
 * A site on the internet: a veth from the internet namespace (`inet`, the
 * lab's own by default) straight into `site.ns`, never via the root namespace.
 */
export function attachWan (site: WanSite, inet = INET): void {
  const outer = `v${site.net}`
  ip('-n', inet, 'link', 'add', outer, 'type', 'veth', 'peer', 'name', 'wan', 'netns', site.ns)
  ip('-n', inet, 'addr', 'add', `${gwIp(site)}/24`, 'dev', outer)
  ip('-n', inet, 'link', 'set', outer, 'up')
  ip('-n', site.ns, 'addr', 'add', `${wanIp(site)}/24`, 'dev', 'wan')
  ip('-n', site.ns, 'link', 'set', 'wan', 'up')
  ip('-n', site.ns, 'route', 'add', 'default', 'via', gwIp(site))
  shape(site.ns, 'wan', site.up)
  shape(inet, outer, site.down)
}

const MINIUPNPD_TABLES = `
table inet filter {
  chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
  chain miniupnpd { }
  chain prerouting { type nat hook prerouting priority dstnat; policy accept; jump prerouting_miniupnpd; }
  chain postrouting { type nat hook postrouting priority srcnat; policy accept; jump postrouting_miniupnpd; oifname "wan" masquerade; }
  chain prerouting_miniupnpd { }
  chain postrouting_miniupnpd { }
}
`

function natRules (r: Router): string {
  if (r.kind === 'upnp') return MINIUPNPD_TABLES
  // cone-like: masquerade keeps the source port where it is free; symmetric: a random port per connection
  const masq = r.kind === 'symmetric' ? 'masquerade fully-random' : 'masquerade'
  return `table ip nat {\n  chain post { type nat hook postrouting priority srcnat; policy accept; oifname "wan" ${masq}; }\n}\n`
}

export interface Lab {
  /** miniupnpd's process (r2), for teardown. */
  upnpd?: ChildProcess
}

/** Builds the whole topology; throws with the failing command on the first error. */
export function createLab (dir: string): Lab {
  addNs(INET)
  inNs(INET, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1'])
  for (const v of VPSES) { addNs(v.ns); attachWan(v) }
  const lab: Lab = {}
  for (const r of ROUTERS) {
    addNs(r.ns)
    attachWan(r)
    inNs(r.ns, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1'])
    ip('-n', r.ns, 'link', 'add', 'lan', 'type', 'bridge')
    ip('-n', r.ns, 'addr', 'add', `192.168.${r.lan}.1/24`, 'dev', 'lan')
    ip('-n', r.ns, 'link', 'set', 'lan', 'up')
    r.hosts.forEach((name, i) => {
      const ns = `${PREFIX}${name}`
      addNs(ns)
      const port = `p${i}`
      ip('-n', r.ns, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns)
      ip('-n', r.ns, 'link', 'set', port, 'master', 'lan')
      ip('-n', r.ns, 'link', 'set', port, 'up')
      ip('-n', ns, 'addr', 'add', `192.168.${r.lan}.${i + 2}/24`, 'dev', 'eth0')
      ip('-n', ns, 'link', 'set', 'eth0', 'up')
      ip('-n', ns, 'route', 'add', 'default', 'via', `192.168.${r.lan}.1`)
    })
    inNs(r.ns, 'nft', ['-f', '-'], natRules(r))
    if (r.kind === 'upnp') lab.upnpd = startMiniupnpd(r, dir)
  }
  return lab
}

function startMiniupnpd (r: Router, dir: string): ChildProcess {
  const conf = join(dir, `miniupnpd-${r.name}.conf`)
  writeFileSync(conf, [
    'ext_ifname=wan',
    'listening_ip=lan',
    'port=5000',
    'enable_upnp=yes',
    'enable_natpmp=yes',
    'secure_mode=yes',
    'system_uptime=yes',
    'uuid=3b2d6f4e-1c7a-4d2e-9a55-6c1f0e8b7a13',
    `allow 1024-65535 192.168.${r.lan}.0/24 1024-65535`,
    'deny 0-65535 0.0.0.0/0 0-65535',
    ''
  ].join('\n'))
  const logFd = openSync(join(dir, `miniupnpd-${r.name}.log`), 'a')
  return spawn('ip', ['netns', 'exec', r.ns, 'miniupnpd', '-d', '-f', conf, '-P', join(dir, `miniupnpd-${r.name}.pid`)], { stdio: ['ignore', logFd, logFd] })
}

/** Lines describing the lab, printed at its start. */
export function describeLab (): string[] {
  const lines = VPSES.map(v => `${v.name}: ${wanIp(v)} (public), line ${v.up} each way`)
  for (const r of ROUTERS) {
    lines.push(`${r.name}: ${r.kind === 'upnp' ? 'cone NAT + miniupnpd' : r.kind === 'symmetric' ? 'symmetric NAT (masquerade fully-random)' : 'cone NAT (masquerade)'}, WAN ${wanIp(r)}, LAN 192.168.${r.lan}.0/24 (${r.hosts.join(', ')}), ${r.up} up / ${r.down} down`)
  }
  return lines
}

export { inNs }
