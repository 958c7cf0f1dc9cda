/**
 * The datastore libp2p gets: LevelDB underneath, with the peer store's
 * records (keys under `/peers/`) held in memory and written back in batches.
 *
 * libp2p writes a peer's record on every stream it opens or accepts (it
 * merges the stream's protocol into the record: a LevelDB read and a write,
 * whether or not anything changed), and kad-dht, identify and the roster
 * keeper add more. A profile of 16 idle scale-grid nodes put a fifth of
 * their CPU there. Reads of a cached record cost no LevelDB read here, and a record
 * written many times within `flushMs` reaches LevelDB once.
 *
 * Peers LevelDB does not hold are remembered as absent too (libp2p looks a
 * peer up before every dial by peer ID).
 *
 * What a crash can lose: peer records written in the last `flushMs` (by
 * default 5 s) — addresses and protocols libp2p learns again from the next
 * identify. Everything else (DHT records, provider records) goes straight
 * through. The cache is bounded: at most `maxRecords` records; past that the
 * least recently used clean one is dropped (it is still in LevelDB), and a
 * burst of writes over the bound is flushed at once rather than held.
 */
import { NotFoundError } from '@libp2p/interface'
import { logger } from '@libp2p/logger'
import { BaseDatastore } from 'datastore-core'
import type { AbortOptions } from '@libp2p/interface'
import { Key, type Batch, type Datastore, type KeyQuery, type Pair, type Query } from 'interface-datastore'

const log = logger('lafs-club:node:peer-records')
const PEERS = '/peers/'
/** Marks a key LevelDB does not hold (compared by identity, never written). */
const ABSENT = new Uint8Array(0)

/**
 * Answers from memory still wait for the event loop's next turn, as
 * LevelDB's answers do: libp2p code written against an asynchronous store
 * loops over reads and writes, and answered within the same microtask chain
 * it starved I/O — magic folders' small-file uploads ran 2-3 times slower.
 */
async function nextTurn (): Promise<void> {
  await new Promise<void>(resolve => { setImmediate(resolve) })
}

export interface PeerRecordCacheOptions {
  /** How long a written record may wait before it reaches LevelDB (default 5000 ms). */
  flushMs?: number
  /** Records held in memory at most (default 4096). */
  maxRecords?: number
}

export class PeerRecordCache extends BaseDatastore {
  private readonly inner: Datastore & { close?: () => Promise<void> }
  private readonly flushMs: number
  private readonly maxRecords: number
  /** key → record, in least-recently-used order (a Map keeps insertion order; a hit moves the key to the end). */
  private readonly records = new Map<string, Uint8Array>()
  /** Keys written here and not yet in LevelDB. */
  private readonly dirty = new Set<string>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private flushing: Promise<void> | undefined
  private closed = false

  constructor (inner: Datastore & { close?: () => Promise<void> }, options: PeerRecordCacheOptions = {}) {
    super()
    this.inner = inner
    this.flushMs = options.flushMs ?? 5000
    this.maxRecords = options.maxRecords ?? 4096
  }

  override async put (key: Key, val: Uint8Array, options?: AbortOptions): Promise<Key> {
    const k = key.toString()
    if (!k.startsWith(PEERS) || this.closed) return await this.inner.put(key, val, options)
    this.remember(k, val)
    this.dirty.add(k)
    await nextTurn()
    if (this.dirty.size >= this.maxRecords) await this.flush()
    else this.timer ??= setTimeout(() => { this.flush().catch(() => {}) }, this.flushMs)
    return key
  }

  override async get (key: Key, options?: AbortOptions): Promise<Uint8Array> {
    const k = key.toString()
    if (!k.startsWith(PEERS)) return await this.inner.get(key, options)
    const hit = this.records.get(k)
    if (hit !== undefined) {
      await nextTurn()
      // a put or delete may have landed during the turn: only a record still current moves up
      if (this.records.get(k) === hit) {
        this.records.delete(k)
        this.records.set(k, hit)
      }
      return this.found(k, hit)
    }
    // a record evicted while its batch is still being written is not in LevelDB yet
    while (this.flushing !== undefined) await this.flushing
    let val: Uint8Array
    try {
      val = await this.inner.get(key, options)
    } catch (err) {
      // libp2p asks after peers it does not know (every dial by peer ID does): remember that too
      if ((err as Error).name === 'NotFoundError' && !this.records.has(k)) this.remember(k, ABSENT)
      throw err
    }
    // a write that landed while LevelDB answered is newer than what it answered
    if (!this.records.has(k)) this.remember(k, val)
    return this.found(k, this.records.get(k) ?? val)
  }

  override async has (key: Key, options?: AbortOptions): Promise<boolean> {
    const hit = this.records.get(key.toString())
    if (hit !== undefined) {
      await nextTurn()
      return hit !== ABSENT
    }
    while (this.flushing !== undefined) await this.flushing
    return await this.inner.has(key, options)
  }

  override async delete (key: Key, options?: AbortOptions): Promise<void> {
    const k = key.toString()
    this.records.delete(k)
    this.dirty.delete(k)
    // a batch in flight may still hold the record: it lands first, then the delete
    while (this.flushing !== undefined) await this.flushing
    await this.inner.delete(key, options)
  }

  override batch (): Batch {
    // writes through a batch are rare (kad-dht's provider pruning); they go straight to LevelDB,
    // after what is pending here, and drop the cached copies they replace
    const ops: Array<{ key: Key, value?: Uint8Array }> = []
    return {
      put: (key, value) => { ops.push({ key, value }) },
      delete: key => { ops.push({ key }) },
      commit: async (options?: AbortOptions) => {
        await this.flush()
        const b = this.inner.batch()
        for (const { key, value } of ops) {
          this.records.delete(key.toString())
          this.dirty.delete(key.toString())
          if (value !== undefined) b.put(key, value)
          else b.delete(key)
        }
        await b.commit(options)
      }
    }
  }

  override async * query (q: Query, options?: AbortOptions): AsyncGenerator<Pair> {
    // a query reads LevelDB: what waits here goes there first
    await this.flush()
    yield * this.inner.query(q, options)
  }

  override async * queryKeys (q: KeyQuery, options?: AbortOptions): AsyncGenerator<Key> {
    await this.flush()
    yield * this.inner.queryKeys(q, options)
  }

  /**
   * What memory holds for a peer key, without waiting or touching the LRU
   * order: the record itself (replaced on every write, never changed in
   * place), 'absent' for a peer LevelDB is known not to hold, or undefined.
   */
  peek (k: string): Uint8Array | 'absent' | undefined {
    const val = this.records.get(k)
    return val === ABSENT ? 'absent' : val
  }

  /** Writes every pending record to LevelDB in one batch. */
  async flush (): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    while (this.flushing !== undefined) await this.flushing
    if (this.dirty.size === 0) return
    const keys = [...this.dirty]
    this.dirty.clear()
    const b = this.inner.batch()
    for (const k of keys) {
      const val = this.records.get(k)
      if (val !== undefined) b.put(new Key(k), val)
    }
    this.flushing = Promise.resolve(b.commit()).catch((err: unknown) => {
      // not fatal: libp2p learns peers' addresses again; say so once per failed batch
      log.error('could not write %d peer records to the datastore - %e', keys.length, err)
    }).finally(() => { this.flushing = undefined })
    await this.flushing
  }

  /** Flushes, then closes LevelDB. */
  async close (): Promise<void> {
    await this.flush()
    this.closed = true
    await this.inner.close?.()
  }

  private found (k: string, val: Uint8Array): Uint8Array {
    if (val === ABSENT) throw new NotFoundError(`no record for ${k}`)
    return val
  }

  private remember (k: string, val: Uint8Array): void {
    this.records.delete(k)
    this.records.set(k, val)
    if (this.records.size <= this.maxRecords) return
    for (const old of this.records.keys()) {
      if (this.records.size <= this.maxRecords) break
      if (!this.dirty.has(old)) this.records.delete(old)
    }
  }
}
