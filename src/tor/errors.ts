/** Errors raised by the Tor provider. Each has a stable `code` and says what to do. */
export class TorError extends Error {
  readonly code: string
  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'TorError'
    this.code = code
  }
}

function tail (lines: readonly string[]): string {
  return lines.length === 0 ? ' (tor wrote nothing)' : `; its last log lines:\n  ${lines.join('\n  ')}`
}

/** The tor executable was not found (spawn ENOENT). */
export class TorNotInstalledError extends TorError {
  readonly executable: string
  constructor (executable: string, cause?: unknown) {
    super('ERR_TOR_NOT_INSTALLED', `cannot run tor ("${executable}" was not found): install the tor package (Debian/Ubuntu: apt-get install tor), or set "tor.executable" to the path of a tor binary`, { cause })
    this.name = 'TorNotInstalledError'
    this.executable = executable
  }
}

/** tor exited (or could not be run) before its control port answered. */
export class TorStartError extends TorError {
  readonly exitCode: number | null
  readonly logTail: string[]
  constructor (problem: string, exitCode: number | null, logTail: string[], cause?: unknown) {
    super('ERR_TOR_START_FAILED', `tor did not start: ${problem}${tail(logTail)}`, { cause })
    this.name = 'TorStartError'
    this.exitCode = exitCode
    this.logTail = logTail
  }
}

/** tor runs, but did not reach "Bootstrapped 100%" within the deadline. */
export class TorBootstrapTimeoutError extends TorError {
  readonly progress: number
  readonly logTail: string[]
  constructor (timeoutMs: number, progress: number, summary: string, logTail: string[]) {
    super('ERR_TOR_BOOTSTRAP_TIMEOUT', `tor did not finish bootstrapping within ${Math.round(timeoutMs / 1000)} s (stuck at ${progress}%: ${summary}); check the network, or the bridges and DirAuthority lines in "tor.extraConfig"${tail(logTail)}`)
    this.name = 'TorBootstrapTimeoutError'
    this.progress = progress
    this.logTail = logTail
  }
}

/** The control port could not be reached or refused to authenticate us. */
export class TorControlUnreachableError extends TorError {
  readonly endpoint: string
  constructor (endpoint: string, problem: string, cause?: unknown) {
    super('ERR_TOR_CONTROL_UNREACHABLE', `cannot use tor's control port at ${endpoint}: ${problem}`, { cause })
    this.name = 'TorControlUnreachableError'
    this.endpoint = endpoint
  }
}

/** tor answered a control command with an error status (4xx/5xx). */
export class TorControlCommandError extends TorError {
  readonly status: number
  readonly command: string
  constructor (command: string, status: number, text: string) {
    super('ERR_TOR_CONTROL_COMMAND', `tor refused "${command}": ${status} ${text}`)
    this.name = 'TorControlCommandError'
    this.status = status
    this.command = command
  }
}

/** The control connection closed (tor stopped) while a command waited. */
export class TorControlClosedError extends TorError {
  constructor () {
    super('ERR_TOR_CONTROL_CLOSED', 'the connection to tor\'s control port closed (did tor stop?)')
    this.name = 'TorControlClosedError'
  }
}

/** tor's SOCKS port refused or failed a connection. */
export class SocksError extends TorError {
  /** The SOCKS5 reply code (RFC 1928; tor's extended codes 0xF0–0xF7), or -1 for a protocol failure. */
  readonly reply: number
  constructor (target: string, reply: number, problem: string) {
    super('ERR_TOR_SOCKS', `tor could not connect to ${target}: ${problem}`)
    this.name = 'SocksError'
    this.reply = reply
  }
}

/** A provider used before start() or after stop(). */
export class TorNotRunningError extends TorError {
  constructor (what: string) {
    super('ERR_TOR_NOT_RUNNING', `${what} needs a running Tor provider (call start() first; it was stopped or never started)`)
    this.name = 'TorNotRunningError'
  }
}

/** A file under private/tor/ is malformed. */
export class OnionKeyError extends TorError {
  readonly path: string
  constructor (path: string, problem: string) {
    super('ERR_TOR_ONION_KEY', `${path}: ${problem}. Restore it from a backup; deleting it makes a new onion address`)
    this.name = 'OnionKeyError'
    this.path = path
  }
}
