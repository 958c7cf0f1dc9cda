/**
 * Runs the real `lafs-club` command in child processes, each with its own
 * data folder: the built bin (dist/src/cli/bin.js, as installed) when it is
 * newer than every source file — `npm test` builds first — else the sources
 * through tsx, so a test never runs stale code.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BIN = join(ROOT, 'src/cli/bin.ts')

export interface RunResult { code: number | null, stdout: string, stderr: string }

const DIST_BIN = join(ROOT, 'dist/src/cli/bin.js')

function newestMtime (dir: string): number {
  let newest = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs)
  }
  return newest
}

function distIsFresh (): boolean {
  try {
    return statSync(DIST_BIN).mtimeMs >= newestMtime(join(ROOT, 'src'))
  } catch {
    return false
  }
}

const USE_DIST = distIsFresh()

export function cliArgs (args: string[]): string[] {
  return USE_DIST ? [DIST_BIN, ...args] : ['--import', 'tsx', BIN, ...args]
}

export async function run (args: string[], opts: { timeoutMs?: number, env?: Record<string, string> } = {}): Promise<RunResult> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgs(args), { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`lafs-club ${args.join(' ')} did not finish in time\n${stderr}`)) }, opts.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', code => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

export interface Daemon {
  child: ChildProcess
  info: { peerId: string, multiaddrs: string[], gateway?: string, created: boolean }
  stderr: () => string
  exited: Promise<number | null>
}

/** `lafs-club --json start`: resolves once the daemon printed its addresses. */
export async function startDaemon (dataDir: string, timeoutMs = 30_000, startArgs: string[] = []): Promise<Daemon> {
  const child = spawn(process.execPath, cliArgs(['--data', dataDir, '--json', 'start', ...startArgs]), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
  const exited = new Promise<number | null>(resolve => child.on('close', code => { resolve(code) }))
  const info = await new Promise<Daemon['info']>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`daemon did not start in time: ${stderr}`)) }, timeoutMs)
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString()
      try {
        const parsed = JSON.parse(stdout)
        clearTimeout(timer)
        resolve(parsed)
      } catch {
        // not a whole JSON document yet: the daemon's output arrives in chunks, wait for the next one
      }
    })
    void exited.then(code => { clearTimeout(timer); reject(new Error(`daemon exited with ${code}: ${stderr}`)) })
  })
  return { child, info, stderr: () => stderr, exited }
}

export async function stopDaemon (d: Daemon | undefined): Promise<number | null> {
  if (d === undefined) return null
  if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGTERM')
  return await d.exited
}

/** Changes keys of a data folder's config.json (shallow merge per section). */
export async function patchConfig (dataDir: string, patch: Record<string, any>): Promise<void> {
  const path = join(dataDir, 'config.json')
  const config = JSON.parse(await readFile(path, 'utf8'))
  for (const [k, v] of Object.entries(patch)) {
    config[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? { ...config[k], ...v } : v
  }
  await writeFile(path, JSON.stringify(config, null, 2))
}

export async function getJson (url: string): Promise<any> {
  const res = await fetch(url)
  return await res.json()
}

/** Polls `fn` until it returns a value (errors count as "not yet"), or throws after `ms`. */
export async function until<T> (what: string, fn: () => Promise<T | undefined>, ms: number, everyMs = 50): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn().catch(() => undefined)
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, everyMs))
  }
}
