/**
 * Mutable slots on disk and Tahoe's read-test-write on them
 * (storage/server.py slot_testv_and_readv_and_writev; the HTTP API's
 * `POST /storage/v1/mutable/:storage_index/read-test-write`):
 *
 * 1. every existing share of the slot must hold the caller's write enabler
 *    (else BadWriteEnablerError naming the server that recorded it);
 * 2. every test vector is checked (a missing share reads as empty);
 * 3. the read vector is read from every existing share, before any write;
 * 4. only if all tests passed: write vectors are applied share by share (a
 *    new share is created with this server's id and the write enabler;
 *    `newLength` 0 deletes the share, and the folder once empty).
 *
 * Calls on one storage index run one at a time. Files live in their own
 * tree, `<dir>/slots/<p>/<SI>/<shnum>`, apart from immutable shares (whose
 * startup recovery adopts any well-named file as a CHK share).
 *
 * This module owns the files only; `slot-store.ts` adds leases, accounting
 * and quotas through the `admit` and `commit` hooks, which run inside the
 * slot's lock, before and after the files change.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fsyncDir, removeEmptyDirs } from './dirs.js'
import { InvalidArgumentError, LimitExceededError } from './errors.js'
import {
  applyWrites, checkWriteEnabler, CONTAINER_DATA_OFFSET, newContainer, openContainer, readContainerRanges, readOpenRanges, readWholeContainer,
  SERVER_ID_LENGTH, sizeAfterWrites, testPassesOpen, WRITE_ENABLER_LENGTH, writeContainerAtomically, writeInPlace, type OpenContainer, type ReadVector,
  type TestVector, type WriteVector
} from './mutable-container.js'
import { MAX_SHARE_NUMBER } from './constants.js'
import { decodeStorageIndex, encodeStorageIndex, shareDir } from './paths.js'
import { checkShareNumber, checkStorageIndex } from './validate.js'

/** Tahoe's HTTP API allows at most 30 test vectors per share and 30 read vectors. */
export const MAX_TEST_VECTORS = 30
export const MAX_READ_VECTORS = 30
/** Write vectors per share in one call (Tahoe sets none; a bound keeps a request's work finite). */
export const MAX_WRITE_VECTORS = 1024
/**
 * Data bytes one call may return in all (read vectors × shares). It fits one
 * answer frame of the storage protocol (1 MiB + 4 KiB) with room for the
 * fields around the data.
 */
export const MAX_SLOT_ANSWER_BYTES = 960 * 1024

/** What a call will do to one share, told to `admit` before any file changes. */
export interface SlotShareChange {
  shnum: number
  /** Container bytes before (0: the share does not exist yet). */
  before: number
  /** Container bytes after (0: the share is deleted). */
  after: number
}

export interface SlotShareVectors {
  test: TestVector[]
  write: WriteVector[]
  /** Truncate the share to this many bytes (0 deletes it); null leaves the length as the writes make it. */
  newLength: number | null
}

export interface ReadTestWriteRequest {
  storageIndex: Uint8Array
  writeEnabler: Uint8Array
  vectors: ReadonlyMap<number, SlotShareVectors>
  readVector: readonly ReadVector[]
}

export interface ReadTestWriteHooks {
  /** Tests passed and these changes are next: throw to refuse them (nothing is written). */
  admit?: (changes: SlotShareChange[]) => void
  /** The files changed (`sizes`: container bytes of every share written); record it before the lock is released. */
  commit?: (result: ReadTestWriteResult, sizes: Map<number, number>) => void
}

export interface ReadTestWriteResult {
  /** True when every test passed and the writes were applied. */
  success: boolean
  /** For every share that existed before the call: the read vector's data, read before writing. */
  data: Map<number, Uint8Array[]>
  /** Shares holding data after the call (written or created), and those deleted. */
  written: number[]
  deleted: number[]
}

export interface MutableSlotsOptions {
  /** The folder holding `slots/`. */
  dir: string
  /** This server's 20-byte id, recorded with each write enabler (see src/mutable/README.md). */
  serverId: Uint8Array
  /** Largest share data a slot may hold. */
  maxShareSize: number
  /** Containers up to this size (before and after a call) are rewritten whole to a copy and renamed; larger ones written in place. Default REWRITE_LIMIT. */
  rewriteLimit?: number
}

/**
 * A share this small (an SDMF file, a directory, the first call of a large
 * MDMF share) is replaced by a fsynced copy renamed over it, so a crash
 * leaves the old version or the new one whole; the copy costs little. A
 * larger share is written in place (`writeInPlace`): copying it on every
 * call made a 64 MiB MDMF publish, sent as ~1 MiB calls, rewrite each 21 MiB
 * share ~22 times over, growing, and run six times slower than a CHK upload.
 * A publish of such a share takes several calls and is not all-or-nothing
 * anyway.
 */
export const REWRITE_LIMIT = 1024 * 1024

type Planned = { kind: 'delete' } | { kind: 'copy', bytes: Uint8Array } | { kind: 'in-place', size: number, vectors: SlotShareVectors }

async function closeAll (shares: Map<number, OpenContainer>): Promise<void> {
  await Promise.allSettled([...shares.values()].map(async c => { await c.handle.close() }))
}

function checkOffset (name: string, v: unknown): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer, got ${String(v)}`)
  return v as number
}

function checkReadVector (readVector: readonly ReadVector[]): void {
  if (readVector.length > MAX_READ_VECTORS) throw new LimitExceededError(`${readVector.length} read vectors; at most ${MAX_READ_VECTORS}`)
  for (const r of readVector) { checkOffset('read offset', r.offset); checkOffset('read size', r.size) }
}

/** Judged from the sizes asked (not what the shares hold), before anything is read or written. */
function checkAnswerSize (readVector: readonly ReadVector[], shares: number): void {
  const asked = readVector.reduce((n, r) => n + r.size, 0) * shares
  if (asked > MAX_SLOT_ANSWER_BYTES) {
    throw new LimitExceededError(`the read vectors ask ${asked} bytes from ${shares} share(s); an answer carries at most ${MAX_SLOT_ANSWER_BYTES}: name fewer shares or read less`)
  }
}

async function listDirs (dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter(e => e.isDirectory()).map(e => e.name)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
}

export class MutableSlots {
  readonly root: string
  private readonly serverId: Uint8Array
  private readonly maxShareSize: number
  private readonly rewriteLimit: number
  private readonly locks = new Map<string, Promise<unknown>>()

  constructor (opts: MutableSlotsOptions) {
    if (opts.serverId.length !== SERVER_ID_LENGTH) throw new InvalidArgumentError(`the server id must be ${SERVER_ID_LENGTH} bytes`)
    this.root = join(opts.dir, 'slots')
    this.serverId = opts.serverId
    this.maxShareSize = opts.maxShareSize
    this.rewriteLimit = opts.rewriteLimit ?? REWRITE_LIMIT
  }

  /** Runs `fn` after every earlier call on the same slot has finished. */
  private async exclusive<T> (si: string, fn: () => Promise<T>): Promise<T> {
    const before = this.locks.get(si) ?? Promise.resolve()
    const run = before.then(fn, fn)
    const tail = run.catch(() => undefined)
    this.locks.set(si, tail)
    try {
      return await run
    } finally {
      if (this.locks.get(si) === tail) this.locks.delete(si)
    }
  }

  /** Share numbers with a file in the slot's folder, ascending (temporary files and strangers skipped). */
  private async namesOf (si: string): Promise<number[]> {
    let names: string[]
    try {
      names = await readdir(shareDir(this.root, si))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
    return names.filter(name => /^(0|[1-9][0-9]{0,2})$/.test(name)).map(Number).sort((a, b) => a - b)
  }

  /** Every share of the slot, opened (`r+`: the call may write them); the caller closes them. */
  private async openShares (si: string): Promise<Map<number, OpenContainer>> {
    const dir = shareDir(this.root, si)
    const out = new Map<number, OpenContainer>()
    try {
      for (const shnum of await this.namesOf(si)) {
        const c = await openContainer(join(dir, String(shnum)), 'r+')
        if (c !== undefined) out.set(shnum, c)
      }
    } catch (err) {
      await closeAll(out)
      throw err
    }
    return out
  }

  private checkRequest (req: ReadTestWriteRequest): void {
    checkStorageIndex(req.storageIndex)
    if (!(req.writeEnabler instanceof Uint8Array) || req.writeEnabler.length !== WRITE_ENABLER_LENGTH) {
      throw new InvalidArgumentError(`the write enabler must be ${WRITE_ENABLER_LENGTH} bytes`)
    }
    checkReadVector(req.readVector)
    for (const [shnum, v] of req.vectors) {
      checkShareNumber(shnum)
      if (v.test.length > MAX_TEST_VECTORS) throw new LimitExceededError(`share ${shnum}: ${v.test.length} test vectors; at most ${MAX_TEST_VECTORS} per share`)
      if (v.write.length > MAX_WRITE_VECTORS) throw new LimitExceededError(`share ${shnum}: ${v.write.length} write vectors; at most ${MAX_WRITE_VECTORS} per share`)
      for (const t of v.test) { checkOffset('test offset', t.offset); checkOffset('test size', t.size) }
      for (const w of v.write) {
        checkOffset('write offset', w.offset)
        if (w.offset + w.data.length > this.maxShareSize) {
          throw new InvalidArgumentError(`share ${shnum}: a write up to byte ${w.offset + w.data.length} exceeds the largest share this server holds (${this.maxShareSize})`)
        }
      }
      if (v.newLength !== null) checkOffset('new length', v.newLength)
    }
  }

  async readTestWrite (req: ReadTestWriteRequest, hooks: ReadTestWriteHooks = {}): Promise<ReadTestWriteResult> {
    this.checkRequest(req)
    const si = encodeStorageIndex(req.storageIndex)
    return await this.exclusive(si, async () => {
      const shares = await this.openShares(si)
      try {
        return await this.readTestWriteOpen(si, req, shares, hooks)
      } finally {
        await closeAll(shares)
      }
    })
  }

  private async readTestWriteOpen (si: string, req: ReadTestWriteRequest, shares: Map<number, OpenContainer>, hooks: ReadTestWriteHooks): Promise<ReadTestWriteResult> {
    checkAnswerSize(req.readVector, shares.size)
    for (const [shnum, c] of shares) checkWriteEnabler(c.header, req.writeEnabler, si, shnum)
    let success = true
    for (const [shnum, v] of req.vectors) {
      if (!await testPassesOpen(shares.get(shnum), v.test)) { success = false; break }
    }
    const data = new Map<number, Uint8Array[]>()
    for (const [shnum, c] of shares) data.set(shnum, await readOpenRanges(c, req.readVector))
    const written: number[] = []
    const deleted: number[] = []
    const sizes = new Map<number, number>()
    if (success) {
      // Every change is planned, with its exact size, before any file changes, for `admit`.
      const plan = new Map<number, Planned>()
      const changes: SlotShareChange[] = []
      for (const [shnum, v] of req.vectors) {
        const c = shares.get(shnum)
        const before = c?.size ?? 0
        if (v.newLength === 0) {
          if (c !== undefined) { plan.set(shnum, { kind: 'delete' }); changes.push({ shnum, before, after: 0 }) }
          continue
        }
        const inPlace = c !== undefined && Math.max(before, sizeAfterWrites(c, v.write, v.newLength)) > this.rewriteLimit
        const p: Planned = inPlace
          ? { kind: 'in-place', size: sizeAfterWrites(c, v.write, v.newLength), vectors: v }
          : { kind: 'copy', bytes: applyWrites(c === undefined ? newContainer(this.serverId, req.writeEnabler) : await readWholeContainer(c), v.write, v.newLength) }
        plan.set(shnum, p)
        changes.push({ shnum, before, after: p.kind === 'copy' ? p.bytes.length : p.size })
      }
      hooks.admit?.(changes)
      const dir = shareDir(this.root, si)
      let renamed = false
      for (const [shnum, p] of plan) {
        const path = join(dir, String(shnum))
        if (p.kind === 'delete') { await rm(path, { force: true }); deleted.push(shnum); continue }
        if (p.kind === 'copy') {
          if (!shares.has(shnum)) await mkdir(dir, { recursive: true })
          await writeContainerAtomically(path, p.bytes)
          renamed = true
          sizes.set(shnum, p.bytes.length)
        } else {
          sizes.set(shnum, await writeInPlace(shares.get(shnum) as OpenContainer, p.vectors.write, p.vectors.newLength))
        }
        written.push(shnum)
      }
      if (renamed) await fsyncDir(dir)
      if (deleted.length > 0) removeEmptyDirs(dir, this.root)
    }
    const result = { success, data, written, deleted }
    hooks.commit?.(result, sizes)
    return result
  }

  /**
   * GC's delete, in the slot's turn: `pick` (which re-checks the lease)
   * names the shares to delete, their files go, then `commit` deletes their
   * rows, still inside the lock. Returns the share numbers removed.
   */
  async removeShares (storageIndex: Uint8Array, pick: () => number[], commit: (removed: number[]) => void): Promise<number[]> {
    const si = encodeStorageIndex(checkStorageIndex(storageIndex))
    return await this.exclusive(si, async () => {
      const shnums = pick()
      if (shnums.length === 0) return []
      const dir = shareDir(this.root, si)
      for (const n of shnums) await rm(join(dir, String(n)), { force: true })
      commit(shnums)
      removeEmptyDirs(dir, this.root)
      return shnums
    })
  }

  /** Every slot share on disk: `si/shnum` → container bytes (startup recovery compares it with the rows). */
  async scan (): Promise<Map<string, number>> {
    const found = new Map<string, number>()
    for (const prefix of await listDirs(this.root)) {
      for (const si of await listDirs(join(this.root, prefix))) {
        if (!si.startsWith(prefix) || decodeStorageIndex(si) === undefined) continue
        for (const e of await readdir(join(this.root, prefix, si), { withFileTypes: true })) {
          if (!e.isFile() || !/^(0|[1-9][0-9]{0,2})$/.test(e.name) || Number(e.name) > MAX_SHARE_NUMBER) continue
          found.set(`${si}/${e.name}`, (await stat(join(this.root, prefix, si, e.name))).size)
        }
      }
    }
    return found
  }

  /** Reads ranges of a slot's shares (all of them when `shnums` is empty), cut at each share's data length. */
  async readv (storageIndex: Uint8Array, shnums: readonly number[], readVector: readonly ReadVector[]): Promise<Map<number, Uint8Array[]>> {
    checkStorageIndex(storageIndex)
    checkReadVector(readVector)
    const si = encodeStorageIndex(storageIndex)
    return await this.exclusive(si, async () => {
      const held = (await this.namesOf(si)).filter(n => shnums.length === 0 || shnums.includes(n))
      checkAnswerSize(readVector, held.length)
      const dir = shareDir(this.root, si)
      const out = new Map<number, Uint8Array[]>()
      for (const shnum of held) {
        const data = await readContainerRanges(join(dir, String(shnum)), readVector)
        if (data !== undefined) out.set(shnum, data)
      }
      return out
    })
  }

  /**
   * Removes temporary files a crash left behind (a write not yet renamed
   * into place: its share still holds the previous version). Call once at
   * startup, before serving.
   */
  async recover (): Promise<number> {
    let removed = 0
    const walk = async (dir: string, depth: number): Promise<void> => {
      let entries
      try {
        entries = await readdir(dir, { withFileTypes: true })
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
        throw err
      }
      for (const e of entries) {
        const path = join(dir, e.name)
        if (e.isDirectory() && depth < 2) await walk(path, depth + 1)
        else if (e.isFile() && depth === 2 && e.name.endsWith('.tmp')) { await rm(path, { force: true }); removed++ }
      }
    }
    await walk(this.root, 0)
    return removed
  }

  /** Share numbers held for a slot, ascending. */
  async shareNumbers (storageIndex: Uint8Array): Promise<number[]> {
    const si = encodeStorageIndex(checkStorageIndex(storageIndex))
    return await this.namesOf(si)
  }

  /** Bytes on disk for one share (container included), for accounting. */
  static containerSize (dataLength: number): number {
    return CONTAINER_DATA_OFFSET + dataLength + 4
  }
}
