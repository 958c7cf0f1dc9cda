/**
 * Servermap update, as Tahoe's: which versions of a mutable file live on
 * which servers. Every server is asked once, in parallel, for the first
 * PREFIX_READ bytes of each share it holds of the slot (one slot read per
 * server: the whole update is one round trip). Those bytes hold the header,
 * verification key and signature in both layouts (and the encrypted private
 * key for MDMF), so each share's signature is verified here; a share failing
 * is recorded as bad and never counted.
 */
import {
  BadMutableShareError, checkstringOf, fingerprintHash, importMutablePublicKey, parseShareHeader, verifyMutableSignature,
  type MutableCap, type ParsedHeader, type SignedPrefix
} from '../../mutable/index.js'
import { type StreamOpener } from '../../protocols/index.js'
import { permute } from '../../routing/index.js'
import { clientLogger, shortPeer, siText } from '../log.js'
import { type StorageClientPool, type ServerInfo } from '../servers.js'
import type { KeyObject } from 'node:crypto'

/** Bytes read from the start of every share: past MDMF's fixed data offset (2167), and a whole small SDMF share. */
export const PREFIX_READ = 4000

/** Counts what an operation cost on the network: a round trip is one wave of parallel requests. */
export interface MutableStats {
  roundTrips: number
  requests: number
}

export function newStats (): MutableStats {
  return { roundTrips: 0, requests: 0 }
}

export interface MapShare {
  server: ServerInfo
  shnum: number
  header: ParsedHeader
  /** The first PREFIX_READ bytes of the share (all of it when shorter). */
  prefixBytes: Uint8Array
  /** What a writer's test vector must find on this share to replace it. */
  checkstring: Uint8Array
}

export interface MapVersion {
  /** Hex of the signed prefix: shares with the same key are the same version. */
  key: string
  prefix: SignedPrefix
  seqnum: bigint
  shares: MapShare[]
  /** Distinct share numbers held. */
  distinctShares: number
  recoverable: boolean
}

export interface Servermap {
  storageIndex: Uint8Array
  /** Every share with a good signature. */
  shares: MapShare[]
  /** Newest first (seqnum, then root hash). */
  versions: MapVersion[]
  /** The newest version with at least k distinct shares. */
  best?: MapVersion
  /** Highest seqnum seen on any good share (0 when none). */
  highestSeqnum: bigint
  bad: Array<{ server: ServerInfo, shnum: number, error: BadMutableShareError }>
  /** Servers that answered and hold no share of the slot. */
  empty: ServerInfo[]
  unreachable: Array<{ server: ServerInfo, error: Error }>
  /** The servers asked, in permuted-ring order for the storage index. */
  asked: ServerInfo[]
}

export interface ServermapOptions {
  servers: readonly ServerInfo[]
  pool: StorageClientPool
  stats?: MutableStats
  signal?: AbortSignal
  /** Bytes read from each share (default PREFIX_READ). Less is enough to learn an SDMF file's version (its key and signature follow the header), not to retrieve it. */
  prefixBytes?: number
}

function checkShare (cap: MutableCap, shnum: number, bytes: Uint8Array, keys: Map<string, KeyObject>): ParsedHeader {
  const header = parseShareHeader(bytes, shnum)
  const f = header.fields
  const end = Math.max(f.verificationKey[1], f.signature[1])
  if (bytes.length < end) throw new BadMutableShareError('layout', shnum, `the key and signature end at ${end}, past the share (${bytes.length} bytes read)`)
  const vk = bytes.subarray(f.verificationKey[0], f.verificationKey[1])
  const id = Buffer.from(vk).toString('hex')
  let key = keys.get(id)
  if (key == null) {
    if (!Buffer.from(fingerprintHash(vk)).equals(cap.fingerprint)) {
      throw new BadMutableShareError('verification-key', shnum, 'the verification key does not hash to the cap\'s fingerprint')
    }
    key = importMutablePublicKey(vk)
    keys.set(id, key)
  }
  if (!verifyMutableSignature(key, header.signedBytes, bytes.subarray(f.signature[0], f.signature[1]))) {
    throw new BadMutableShareError('signature', shnum, 'the signature over the signed prefix does not verify')
  }
  return header
}

export function compareSignedPrefix (a: SignedPrefix, b: SignedPrefix): number {
  if (a.seqnum !== b.seqnum) return a.seqnum > b.seqnum ? -1 : 1
  return Buffer.compare(b.rootHash, a.rootHash)
}

export async function updateServermap (opener: StreamOpener, cap: MutableCap, options: ServermapOptions): Promise<Servermap> {
  const si = cap.storageIndex
  const log = clientLogger(opener, 'mutable-servermap')
  const asked = permute(si, options.servers)
  const map: Servermap = { storageIndex: si, shares: [], versions: [], highestSeqnum: 0n, bad: [], empty: [], unreachable: [], asked }
  const keys = new Map<string, KeyObject>()
  if (options.stats != null) options.stats.roundTrips++
  await Promise.all(asked.map(async server => {
    let answer: Map<number, Uint8Array[]>
    try {
      options.signal?.throwIfAborted()
      if (options.stats != null) options.stats.requests++
      answer = await options.pool.get(server, 'small').slotRead(si, [], [{ offset: 0, size: options.prefixBytes ?? PREFIX_READ }])
    } catch (err) {
      map.unreachable.push({ server, error: err as Error })
      return
    }
    if (answer.size === 0) { map.empty.push(server); return }
    for (const [shnum, [bytes]] of answer) {
      try {
        const header = checkShare(cap, shnum, bytes ?? new Uint8Array(0), keys)
        map.shares.push({ server, shnum, header, prefixBytes: bytes, checkstring: checkstringOf(header.prefix) })
      } catch (err) {
        if (!(err instanceof BadMutableShareError)) throw err
        map.bad.push({ server, shnum, error: err })
      }
    }
  }))
  options.signal?.throwIfAborted()
  const groups = new Map<string, MapVersion>()
  for (const s of map.shares) {
    const key = Buffer.from(s.header.signedBytes).toString('hex')
    let v = groups.get(key)
    if (v == null) groups.set(key, v = { key, prefix: s.header.prefix, seqnum: s.header.prefix.seqnum, shares: [], distinctShares: 0, recoverable: false })
    v.shares.push(s)
    if (s.header.prefix.seqnum > map.highestSeqnum) map.highestSeqnum = s.header.prefix.seqnum
  }
  map.versions = [...groups.values()].sort((a, b) => compareSignedPrefix(a.prefix, b.prefix))
  for (const v of map.versions) {
    v.distinctShares = new Set(v.shares.map(s => s.shnum)).size
    v.recoverable = v.distinctShares >= v.prefix.k
  }
  map.best = map.versions.find(v => v.recoverable)
  log('%s: %d server(s) asked, %d share(s) in %d version(s)%s, %d bad, %d unreachable', siText(si), asked.length, map.shares.length,
    map.versions.length, map.best != null ? `, best seqnum ${map.best.seqnum} with ${map.best.distinctShares} of ${map.best.prefix.n}` : ', none recoverable',
    map.bad.length, map.unreachable.length)
  for (const b of map.bad) log('%s: share %d on %s is bad: %s', siText(si), b.shnum, shortPeer(b.server.peerId), b.error.message)
  return map
}
