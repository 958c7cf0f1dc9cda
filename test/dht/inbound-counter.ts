/**
 * The node's InboundCounter (src/node/inbound-counter.ts) for test nodes,
 * and the sum of what many of them received between two snapshots.
 */
import { InboundCounter, type InboundCounts } from '../../src/node/inbound-counter.js'

export { InboundCounter, type InboundCounts }

/** What arrived between two snapshots of many counters, summed per key. */
export function received (before: InboundCounts[], after: InboundCounts[]): InboundCounts {
  const out: InboundCounts = { kad: {}, streams: {} }
  after.forEach((a, i) => {
    for (const part of ['kad', 'streams'] as const) {
      for (const [key, n] of Object.entries(a[part])) {
        const d = n - (before[i][part][key] ?? 0)
        if (d !== 0) out[part][key] = (out[part][key] ?? 0) + d
      }
    }
  })
  return out
}
