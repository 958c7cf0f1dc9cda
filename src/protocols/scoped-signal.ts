/**
 * A signal for one operation, aborted when the caller's signal aborts or a
 * deadline passes, that leaves nothing behind once disposed.
 *
 * Not AbortSignal.any: Node 20 keeps every composite it makes in a set on
 * each source signal and never prunes it, so one per request on a
 * long-lived signal (a node's shutdown signal, a whole transfer's) grows for
 * as long as that signal lives. A listener on the parent, removed in
 * dispose(), costs nothing afterwards.
 */
import { setMaxListeners } from 'node:events'

export interface ScopedSignal {
  signal: AbortSignal
  /** Detaches from the parent and clears the deadline; call it in a finally. */
  dispose: () => void
}

export function scopedSignal (parent: AbortSignal | undefined, deadline?: { ms: number, error: () => Error }): ScopedSignal {
  const controller = new AbortController()
  // One operation may fan out to many requests, each listening while it runs
  // and removing its listener when done: a count, not a leak.
  setMaxListeners(Infinity, controller.signal)
  const onAbort = (): void => { controller.abort(parent?.reason) }
  let timer: ReturnType<typeof setTimeout> | undefined
  if (parent?.aborted === true) controller.abort(parent.reason)
  else parent?.addEventListener('abort', onAbort, { once: true })
  if (deadline != null && !controller.signal.aborted) {
    timer = setTimeout(() => { controller.abort(deadline.error()) }, deadline.ms)
  }
  return {
    signal: controller.signal,
    dispose: () => {
      parent?.removeEventListener('abort', onAbort)
      if (timer != null) clearTimeout(timer)
    }
  }
}
