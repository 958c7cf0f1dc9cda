/**
 * What one step of the shaped-link bench cost: wall time, the bytes each
 * host's shaped link carried (its `wan` counters: payload plus TCP/IP,
 * Noise and Yamux overhead), the CPU time each process used and how often
 * its event loop woke (from /proc, so asking never costs the process being
 * measured).
 */
import { preciseCpuMs, wakeups } from './proc-usage.js'
import { wanBytes, type ShapedHost } from './shaped-lab.js'

export interface StepCost<T> {
  value: T
  wallMs: number
  /** Per host name: bytes sent (tx) and received (rx) on its link during the step. */
  bytes: Record<string, { tx: number, rx: number }>
  /** Per process label: CPU ms (user + system, all threads) during the step. */
  cpuMs: Record<string, number>
  /** Per process label: times its main thread slept and was woken during the step. */
  wakeups: Record<string, number>
}

export interface Watched { hosts: ShapedHost[], pids: Record<string, number> }

const each = (pids: Record<string, number>, read: (pid: number) => number): Record<string, number> =>
  Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, read(pid)]))
const less = (a: Record<string, number>, b: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.keys(a).map(k => [k, a[k] - b[k]]))

export async function measureStep<T> (watch: Watched, fn: () => Promise<T>): Promise<StepCost<T>> {
  const bytes0 = Object.fromEntries(watch.hosts.map(h => [h.name, wanBytes(h)]))
  const cpu0 = each(watch.pids, preciseCpuMs)
  const wake0 = each(watch.pids, wakeups)
  const t0 = performance.now()
  const value = await fn()
  const wallMs = performance.now() - t0
  const cpu1 = each(watch.pids, preciseCpuMs)
  const wake1 = each(watch.pids, wakeups)
  const bytes = Object.fromEntries(watch.hosts.map(h => {
    const b = wanBytes(h)
    return [h.name, { tx: b.tx - bytes0[h.name].tx, rx: b.rx - bytes0[h.name].rx }]
  }))
  return { value, wallMs, bytes, cpuMs: less(cpu1, cpu0), wakeups: less(wake1, wake0) }
}

/** Sum over some keys of a record. */
export const sumOf = (rec: Record<string, number>, keys?: string[]): number =>
  (keys ?? Object.keys(rec)).reduce((a, k) => a + (rec[k] ?? 0), 0)

/** Plaintext (or any payload) megabits per second: 10^6 bits. */
export const mbit = (bytes: number, ms: number): number => bytes * 8 / 1e6 / (ms / 1000)

/** CPU seconds per GiB. */
export const cpuSecPerGiB = (cpuMs: number, bytes: number): number => (cpuMs / 1000) / (bytes / 2 ** 30)
