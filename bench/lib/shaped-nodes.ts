/**
 * Parent side of the shaped-link bench's lafs-club nodes: each one a process
 * inside its host's namespace (shaped-child.ts → shaped-node.ts), started
 * with startBenchChild's `ip netns exec` launch, called through shaped-rpc.ts.
 */
import { startBenchChild, type BenchChild } from './bench-child.js'
import { launchIn, type ShapedHost } from './shaped-lab.js'
import { callChild, withDeadline } from './shaped-rpc.js'

/** A node process that has not said it is ready by then (two busy cores, fourteen processes starting) is given up. */
const START_DEADLINE_MS = 90_000
import type { NodeInfo, NodeRole } from './shaped-node.js'

export interface ShapedNode {
  host: ShapedHost
  peerId: string
  /** Multiaddr with /p2p/, on the host's shaped link. */
  addr: string
  pid: number
  call: <R>(op: string, arg: unknown, timeoutMs: number) => Promise<R>
  stop: () => Promise<void>
}

export type Started = { node: ShapedNode } | { refused: string }

/** Starts a node; a role whose config this build refuses comes back as `refused` (its process already stopped). */
export async function startShapedNode (host: ShapedHost, role: NodeRole): Promise<Started> {
  const what = `node ${host.name}`
  const child: BenchChild<NodeInfo> = await withDeadline(startBenchChild<NodeInfo>(import.meta.url, 'shaped-child', ['node', host.ip, JSON.stringify(role)], what, [], launchIn(host)), START_DEADLINE_MS, what)
  const info = child.info
  if (!info.started) {
    await child.stop()
    return { refused: info.why }
  }
  return {
    node: {
      host,
      peerId: info.peerId,
      addr: info.addr,
      pid: info.pid,
      call: async <R>(op: string, arg: unknown, timeoutMs: number) => await callChild<R>(child.process, what, op, arg, timeoutMs),
      stop: child.stop
    }
  }
}

/** Starts nodes that must start (storage servers, client, reader); stops the others if one fails. */
export async function startNodes (hosts: ShapedHost[], role: NodeRole): Promise<ShapedNode[]> {
  const settled = await Promise.allSettled(hosts.map(async h => await startShapedNode(h, role)))
  const nodes = settled.flatMap(r => r.status === 'fulfilled' && 'node' in r.value ? [r.value.node] : [])
  const problem = settled.find(r => r.status === 'rejected' || !('node' in r.value))
  if (problem !== undefined) {
    await Promise.allSettled(nodes.map(async n => { await n.stop() }))
    throw problem.status === 'rejected' ? problem.reason : new Error(`a node refused the bench's config: ${(problem.value as { refused: string }).refused}`)
  }
  return nodes
}
