/**
 * The shaped-link bench's network, built with the network lab's own helpers
 * (interop/netlab/topology.ts: namespaces, veth pairs straight between
 * namespaces, `tc … tbf` on each link's egress) but under a prefix of its
 * own, so it never touches a netlab run's `lafsnl-` namespaces and a netlab
 * run never deletes ours. A star: one namespace routes, every host hangs off
 * it on a /24 of the lab's 11.0.0.0/8 (see interop/netlab/README.md for why
 * that block, and why it is safe only inside sealed namespaces):
 *
 *   client   20 Mbit/s up, 100 Mbit/s down   uploads (a home)
 *   reader   20 Mbit/s up, 100 Mbit/s down   downloads (a home)
 *   helper   1 Gbit/s each way               the upload helper (a VPS)
 *   s0 … s9  20 Mbit/s up, 100 Mbit/s down   storage servers (homes)
 */
import { execFileSync } from 'node:child_process'
import { addNs, attachWan, destroyLab, inNs, labNamespaces, wanIp, type WanSite } from '../../interop/netlab/topology.js'

/** Every namespace of this bench starts with this (the netlab's are `lafsnl-`). */
export const SHAPED_PREFIX = 'lafsbs-'
export const SHAPED_INET = `${SHAPED_PREFIX}inet`

export const HOME_UP_MBIT = 20
export const HOME_DOWN_MBIT = 100
export const VPS_MBIT = 1000
export const SERVER_COUNT = 10

export interface ShapedHost extends WanSite {
  name: string
  ip: string
  upMbit: number
  downMbit: number
}

function site (name: string, net: number, upMbit: number, downMbit: number): ShapedHost {
  const s = { name, ns: `${SHAPED_PREFIX}${name}`, net, up: `${upMbit}mbit`, down: `${downMbit}mbit`, upMbit, downMbit }
  return { ...s, ip: wanIp(s) }
}

export interface ShapedLab {
  client: ShapedHost
  reader: ShapedHost
  helper: ShapedHost
  servers: ShapedHost[]
  all: ShapedHost[]
}

export function labPlan (): ShapedLab {
  const client = site('client', 21, HOME_UP_MBIT, HOME_DOWN_MBIT)
  const reader = site('reader', 22, HOME_UP_MBIT, HOME_DOWN_MBIT)
  // VPS_LINE in the netlab is '1gbit': shape() gives it the larger bucket a fast line needs
  const helper = { ...site('helper', 23, VPS_MBIT, VPS_MBIT), up: '1gbit', down: '1gbit' }
  const servers = Array.from({ length: SERVER_COUNT }, (_, i) => site(`s${i}`, 31 + i, HOME_UP_MBIT, HOME_DOWN_MBIT))
  return { client, reader, helper, servers, all: [client, reader, helper, ...servers] }
}

/**
 * Builds the lab; on any failure it removes what it made and throws. The
 * internet namespace must link only to the lab's own hosts (checked).
 */
export function createShapedLab (): ShapedLab {
  const lab = labPlan()
  try {
    addNs(SHAPED_INET)
    inNs(SHAPED_INET, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1'])
    // loopback carries the nodes' own streams to themselves: shape nothing there
    for (const h of lab.all) { addNs(h.ns); attachWan(h, SHAPED_INET) }
    const links = execFileSync('ip', ['-n', SHAPED_INET, '-o', 'link'], { encoding: 'utf8' })
    const names = links.split('\n').filter(l => l.trim() !== '').map(l => l.split(':')[1].trim().split('@')[0])
    const expected = new Set(['lo', ...lab.all.map(h => `v${h.net}`)])
    const strangers = names.filter(n => !expected.has(n))
    if (strangers.length > 0) throw new Error(`the lab's internet namespace has links that are not the lab's: ${strangers.join(', ')}`)
    return lab
  } catch (err) {
    destroyShapedLab()
    throw err
  }
}

/** Kills what runs in the bench's namespaces (only its own processes) and deletes them; returns what was removed. */
export function destroyShapedLab (): string[] {
  return destroyLab(SHAPED_PREFIX)
}

export function shapedNamespaces (): string[] {
  return labNamespaces(SHAPED_PREFIX)
}

/** Bytes sent and received on a host's shaped link so far (its `wan` interface counters). */
export function wanBytes (h: ShapedHost): { tx: number, rx: number } {
  const out = JSON.parse(execFileSync('ip', ['-n', h.ns, '-j', '-s', 'link', 'show', 'dev', 'wan'], { encoding: 'utf8' }))
  const stats = out[0]?.stats64
  return { tx: Number(stats?.tx?.bytes ?? NaN), rx: Number(stats?.rx?.bytes ?? NaN) }
}

/** The `ip netns exec NS` prefix that starts a program inside a host's namespace (startBenchChild's `launch`). */
export function launchIn (h: ShapedHost): string[] {
  return ['ip', 'netns', 'exec', h.ns]
}
