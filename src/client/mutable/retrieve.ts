/**
 * Retrieve: the newest recoverable version of a mutable file, or a range of
 * it. Versions are tried newest first, each from one copy per share number
 * (so a failed check names the server that holds the share); the decoder
 * verifies key, signature, hash chain and every block, and never mixes
 * versions. Shares that fail are reported to their servers (advise-corrupt).
 */
import {
  NotEnoughMutableSharesError, readMutable, type DecodedMutable, type MutableReadCap, type MutableShareFailure, type MutableWriteCap
} from '../../mutable/index.js'
import { type StreamOpener } from '../../protocols/index.js'
import { clientLogger, shortPeer, siText } from '../log.js'
import { MutableNotFoundError } from './errors.js'
import { remoteShareSource } from './source.js'
import type { StorageClientPool, ServerInfo } from '../servers.js'
import type { MapShare, MapVersion, MutableStats, Servermap } from './servermap.js'

export interface RetrieveOptions {
  pool: StorageClientPool
  offset?: number
  length?: number
  stats?: MutableStats
  signal?: AbortSignal
}

export interface Retrieved extends DecodedMutable {
  version: MapVersion
  /** Shares found corrupt while reading (already reported to their servers). */
  corrupt: Array<{ server: ServerInfo, shnum: number, check: string }>
}

/** One copy per share number, in ring order. */
function copies (version: MapVersion): Map<number, MapShare> {
  const m = new Map<number, MapShare>()
  for (const s of version.shares) if (!m.has(s.shnum)) m.set(s.shnum, s)
  return m
}

export async function adviseCorrupt (pool: StorageClientPool, storageIndex: Uint8Array, server: ServerInfo, shnum: number, reason: string): Promise<void> {
  await pool.get(server, 'small').adviseCorrupt(storageIndex, shnum, reason).catch(() => {})
}

export async function retrieveMutable (opener: StreamOpener, cap: MutableReadCap | MutableWriteCap, map: Servermap, options: RetrieveOptions): Promise<Retrieved> {
  const si = cap.storageIndex
  const log = clientLogger(opener, 'mutable-retrieve')
  const corrupt: Retrieved['corrupt'] = []
  for (const b of map.bad) {
    corrupt.push({ server: b.server, shnum: b.shnum, check: b.error.check })
    await adviseCorrupt(options.pool, si, b.server, b.shnum, `mutable share ${b.error.check} check failed: ${b.error.message}`)
  }
  const tried: string[] = []
  let lastFailures: MutableShareFailure[] = []
  for (const version of map.versions) {
    if (!version.recoverable) continue
    options.signal?.throwIfAborted()
    const byShnum = copies(version)
    const sources = [...byShnum.values()].map(s => remoteShareSource(options.pool, si, s, options.stats))
    try {
      const got = await readMutable(cap, sources, { offset: options.offset, length: options.length })
      for (const f of got.failures) {
        const s = byShnum.get(f.shnum)
        if (s == null) continue
        corrupt.push({ server: s.server, shnum: f.shnum, check: f.check })
        log('%s: share %d on %s failed the %s check; reported', siText(si), f.shnum, shortPeer(s.server.peerId), f.check)
        await adviseCorrupt(options.pool, si, s.server, f.shnum, `mutable share ${f.check} check failed: ${f.error.message}`)
      }
      return { ...got, version, corrupt }
    } catch (err) {
      if (!(err instanceof NotEnoughMutableSharesError)) throw err
      lastFailures = err.failures
      for (const f of err.failures) {
        const s = byShnum.get(f.shnum)
        if (s == null) continue
        corrupt.push({ server: s.server, shnum: f.shnum, check: f.check })
        await adviseCorrupt(options.pool, si, s.server, f.shnum, `mutable share ${f.check} check failed: ${f.error.message}`)
      }
      tried.push(`seqnum ${version.seqnum}: ${err.message}`)
      log('%s: version seqnum %d not recoverable: %s', siText(si), version.seqnum, err.message)
    }
  }
  const found = map.versions.map(v => `seqnum ${v.seqnum}: ${v.distinctShares} of k=${v.prefix.k}`).join('; ')
  throw new MutableNotFoundError(`no recoverable version of this mutable file on ${map.asked.length} server(s) asked` +
    (found.length > 0 ? ` (versions seen: ${found})` : ' (no server holds a share)') +
    (tried.length > 0 ? `; ${tried.join('; ')}` : '') + (map.unreachable.length > 0 ? `; ${map.unreachable.length} server(s) unreachable` : '') +
    (lastFailures.length > 0 && tried.length === 0 ? '' : ''))
}
