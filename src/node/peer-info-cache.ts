/**
 * Decoded peer infos for kad-dht's answers, kept beside the peer-record
 * cache (peer-record-cache.ts).
 *
 * kad-dht answers every FIND_NODE, GET_PROVIDERS and GET_VALUE by reading up
 * to 20 peers from the peer store one after another (`getClosestPeersOffline`
 * calls `peerStore.getInfo` for each): every read takes a lock, decodes the
 * record from protobuf, parses its addresses again and, through the record
 * cache, waits a turn of the event loop. In the 100-node grid under load,
 * perf put those reads at about a quarter of the nodes' JavaScript time, and
 * on a busy event loop twenty turns delay each answer by twenty loop
 * iterations, which is what made DHT walks miss their deadlines.
 *
 * Here a decoded answer is reused while the record cache still holds the
 * very record it was decoded from (records are replaced, never changed in
 * place, so identity says "unchanged"), and for at most `maxAgeMs` so that
 * addresses libp2p would now drop as too old are not handed out for long.
 * A peer the store is known not to hold is answered at once as well. Only
 * `getInfo` (kad-dht's sole use of it) and the not-found case of `get` are
 * served here; every other read and every write goes to the peer store as
 * before.
 */
import { NotFoundError } from '@libp2p/interface'
import type { AbortOptions, PeerId, PeerInfo, PeerStore } from '@libp2p/interface'
import type { PeerRecordCache } from './peer-record-cache.js'

export interface PeerInfoCacheOptions {
  /** How long a decoded answer may be reused (default 60 s). */
  maxAgeMs?: number
  /** Decoded answers kept at most (default 4096). */
  maxEntries?: number
}

interface Decoded {
  /** The stored record this was decoded from (compared by identity). */
  record: Uint8Array
  info: PeerInfo
  at: number
}

/** The peer store's key for a peer, as @libp2p/peer-store writes it. */
function recordKey (peerId: PeerId): string {
  return `/peers/${peerId.toCID().toString()}`
}

/**
 * Serves `peerStore.getInfo` from decoded copies (and `get` of a peer known
 * to be absent from a thrown NotFoundError) in place.
 */
export function cachePeerInfos (peerStore: PeerStore, records: PeerRecordCache, options: PeerInfoCacheOptions = {}): void {
  const maxAgeMs = options.maxAgeMs ?? 60_000
  const maxEntries = options.maxEntries ?? 4096
  const decoded = new Map<string, Decoded>()
  const getInfo = peerStore.getInfo.bind(peerStore)
  const get = peerStore.get.bind(peerStore)

  peerStore.getInfo = async (peerId: PeerId, opts?: AbortOptions): Promise<PeerInfo> => {
    const key = recordKey(peerId)
    const record = records.peek(key)
    if (record === 'absent') throw new NotFoundError(`no record for ${key}`)
    const hit = decoded.get(key)
    if (hit !== undefined && record !== undefined && hit.record === record && Date.now() - hit.at < maxAgeMs) {
      return hit.info
    }
    const info = await getInfo(peerId, opts)
    // only what was read from the record still held now may be reused
    if (record !== undefined && records.peek(key) === record) {
      decoded.delete(key)
      decoded.set(key, { record, info, at: Date.now() })
      if (decoded.size > maxEntries) decoded.delete(decoded.keys().next().value as string)
    } else {
      decoded.delete(key)
    }
    return info
  }

  peerStore.get = async (peerId: PeerId, opts?: AbortOptions) => {
    if (records.peek(recordKey(peerId)) === 'absent') throw new NotFoundError('peer not found')
    return await get(peerId, opts)
  }
}
