/**
 * What the nodes' own status says (`/status?t=json`), summed at the start and
 * at the end of the load: the servers' provider announcers (a plain cap is
 * found only through provider records, announced after a share is stored, so
 * a backlog explains plain-cap downloads of young files that found no
 * holder), the connections every node opened (each costs a handshake: at
 * a hundred nodes with capped connection counts, churn here is CPU) and what
 * peers asked of the nodes, by protocol and by kad-dht message type (a
 * server moving few bytes spends its CPU answering these).
 */
import { status } from '../grid/lib.js'
import { isLive } from './shares.js'
import type { ScaleNode } from './topology.js'

interface NodeCounts { pid: number, announced: number, failed: number, backlog: number, opened: number, streams: Record<string, number>, kad: Record<string, number> }

/** Counts per node name, of the live nodes whose status could be read; `asked`: the live nodes. */
export type StatusSample = Map<string, NodeCounts> & { asked?: number }

export async function sampleStatus (nodes: ScaleNode[]): Promise<StatusSample> {
  const sample: StatusSample = new Map()
  const live = nodes.filter(isLive)
  sample.asked = live.length
  await Promise.all(live.map(async n => {
    try {
      const s = await status(n.daemon!)
      const r = s.reprovide ?? { announced: 0, failed: 0, backlog: 0 }
      sample.set(n.name, { pid: n.daemon!.child.pid ?? 0, announced: r.announced, failed: r.failed, backlog: r.backlog, opened: (s.connectionsOpened?.inbound ?? 0) + (s.connectionsOpened?.outbound ?? 0), streams: s.inbound?.streams ?? {}, kad: s.inbound?.kad ?? {} })
    } catch { /* busy or just restarted: left out, and counted as unread */ }
  }))
  return sample
}

export interface StatusTotals {
  /** Nodes read at both ends without a restart in between (the deltas below are theirs). */
  nodes: number
  /** Live nodes whose status did not answer at the end (10 s each). */
  unread: number
  announced: number
  failed: number
  /** At the end of the load, summed over the servers, and the largest on one. */
  backlog: number
  maxBacklog: number
  connectionsOpened: number
  /** Connections opened per node per minute of load. */
  connectionsPerNodeMinute: number
  /** Streams peers opened to the nodes during the load, by protocol, most first. */
  inboundStreams: Record<string, number>
  /** kad-dht requests the nodes answered during the load, by message type, most first. */
  kadRequests: Record<string, number>
}

function addDeltas (into: Record<string, number>, end: Record<string, number>, start: Record<string, number>): void {
  for (const [key, n] of Object.entries(end)) {
    const d = n - (start[key] ?? 0)
    if (d > 0) into[key] = (into[key] ?? 0) + d
  }
}

const mostFirst = (r: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(r).sort((a, b) => b[1] - a[1]))

export function totals (start: StatusSample, end: StatusSample, minutes: number): StatusTotals {
  const t: StatusTotals = { nodes: 0, unread: (end.asked ?? end.size) - end.size, announced: 0, failed: 0, backlog: 0, maxBacklog: 0, connectionsOpened: 0, connectionsPerNodeMinute: 0, inboundStreams: {}, kadRequests: {} }
  for (const [name, e] of end) {
    t.backlog += e.backlog
    t.maxBacklog = Math.max(t.maxBacklog, e.backlog)
    const s = start.get(name)
    if (s === undefined || s.pid !== e.pid) continue
    t.nodes++
    t.announced += e.announced - s.announced
    t.failed += e.failed - s.failed
    t.connectionsOpened += e.opened - s.opened
    addDeltas(t.inboundStreams, e.streams, s.streams)
    addDeltas(t.kadRequests, e.kad, s.kad)
  }
  t.inboundStreams = mostFirst(t.inboundStreams)
  t.kadRequests = mostFirst(t.kadRequests)
  t.connectionsPerNodeMinute = t.nodes === 0 || minutes <= 0 ? 0 : Number((t.connectionsOpened / t.nodes / minutes).toFixed(1))
  return t
}
