import { defaultLogger } from '@libp2p/logger'
import {
  DEFAULT_APPLICATION_VERSION, DEFAULT_FREE_QUOTA, DEFAULT_GC_INTERVAL_MS, DEFAULT_LEASE_DURATION_MS,
  DEFAULT_MAX_SHARE_SIZE, DEFAULT_UPLOAD_TIMEOUT_MS
} from './constants.js'
import { InvalidArgumentError } from './errors.js'
import { checkNonNegativeInteger } from './validate.js'
import type { StorageServerOptions } from './types.js'

/** The options with every default filled in. */
export type Config = Required<Omit<StorageServerOptions, 'invitationExplanation'>> & { invitationExplanation?: string }

export function resolveOptions (opts: StorageServerOptions): Config {
  if (typeof opts?.dir !== 'string' || opts.dir === '') throw new InvalidArgumentError('storage server needs a data folder (dir)')
  const config: Config = {
    dir: opts.dir,
    capacity: opts.capacity ?? Infinity,
    freeQuota: opts.freeQuota ?? DEFAULT_FREE_QUOTA,
    leaseDurationMs: opts.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS,
    maxShareSize: opts.maxShareSize ?? DEFAULT_MAX_SHARE_SIZE,
    uploadTimeoutMs: opts.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS,
    paymentMethods: opts.paymentMethods ?? [],
    invitationExplanation: opts.invitationExplanation,
    gcIntervalMs: opts.gcIntervalMs ?? DEFAULT_GC_INTERVAL_MS,
    now: opts.now ?? Date.now,
    applicationVersion: opts.applicationVersion ?? DEFAULT_APPLICATION_VERSION,
    logger: opts.logger ?? defaultLogger()
  }
  for (const name of ['freeQuota', 'leaseDurationMs', 'maxShareSize', 'uploadTimeoutMs', 'gcIntervalMs'] as const) {
    checkNonNegativeInteger(name, config[name])
  }
  if (!(config.capacity >= 0)) throw new InvalidArgumentError(`capacity must be a non-negative number, got ${config.capacity}`)
  return config
}
