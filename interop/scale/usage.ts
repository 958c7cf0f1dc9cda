/**
 * RSS, open descriptors and CPU of every node process, read from /proc by
 * bench/lib/proc-usage.ts (no question to the node, so measuring costs it
 * nothing). CPU is counted per process incarnation: a restarted server's
 * counter starts again at zero, so its earlier incarnations are kept.
 */
import { procSample } from '../../bench/lib/proc-usage.js'
import type { ScaleNode } from './topology.js'

export interface NodeUsage {
  name: string
  role: string
  /** Largest RSS seen, and the last one. */
  maxRssBytes: number
  lastRssBytes: number
  maxFds: number
  lastFds: number
  /** CPU ms used during the sampled window, all incarnations. */
  cpuMs: number
}

interface Track { usage: NodeUsage, pid?: number, firstCpuMs: number, lastCpuMs: number, doneCpuMs: number }

export class UsageSampler {
  private readonly tracks = new Map<string, Track>()
  private timer?: NodeJS.Timeout
  startedAt = 0
  stoppedAt = 0

  constructor (private readonly nodes: ScaleNode[], private readonly everyMs = 5000) {}

  private baselining = false

  start (): void {
    this.startedAt = Date.now()
    this.baselining = true
    this.sample()
    this.baselining = false
    this.timer = setInterval(() => { this.sample() }, this.everyMs)
  }

  stop (): NodeUsage[] {
    clearInterval(this.timer)
    this.sample()
    this.stoppedAt = Date.now()
    return [...this.tracks.values()].map(t => t.usage)
  }

  sample (): void {
    for (const n of this.nodes) {
      const pid = n.daemon?.child.pid
      let t = this.tracks.get(n.name)
      if (t === undefined) {
        t = { usage: { name: n.name, role: n.role, maxRssBytes: 0, lastRssBytes: 0, maxFds: 0, lastFds: 0, cpuMs: 0 }, firstCpuMs: 0, lastCpuMs: 0, doneCpuMs: 0 }
        this.tracks.set(n.name, t)
      }
      if (pid === undefined || n.daemon?.child.exitCode !== null || n.daemon?.child.signalCode !== null) continue
      let s
      try { s = procSample(pid) } catch { continue }
      if (t.pid !== pid) {
        // a new incarnation: bank the old one's CPU
        t.doneCpuMs += t.lastCpuMs - t.firstCpuMs
        // running when the window opened: count from there; started later (a restart): count its start too
        t.firstCpuMs = this.baselining ? s.cpuMs : 0
        t.pid = pid
      }
      t.lastCpuMs = s.cpuMs
      t.usage.cpuMs = t.doneCpuMs + t.lastCpuMs - t.firstCpuMs
      t.usage.lastRssBytes = s.rssBytes
      t.usage.maxRssBytes = Math.max(t.usage.maxRssBytes, s.rssBytes)
      t.usage.lastFds = s.fds
      t.usage.maxFds = Math.max(t.usage.maxFds, s.fds)
    }
  }
}
