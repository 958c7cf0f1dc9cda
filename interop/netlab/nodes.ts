/**
 * lafs-club nodes in the lab: every node is the built CLI in its own process,
 * inside its host's namespace (`ip netns exec NS node dist/src/cli/bin.js …`),
 * with its own data folder; its output goes to a log file in the lab's folder.
 * CLI commands for a node run in the same namespace, so they reach its gateway
 * on that namespace's 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BIN, ROOT, fail, ms } from '../grid/lib.js'
import type { Host } from './topology.js'

export class LabError extends Error {
  readonly code = 'ERR_NETLAB'
}

// the grid's step failures serve the lab too
export { check, fail } from '../grid/lib.js'

const children = new Set<ChildProcess>()

/** SIGKILLs every process the lab started that is still running (teardown, exit, signals). */
export function killAll (): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  }
}

export interface RunResult { code: number | null, stdout: string, stderr: string, ms: number }

/** Any program inside a namespace, to completion (SIGKILLed past its deadline). */
export async function runIn (ns: string, argv: string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  const start = Date.now()
  return await new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env })
    children.add(child)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-20_000) })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new LabError(`${argv.slice(1).join(' ')} (in ${ns}) did not finish in ${ms(timeoutMs)}\n${stderr.slice(-2000)}`))
    }, timeoutMs)
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(timer)
      children.delete(child)
      resolve({ code, stdout, stderr, ms: Date.now() - start })
    })
  })
}

/** A background program inside a namespace (killed at teardown). */
export function spawnIn (ns: string, argv: string[]): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  child.on('close', () => children.delete(child))
  return child
}

export interface LabNode {
  name: string
  host: Host
  dir: string
  log: string
  child?: ChildProcess
  info?: { peerId: string, multiaddrs: string[], gateway?: string }
}

export function makeNode (base: string, host: Host): LabNode {
  return { name: host.name, host, dir: join(base, host.name), log: join(base, `${host.name}.log`) }
}

function env (): NodeJS.ProcessEnv {
  // NETLAB_DEBUG=… passes a libp2p DEBUG pattern to the nodes (their logs grow quickly)
  const e = { ...process.env }
  if (process.env.NETLAB_DEBUG !== undefined) e.DEBUG = process.env.NETLAB_DEBUG
  return e
}

/** `lafs-club --data DIR --json ARGS` in the node's namespace; the raw result. */
export async function lafs (n: LabNode, args: string[], timeoutMs = 60_000): Promise<RunResult> {
  return await runIn(n.host.ns, [process.execPath, BIN, '--data', n.dir, '--json', ...args], timeoutMs, env())
}

/** The same, which must exit 0: the parsed JSON output. */
export async function cli (n: LabNode, args: string[], timeoutMs = 60_000): Promise<{ out: any, ms: number }> {
  const r = await lafs(n, args, timeoutMs)
  if (r.code !== 0) fail(`${n.name}: lafs-club ${args.join(' ')} exited ${r.code}: ${(r.stderr.trim() || r.stdout.trim()).slice(-1500)}`)
  try {
    return { out: JSON.parse(r.stdout), ms: r.ms }
  } catch {
    return { out: r.stdout, ms: r.ms }
  }
}

/** `lafs-club start` in the namespace; resolves once the daemon printed its addresses. */
export async function startNode (n: LabNode, timeoutMs = 60_000): Promise<void> {
  const logStream = createWriteStream(n.log, { flags: 'a' })
  logStream.write(`---- start ${new Date().toISOString()}\n`)
  const child = spawn('ip', ['netns', 'exec', n.host.ns, process.execPath, BIN, '--data', n.dir, '--json', 'start'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: env() })
  children.add(child)
  n.child = child
  child.stderr.pipe(logStream)
  let stdout = ''
  n.info = await new Promise((resolve, reject) => {
    let done = false
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new LabError(`${n.name} did not start in ${ms(timeoutMs)}`)) }, timeoutMs)
    child.stdout.on('data', (d: Buffer) => {
      logStream.write(d)
      if (done) return
      stdout += d.toString()
      try {
        const parsed = JSON.parse(stdout)
        done = true
        clearTimeout(timer)
        resolve(parsed)
      } catch { /* not a whole JSON document yet */ }
    })
    child.on('close', (code, signal) => {
      children.delete(child)
      clearTimeout(timer)
      if (!done) reject(new LabError(`${n.name} exited (${code ?? signal}) while starting; see ${n.log}`))
    })
  })
}

export function isRunning (n: LabNode): boolean {
  return n.child !== undefined && n.child.exitCode === null && n.child.signalCode === null
}

export async function stopNode (n: LabNode, timeoutMs = 15_000): Promise<void> {
  const child = n.child
  if (child === undefined || !isRunning(n)) return
  const closed = new Promise<void>(resolve => child.once('close', () => { resolve() }))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  await closed
  clearTimeout(timer)
}

/** `lafs-club status --json`, through the node's CLI. */
export async function status (n: LabNode): Promise<any> {
  return (await cli(n, ['status'], 30_000)).out
}

export { patchConfig } from '../grid/lib.js'

/** The last `lines` lines of a log file. */
export function tail (path: string, lines = 25): string {
  if (!existsSync(path)) return `(no ${path})`
  return readFileSync(path, 'utf8').split('\n').slice(-lines - 1).join('\n')
}
