import { defaultLogger } from '@libp2p/logger'
import type { LocateDeps } from './locate-types.js'
import type { ComponentLogger, Logger } from '@libp2p/interface'

const loggers = new WeakMap<ComponentLogger, Logger>()
const fallbackLogger = defaultLogger()

/** One `lafs-club:routing:locate` logger per node logger, made once. */
export function logFor (deps: LocateDeps): Logger {
  const source = deps.libp2p.logger ?? fallbackLogger
  let log = loggers.get(source)
  if (log == null) {
    log = source.forComponent('lafs-club:routing:locate')
    loggers.set(source, log)
  }
  return log
}
