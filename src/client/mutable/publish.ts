/**
 * Publish, as Tahoe's publisher: encode a version into N shares and write
 * each share with one read-test-write per server. A new file's shares go to
 * the first servers of the permuted ring with the "slot is empty" test; a new
 * version rewrites every share the servermap found (on every server holding
 * a copy, any version) testing the checkstring seen there, so a writer that
 * raced us makes our test fail: `UncoordinatedWriteError`. Shares nobody
 * holds go to servers that answered empty. Write enablers are per server
 * (writekey, serverIdOf(peer ID)); the write adds or renews our lease.
 */
import {
  checkstringOf, decryptPrivateKey, encodeMutable, fingerprintHash, generateMutableKeyPair, importMutablePrivateKey,
  writeEnablerHash, writekeyHash, type EncodedMutable, type MutableFormat, type MutableKeyPair, type MutableWriteCap
} from '../../mutable/index.js'
import { MAX_SLOT_WRITE_BYTES, serverIdOf, type SlotShareWrite, type StreamOpener } from '../../protocols/index.js'
import { happinessOf, permute } from '../../routing/index.js'
import { NoServersError } from '../errors.js'
import { serverLeaseSecrets } from '../lease.js'
import { clientLogger, shortPeer, siText } from '../log.js'
import { MutablePublishError, UncoordinatedWriteError, WriteEnablerRefusedError } from './errors.js'
import { remoteShareSource } from './source.js'
import type { StorageClientPool, ServerInfo } from '../servers.js'
import type { MutableStats, Servermap } from './servermap.js'
import type { Logger } from '@libp2p/interface'

export interface PublishOptions {
  pool: StorageClientPool
  /** The client's lease secret (32 bytes). */
  leaseSecret: Uint8Array
  /** Distinct servers that must take a share (servers of happiness). */
  happy: number
  stats?: MutableStats
  signal?: AbortSignal
}

export interface NewMutableOptions extends PublishOptions {
  servers: readonly ServerInfo[]
  format: MutableFormat
  k: number
  n: number
  /** MDMF maximum segment size (Tahoe: 128 KiB). */
  segmentSize?: number
  keyPair?: MutableKeyPair
}

export interface PublishResult {
  cap: MutableWriteCap
  keyPair: MutableKeyPair
  seqnum: bigint
  /** Share numbers on each server (peer ID). */
  placement: Map<string, number[]>
  happiness: number
}

interface Assignment { server: ServerInfo, shnum: number, expect?: Uint8Array }

/** Calls of one share's later parts in flight per server. */
const PIPELINE = 4

/** Room left in a call for test specimens and framing. */
const CALL_BUDGET = MAX_SLOT_WRITE_BYTES - 16 * 1024

type Outcome = { kind: 'ok' } | { kind: 'collision' } | { kind: 'error', error: Error }

async function writeServer (cap: MutableWriteCap, enc: EncodedMutable, server: ServerInfo, assigned: Assignment[], options: PublishOptions): Promise<Outcome> {
  const si = cap.storageIndex
  const client = options.pool.get(server)
  const we = writeEnablerHash(cap.writekey, serverIdOf(server.peerId))
  const lease = serverLeaseSecrets(options.leaseSecret, si, server.peerId)
  const newCheck = checkstringOf(enc.prefix)
  // First call: every share, its test, and as much of its start as fits.
  const first = Math.max(1, Math.floor(CALL_BUDGET / assigned.length))
  const calls: SlotShareWrite[][] = [assigned.map(a => {
    const bytes = enc.shares[a.shnum]
    return {
      shareNumber: a.shnum,
      test: [a.expect == null ? { offset: 0, size: 1, specimen: new Uint8Array(0) } : { offset: 0, size: a.expect.length, specimen: a.expect }],
      write: [{ offset: 0, data: bytes.subarray(0, first) }],
      newLength: bytes.length
    }
  })]
  // The rest in parts, each testing that our own version is still there.
  for (const a of assigned) {
    const bytes = enc.shares[a.shnum]
    for (let at = first; at < bytes.length; at += CALL_BUDGET) {
      calls.push([{
        shareNumber: a.shnum,
        test: [{ offset: 0, size: newCheck.length, specimen: newCheck }],
        write: [{ offset: at, data: bytes.subarray(at, at + CALL_BUDGET) }],
        newLength: bytes.length
      }])
    }
  }
  const send = async (call: SlotShareWrite[]): Promise<boolean> => {
    options.signal?.throwIfAborted()
    if (options.stats != null) options.stats.requests++
    return (await client.slotReadTestWrite(si, we, lease, call)).success
  }
  try {
    // The first call's tests decide whether we collided; the rest are
    // pipelined (a session answers in order), a few in flight at a time.
    if (!await send(calls[0])) return { kind: 'collision' }
    let next = 1
    let collided = false
    await Promise.all(Array.from({ length: Math.min(PIPELINE, calls.length - 1) }, async () => {
      while (next < calls.length && !collided) {
        const call = calls[next++]
        if (!await send(call)) collided = true
      }
    }))
    return collided ? { kind: 'collision' } : { kind: 'ok' }
  } catch (err) {
    return { kind: 'error', error: err as Error }
  }
}

/**
 * Writes the assignments, one call (or a few, for shares over ~1 MiB) per
 * server, all servers in parallel. Shares of servers that failed (not a
 * collision) go once more to spare servers.
 */
async function writeAll (cap: MutableWriteCap, enc: EncodedMutable, assignments: Assignment[], spare: ServerInfo[], options: PublishOptions, log: Logger): Promise<{ placement: Map<string, number[]>, happiness: number }> {
  const si = cap.storageIndex
  const placement = new Map<string, number[]>()
  const collided: string[] = []
  const refused: string[] = []
  const reasons: string[] = []
  let pending = assignments
  const maxCallsPerServer = (list: Assignment[]): number => {
    const per = new Map<string, number>()
    for (const a of list) per.set(a.server.peerId, (per.get(a.server.peerId) ?? 0) + Math.ceil(enc.shares[a.shnum].length / CALL_BUDGET))
    return Math.max(1, ...per.values())
  }
  for (let round = 0; pending.length > 0 && round < 2; round++) {
    const byServer = new Map<string, Assignment[]>()
    for (const a of pending) byServer.set(a.server.peerId, [...(byServer.get(a.server.peerId) ?? []), a])
    if (options.stats != null) options.stats.roundTrips += maxCallsPerServer(pending)
    const failedShares: number[] = []
    await Promise.all([...byServer.values()].map(async list => {
      const server = list[0].server
      const out = await writeServer(cap, enc, server, list, options)
      if (out.kind === 'ok') {
        placement.set(server.peerId, [...(placement.get(server.peerId) ?? []), ...list.map(a => a.shnum)].sort((a, b) => a - b))
      } else if (out.kind === 'collision') {
        collided.push(server.peerId)
        log('%s: %s holds a version we did not expect: uncoordinated write', siText(si), shortPeer(server.peerId))
      } else {
        const code = (out.error as { code?: string }).code
        if (code === 'ERR_BAD_WRITE_ENABLER') refused.push(server.peerId)
        reasons.push(`${shortPeer(server.peerId)}: ${out.error.message}`)
        log('%s: %s failed the write: %s', siText(si), shortPeer(server.peerId), out.error.message)
        failedShares.push(...list.map(a => a.shnum))
      }
    }))
    options.signal?.throwIfAborted()
    if (collided.length > 0) throw new UncoordinatedWriteError(collided)
    pending = []
    for (const shnum of failedShares) {
      const server = spare.shift()
      if (server != null) pending.push({ server, shnum })
    }
  }
  const happiness = happinessOf(new Map([...placement].map(([p, s]) => [p, new Set(s)])))
  if (happiness < options.happy) {
    if (refused.length > 0) throw new WriteEnablerRefusedError(refused, reasons.join('; '))
    throw new MutablePublishError(happiness, options.happy, reasons.length > 0 ? reasons.slice(0, 5).join('; ') : `${placement.size} server(s) available`)
  }
  if (refused.length > 0) log('%s: %d server(s) refused our write enabler; published on the others', siText(si), refused.length)
  return { placement, happiness }
}

/** Publishes a new mutable file (seqnum 1) with a fresh RSA key. */
export async function publishNewMutable (opener: StreamOpener, data: Uint8Array, options: NewMutableOptions): Promise<PublishResult> {
  if (options.servers.length === 0) throw new NoServersError('no storage servers to publish a mutable file to: join a club or give server addresses')
  const keyPair = options.keyPair ?? await generateMutableKeyPair()
  const enc = encodeMutable(data, { keyPair, format: options.format, seqnum: 1n, k: options.k, n: options.n, segmentSize: options.segmentSize })
  const si = enc.cap.storageIndex
  const log = clientLogger(opener, 'mutable-publish')
  const ring = permute(si, options.servers)
  const assignments = enc.shares.map((_, shnum) => ({ server: ring[shnum % ring.length], shnum }))
  const spare = ring.slice(Math.min(ring.length, enc.shares.length))
  log('%s: new %s file, %d bytes, %d-of-%d on %d server(s)', siText(si), options.format, data.length, options.k, options.n, ring.length)
  const { placement, happiness } = await writeAll(enc.cap, enc, assignments, spare, options, log)
  return { cap: enc.cap, keyPair, seqnum: enc.seqnum, placement, happiness }
}

/** The signature key, from the encrypted copy in a share (checked against the cap). */
export async function recoverKeyPair (cap: MutableWriteCap, map: Servermap, options: { pool: StorageClientPool, stats?: MutableStats }): Promise<MutableKeyPair> {
  const errors: string[] = []
  for (const v of map.versions) {
    for (const s of v.shares) {
      try {
        const [from, to] = s.header.fields.encPrivkey
        const enc = await remoteShareSource(options.pool, cap.storageIndex, s, options.stats).read(from, to - from)
        const der = decryptPrivateKey(cap.writekey, enc)
        if (!Buffer.from(writekeyHash(der)).equals(cap.writekey)) throw new Error('the encrypted private key is not this write cap\'s')
        const pair = importMutablePrivateKey(der)
        if (!Buffer.from(fingerprintHash(pair.publicDer)).equals(cap.fingerprint)) throw new Error('the private key does not match the fingerprint')
        return pair
      } catch (err) {
        errors.push(`share ${s.shnum} on ${shortPeer(s.server.peerId)}: ${(err as Error).message}`)
      }
    }
  }
  throw new MutablePublishError(0, 1, `the signature key could not be recovered from any share (${errors.slice(0, 3).join('; ') || 'no share found'})`)
}

export interface PublishVersionOptions extends PublishOptions {
  /** The signature key, when the caller has it (else read from a share: maybe one more round trip). */
  keyPair?: MutableKeyPair
  segmentSize?: number
}

/**
 * Publishes `data` as the version after the highest seqnum in `map`, over
 * every share the map found. Fails with UncoordinatedWriteError when a
 * server holds something else than the map saw.
 */
export async function publishMutableVersion (opener: StreamOpener, cap: MutableWriteCap, data: Uint8Array, map: Servermap, options: PublishVersionOptions): Promise<PublishResult> {
  const si = cap.storageIndex
  const log = clientLogger(opener, 'mutable-publish')
  const base = map.best ?? map.versions[0]
  if (base == null) throw new MutablePublishError(0, options.happy, 'no share of this mutable file was found to replace (is the cap right, are its servers reachable?)')
  const keyPair = options.keyPair ?? await recoverKeyPair(cap, map, options)
  const seqnum = map.highestSeqnum + 1n
  const { k, n } = base.prefix
  const enc = encodeMutable(data, { keyPair, format: cap.format, seqnum, k, n, segmentSize: options.segmentSize })
  const assignments: Assignment[] = []
  const holders = new Set<string>()
  for (const s of map.shares) {
    if (s.shnum >= n) continue
    assignments.push({ server: s.server, shnum: s.shnum, expect: s.checkstring })
    holders.add(s.server.peerId)
  }
  const spare = map.asked.filter(s => map.empty.includes(s) && !holders.has(s.peerId))
  for (let shnum = 0; shnum < n; shnum++) {
    if (assignments.some(a => a.shnum === shnum)) continue
    const server = spare.shift() ?? map.asked.find(s => !map.unreachable.some(u => u.server === s))
    if (server != null) assignments.push({ server, shnum })
  }
  log('%s: version seqnum %d, %d bytes, %d share copies to write', siText(si), seqnum, data.length, assignments.length)
  const { placement, happiness } = await writeAll(cap, enc, assignments, spare, options, log)
  return { cap, keyPair, seqnum, placement, happiness }
}
