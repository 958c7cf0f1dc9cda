/**
 * Times one step of a transfer bench and says where the CPU went: event
 * loop utilization of this (client) process and of the servers' process over
 * the step, and the client's peak RSS during it.
 */
import type { ChildGrid } from './transfer-grid.js'
import type { RssSampler } from './transfer-rss.js'

export interface PhaseRun { ms: number, clientElu: number, serverElu: number, peakRss: number }

export async function phase<T> (grid: Pick<ChildGrid, 'elu'>, rss: RssSampler, fn: () => Promise<T>): Promise<{ run: PhaseRun, value: T }> {
  const serverStart = await grid.elu()
  const clientStart = performance.eventLoopUtilization()
  rss.phase()
  const t0 = performance.now()
  const value = await fn()
  const ms = performance.now() - t0
  const peakRss = rss.phase()
  const clientElu = performance.eventLoopUtilization(clientStart).utilization
  const serverElu = performance.eventLoopUtilization(await grid.elu(), serverStart).utilization
  return { run: { ms, clientElu, serverElu, peakRss }, value }
}
