/**
 * The two halves of a bench serving process (our storage grid, the Helia
 * provider): the child starts its servers and reports what to dial; the
 * parent forks it with its own execArgv (so it runs under tsx or built),
 * asks it for its event-loop utilisation around each timed step, and stops
 * it (SIGKILL after 15 s).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { performance, type EventLoopUtilization } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'

interface Ready<T> { type: 'ready', info: T }
interface Failed { type: 'failed', message: string }
interface Elu { type: 'elu', elu: EventLoopUtilization, cpuMs: number }

/** A child's cumulative event-loop utilization and CPU time (all its threads: GC helpers, workers, the thread pool). */
export interface ChildUsage { elu: EventLoopUtilization, cpuMs: number }

/** CPU milliseconds this process has used so far, on all its threads. */
export function processCpuMs (): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}
type Message<T> = Ready<T> | Failed | Elu

/** Child side: runs `start`, sends its result, answers 'elu', and runs `stop` on 'stop' or when the parent goes. */
export async function serveAsChild<T> (start: () => Promise<T>, stop: () => Promise<void>): Promise<void> {
  let stopping: Promise<void> | undefined
  const stopOnce = async (): Promise<void> => { stopping ??= stop().catch(() => {}); await stopping }
  process.on('message', msg => {
    if (msg === 'stop') void stopOnce().finally(() => process.exit(0))
    if (msg === 'elu') { const reply: Elu = { type: 'elu', elu: performance.eventLoopUtilization(), cpuMs: processCpuMs() }; process.send?.(reply) }
  })
  process.on('disconnect', () => { void stopOnce().finally(() => process.exit(0)) })
  // A reset stream can leave an internal drain promise rejected with nobody awaiting it.
  process.on('unhandledRejection', () => {})
  try {
    const ready: Ready<T> = { type: 'ready', info: await start() }
    process.send?.(ready)
  } catch (err) {
    const failed: Failed = { type: 'failed', message: (err as Error).stack ?? String(err) }
    process.send?.(failed)
    await stopOnce()
    process.exit(1)
  }
}

export interface BenchChild<T> {
  info: T
  pid: number
  /** The child itself, for benches that send it more messages (bench/lib/shaped-rpc.ts). */
  process: ChildProcess
  /** The child's cumulative event loop utilization (diff two readings with performance.eventLoopUtilization) and CPU time. */
  usage: () => Promise<ChildUsage>
  stop: () => Promise<void>
}

/**
 * Parent side: forks `<name>.ts` or `<name>.js` next to `base`, and waits for its ready message.
 * `launch` runs Node through another program that then execs it, keeping the IPC channel
 * (the shaped-link bench passes `ip netns exec NS` to start a child inside a network namespace).
 */
export async function startBenchChild<T> (base: string, name: string, args: string[], what: string, extraExecArgv: string[] = [], launch: string[] = []): Promise<BenchChild<T>> {
  const ext = base.endsWith('.ts') ? '.ts' : '.js'
  const entry = fileURLToPath(new URL(`./${name}${ext}`, base))
  const execArgv = [...process.execArgv, ...extraExecArgv]
  const child = launch.length === 0
    ? fork(entry, args, { execArgv, stdio: 'inherit' })
    : fork(entry, args, { execPath: launch[0], execArgv: [...launch.slice(1), process.execPath, ...execArgv], stdio: 'inherit' })
  const exited = new Promise<number | null>(resolve => child.once('exit', code => { resolve(code) }))
  const info = await new Promise<T>((resolve, reject) => {
    child.on('message', (msg: Message<T>) => {
      if (msg.type === 'ready') resolve(msg.info)
      else if (msg.type === 'failed') reject(new Error(`${what} failed to start: ${msg.message}`))
    })
    void exited.then(code => { reject(new Error(`${what} exited with ${code} before it was ready`)) })
  })
  const usage = async (): Promise<ChildUsage> => await new Promise<ChildUsage>((resolve, reject) => {
    const onMessage = (msg: Message<T>): void => {
      if (msg.type !== 'elu') return
      child.off('message', onMessage)
      resolve({ elu: msg.elu, cpuMs: msg.cpuMs })
    }
    if (!child.connected) { reject(new Error(`${what} is gone`)); return }
    child.on('message', onMessage)
    child.send('elu')
  })
  return {
    info,
    pid: child.pid ?? -1,
    process: child,
    usage,
    stop: async () => {
      if (child.exitCode != null) return
      child.send('stop')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    }
  }
}
