/**
 * Helpers for the process grid: every node is the built `lafs-club` command
 * (dist/src/cli/bin.js) in its own child process and data folder, as a user
 * runs it. Every child is recorded so that an exit — clean or not — SIGKILLs
 * whatever is still running.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, existsSync, openSync, writeSync, closeSync } from 'node:fs'
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
/** The command every child runs: the built CLI, or another build of it (useBin). */
export let BIN = join(ROOT, 'dist/src/cli/bin.js')
/** The esbuild bundle of the same CLI (`npm run bundle`): one file to load instead of a thousand modules. */
export const BUNDLE = join(ROOT, 'dist/bundle/lafs-club.mjs')

/** Children started from now on run `bin` (the imports of BIN see the change). */
export function useBin (bin: string): void {
  BIN = bin
}

const children = new Set<ChildProcess>()
process.on('exit', () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  }
})

export class GridError extends Error {
  readonly code = 'ERR_INTEROP_GRID'
}

export function fail (message: string): never {
  throw new GridError(message)
}

export function check (ok: unknown, message: string): asserts ok {
  if (ok === false || ok === undefined || ok === null || ok === 0) fail(message)
}

const t0 = Date.now()
export function log (line: string): void {
  console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}`)
}

/** Runs one step, printing its name, then its duration; failures carry the step's name. */
export async function step<T> (name: string, fn: () => Promise<T>): Promise<T> {
  log(`== ${name}`)
  const start = Date.now()
  try {
    const v = await fn()
    log(`   ok: ${name} (${ms(Date.now() - start)})`)
    return v
  } catch (err: any) {
    log(`   FAILED: ${name} after ${ms(Date.now() - start)}: ${err?.message ?? err}`)
    throw err
  }
}

export function ms (n: number): string {
  return n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(2)} s`
}

export function mib (bytes: number): string {
  return `${(bytes / 1048576).toFixed(2)} MiB`
}

export interface RunResult { code: number | null, stdout: string, stderr: string, ms: number }

/** One `lafs-club` command to completion (SIGKILLed past its deadline). */
export async function run (args: string[], timeoutMs = 120_000): Promise<RunResult> {
  const start = Date.now()
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    children.add(child)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new GridError(`lafs-club ${args.join(' ')} did not finish in ${ms(timeoutMs)}\n${stderr}`))
    }, timeoutMs)
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(timer)
      children.delete(child)
      resolve({ code, stdout, stderr, ms: Date.now() - start })
    })
  })
}

/** `lafs-club --data DIR --json …`, which must exit 0; the parsed output and the time it took. */
export async function cli (dataDir: string, args: string[], timeoutMs?: number): Promise<{ out: any, ms: number }> {
  const r = await run(['--data', dataDir, '--json', ...args], timeoutMs)
  if (r.code !== 0) fail(`lafs-club ${args.join(' ')} (data ${dataDir}) exited ${r.code}\n${r.stdout}${r.stderr}`)
  return { out: JSON.parse(r.stdout), ms: r.ms }
}

export interface Daemon {
  name: string
  dataDir: string
  child: ChildProcess
  info: { peerId: string, multiaddrs: string[], gateway?: string }
  stderr: () => string
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

/** `lafs-club --json start`: resolves once the daemon printed its addresses. */
export async function startDaemon (name: string, dataDir: string, timeoutMs = 60_000): Promise<Daemon> {
  // LAFS_GRID_NODE_ARGS: extra node flags for every daemon, e.g. "--cpu-prof --cpu-prof-dir=prof",
  // which node refuses in NODE_OPTIONS
  const nodeArgs = (process.env.LAFS_GRID_NODE_ARGS ?? '').split(/\s+/).filter(a => a !== '')
  const child = spawn(process.execPath, [...nodeArgs, BIN, '--data', dataDir, '--json', 'start'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let stdout = ''
  let stderr = ''
  // only the tail: a long run must not grow the runner's memory
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-20_000) })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>(resolve => child.on('close', (code, signal) => {
    children.delete(child)
    resolve({ code, signal })
  }))
  const info = await new Promise<Daemon['info']>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new GridError(`${name} did not start in ${ms(timeoutMs)}: ${stderr}`)) }, timeoutMs)
    let done = false
    child.stdout?.on('data', (d: Buffer) => {
      if (done) return
      stdout += d.toString()
      try {
        const parsed = JSON.parse(stdout)
        done = true
        clearTimeout(timer)
        resolve(parsed)
      } catch { /* not a whole JSON document yet: wait for more output */ }
    })
    void exited.then(({ code, signal }) => { clearTimeout(timer); if (!done) reject(new GridError(`${name} exited (${code ?? signal}) while starting: ${stderr}`)) })
  })
  return { name, dataDir, child, info, stderr: () => stderr, exited }
}

export function isRunning (d: Daemon): boolean {
  return d.child.exitCode === null && d.child.signalCode === null
}

export async function stopDaemon (d: Daemon, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null, signal: NodeJS.Signals | null }> {
  if (isRunning(d)) d.child.kill(signal)
  return await d.exited
}

/** A TCP port free on 127.0.0.1 right now; fixed ports keep a node's address across restarts. */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      if (addr === null || typeof addr === 'string') { reject(new GridError('no port')); return }
      srv.close(() => { resolve(addr.port) })
    })
  })
}

/** Changes keys of a data folder's config.json (deep merge of objects; arrays and values replace). Every lab uses this one. */
export async function patchConfig (dataDir: string, patch: Record<string, any>): Promise<void> {
  const path = join(dataDir, 'config.json')
  const config = JSON.parse(await readFile(path, 'utf8'))
  const merge = (into: any, from: any): any => {
    for (const [k, v] of Object.entries(from)) {
      into[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && typeof into[k] === 'object' && into[k] !== null ? merge(into[k], v) : v
    }
    return into
  }
  await writeFile(path, JSON.stringify(merge(config, patch), null, 2))
}

export async function getJson (url: string): Promise<any> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) })
  if (!res.ok) fail(`GET ${url} → ${res.status}`)
  return await res.json()
}

export async function status (d: Daemon): Promise<any> {
  if (d.info.gateway === undefined) fail(`${d.name} runs no gateway`)
  return await getJson(`${d.info.gateway}/status?t=json`)
}

/** Polls `fn` (at a pace 12 processes on 2 cores can bear) until it returns a value. */
export async function until<T> (what: string, fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await fn()
      if (v !== undefined) return v
    } catch (err) { last = err }
    if (Date.now() > end) fail(`timed out after ${ms(timeoutMs)} waiting for ${what}${last !== undefined ? ` (last error: ${String((last as any)?.message ?? last)})` : ''}`)
    await new Promise(resolve => setTimeout(resolve, everyMs))
  }
}

/** Every regular file under `dir` with its size, as paths relative to it. */
export async function filesUnder (dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  const walk = async (d: string, rel: string): Promise<void> => {
    let entries
    try { entries = await readdir(d, { withFileTypes: true }) } catch { return }
    for (const e of entries) {
      const p = join(d, e.name)
      if (e.isDirectory()) await walk(p, join(rel, e.name))
      else out.set(join(rel, e.name), (await stat(p)).size)
    }
  }
  await walk(dir, '')
  return out
}

/**
 * Writes `size` pseudo-random bytes from a seeded xorshift32, so every run
 * uploads the same bytes (and the same caps) without shipping fixtures.
 */
export function writeSeededFile (path: string, size: number, seed: number): void {
  let x = seed >>> 0 || 0x9e3779b9
  const chunk = Buffer.alloc(1 << 20)
  const words = new Uint32Array(chunk.buffer, chunk.byteOffset, chunk.length / 4)
  const fd = openSync(path, 'w')
  try {
    for (let done = 0; done < size;) {
      for (let i = 0; i < words.length; i++) {
        x ^= x << 13; x >>>= 0
        x ^= x >>> 17
        x ^= x << 5; x >>>= 0
        words[i] = x
      }
      const n = Math.min(chunk.length, size - done)
      writeSync(fd, chunk, 0, n)
      done += n
    }
  } finally {
    closeSync(fd)
  }
}

export async function sha256File (path: string): Promise<string> {
  if (!existsSync(path)) fail(`${path} does not exist`)
  const h = createHash('sha256')
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer)
  return h.digest('hex')
}
