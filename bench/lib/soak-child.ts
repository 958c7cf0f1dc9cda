/**
 * Parent side of the soak's two child processes (server, hostile clients):
 * like bench-child.ts's startBenchChild, but optionally started through
 * `prlimit --nofile=N:N` (prlimit sets the limit and then runs node itself,
 * which keeps the IPC channel), and with a request/answer message for the
 * hostile child's tallies. Both children talk serveAsChild's protocol.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readdir, readFile, stat } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

export interface SoakChild<T> {
  info: T
  child: ChildProcess
  /** Sends `request` and resolves with the first message of type `type` (rejects after 10 s). */
  ask: <A>(request: string, type: string) => Promise<A>
  /** Asks the child to stop; SIGKILL after `graceMs`. */
  stop: (graceMs?: number) => Promise<void>
  kill: () => void
}

/** Starts `lib/<name>.ts|.js` next to `base` (so it runs under tsx or built), under prlimit when `nofile` is given. */
export async function startSoakChild<T> (base: string, name: string, args: string[], what: string, nofile?: number): Promise<SoakChild<T>> {
  const ext = base.endsWith('.ts') ? '.ts' : '.js'
  const entry = fileURLToPath(new URL(`./lib/${name}${ext}`, base))
  const node = [process.execPath, ...process.execArgv, entry, ...args]
  const [cmd, ...argv] = nofile === undefined ? node : ['prlimit', `--nofile=${nofile}:${nofile}`, ...node]
  const child = spawn(cmd, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const exited = new Promise<number | null>(resolve => child.once('exit', code => { resolve(code) }))
  const info = await new Promise<T>((resolve, reject) => {
    child.on('message', (msg: { type: string, info?: T, message?: string }) => {
      if (msg.type === 'ready') resolve(msg.info as T)
      else if (msg.type === 'failed') reject(new Error(`${what} failed to start: ${msg.message ?? ''}`))
    })
    child.once('error', reject)
    void exited.then(code => { reject(new Error(`${what} exited with ${code} before it was ready`)) })
  }).catch(async (err: unknown) => {
    child.kill('SIGKILL')
    await exited
    throw err
  })
  const ask = async <A>(request: string, type: string): Promise<A> => await new Promise<A>((resolve, reject) => {
    const timer = setTimeout(() => { child.off('message', onMessage); reject(new Error(`${what} did not answer '${request}'`)) }, 10_000)
    function onMessage (msg: { type: string }): void {
      if (msg.type !== type) return
      clearTimeout(timer)
      child.off('message', onMessage)
      resolve(msg as A)
    }
    if (!child.connected) { clearTimeout(timer); reject(new Error(`${what} is gone`)); return }
    child.on('message', onMessage)
    child.send(request)
  })
  return {
    info,
    child,
    ask,
    stop: async (graceMs = 15_000) => {
      if (child.exitCode != null || child.signalCode != null) return
      if (child.connected) child.send('stop')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    },
    kill: () => { if (child.exitCode == null && child.signalCode == null) child.kill('SIGKILL') }
  }
}

/** A process's resident set size in bytes, from /proc (0 once it is gone). */
export async function rssOf (pid: number): Promise<number> {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kb === undefined ? 0 : Number(kb) * 1024
  } catch {
    return 0
  }
}

/** Open file descriptors of a process (0 once it is gone). */
export async function fdsOf (pid: number): Promise<number> {
  try {
    return (await readdir(`/proc/${pid}/fd`)).length
  } catch {
    return 0
  }
}

/** Total size of the files that exist among `paths`. */
export async function sizeOf (paths: string[]): Promise<number> {
  let total = 0
  for (const p of paths) {
    try { total += (await stat(p)).size } catch { /* not there (yet): a WAL comes and goes */ }
  }
  return total
}
