/**
 * Another process's CPU time, RSS and open descriptors read from /proc
 * (Linux), so measuring an idle node never wakes it: an IPC question would
 * itself cost the CPU being measured.
 */
import { readdirSync, readFileSync } from 'node:fs'

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const HZ = 100

export interface ProcSample {
  /** ms since the epoch. */
  at: number
  /** CPU ms so far, user + system, all threads. */
  cpuMs: number
  rssBytes: number
  fds: number
}

export function procSample (pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name (which may hold spaces), from field 3 on: utime and stime are fields 14 and 15.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const cpuMs = (Number(f[11]) + Number(f[12])) * 1000 / HZ
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  let fds = -1
  try { fds = readdirSync(`/proc/${pid}/fd`).length } catch { /* not ours to read */ }
  return { at: Date.now(), cpuMs, rssBytes: rss != null ? Number(rss[1]) * 1024 : 0, fds }
}

/**
 * CPU ms so far of the process's live threads, from each one's scheduler
 * statistics (/proc/<pid>/task/<tid>/schedstat, nanoseconds): /proc/<pid>/stat
 * counts whole clock ticks, 10 ms, which over a step of a few seconds and
 * ten processes is a quarter of the difference being measured. Threads that
 * ended are not counted (Node's threads live as long as the process).
 */
export function preciseCpuMs (pid: number): number {
  let ns = 0
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try { ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) } catch { /* the thread ended */ }
  }
  return ns / 1e6
}

/** Times the process's main thread (its event loop) has gone to sleep and been woken, so far. */
export function wakeups (pid: number): number {
  const m = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m != null ? Number(m[1]) : 0
}

/** Samples a process every `intervalMs` until stopped. */
export class ProcSampler {
  readonly samples: ProcSample[] = []
  private readonly timer: NodeJS.Timeout

  constructor (readonly pid: number, intervalMs = 1000) {
    this.take()
    this.timer = setInterval(() => { this.take() }, intervalMs)
  }

  take (): void {
    try { this.samples.push(procSample(this.pid)) } catch { /* the process is gone */ }
  }

  stop (): ProcSample[] {
    clearInterval(this.timer)
    this.take()
    return this.samples
  }
}

/** CPU ms so far per thread: 'main' (the event loop's thread), the others by name and id (Node 20 names most of them 'node'). */
export function threadCpuMs (pid: number): Record<string, number> {
  const out: Record<string, number> = {}
  let tids: string[] = []
  try { tids = readdirSync(`/proc/${pid}/task`) } catch { return out }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out[tid === String(pid) ? 'main' : `${name}/${tid}`] = (Number(f[11]) + Number(f[12])) * 1000 / HZ
    } catch { /* the thread ended */ }
  }
  return out
}
