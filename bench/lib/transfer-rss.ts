/**
 * Peak resident set size of this process, sampled every 50 ms, with
 * per-phase peaks so a report can say which step needed the memory.
 * A sample needs the event loop, so a spike while the loop is busy can slip
 * between samples: `maxRss()` gives the kernel's high-water mark beside it.
 */
export class RssSampler {
  peak = 0
  private phasePeak = 0
  private readonly timer: NodeJS.Timeout

  constructor (intervalMs = 50) {
    this.sample()
    this.timer = setInterval(() => { this.sample() }, intervalMs)
    this.timer.unref()
  }

  sample (): number {
    const rss = process.memoryUsage.rss()
    if (rss > this.peak) this.peak = rss
    if (rss > this.phasePeak) this.phasePeak = rss
    return rss
  }

  /** Starts a new phase and returns the peak of the one that just ended. */
  phase (): number {
    const last = Math.max(this.phasePeak, this.sample())
    this.phasePeak = process.memoryUsage.rss()
    return last
  }

  /** The kernel's high-water mark of this process's RSS since it started, in bytes; misses no spike. */
  maxRss (): number {
    return process.resourceUsage().maxRSS * 1024 // Node reports it in KiB
  }

  stop (): void {
    clearInterval(this.timer)
    this.sample()
  }
}

export const mib = (bytes: number): number => bytes / 2 ** 20
