/**
 * Read-modify-write of a mutable file with retry on collision, as Tahoe's
 * `modify`: update the servermap, read the newest recoverable version, apply
 * the caller's function, publish the result as the next seqnum with test
 * vectors on what the map saw. A racing writer makes the write fail
 * (UncoordinatedWriteError); then everything is done again, from a fresh
 * map, a bounded number of times.
 */
import { type MutableKeyPair, type MutableWriteCap } from '../../mutable/index.js'
import { type StreamOpener } from '../../protocols/index.js'
import { clientLogger, siText } from '../log.js'
import { ModifyRetriesExhaustedError, UncoordinatedWriteError } from './errors.js'
import { publishMutableVersion, type PublishOptions, type PublishResult } from './publish.js'
import { retrieveMutable } from './retrieve.js'
import { updateServermap } from './servermap.js'
import type { ServerInfo } from '../servers.js'

export interface ModifyOptions extends PublishOptions {
  servers: readonly ServerInfo[]
  keyPair?: MutableKeyPair
  /** Attempts before giving up (default 5). */
  maxAttempts?: number
}

export interface ModifyInfo {
  seqnum: bigint
  attempt: number
}

/** Returns the new contents, or undefined to leave the file as it is. */
export type Modifier = (current: Uint8Array, info: ModifyInfo) => Uint8Array | undefined | Promise<Uint8Array | undefined>

export interface ModifyResult extends Partial<PublishResult> {
  /** False when the modifier returned undefined (nothing written). */
  changed: boolean
  attempts: number
}

export async function modifyMutable (opener: StreamOpener, cap: MutableWriteCap, modifier: Modifier, options: ModifyOptions): Promise<ModifyResult> {
  const log = clientLogger(opener, 'mutable-modify')
  const max = options.maxAttempts ?? 5
  let keyPair = options.keyPair
  let last: unknown
  for (let attempt = 1; attempt <= max; attempt++) {
    options.signal?.throwIfAborted()
    const started = Date.now()
    const map = await updateServermap(opener, cap, options)
    const current = await retrieveMutable(opener, cap, map, options)
    const next = await modifier(current.plaintext, { seqnum: current.seqnum, attempt })
    if (next === undefined) return { changed: false, attempts: attempt, seqnum: current.seqnum }
    try {
      const published = await publishMutableVersion(opener, cap, next, map, { ...options, keyPair })
      keyPair = published.keyPair
      return { ...published, changed: true, attempts: attempt }
    } catch (err) {
      if (!(err instanceof UncoordinatedWriteError)) throw err
      last = err
      log('%s: collision on attempt %d of %d; mapping again', siText(cap.storageIndex), attempt, max)
      // Back off randomly, on the scale of one attempt (the round trips here), so writers that
      // collided spread out instead of colliding again; capped so a slow grid does not stall.
      const scale = Math.min(Math.max(Date.now() - started, 50), 2000)
      await new Promise(resolve => setTimeout(resolve, Math.floor(Math.random() * scale * attempt)))
    }
  }
  throw new ModifyRetriesExhaustedError(max, { cause: last })
}

/** Replaces the contents: a servermap update then a write (two round trips); no retry. */
export async function overwriteMutable (opener: StreamOpener, cap: MutableWriteCap, data: Uint8Array, options: ModifyOptions): Promise<PublishResult> {
  const map = await updateServermap(opener, cap, options)
  return await publishMutableVersion(opener, cap, data, map, options)
}
