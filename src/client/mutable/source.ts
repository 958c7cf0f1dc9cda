/**
 * A mutable share on a server as the decoder reads it: ranges inside the
 * prefix the servermap update already fetched cost nothing; others are one
 * slot read each.
 */
import type { MutableShareSource } from '../../mutable/index.js'
import { PREFIX_READ, type MapShare, type MutableStats } from './servermap.js'
import type { StorageClientPool } from '../servers.js'

/** Reads in flight per stats object: a read starting when none is in flight opens a new round trip (a wave). */
const inFlight = new WeakMap<MutableStats, number>()

async function counted<T> (stats: MutableStats | undefined, fn: () => Promise<T>): Promise<T> {
  if (stats == null) return await fn()
  const now = inFlight.get(stats) ?? 0
  if (now === 0) stats.roundTrips++
  stats.requests++
  inFlight.set(stats, now + 1)
  try {
    return await fn()
  } finally {
    inFlight.set(stats, (inFlight.get(stats) ?? 1) - 1)
  }
}

export function remoteShareSource (pool: StorageClientPool, storageIndex: Uint8Array, share: MapShare, stats?: MutableStats): MutableShareSource {
  const cached = share.prefixBytes
  // A prefix shorter than asked is the whole share.
  const whole = cached.length < PREFIX_READ
  return {
    shnum: share.shnum,
    read: async (offset, length) => {
      if (whole || offset + length <= cached.length) return cached.subarray(offset, offset + length)
      const got = await counted(stats, async () => await pool.get(share.server, 'small').slotRead(storageIndex, [share.shnum], [{ offset, size: length }]))
      return got.get(share.shnum)?.[0] ?? new Uint8Array(0)
    }
  }
}

/** Reads a whole share in parts an answer can carry. */
export async function readWholeShare (pool: StorageClientPool, storageIndex: Uint8Array, share: MapShare, stats?: MutableStats): Promise<Uint8Array> {
  const eof = share.header.fields.eof
  if (share.prefixBytes.length >= eof) return share.prefixBytes.subarray(0, eof)
  const out = new Uint8Array(eof)
  out.set(share.prefixBytes)
  const PART = 900 * 1024
  for (let at = share.prefixBytes.length; at < eof; at += PART) {
    const got = await counted(stats, async () => await pool.get(share.server).slotRead(storageIndex, [share.shnum], [{ offset: at, size: Math.min(PART, eof - at) }]))
    const bytes = got.get(share.shnum)?.[0] ?? new Uint8Array(0)
    out.set(bytes, at)
    if (bytes.length < Math.min(PART, eof - at)) return out.subarray(0, at + bytes.length)
  }
  return out
}
