/**
 * Process-level behaviour for the daemon: stop gracefully on SIGINT/SIGTERM
 * (so SQLite is flushed and no upload leaves a partial share), and survive the
 * stray rejections libp2p produces when a stream is reset under a cached
 * promise nobody awaits (libp2p-v3 notes §2) instead of exiting.
 */
import { defaultLogger, type NodeLogger } from './log.js'

export interface ProcessHandlerOptions {
  logger?: NodeLogger
  /** Called after the node stopped (default process.exit). Tests pass a spy. */
  exit?: (code: number) => void
  /** Give up on a hanging stop after this long and exit 1 (default 30 s). */
  stopTimeoutMs?: number
  signals?: NodeJS.Signals[]
}

/**
 * Installs the handlers; returns a function that removes them. A second
 * signal while stopping exits at once with 130, for a user who means it.
 */
export function installProcessHandlers (node: { stop: () => Promise<void> }, opts: ProcessHandlerOptions = {}): () => void {
  const log = opts.logger ?? defaultLogger
  const exit = opts.exit ?? ((code: number) => process.exit(code))
  const signals = opts.signals ?? ['SIGINT', 'SIGTERM']
  let stopping = false

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn(`${signal} again: exiting without finishing the shutdown`)
      exit(130)
      return
    }
    stopping = true
    log.info(`${signal} received: stopping (press Ctrl-C again to force)`)
    const timer = setTimeout(() => {
      log.error(`shutdown did not finish within ${timeoutMs} ms; exiting`)
      exit(1)
    }, timeoutMs)
    timer.unref()
    node.stop().then(() => {
      clearTimeout(timer)
      log.info('stopped')
      exit(0)
    }, (err: unknown) => {
      clearTimeout(timer)
      log.error(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`)
      exit(1)
    })
  }
  const timeoutMs = opts.stopTimeoutMs ?? 30_000

  const onRejection = (reason: unknown): void => {
    const r = reason as any
    const text = r instanceof Error ? `${r.name}: ${r.message}` : (r?.type !== undefined ? `${r.constructor?.name ?? 'Event'} ${r.type}` : String(r))
    log.warn(`ignored an unhandled promise rejection (${text})`)
  }

  for (const s of signals) process.on(s, onSignal)
  process.on('unhandledRejection', onRejection)
  return () => {
    for (const s of signals) process.off(s, onSignal)
    process.off('unhandledRejection', onRejection)
  }
}
