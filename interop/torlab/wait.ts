/** Polling with a deadline: the lab waits on tor's own pace (descriptors, circuits), never on bare sleeps. */
import { setTimeout as sleep } from 'node:timers/promises'
import { TorLabError } from './procs.js'

/** Calls fn until it resolves; past timeoutMs, fails with what was awaited and fn's last error. */
export async function retryUntil<T> (fn: () => Promise<T>, timeoutMs: number, what: string, everyMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await fn()
    } catch (err: any) {
      if (Date.now() + everyMs > deadline) throw new TorLabError(`waited ${timeoutMs / 1000} s for ${what}: ${err?.message ?? err}`)
    }
    await sleep(everyMs)
  }
}
