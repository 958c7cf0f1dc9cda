import { defaultLogger } from '@libp2p/logger'
import {
  DEFAULT_ADVISORIES_PER_MINUTE, DEFAULT_ADVISORIES_PER_REPORTER, DEFAULT_ADVISORY_RETENTION_MS, DEFAULT_APPLICATION_VERSION,
  DEFAULT_DISCONNECT_GRACE_MS, DEFAULT_FREE_LIMITS, DEFAULT_FREE_MAX_RESERVATIONS, DEFAULT_FREE_QUOTA, DEFAULT_GC_INTERVAL_MS,
  DEFAULT_GRANTED_LIMITS, DEFAULT_LEASE_DURATION_MS, DEFAULT_MAX_ADVISORIES, DEFAULT_MAX_SHARE_SIZE, DEFAULT_MAX_UPLOADS,
  DEFAULT_RESERVATION_TIMEOUT_MS, DEFAULT_UPLOAD_TIMEOUT_MS
} from './constants.js'
import { InvalidArgumentError } from './errors.js'
import { SERVER_ID_BYTES } from './server-id.js'
import { checkNonNegativeInteger } from './validate.js'
import type { AccountLimits, StorageServerOptions } from './types.js'

/**
 * The options with every default filled in. `freeBudget` stays undefined when
 * not given: the server derives it from capacity or free disk at start.
 */
export type Config = Required<Omit<StorageServerOptions, 'invitationExplanation' | 'freeBudget' | 'freeLimits' | 'grantedLimits'>> & {
  invitationExplanation?: string
  freeBudget?: number
  freeLimits: AccountLimits
  grantedLimits: AccountLimits
}

export function resolveOptions (opts: StorageServerOptions): Config {
  if (typeof opts?.dir !== 'string' || opts.dir === '') throw new InvalidArgumentError('storage server needs a data folder (dir)')
  const config: Config = {
    dir: opts.dir,
    capacity: opts.capacity ?? Infinity,
    freeQuota: opts.freeQuota ?? DEFAULT_FREE_QUOTA,
    leaseDurationMs: opts.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS,
    maxShareSize: opts.maxShareSize ?? DEFAULT_MAX_SHARE_SIZE,
    uploadTimeoutMs: opts.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS,
    reservationTimeoutMs: opts.reservationTimeoutMs ?? DEFAULT_RESERVATION_TIMEOUT_MS,
    disconnectGraceMs: opts.disconnectGraceMs ?? DEFAULT_DISCONNECT_GRACE_MS,
    maxUploads: opts.maxUploads ?? DEFAULT_MAX_UPLOADS,
    freeLimits: { ...DEFAULT_FREE_LIMITS, ...opts.freeLimits },
    grantedLimits: { ...DEFAULT_GRANTED_LIMITS, ...opts.grantedLimits },
    freeBudget: opts.freeBudget,
    freeMaxReservations: opts.freeMaxReservations ?? DEFAULT_FREE_MAX_RESERVATIONS,
    advisoriesPerReporter: opts.advisoriesPerReporter ?? DEFAULT_ADVISORIES_PER_REPORTER,
    maxAdvisories: opts.maxAdvisories ?? DEFAULT_MAX_ADVISORIES,
    advisoryRetentionMs: opts.advisoryRetentionMs ?? DEFAULT_ADVISORY_RETENTION_MS,
    advisoriesPerMinute: opts.advisoriesPerMinute ?? DEFAULT_ADVISORIES_PER_MINUTE,
    paymentMethods: opts.paymentMethods ?? [],
    invitationExplanation: opts.invitationExplanation,
    gcIntervalMs: opts.gcIntervalMs ?? DEFAULT_GC_INTERVAL_MS,
    now: opts.now ?? Date.now,
    applicationVersion: opts.applicationVersion ?? DEFAULT_APPLICATION_VERSION,
    logger: opts.logger ?? defaultLogger(),
    serverId: opts.serverId ?? new Uint8Array(SERVER_ID_BYTES)
  }
  for (const name of [
    'freeQuota', 'leaseDurationMs', 'maxShareSize', 'uploadTimeoutMs', 'reservationTimeoutMs', 'disconnectGraceMs', 'maxUploads',
    'freeMaxReservations', 'advisoriesPerReporter', 'maxAdvisories', 'advisoryRetentionMs', 'advisoriesPerMinute', 'gcIntervalMs'
  ] as const) {
    checkNonNegativeInteger(name, config[name])
  }
  for (const kind of ['freeLimits', 'grantedLimits'] as const) {
    for (const name of ['uploads', 'shares', 'storageIndexes'] as const) checkNonNegativeInteger(`${kind}.${name}`, config[kind][name])
  }
  if (!(config.serverId instanceof Uint8Array) || config.serverId.length !== SERVER_ID_BYTES) {
    throw new InvalidArgumentError(`serverId must be ${SERVER_ID_BYTES} bytes (serverIdOf(peerId))`)
  }
  if (config.freeBudget !== undefined) checkNonNegativeInteger('freeBudget', config.freeBudget)
  if (!(config.capacity >= 0)) throw new InvalidArgumentError(`capacity must be a non-negative number, got ${config.capacity}`)
  return config
}
