/**
 * Finds out whether any bootstrap peer answers. @libp2p/bootstrap dials the
 * list too, but silently; a node that reaches nobody should say so, since it
 * then serves and finds only what is on itself (and peers that dial it).
 */
import { multiaddr } from '@multiformats/multiaddr'
import { trailingPeerId } from '../club/index.js'
import type { Libp2p } from '@libp2p/interface'

export interface BootstrapReport {
  /** Bootstrap addresses in the config (this node's own address excluded). */
  configured: number
  /** Peer IDs of bootstrap peers this node connected to. */
  connected: string[]
  /** Addresses that could not be dialled, with the reason. */
  failed: Array<{ address: string, error: string }>
  /** True when no bootstrap peer was reached (including an empty list). */
  alone: boolean
}

export const DEFAULT_BOOTSTRAP_TIMEOUT_MS = 20_000

export async function checkBootstrap (libp2p: Libp2p, list: string[], opts: { timeoutMs?: number, signal?: AbortSignal } = {}): Promise<BootstrapReport> {
  const self = libp2p.peerId.toString()
  const addrs = list.filter(a => trailingPeerId(a) !== self)
  const report: BootstrapReport = { configured: addrs.length, connected: [], failed: [], alone: true }
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_BOOTSTRAP_TIMEOUT_MS)
  const signal = opts.signal === undefined ? timeout : AbortSignal.any([timeout, opts.signal])
  await Promise.all(addrs.map(async address => {
    try {
      const conn = await libp2p.dial(multiaddr(address), { signal })
      const id = conn.remotePeer.toString()
      if (!report.connected.includes(id)) report.connected.push(id)
    } catch (err: any) {
      report.failed.push({ address, error: err?.message ?? String(err) })
    }
  }))
  report.alone = report.connected.length === 0
  return report
}
