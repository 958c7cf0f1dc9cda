/**
 * Calls from the shaped-link bench into its node processes (each inside a
 * network namespace, started with startBenchChild): the parent sends
 * `{ type: 'call', id, op, arg }` over the IPC channel, the child answers
 * `{ type: 'reply', id, value | error }`. Every call has a deadline, so a
 * stuck transfer ends the bench instead of hanging it.
 */
import type { ChildProcess } from 'node:child_process'

interface Call { type: 'call', id: number, op: string, arg: unknown }
interface Reply { type: 'reply', id: number, value?: unknown, error?: string }

export type Handlers = Record<string, (arg: any) => Promise<unknown>>

export class ChildCallError extends Error {
  readonly code = 'ERR_BENCH_CHILD_CALL'
}

/** Child side: answers the parent's calls with `handlers` (alongside serveAsChild's own 'stop' and 'elu'). */
export function answerCalls (handlers: Handlers): void {
  process.on('message', (msg: Call) => {
    if (msg?.type !== 'call') return
    const reply = (r: Omit<Reply, 'type' | 'id'>): void => { process.send?.({ type: 'reply', id: msg.id, ...r } satisfies Reply) }
    const handler = handlers[msg.op]
    if (handler === undefined) { reply({ error: `no operation "${msg.op}" in this bench child` }); return }
    handler(msg.arg).then(value => { reply({ value }) }, (err: unknown) => { reply({ error: (err as Error)?.stack ?? String(err) }) })
  })
}

let nextId = 1

/** Parent side: runs `op` in the child; rejects with the child's error, when the child goes, or after `timeoutMs`. */
export async function callChild<R> (child: ChildProcess, what: string, op: string, arg: unknown, timeoutMs: number): Promise<R> {
  const id = nextId++
  return await new Promise<R>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    const onMessage = (msg: Reply): void => {
      if (msg?.type !== 'reply' || msg.id !== id) return
      done()
      if (msg.error !== undefined) reject(new ChildCallError(`${what}: ${op} failed: ${msg.error}`))
      else resolve(msg.value as R)
    }
    const onExit = (code: number | null, signal: string | null): void => {
      done()
      reject(new ChildCallError(`${what} exited (${code ?? signal}) during ${op}`))
    }
    const timer = setTimeout(() => { done(); reject(new ChildCallError(`${what}: ${op} did not finish in ${Math.round(timeoutMs / 1000)} s`)) }, timeoutMs)
    // the bench runs ten calls into one child at once (raw streams to every server)
    if (child.getMaxListeners() < 64) child.setMaxListeners(64)
    child.on('message', onMessage)
    child.on('exit', onExit)
    if (!child.connected) { done(); reject(new ChildCallError(`${what} is gone`)); return }
    child.send({ type: 'call', id, op, arg } satisfies Call)
  })
}

/**
 * `p`, or a ChildCallError after `ms`: for starts, which have no call id. What the late
 * start leaves running sits inside the lab's namespaces, and the lab's teardown kills it.
 */
export async function withDeadline<T> (p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([p, new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new ChildCallError(`${what} did not start in ${Math.round(ms / 1000)} s`)) }, ms) })])
  } finally {
    clearTimeout(timer)
  }
}
