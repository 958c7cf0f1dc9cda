/**
 * Exit codes of `lafs-club` and the errors that carry them:
 * 0 ok, 1 the operation failed, 2 usage or bad input (bad cap, bad config,
 * missing data folder), 3 the daemon is not running where it is required.
 */
export const EXIT_OK = 0
export const EXIT_FAILED = 1
export const EXIT_USAGE = 2
export const EXIT_NO_DAEMON = 3

export class CliError extends Error {
  readonly code: string
  readonly exitCode: number
  constructor (code: string, exitCode: number, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CliError'
    this.code = code
    this.exitCode = exitCode
  }
}

export class UsageError extends CliError {
  constructor (message: string) {
    super('ERR_USAGE', EXIT_USAGE, message)
    this.name = 'UsageError'
  }
}

export class DaemonNotRunningError extends CliError {
  constructor (dataDir: string, detail?: string) {
    super('ERR_DAEMON_NOT_RUNNING', EXIT_NO_DAEMON,
      `no lafs-club daemon is running for ${dataDir}${detail !== undefined ? ` (${detail})` : ''}. Start it with "lafs-club start${dataDir === '' ? '' : ` --data ${dataDir}`}" and try again.`)
    this.name = 'DaemonNotRunningError'
  }
}

/** The daemon answered with an error; `status` is the HTTP status. */
export class RemoteError extends CliError {
  readonly status: number
  constructor (status: number, code: string, message: string) {
    super(code, status === 400 ? EXIT_USAGE : EXIT_FAILED, message)
    this.name = 'RemoteError'
    this.status = status
  }
}

/** Error codes (from any layer) that mean the user gave something unusable. */
const USAGE_CODES = new Set([
  'ERR_USAGE', 'ERR_INVALID_CONFIG', 'ERR_NO_DATA_DIR', 'ERR_INVALID_CAP', 'ERR_INVALID_BASE32', 'ERR_BAD_SERVER_ADDRESS',
  'ERR_INVALID_CLUB_ID', 'ERR_INVALID_INVITE', 'ERR_BAD_REQUEST', 'ERR_ALREADY_INITIALIZED', 'ERR_NO_SERVERS', 'ERR_INVALID_PEER_ID'
])

export function exitCodeOf (err: unknown): number {
  if (err instanceof CliError) return err.exitCode
  const code = (err as { code?: unknown })?.code
  if (typeof code === 'string' && USAGE_CODES.has(code)) return EXIT_USAGE
  return EXIT_FAILED
}
