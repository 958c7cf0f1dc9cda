/**
 * What the netlab steps share: the lab's constants, the run's state and
 * step shapes, and the node helpers every phase uses (set up a node for its
 * role, wait for its bootstrap, find its address on a network).
 */
import { join } from 'node:path'
import { ROOT, until as pollUntil } from '../grid/lib.js'
import { cli, fail, makeNode, patchConfig, status, type LabNode } from './nodes.js'
import { PUBLIC_RANGE, host, type Lab } from './topology.js'

export const DHT = '/lafs-club-netlab/kad/1.0.0'
export const PORT = 4001
export const GATEWAY_PORT = 3456
export const LINE_RATE_JS = join(ROOT, 'dist/interop/netlab/line-rate.js')
export const SERVER_NAMES = ['vps1', 'vps2', 'home1', 'home2', 'home3', 'home4']
export const HOME_NAMES = ['home1', 'home2', 'home3', 'home4', 'laptop5']

export interface Upload { label: string, path: string, size: number, sha: string, cap: string, hintedCap: string }

export interface Figures {
  lineDownMbit?: number
  lineUpMbit?: number
  uploadMs?: number
  downloadMs?: number
  encoding?: { k: number, happy: number, n: number }
}

export interface State {
  base: string
  lab?: Lab
  nodes: Map<string, LabNode>
  bootstrap: string
  clubId: string
  uploads: Upload[]
  figures: Figures
  baseline: boolean
  /** home2's address as mapped on r2 (from miniupnpd's list). */
  home2Mapped?: string
}

export interface Step {
  name: string
  about: string
  timeoutMs: number
  /** Nodes whose logs explain a failure of this step. */
  logs: string[]
  run: (s: State) => Promise<string | undefined>
}

export interface Outcome { step: string, result: 'ok' | 'FAILED' | 'skipped', ms: number, note: string }

export function node (s: State, name: string): LabNode {
  const n = s.nodes.get(name)
  if (n === undefined) fail(`${name} was never set up (an earlier step failed?)`)
  return n
}

/** The grid's poll, at a pace that suits CLI calls into namespaces. */
export async function until<T> (what: string, fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 1000): Promise<T> {
  return await pollUntil(what, fn, timeoutMs, everyMs)
}

/** init in the node's namespace, then the lab's config.json settings for its role. */
export async function initNode (s: State, name: string, role: 'vps1' | 'vps' | 'home' | 'user'): Promise<LabNode> {
  const n = makeNode(s.base, host(name))
  s.nodes.set(name, n)
  const args = ['init', '--listen', `/ip4/0.0.0.0/tcp/${PORT}`, '--gateway-port', String(GATEWAY_PORT), '--dht-protocol', DHT]
  args.push(...(role === 'vps1' ? ['--no-bootstrap'] : ['--bootstrap', s.bootstrap]))
  if (role === 'user') args.push('--no-storage')
  await cli(n, args)
  const vps = role === 'vps1' || role === 'vps'
  await patchConfig(n.dir, {
    // the lab's internet is 11.0.0.0/8 (README.md); it must count as public, private LANs must not
    network: { publicRanges: [PUBLIC_RANGE] },
    dht: { lan: false, ...(vps ? { clientMode: 'server' } : {}) },
    // members re-put the owner's roster on this timer (12 h by default); the lab's owner is away for a minute
    clubs: { republishIntervalSeconds: 15 },
    ...(vps
      ? {
          // an operator states a VPS's address and relay role: AutoNAT would need four /16s of dial-backs
          announce: [`/ip4/${n.host.ip}/tcp/${PORT}`],
          relay: { server: role === 'vps1' },
          nat: { upnp: false }
        }
      : {}),
    ...(name === 'laptop5' ? { client: s.figures.encoding } : {})
  })
  // Baseline mode reproduces the workarounds the lab needed before AutoNAT v2 replaced v1 (a v1
  // server closed the connection it was asked on) and before relays carried shares for club
  // members: no AutoNAT service, and home2 (port-mapped by UPnP) off relays.
  if (s.baseline) await patchConfig(n.dir, { nat: { autonat: false, upnp: name === 'home2' }, ...(name === 'home2' ? { relay: { client: false } } : {}) })
  return n
}

export async function bootstrapped (n: LabNode, timeoutMs: number): Promise<void> {
  await until(`${n.name} to reach its bootstrap peer`, async () => {
    const st = await status(n)
    return st.bootstrap !== null && st.bootstrap?.connected >= 1 ? true : undefined
  }, timeoutMs, 1500)
}

export function addrOn (n: LabNode, st: { multiaddrs: string[] }, ip: string): string | undefined {
  return st.multiaddrs.find(a => a.startsWith(`/ip4/${ip}/tcp/`) && !a.includes('p2p-circuit')) ?? undefined
}
