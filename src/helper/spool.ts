/**
 * The helper's spool: the crypttext of uploads in progress, one file per
 * storage index (`<si>.crypt`) with its parameters beside it (`<si>.json`),
 * so an upload resumes after a dropped connection or a restart. Bytes are
 * reserved for the whole file when an upload starts, against the helper's
 * total and the client's own share, so the disk never holds more than the
 * configured spool.
 */
import { mkdir, open, readFile, readdir, rm, stat, writeFile, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { SpoolFullError, SpoolQuotaError, UploadInProgressError, type HelperCheck } from '../protocols/index.js'
import { base32Decode, base32Encode } from '../immutable/index.js'

export interface PartialUpload {
  key: string
  check: HelperCheck
  /** The client the reservation is charged to (the one that started the upload). */
  owner: string
  have: number
  updatedAt: number
  /** A stream is using it. */
  active: boolean
  file?: FileHandle
  /** Called after every append (a placement reading the spool as it grows waits on these). */
  growth: Set<() => void>
}

interface Meta {
  storageIndex: string
  k: number
  happy: number
  n: number
  segmentSize: number
  size: number
  owner: string
}

export interface SpoolLimits {
  totalBytes: number
  clientBytes: number
}

/** A reservation that never received a byte is dropped after this long (10 minutes). */
export const EMPTY_PARTIAL_EXPIRY_MS = 10 * 60_000

export class Spool {
  readonly dir: string
  private readonly limits: SpoolLimits
  readonly partials = new Map<string, PartialUpload>()

  constructor (dir: string, limits: SpoolLimits) {
    this.dir = dir
    this.limits = limits
  }

  /** Finds the partial uploads a previous run left. */
  async load (): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.json')) continue
      const key = name.slice(0, -5)
      try {
        const meta = JSON.parse(await readFile(join(this.dir, name), 'utf8')) as Meta
        const st = await stat(this.cryptPath(key)).catch(() => undefined)
        const check: HelperCheck = { ...meta, storageIndex: base32Decode(meta.storageIndex) }
        const have = Math.min(st?.size ?? 0, meta.size)
        this.partials.set(key, { key, check, owner: meta.owner, have, updatedAt: st?.mtimeMs ?? Date.now(), active: false, growth: new Set() })
      } catch {
        await this.remove(key)
      }
    }
  }

  cryptPath (key: string): string { return join(this.dir, `${key}.crypt`) }

  get usedBytes (): number {
    let total = 0
    for (const p of this.partials.values()) total += p.check.size
    return total
  }

  usedBy (peer: string): number {
    let total = 0
    for (const p of this.partials.values()) if (p.owner === peer) total += p.check.size
    return total
  }

  /** The partial upload of this storage index with these parameters, or a new one (reserving its size). */
  async begin (peer: string, check: HelperCheck): Promise<PartialUpload> {
    const key = base32Encode(check.storageIndex)
    const old = this.partials.get(key)
    if (old != null && sameFile(old.check, check)) return old
    // Another file with this storage index can only come from a broken or lying client. It may start
    // over its own partial upload, not someone else's that holds bytes (the storage index alone is no proof).
    if (old != null && old.owner !== peer && old.have > 0) {
      throw new UploadInProgressError('another client holds a partial upload of this storage index with other parameters; it expires if nobody resumes it', 60_000)
    }
    if (old != null) await this.remove(key)
    const used = this.usedBy(peer)
    if (used + check.size > this.limits.clientBytes) {
      throw new SpoolQuotaError(`a ${check.size}-byte upload would take this client's spool to ${used + check.size} bytes; ` +
        `this helper spools at most ${this.limits.clientBytes} bytes per client: finish or abandon other uploads, or upload directly`)
    }
    if (this.usedBytes + check.size > this.limits.totalBytes) {
      throw new SpoolFullError(`this helper's spool (${this.limits.totalBytes} bytes) has no room for a ${check.size}-byte file now; try later or upload directly`)
    }
    const meta: Meta = { ...check, storageIndex: key, owner: peer }
    await writeFile(join(this.dir, `${key}.json`), JSON.stringify(meta))
    await writeFile(this.cryptPath(key), new Uint8Array(0))
    const p: PartialUpload = { key, check, owner: peer, have: 0, updatedAt: Date.now(), active: false, growth: new Set() }
    this.partials.set(key, p)
    return p
  }

  async append (p: PartialUpload, data: Uint8Array): Promise<void> {
    p.file ??= await open(this.cryptPath(p.key), 'a')
    await p.file.write(data)
    p.have += data.length
    p.updatedAt = Date.now()
    for (const f of p.growth) f()
  }

  async closeFile (p: PartialUpload): Promise<void> {
    const f = p.file
    p.file = undefined
    await f?.close()
  }

  async remove (key: string): Promise<void> {
    const p = this.partials.get(key)
    this.partials.delete(key)
    if (p != null) await this.closeFile(p).catch(() => {})
    await rm(this.cryptPath(key), { force: true })
    await rm(join(this.dir, `${key}.json`), { force: true })
  }

  /**
   * Drops partial uploads no stream touched for `maxAgeMs`; one that never
   * received a byte after EMPTY_PARTIAL_EXPIRY_MS (at most `maxAgeMs`): a check
   * reserves the file's whole size, and a stranger could otherwise hold the
   * spool for a day with a few checks.
   */
  async expire (maxAgeMs: number, now = Date.now()): Promise<number> {
    let dropped = 0
    // deleting the entry being visited is safe in a Map iteration
    for (const p of this.partials.values()) {
      const limit = p.have === 0 ? Math.min(maxAgeMs, EMPTY_PARTIAL_EXPIRY_MS) : maxAgeMs
      if (p.active || now - p.updatedAt < limit) continue
      await this.remove(p.key)
      dropped++
    }
    return dropped
  }
}

function sameFile (a: HelperCheck, b: HelperCheck): boolean {
  return a.k === b.k && a.n === b.n && a.segmentSize === b.segmentSize && a.size === b.size
}
