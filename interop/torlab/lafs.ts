/**
 * lafs-club nodes for the Tor lab: the built CLI (dist/src/cli/bin.js, or
 * the sources through tsx when dist is missing or older than src/), each in
 * its own data folder, the daemon optionally under another user. CLI commands
 * run as root: they only talk to the daemon's gateway on 127.0.0.1, whose
 * answers the Tor-only rule lets through.
 */
import type { ChildProcess } from 'node:child_process'
import { createWriteStream, existsSync, readdirSync, statSync } from 'node:fs'
import { chown, readdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { patchConfig as patchDataDir } from '../grid/lib.js'
import type { SystemUser } from './firewall.js'
import { TorLabError, spawnTracked, stopProcess } from './procs.js'

function findRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'src'))) {
    const up = dirname(dir)
    if (up === dir) throw new TorLabError('cannot find the project folder above interop/torlab')
    dir = up
  }
  return dir
}

export const ROOT = findRoot()
const DIST_BIN = join(ROOT, 'dist/src/cli/bin.js')

function newest (dir: string): number {
  let t = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}

const USE_DIST = existsSync(DIST_BIN) && statSync(DIST_BIN).mtimeMs >= newest(join(ROOT, 'src'))

function cliArgv (args: string[]): string[] {
  return USE_DIST ? [DIST_BIN, ...args] : ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), ...args]
}

export interface LafsNode {
  name: string
  dir: string
  log: string
  user?: SystemUser
  child?: ChildProcess
  info?: { peerId: string, multiaddrs: string[], gateway?: string }
}

export function lafsNode (base: string, name: string, user?: SystemUser): LafsNode {
  return { name, dir: join(base, name), log: join(base, `${name}.log`), user }
}

/** `lafs-club --data DIR --json ARGS` as root; the parsed JSON (or text), or an error with stderr. */
export async function cli (n: LafsNode, args: string[], timeoutMs = 60_000): Promise<any> {
  return await new Promise((resolve, reject) => {
    const child = spawnTracked(process.execPath, cliArgv(['--data', n.dir, '--json', ...args]), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr?.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-4000) })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new TorLabError(`${n.name}: lafs-club ${args.join(' ')} did not finish in ${timeoutMs / 1000} s\n${err}`))
    }, timeoutMs)
    child.on('close', code => {
      clearTimeout(timer)
      if (code !== 0) { reject(new TorLabError(`${n.name}: lafs-club ${args.join(' ')} exited ${code}: ${(err.trim() || out.trim()).slice(-1500)}`)); return }
      try { resolve(JSON.parse(out)) } catch { resolve(out) }
    })
  })
}

/** Gives the node's data folder to its user (init runs as root). */
export async function chownTree (path: string, user: SystemUser): Promise<void> {
  await chown(path, user.uid, user.gid)
  for (const e of await readdir(path, { withFileTypes: true })) {
    const p = join(path, e.name)
    if (e.isDirectory()) await chownTree(p, user)
    else await chown(p, user.uid, user.gid)
  }
}

/** Deep-merges keys into the node's config.json (the grid's patchConfig). */
export async function patchConfig (n: LafsNode, patch: Record<string, any>): Promise<void> {
  await patchDataDir(n.dir, patch)
}

/** `lafs-club start` (as the node's user, if any); resolves with what the daemon printed once started. */
export async function startLafs (n: LafsNode, timeoutMs = 90_000): Promise<NonNullable<LafsNode['info']>> {
  const logStream = createWriteStream(n.log, { flags: 'a' })
  const ids = n.user === undefined ? {} : { uid: n.user.uid, gid: n.user.gid }
  const env = { ...process.env, ...(n.user === undefined ? {} : { HOME: n.dir, USER: n.user.name }) }
  const child = spawnTracked(process.execPath, cliArgv(['--data', n.dir, '--json', 'start']), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env, ...ids })
  n.child = child
  child.stderr?.pipe(logStream)
  let stdout = ''
  const info = await new Promise<NonNullable<LafsNode['info']>>((resolve, reject) => {
    let done = false
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new TorLabError(`${n.name} did not start in ${timeoutMs / 1000} s; see ${n.log}`)) }, timeoutMs)
    child.stdout?.on('data', (d: Buffer) => {
      logStream.write(d)
      if (done) return
      stdout += d.toString()
      try {
        const parsed = JSON.parse(stdout)
        done = true
        clearTimeout(timer)
        if (parsed.error !== undefined) reject(new TorLabError(`${n.name} did not start: ${JSON.stringify(parsed.error)}`))
        else resolve(parsed)
      } catch { /* not a whole JSON document yet */ }
    })
    child.on('close', code => {
      clearTimeout(timer)
      if (!done) reject(new TorLabError(`${n.name} exited (${code}) while starting: ${stdout.slice(-500)}; see ${n.log}`))
    })
  })
  n.info = info
  return info
}

export async function stopLafs (n: LafsNode): Promise<void> {
  if (n.child !== undefined) await stopProcess(n.child, 15_000)
}

/** The node's status as its gateway reports it (`/status?t=json`). */
export async function statusOf (n: LafsNode): Promise<any> {
  const gw = n.info?.gateway
  if (gw === undefined) throw new TorLabError(`${n.name} has no gateway`)
  const res = await fetch(`${gw}/status?t=json`)
  return await res.json()
}
