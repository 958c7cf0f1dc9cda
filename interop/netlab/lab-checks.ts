/** Checks several steps share: a fresh reader gets every upload, and every node's connection kinds match the topology. */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { log, ms, sha256File } from '../grid/lib.js'
import { check, cli, fail, isRunning, startNode, status, type LabNode } from './nodes.js'
import { ROUTERS, wanIp } from './topology.js'
import { bootstrapped, initNode, node, type State } from './lab-state.js'

/** A fresh reader daemon (bootstrap address only) gets every upload by hinted and plain cap, comparing bytes. */
export async function readerGets (s: State, name: string, running = false): Promise<string> {
  check(s.uploads.length > 0, 'nothing was uploaded (an earlier step failed)')
  let reader = s.nodes.get(name)
  if (!running || reader === undefined) {
    reader = await initNode(s, name, 'user')
    await startNode(reader)
    await bootstrapped(reader, 30_000)
  }
  const notes: string[] = []
  for (const u of s.uploads) {
    for (const [how, cap] of [['hinted', u.hintedCap], ['plain', u.cap]] as const) {
      const out = join(s.base, `${name}-${u.size}-${how}.bin`)
      const r = await cli(reader, ['get', cap, '-o', out], 120_000)
      const sha = await sha256File(out)
      check(sha === u.sha, `${name} got ${u.label} by ${how} cap with sha256 ${sha}, uploaded ${u.sha}`)
      await rm(out, { force: true })
      if (u.size > 1 << 20 && how === 'hinted' && name === 'reader6') s.figures.downloadMs = r.ms
      notes.push(`${u.label} by ${how} cap in ${ms(r.ms)}`)
    }
  }
  return `${notes.join(', ')}; bytes match`
}

const PUBLIC_NODES = new Set(['vps1', 'vps2', 'home2'])

/** Reads every running node's status and checks reachability and connection kinds against the topology. */
export async function connectionKinds (s: State): Promise<string> {
  const running = [...s.nodes.values()].filter(isRunning)
  const byPeer = new Map<string, string>()
  for (const n of running) if (n.info !== undefined) byPeer.set(n.info.peerId, n.name)
  const statuses = new Map<LabNode, any>()
  for (const n of running) statuses.set(n, await status(n))
  // the nodes relaying for others: vps1 (relay.server true), and home2 once its UPnP mapping made it
  // public (relay.server "auto"); a NATed node may hold its reservation on either
  const relays = new Set(running.filter(n => statuses.get(n)?.relay?.serving === true).map(n => n.info?.peerId))
  const problems: string[] = []
  const warnings: string[] = []
  if (!relays.has(node(s, 'vps1').info?.peerId)) problems.push('vps1: status says it does not relay (relay.serving)')
  for (const n of running) {
    const st = statuses.get(n)
    const reach = st.reachability
    const want = n.name.startsWith('vps') ? 'public' : n.name === 'home2' ? 'upnp' : 'relayed'
    const peers = (st.peers as any[]).map(p => `${byPeer.get(p.peerId) ?? p.peerId.slice(-6)}:${p.connection}${p.via !== undefined ? `(via ${byPeer.get(p.via) ?? p.via})` : ''}`)
    log(`   ${n.name.padEnd(8)} reachability ${reach === undefined ? '(absent)' : `${reach.kind} [${(reach.publicAddrs ?? []).join(' ')}]${(reach.relays ?? []).length > 0 ? ` relays ${(reach.relays as string[]).map(r => byPeer.get(r) ?? r).join(',')}` : ''}`}; peers ${peers.join(' ')}`)
    if (reach === undefined) problems.push(`${n.name}: status --json has no "reachability" (want kind "${want}")`)
    else {
      if (reach.kind !== want) problems.push(`${n.name}: reachability.kind is "${reach.kind}", want "${want}"`)
      if (want === 'relayed' && ((reach.relays ?? []).length === 0 || !(reach.relays as string[]).every(r => relays.has(r)))) {
        problems.push(`${n.name}: reachability.relays ${JSON.stringify(reach.relays)} must name lab nodes that relay (${[...relays].map(r => byPeer.get(r ?? '') ?? r).join(', ')})`)
      }
      if (want === 'upnp' && !(reach.publicAddrs ?? []).some((a: string) => a.includes(wanIp(ROUTERS[1])))) problems.push(`${n.name}: reachability.publicAddrs lacks r2's ${wanIp(ROUTERS[1])}`)
    }
    for (const p of st.peers as any[]) {
      const other = byPeer.get(p.peerId)
      if (other === undefined) continue
      const natPair = !PUBLIC_NODES.has(n.name) && !PUBLIC_NODES.has(other)
      if (natPair && p.connection === 'direct') problems.push(`${n.name} ↔ ${other}: "direct" between two NATed hosts without UPnP`)
      if (!natPair && p.connection !== 'direct') warnings.push(`${n.name} ↔ ${other}: "${p.connection}" though one side is publicly reachable`)
      if (p.connection === 'relayed' && p.via === undefined) problems.push(`${n.name} ↔ ${other}: relayed, but no "via"`)
      if (!['direct', 'hole-punched', 'relayed'].includes(p.connection)) problems.push(`${n.name} ↔ ${other}: unknown connection kind "${p.connection}"`)
    }
  }
  for (const w of warnings) log(`   warning: ${w}`)
  if (problems.length > 0) fail(problems.join('\n'))
  return `${running.length} nodes consistent with the topology`
}
