/**
 * Times one step of a transfer bench and says where the CPU went: event
 * loop utilization and CPU time (all threads) of this (client) process and
 * of the serving process over the step, and the client's peak RSS during it.
 */
import { processCpuMs, type ChildUsage } from './bench-child.js'
import type { RssSampler } from './transfer-rss.js'

export interface PhaseRun {
  ms: number
  clientElu: number
  serverElu: number
  /** CPU milliseconds of the client process (main thread, workers, GC helpers) during the step. */
  clientCpuMs: number
  /** CPU milliseconds of the serving process during the step. */
  serverCpuMs: number
  peakRss: number
}

export async function phase<T> (server: { usage: () => Promise<ChildUsage> }, rss: RssSampler, fn: () => Promise<T>): Promise<{ run: PhaseRun, value: T }> {
  const serverStart = await server.usage()
  const clientStart = performance.eventLoopUtilization()
  const clientCpuStart = processCpuMs()
  rss.phase()
  const t0 = performance.now()
  const value = await fn()
  const ms = performance.now() - t0
  const clientCpuMs = processCpuMs() - clientCpuStart
  const peakRss = rss.phase()
  const clientElu = performance.eventLoopUtilization(clientStart).utilization
  const serverEnd = await server.usage()
  const serverElu = performance.eventLoopUtilization(serverEnd.elu, serverStart.elu).utilization
  return { run: { ms, clientElu, serverElu, clientCpuMs, serverCpuMs: serverEnd.cpuMs - serverStart.cpuMs, peakRss }, value }
}
