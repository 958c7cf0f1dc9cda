import type { ComponentLogger, Logger } from '@libp2p/logger'
import type Database from 'better-sqlite3'
import type { Accounts } from './accounts.js'
import type { Capacity } from './capacity.js'
import type { Queries, ShareRow } from './db.js'
import { BadWriteEnablerError } from './errors.js'
import type { Leases } from './leases.js'
import type { Limits } from './limits.js'
import type { MutableSlots, ReadTestWriteRequest, ReadTestWriteResult, SlotShareChange } from './mutable-slots.js'
import type { ReadVector } from './mutable-container.js'
import { decodeStorageIndex, encodeStorageIndex } from './paths.js'
import { ADOPTION_ACCOUNT } from './recovery.js'
import { charge } from './reservations.js'
import { checkAccount, checkLease, checkStorageIndex } from './validate.js'
import type { LeaseSecrets, StoredShare } from './types.js'

/** A read-test-write from the network: the caller's lease is added or renewed when it writes. */
export interface SlotWriteRequest extends ReadTestWriteRequest {
  lease: LeaseSecrets
}

function chargeOf (size: number): number {
  return size === 0 ? 0 : charge(size)
}

/**
 * Mutable slots with the server's bookkeeping: a `mutable_shares` row per
 * share (its container's size on disk), leases in the shared `leases` table,
 * and the same limits as immutable shares. A share is charged its container
 * size, at least 4096 bytes. A write that makes the caller pay for more
 * (a new share, a slot growing, or a slot it did not lease before: its
 * lease makes it pay for the whole slot) must pass the per-account share
 * and storage-index limits, the quota, the free budget and the capacity,
 * judged with the exact sizes after the write, before any file changes.
 */
export class SlotStore {
  private readonly log: Logger
  private storedShares: number
  private storedBytes: number
  private chargedBytes: number
  /** Bytes admitted for writes still in progress, per account and in all (another slot's write can run at the same time). */
  private readonly pending = new Map<string, number>()
  private pendingTotal = 0
  /** Calls running, which stop() lets finish before the database closes. */
  private readonly running = new Set<Promise<unknown>>()

  constructor (
    private readonly db: Database.Database,
    private readonly q: Queries,
    private readonly now: () => number,
    readonly slots: MutableSlots,
    private readonly leases: Leases,
    private readonly accounts: Accounts,
    private readonly limits: Limits,
    private readonly capacity: Capacity,
    logger: ComponentLogger
  ) {
    this.log = logger.forComponent('lafs-club:storage:slots')
    const totals = q.slotTotals.get()!
    this.storedShares = totals.shares
    this.storedBytes = totals.bytes
    this.chargedBytes = totals.charged
  }

  get shares (): number { return this.storedShares }
  get bytes (): number { return this.storedBytes }
  get charged (): number { return this.chargedBytes }

  has (si: string, shareNumber: number): boolean {
    return this.q.slotShare.get(si, shareNumber) !== undefined
  }

  holds (si: string): boolean {
    return this.q.slotSharesOf.all(si).length > 0
  }

  /** Called after a write created a share (the node announces the storage index as for immutable shares). */
  onShareCreated?: (storageIndex: Uint8Array, shareNumber: number) => void

  /** Every storage index with a slot share here. */
  storageIndexNames (): string[] {
    return this.q.slotStorageIndexes.all()
  }

  list (storageIndex: Uint8Array): StoredShare[] {
    const si = encodeStorageIndex(checkStorageIndex(storageIndex))
    return this.q.slotSharesOf.all(si).map(r => ({ shareNumber: r.shnum, size: r.size }))
  }

  async readv (storageIndex: Uint8Array, shareNumbers: readonly number[], readVector: readonly ReadVector[]): Promise<Map<number, Uint8Array[]>> {
    return await this.slots.readv(storageIndex, shareNumbers, readVector)
  }

  async readTestWrite (account: string, req: SlotWriteRequest): Promise<ReadTestWriteResult> {
    return await this.track(this.readTestWriteNow(account, req))
  }

  /** Waits for the calls in progress (their files and rows stay in agreement). */
  async close (): Promise<void> {
    await Promise.allSettled(this.running)
  }

  private async track<T> (p: Promise<T>): Promise<T> {
    this.running.add(p)
    try {
      return await p
    } finally {
      this.running.delete(p)
    }
  }

  private async readTestWriteNow (account: string, req: SlotWriteRequest): Promise<ReadTestWriteResult> {
    checkAccount(account)
    checkLease(req.lease)
    const si = encodeStorageIndex(checkStorageIndex(req.storageIndex))
    let held = { account: 0, total: 0 }
    let created: number[] = []
    try {
      const result = await this.slots.readTestWrite(req, {
        admit: changes => {
          held = this.admit(account, si, changes)
          created = changes.filter(c => c.before === 0 && c.after > 0).map(c => c.shnum)
        },
        commit: (r, sizes) => { this.commit(account, si, req.lease, r, sizes) }
      })
      this.log('read-test-write on %s by %s: %s; wrote %s, deleted %s', si, account, result.success ? 'tests passed' : 'a test failed, nothing written',
        result.written.join(',') || '-', result.deleted.join(',') || '-')
      if (result.success) for (const shnum of created) this.onShareCreated?.(req.storageIndex, shnum)
      return result
    } catch (err) {
      if (err instanceof BadWriteEnablerError) {
        // The error names the server that recorded the enabler; neither enabler is ever logged.
        this.log('refused a write to slot %s from %s: wrong write enabler (recorded by server %s)', si, account,
          Buffer.from(err.recordedBy).toString('hex'))
      } else {
        this.log('read-test-write on %s by %s refused: %s', si, account, (err as { code?: string }).code ?? err)
      }
      throw err
    } finally {
      this.release(account, held)
    }
  }

  /** Before any file changes: the limits, with the exact sizes the write will leave. */
  private admit (account: string, si: string, changes: SlotShareChange[]): { account: number, total: number } {
    const growth = changes.reduce((n, c) => n + chargeOf(c.after) - chargeOf(c.before), 0)
    const created = changes.filter(c => c.before === 0 && c.after > 0).length
    const leased = this.accounts.hasLease(si, account)
    let needed = growth
    let newShares = created
    if (!leased) {
      // Its new lease makes the writer pay for every share the slot keeps.
      const rows = this.q.slotSharesOf.all(si)
      const deleted = changes.filter(c => c.after === 0).length
      needed = rows.reduce((n, r) => n + charge(r.size), 0) + growth
      newShares = rows.length + created - deleted
    }
    if (needed > 0 || newShares > 0) {
      this.limits.checkSlotGrowth(account, si, Math.max(0, newShares), Math.max(0, needed), this.pending.get(account) ?? 0)
    }
    if (growth > 0) this.capacity.check(growth + this.pendingTotal)
    const hold = { account: Math.max(0, needed), total: Math.max(0, growth) }
    this.pending.set(account, (this.pending.get(account) ?? 0) + hold.account)
    this.pendingTotal += hold.total
    return hold
  }

  private release (account: string, held: { account: number, total: number }): void {
    if (held.account === 0 && held.total === 0) return
    const left = (this.pending.get(account) ?? 0) - held.account
    if (left <= 0) this.pending.delete(account)
    else this.pending.set(account, left)
    this.pendingTotal -= held.total
  }

  /** After the files changed, still in the slot's lock: rows, the writer's lease, running totals. */
  private commit (account: string, si: string, lease: LeaseSecrets, result: ReadTestWriteResult, sizes: Map<number, number>): void {
    if (!result.success || (result.written.length === 0 && result.deleted.length === 0)) return
    const now = this.now()
    let dShares = 0
    let dBytes = 0
    let dCharged = 0
    let freeDelta = 0
    this.db.transaction(() => {
      const hadFree = this.q.hasFreeLease.get(si, now) !== undefined
      for (const shnum of result.deleted) {
        const row = this.q.slotShare.get(si, shnum)
        this.q.deleteSlotShare.run(si, shnum)
        if (row !== undefined) { dShares--; dBytes -= row.size; dCharged -= charge(row.size) }
      }
      for (const [shnum, size] of sizes) {
        const row = this.q.slotShare.get(si, shnum)
        this.q.upsertSlotShare.run(si, shnum, size, now)
        if (row === undefined) dShares++
        dBytes += size - (row?.size ?? 0)
        dCharged += charge(size) - (row === undefined ? 0 : charge(row.size))
      }
      if (result.written.length > 0) {
        this.accounts.ensure(account, now)
        this.leases.record(si, account, lease, now)
      } else {
        this.leases.dropOrphans(si)
      }
      // The free accounts' total counts a share once if any free account leases it.
      const after = this.q.slotSharesOf.all(si).reduce((n, r) => n + charge(r.size), 0)
      const hasFree = this.q.hasFreeLease.get(si, now) !== undefined
      freeDelta = (hasFree ? after : 0) - (hadFree ? after - dCharged : 0)
    }).immediate()
    this.storedShares += dShares
    this.storedBytes += dBytes
    this.chargedBytes += dCharged
    if (freeDelta !== 0) this.limits.noteFreeStored(freeDelta)
  }

  /** GC: deletes the shares of slots with no live lease, each slot re-checked in its own turn. */
  async collect (now: number, stopped: () => boolean): Promise<ShareRow[]> {
    const bySi = new Map<string, number>()
    for (const row of this.q.expiredSlotShares.all(now)) bySi.set(row.si, (bySi.get(row.si) ?? 0) + 1)
    const gone: ShareRow[] = []
    for (const si of bySi.keys()) {
      if (stopped()) break
      const storageIndex = decodeStorageIndex(si)
      if (storageIndex === undefined) continue
      let rows: Array<{ shnum: number, size: number }> = []
      await this.track(this.slots.removeShares(storageIndex, () => {
        if (this.leases.hasLive(si, now)) return []
        rows = this.q.slotSharesOf.all(si)
        return rows.map(r => r.shnum)
      }, () => {
        this.db.transaction(() => {
          for (const r of rows) this.q.deleteSlotShare.run(si, r.shnum)
          this.leases.dropOrphans(si)
        }).immediate()
        this.storedShares -= rows.length
        this.storedBytes -= rows.reduce((n, r) => n + r.size, 0)
        this.chargedBytes -= rows.reduce((n, r) => n + charge(r.size), 0)
      }))
      if (rows.length > 0) this.log('deleted slot share(s) %s of %s (%d bytes): no live lease', rows.map(r => r.shnum).join(','), si, rows.reduce((n, r) => n + r.size, 0))
      for (const r of rows) gone.push({ si, shnum: r.shnum, size: r.size })
    }
    if (gone.length > 0) this.limits.forgetFreeStored()
    return gone
  }
}

/**
 * Startup, before serving: removes what a crashed write left (temporary
 * files), drops rows whose file is gone, corrects sizes, and adopts slot
 * files without a row, as recovery.ts does for immutable shares (a lease for
 * `server:adopted` unless the slot has a live lease).
 */
export async function recoverSlots (db: Database.Database, q: Queries, slots: MutableSlots, now: number, leaseDurationMs: number, logger: ComponentLogger): Promise<{ droppedRows: number, adopted: number, tempFiles: number }> {
  const log = logger.forComponent('lafs-club:storage:recovery')
  const tempFiles = await slots.recover()
  const onDisk = await slots.scan()
  const report = { droppedRows: 0, adopted: 0, tempFiles }
  db.transaction(() => {
    const touched = new Set<string>()
    for (const row of q.allSlotShares.all()) {
      const key = `${row.si}/${row.shnum}`
      const size = onDisk.get(key)
      if (size === undefined) {
        log('slot share %d of %s has a row but no file: row dropped', row.shnum, row.si)
        q.deleteSlotShare.run(row.si, row.shnum)
        touched.add(row.si)
        report.droppedRows++
        continue
      }
      if (size !== row.size) {
        log('slot share %d of %s is %d bytes on disk, not %d: size corrected', row.shnum, row.si, size, row.size)
        q.upsertSlotShare.run(row.si, row.shnum, size, now)
      }
      onDisk.delete(key)
    }
    for (const si of touched) q.deleteOrphanLeases.run(si, si, si)
    const noSecret = new Uint8Array(0)
    for (const [key, size] of onDisk) {
      const [si, n] = key.split('/')
      log('slot share %s of %s (%d bytes) has a file but no row: adopted', n, si, size)
      q.upsertSlotShare.run(si, Number(n), size, now)
      if (q.hasLiveLease.get(si, now) === undefined) q.upsertLease.run(si, ADOPTION_ACCOUNT, noSecret, noSecret, now + leaseDurationMs)
      report.adopted++
    }
  }).immediate()
  log('recovered slots: %d temporary file(s) removed, %d row(s) without a file dropped, %d file(s) adopted', tempFiles, report.droppedRows, report.adopted)
  return report
}
