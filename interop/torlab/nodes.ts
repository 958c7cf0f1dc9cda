/**
 * One tor process of the lab: its folder (mode 700, owned by the user tor runs
 * as), its torrc, its log, and waits on what its log says.
 */
import type { ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { TorLabError, spawnTracked, stopProcess } from './procs.js'

export interface RunAs { uid: number, gid: number }

export interface TorNode {
  nick: string
  dir: string
  torrc: string
  log: string
  child?: ChildProcess
  orPort?: number
  dirPort?: number
  socksPort?: number
  controlPort?: number
}

/** Makes a folder that only the tor user can read (tor refuses a DataDirectory others can read). */
export function privateDir (path: string, runAs: RunAs | undefined): string {
  mkdirSync(path, { recursive: true, mode: 0o700 })
  if (runAs !== undefined) chownSync(path, runAs.uid, runAs.gid)
  return path
}

export function makeNode (base: string, nick: string, runAs: RunAs | undefined): TorNode {
  const dir = privateDir(join(base, nick), runAs)
  return { nick, dir, torrc: join(dir, 'torrc'), log: join(dir, 'notice.log') }
}

/** The last lines of a node's log, for error messages. */
export function logTail (node: TorNode, lines = 15): string {
  if (!existsSync(node.log)) return `(${node.nick}: no log yet)`
  const text = readFileSync(node.log, 'utf8').trimEnd().split('\n').slice(-lines)
  return text.map(l => `  ${node.nick}| ${l}`).join('\n')
}

/** Why a node's tor stopped: its exit status, stderr and log tail. */
export function deathNote (node: TorNode): string {
  const c = node.child
  const exit = existsSync(join(node.dir, 'exit.txt')) ? readFileSync(join(node.dir, 'exit.txt'), 'utf8').trim() : `exit ${c?.exitCode ?? c?.signalCode}`
  return `${exit}\n${logTail(node)}`
}

export function startNode (node: TorNode, tor: string, emptyTorrc: string, lines: string[], runAs: RunAs | undefined): void {
  writeFileSync(node.torrc, lines.join('\n') + '\n')
  if (runAs !== undefined) chownSync(node.torrc, runAs.uid, runAs.gid)
  // an empty --defaults-torrc: nothing from /etc/tor may join the private network's options
  const child = spawnTracked(tor, ['--defaults-torrc', emptyTorrc, '-f', node.torrc],
    { cwd: node.dir, stdio: ['ignore', 'pipe', 'pipe'], ...runAs })
  let stderr = ''
  // tor prints its startup warnings on stdout, before its log file is open
  const keep = (d: Buffer): void => { stderr = (stderr + d.toString()).slice(-4000) }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  child.on('error', err => { stderr += err.message })
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal === null) {
      try {
        writeFileSync(join(node.dir, 'exit.txt'), `exited ${code}\n${stderr}`)
      } catch { /* folder already removed */ }
    }
  })
  node.child = child
}

export function isRunning (node: TorNode): boolean {
  const c = node.child
  return c !== undefined && c.exitCode === null && c.signalCode === null
}

export async function stopNode (node: TorNode): Promise<void> {
  if (node.child !== undefined) await stopProcess(node.child)
}

/**
 * Waits until the node's log has a line matching `pattern`. Fails early, with
 * the log's tail, when the tor exits.
 */
export async function waitForLog (node: TorNode, pattern: RegExp, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (existsSync(node.log) && pattern.test(readFileSync(node.log, 'utf8'))) return
    if (!isRunning(node)) throw new TorLabError(`${node.nick}: tor stopped before ${what}\n${deathNote(node)}`)
    if (Date.now() > deadline) throw new TorLabError(`${node.nick}: no ${what} within ${timeoutMs / 1000} s\n${logTail(node)}`)
    await sleep(250)
  }
}
