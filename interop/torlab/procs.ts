/**
 * Every tor process and folder the lab creates is recorded here, so that one
 * place kills and removes them all: on a normal stop, on a failure, at exit
 * and on SIGINT/SIGTERM/SIGHUP. Processes are killed by their own process id.
 */
import { spawn, execFileSync, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'

export class TorLabError extends Error {
  readonly code = 'ERR_TORLAB'
}

const procs = new Set<ChildProcess>()
const dirs = new Set<string>()
const cleanups = new Set<() => void>()
let hooked = false

function killEverything (): void {
  for (const p of procs) {
    if (p.exitCode === null && p.signalCode === null) {
      try { p.kill('SIGKILL') } catch { /* already gone */ }
    }
  }
  procs.clear()
  for (const fn of cleanups) {
    try { fn() } catch { /* best effort at exit */ }
  }
  cleanups.clear()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
  dirs.clear()
}

function onSignal (signal: NodeJS.Signals): void {
  killEverything()
  process.exit(signal === 'SIGINT' ? 130 : 143)
}

function hook (): void {
  if (hooked) return
  hooked = true
  process.on('exit', killEverything)
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(s, onSignal)
}

function unhookIfIdle (): void {
  if (!hooked || procs.size > 0 || dirs.size > 0 || cleanups.size > 0) return
  hooked = false
  process.off('exit', killEverything)
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, onSignal)
}

/** A folder removed at teardown, exit and signals. */
export function trackDir (dir: string): void {
  hook()
  dirs.add(dir)
}

export function untrackDir (dir: string): void {
  rmSync(dir, { recursive: true, force: true })
  dirs.delete(dir)
  unhookIfIdle()
}

/** A synchronous undo step (an nftables table, say) run at exit and signals if not run before. */
export function trackCleanup (fn: () => void): () => void {
  hook()
  cleanups.add(fn)
  return () => {
    if (!cleanups.delete(fn)) return
    fn()
    unhookIfIdle()
  }
}

/** A long-running process, SIGKILLed at exit and on signals if still running. */
export function spawnTracked (cmd: string, args: string[], opts: SpawnOptions): ChildProcess {
  hook()
  const child = spawn(cmd, args, opts)
  procs.add(child)
  child.on('close', () => { procs.delete(child); unhookIfIdle() })
  return child
}

/** Kills one process (SIGTERM, then SIGKILL after graceMs) and waits for it to be gone. */
export async function stopProcess (child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const closed = new Promise<void>(resolve => child.once('close', () => { resolve() }))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await closed
  clearTimeout(timer)
}

/** A program run to completion; its stdout, or a TorLabError with its stderr. */
export async function runProgram (cmd: string, args: string[], opts: SpawnOptions & { input?: string, timeoutMs?: number } = {}): Promise<string> {
  const { input, timeoutMs = 60_000, ...spawnOpts } = opts
  return await new Promise((resolve, reject) => {
    const child = spawnTracked(cmd, args, { ...spawnOpts, stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr?.on('data', (d: Buffer) => { err += d.toString() })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', e => { clearTimeout(timer); reject(new TorLabError(`${cmd}: ${e.message}`)) })
    child.on('close', code => {
      clearTimeout(timer)
      if (code === 0) resolve(out)
      else reject(new TorLabError(`${cmd} ${args.join(' ')} exited ${code}: ${(err || out).trim().slice(-1500)}`))
    })
    child.stdin?.end(input ?? '')
  })
}

const handedOut = new Set<number>()

async function canBind (port: number): Promise<boolean> {
  return await new Promise(resolve => {
    const s = createServer()
    s.once('error', () => { resolve(false) })
    s.listen(port, '127.0.0.1', () => { s.close(() => { resolve(true) }) })
  })
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, below the kernel's
 * ephemeral range (32768+), so no outgoing connection takes it before the
 * tor or node it is meant for binds it, and never the same one twice in a run.
 */
export async function freePort (): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000)
    if (handedOut.has(port) || !(await canBind(port))) continue
    handedOut.add(port)
    return port
  }
  throw new TorLabError('no free TCP port found in 20000-31999')
}

/** A tor binary, or undefined: the caller says which Debian package is missing. */
export function findExecutable (name: string): string | undefined {
  for (const dir of ['/usr/local/bin', '/usr/bin', '/usr/sbin']) {
    try {
      execFileSync('test', ['-x', `${dir}/${name}`])
      return `${dir}/${name}`
    } catch { /* not there */ }
  }
  return undefined
}

/** uid and gid of a system user, or undefined when it does not exist. */
export function userIds (name: string): { uid: number, gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim())
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim())
    return { uid, gid }
  } catch {
    return undefined
  }
}

/** Process ids whose command line mentions `text` (a lab folder): what teardown must leave empty. */
export function pidsMentioning (text: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry))
    } catch { /* gone meanwhile */ }
  }
  return pids
}
