/**
 * What peers ask of this node, counted through libp2p's own metrics hook:
 * inbound protocol streams (libp2p reports each one once its protocol is
 * negotiated, so only protocols this node serves appear) and kad-dht
 * requests by message type (kad-dht's `<prefix>_inbound_rpc_requests_total`
 * counter, bumped once per request its RPC handler reads). On a grid this is
 * where a server's CPU goes when it moves few bytes; the status page,
 * `/metrics` and the scale runner read it. Every other metric a Metrics
 * implementation is asked for is accepted and ignored, at no cost.
 */
import type { Metrics, Stream } from '@libp2p/interface'

export interface InboundCounts {
  /** kad-dht requests handled, by message type (GET_PROVIDERS, FIND_NODE, PING, …). */
  kad: Record<string, number>
  /** Inbound streams, by protocol. */
  streams: Record<string, number>
}

const ignore = (): void => {}
const sink = { update: ignore, increment: ignore, decrement: ignore, reset: ignore, observe: ignore, timer: () => ignore }

export class InboundCounter {
  private readonly counts: InboundCounts = { kad: {}, streams: {} }

  /** A `metrics` factory for createLibp2p. */
  readonly metrics = (): Metrics => {
    const counts = this.counts
    const register = (): any => sink
    const metrics = {
      trackMultiaddrConnection: ignore,
      trackProtocolStream (stream: Stream): void {
        if (stream.direction === 'inbound') counts.streams[stream.protocol] = (counts.streams[stream.protocol] ?? 0) + 1
      },
      registerMetric: register,
      registerMetricGroup: register,
      registerCounter: register,
      registerCounterGroup (name: string): any {
        if (!name.endsWith('_inbound_rpc_requests_total')) return sink
        return {
          increment (values: Record<string, number | true>): void {
            for (const [type, by] of Object.entries(values)) counts.kad[type] = (counts.kad[type] ?? 0) + (by === true ? 1 : by)
          },
          reset: ignore
        }
      },
      registerHistogram: register,
      registerHistogramGroup: register,
      registerSummary: register,
      registerSummaryGroup: register,
      createTrace: () => undefined,
      traceFunction: (_name: string, fn: unknown) => fn
    }
    return metrics
  }

  /** A copy of the counts so far. */
  snapshot (): InboundCounts {
    return { kad: { ...this.counts.kad }, streams: { ...this.counts.streams } }
  }
}
