/**
 * The helper's spool: the crypttext of uploads in progress, one file per
 * storage index (`<si>.crypt`) with its parameters beside it (`<si>.json`),
 * so an upload resumes after a dropped connection or a restart. An upload
 * being received reserves the whole file's size, against the helper's total
 * and the client's own share, so the disk never holds more than the
 * configured spool; one that nobody is sending counts only the bytes it
 * holds, so a client that sends a byte and leaves does not keep the rest
 * reserved until it expires, and resuming it must find room again.
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
  club?: string
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
    for (const p of this.partials.values()) total += reserved(p)
    return total
  }

  usedBy (peer: string): number {
    let total = 0
    for (const p of this.partials.values()) if (p.owner === peer) total += reserved(p)
    return total
  }

  /**
   * The partial upload of this storage index with these parameters, or a new
   * one, marked active (reserving its whole size); the caller sets `active`
   * false when its stream is done with it.
   */
  async begin (peer: string, check: HelperCheck): Promise<PartialUpload> {
    const key = base32Encode(check.storageIndex)
    const old = this.partials.get(key)
    if (old != null && sameFile(old.check, check)) {
      this.checkRoom(old.owner, check.size, old)
      old.active = true
      return old
    }
    // Another file with this storage index can only come from a broken or lying client. It may start
    // over its own partial upload, not someone else's that holds bytes (the storage index alone is no proof).
    if (old != null && old.owner !== peer && old.have > 0) {
      throw new UploadInProgressError('another client holds a partial upload of this storage index with other parameters; it expires if nobody resumes it', 60_000)
    }
    if (old != null) await this.remove(key)
    this.checkRoom(peer, check.size)
    // in the map (and counted) before the first await, so two checks at once cannot both find the same room
    const p: PartialUpload = { key, check, owner: peer, have: 0, updatedAt: Date.now(), active: true, growth: new Set() }
    this.partials.set(key, p)
    try {
      const meta: Meta = { ...check, storageIndex: key, owner: peer }
      await writeFile(join(this.dir, `${key}.json`), JSON.stringify(meta))
      await writeFile(this.cryptPath(key), new Uint8Array(0))
    } catch (err) {
      await this.remove(key)
      throw err
    }
    return p
  }

  /** Throws unless `size` more bytes fit the client's share and the whole spool (`resuming` counted at its size, not twice). */
  private checkRoom (owner: string, size: number, resuming?: PartialUpload): void {
    const mine = resuming == null ? 0 : reserved(resuming)
    const used = this.usedBy(owner) - mine
    if (used + size > this.limits.clientBytes) {
      throw new SpoolQuotaError(`a ${size}-byte upload would take this client's spool to ${used + size} bytes; this helper spools at most ` +
        `${this.limits.clientBytes} bytes per client: finish the uploads under way (one nobody resumes expires), or upload directly`)
    }
    if (this.usedBytes - mine + size > this.limits.totalBytes) {
      throw new SpoolFullError(`this helper's spool (${this.limits.totalBytes} bytes) has no room for a ${size}-byte file now; try later or upload directly`)
    }
  }

  async append (p: PartialUpload, data: Uint8Array): Promise<void> {
    const file = p.file ??= await open(this.cryptPath(p.key), 'a')
    let done = 0
    try {
      // a write may take fewer bytes than asked (a full disk): `have` must never count bytes the file does not hold
      while (done < data.length) {
        const { bytesWritten } = await file.write(data, done, data.length - done)
        if (bytesWritten <= 0) throw new Error(`the spool file of ${p.key} took no bytes at ${p.have + done}`)
        done += bytesWritten
      }
    } catch (err) {
      // cut the file back to what `have` counts, so a resume starts where the bytes really end
      await file.truncate(p.have).catch(() => {})
      throw err
    }
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

/** What a partial upload holds of the spool: its whole size while a stream is sending it, else what it has. */
function reserved (p: PartialUpload): number {
  return p.active ? p.check.size : p.have
}

function sameFile (a: HelperCheck, b: HelperCheck): boolean {
  return a.k === b.k && a.n === b.n && a.segmentSize === b.segmentSize && a.size === b.size
}
