/**
 * Launching our own tor: writes its torrc under the node's tor folder,
 * starts it, keeps the last lines of its log for error messages, and waits
 * until its control port answers. tor is told who owns it
 * (`__OwningControllerProcess`), so it exits if this process dies.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { constants } from 'node:fs'
import { access, chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { logger } from '@libp2p/logger'
import { TorControl, type ControlEndpoint } from './control.js'
import { TorControlUnreachableError, TorNotInstalledError, TorStartError } from './errors.js'

const log = logger('lafs-club:tor:launch')

/** Lines of tor's log kept for error messages. */
const LOG_TAIL_LINES = 15
/** A unix socket path longer than this does not fit in sun_path (108 bytes on Linux); tor then gets a TCP control port. */
const MAX_SOCKET_PATH = 100

export interface LaunchOptions {
  /** The tor binary: a name looked up in PATH, or a path. Default `tor`. */
  executable?: string
  /** The node's tor folder (`<dataDir>/private/tor`): torrc, control socket and `state/` (tor's DataDirectory). */
  torDir: string
  /** tor's SocksPort: `auto` (a free loopback port, default), a port number, or `unix:<path>`. */
  socksPort?: 'auto' | number | `unix:${string}`
  /** More torrc lines, as written in a torrc (e.g. `TestingTorNetwork 1`, `DirAuthority …`). */
  extraConfig?: readonly string[]
  /** How long tor may take to open its control port. Default 30 s. */
  startTimeoutMs?: number
}

export interface LaunchedTor {
  child: ChildProcess
  control: TorControl
  /** The last lines tor logged (notice level and above). */
  logTail: () => string[]
  /** Resolves with tor's exit code (null when killed by a signal). */
  exited: Promise<number | null>
}

/**
 * Debian installs tor in /usr/sbin, which is not in an ordinary user's PATH;
 * a bare name is looked for there too after PATH.
 */
const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin']

/** The binary to run for `executable`: a path as given, a bare name from PATH or the sbin folders (as given when none has it, so spawn reports ENOENT). */
export async function findExecutable (executable: string): Promise<string> {
  if (executable.includes('/')) return executable
  for (const dir of [...(process.env.PATH ?? '').split(delimiter).filter(d => d !== ''), ...SBIN_DIRS]) {
    const candidate = join(dir, executable)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {
      // not there, or not executable: try the next folder
    }
  }
  return executable
}

/** Quotes a torrc value (paths may hold spaces). */
function q (value: string): string {
  return `"${value.replace(/(["\\])/g, '\\$1')}"`
}

/** tor's folder layout under `<dataDir>/private/tor`. */
export function torPaths (torDir: string): { stateDir: string, torrc: string, defaults: string, controlSocket: string, controlPortFile: string, noticeLog: string } {
  return {
    stateDir: join(torDir, 'state'),
    torrc: join(torDir, 'torrc'),
    defaults: join(torDir, 'torrc-defaults'),
    controlSocket: join(torDir, 'control.socket'),
    controlPortFile: join(torDir, 'control.port'),
    noticeLog: join(torDir, 'notice.log')
  }
}

function torrcLines (o: LaunchOptions, useSocket: boolean): string[] {
  const p = torPaths(o.torDir)
  const socks = o.socksPort ?? 'auto'
  return [
    '# Written by lafs-club at every start; put your own lines in config "tor.extraConfig".',
    `DataDirectory ${q(p.stateDir)}`,
    ...(useSocket ? [`ControlSocket ${q(p.controlSocket)}`, 'ControlPort 0'] : ['ControlPort auto', `ControlPortWriteToFile ${q(p.controlPortFile)}`]),
    'CookieAuthentication 1',
    // ExtendedErrors: tor says why an onion service could not be reached (SOCKS replies 0xF0-0xF7)
    `SocksPort ${typeof socks === 'string' && socks.startsWith('unix:') ? q(socks) : socks === 'auto' ? 'auto' : `127.0.0.1:${socks}`} ExtendedErrors`,
    // Log takes no quoted path: a folder with a space keeps the stdout copy only
    ...(/\s/.test(p.noticeLog) ? [] : [`Log notice file ${p.noticeLog}`]),
    'Log notice stdout',
    `__OwningControllerProcess ${process.pid}`,
    ...(o.extraConfig ?? [])
  ]
}

async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}

/** Starts tor and returns once its control port is authenticated. */
export async function launchTor (o: LaunchOptions): Promise<LaunchedTor> {
  const executable = o.executable ?? 'tor'
  const p = torPaths(o.torDir)
  await mkdir(p.stateDir, { recursive: true, mode: 0o700 })
  // tor refuses a DataDirectory or control-socket folder others can read.
  await chmod(o.torDir, 0o700)
  await chmod(p.stateDir, 0o700)
  const useSocket = p.controlSocket.length <= MAX_SOCKET_PATH
  await rm(p.controlPortFile, { force: true })
  await writeFile(p.torrc, torrcLines(o, useSocket).join('\n') + '\n', { mode: 0o600 })
  // An empty defaults file, so a torrc-defaults of the system's tor package does not apply.
  await writeFile(p.defaults, '', { mode: 0o600 })

  const tail: string[] = []
  const remember = (line: string): void => {
    if (line.trim() === '') return
    tail.push(line)
    if (tail.length > LOG_TAIL_LINES) tail.shift()
  }
  const child = spawn(await findExecutable(executable), ['-f', p.torrc, '--defaults-torrc', p.defaults], { stdio: ['ignore', 'pipe', 'pipe'] })
  for (const stream of [child.stdout, child.stderr]) {
    let partial = ''
    stream?.setEncoding('utf8')
    stream?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) { remember(line); log.trace('tor: %s', line) }
    })
  }
  let spawnError: NodeJS.ErrnoException | undefined
  let exitCode: number | null | undefined
  const exited = new Promise<number | null>(resolve => {
    child.once('error', (err: NodeJS.ErrnoException) => { spawnError = err; exitCode ??= null; resolve(null) })
    child.once('exit', (code) => { exitCode = code; resolve(code) })
  })
  const logTail = (): string[] => [...tail]

  const deadline = Date.now() + (o.startTimeoutMs ?? 30_000)
  const failed = async (): Promise<never> => {
    if (spawnError?.code === 'ENOENT') throw new TorNotInstalledError(executable, spawnError)
    if (spawnError !== undefined) throw new TorStartError(`cannot run "${executable}" (${spawnError.code ?? spawnError.message})`, null, logTail(), spawnError)
    // let the last output arrive before quoting it
    await sleep(50)
    throw new TorStartError(`it exited with code ${String(exitCode)}`, exitCode ?? null, logTail())
  }
  while (true) {
    if (exitCode !== undefined) await failed()
    const endpoint = useSocket ? { path: p.controlSocket } : await portFromFile(p.controlPortFile)
    if (endpoint !== undefined) {
      let control: TorControl | undefined
      try {
        control = await TorControl.connect(endpoint, { timeoutMs: 5000 })
        await control.authenticate()
        log('tor %d is up, control at %s', child.pid, useSocket ? p.controlSocket : 'a TCP port')
        return { child, control, logTail, exited }
      } catch (err) {
        // a connection that failed to authenticate is not kept, whether we try again or give up
        control?.close()
        if (!(err instanceof TorControlUnreachableError) || /authentication|cookie/i.test(err.message)) {
          child.kill('SIGKILL')
          throw err
        }
      }
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      await exited
      throw new TorStartError(`its control port did not open within ${Math.round((o.startTimeoutMs ?? 30_000) / 1000)} s`, null, logTail())
    }
    await Promise.race([sleep(100), exited])
  }
}

async function portFromFile (file: string): Promise<ControlEndpoint | undefined> {
  try {
    const m = /PORT=([\d.]+):(\d+)/.exec(await readFile(file, 'utf8'))
    return m === null ? undefined : { host: m[1], port: Number(m[2]) }
  } catch {
    return undefined
  }
}
