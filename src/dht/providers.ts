/**
 * Provider records for storage indexes.
 *
 * Key choice: CIDv1, raw codec, sha2-256 of (STORAGE_INDEX_CID_TAG ‖ storage index).
 * - deterministic: every server and downloader derives the same CID from the SI;
 * - distinct from normal IPFS content: kad-dht keys provider records by the
 *   multihash alone (the codec is dropped), so the separation must live in the
 *   hash input; the domain tag makes a collision with a real IPFS block need a
 *   block that is exactly "tag ‖ SI";
 * - it does not publish the SI itself: a DHT server sees only a hash of it.
 */
import { createHash } from 'node:crypto'
import { logger } from '@libp2p/logger'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import * as Digest from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { STORAGE_INDEX_CID_TAG, STORAGE_INDEX_LENGTH } from './constants.js'
import { InvalidStorageIndexError, NotFoundError, QueryBudgetExceededError } from './errors.js'
import { mapAbort, type DhtCallOptions } from './records.js'
import { whenRoutable } from './routable.js'
import type { PeerInfo } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'

const log = logger('lafs-club:dht:providers')

export function storageIndexToCid (storageIndex: Uint8Array): CID {
  if (!(storageIndex instanceof Uint8Array) || storageIndex.byteLength !== STORAGE_INDEX_LENGTH) {
    throw new InvalidStorageIndexError(`a storage index is ${STORAGE_INDEX_LENGTH} bytes, got ${storageIndex?.byteLength ?? typeof storageIndex}`)
  }
  const hash = createHash('sha256').update(STORAGE_INDEX_CID_TAG, 'utf8').update(storageIndex).digest()
  return CID.createV1(raw.code, Digest.create(sha256.code, new Uint8Array(hash)))
}

export interface ProvideResult {
  /** Peers that took our ADD_PROVIDER message. */
  accepted: number
}

/**
 * Announce this node as a provider of `storageIndex`. The record is also
 * written to the local datastore, and kad-dht's own reprovider keeps it alive
 * from there even if nothing else does.
 */
export async function provide (dht: KadDHT, storageIndex: Uint8Array, options: DhtCallOptions = {}): Promise<ProvideResult> {
  const cid = storageIndexToCid(storageIndex)
  let accepted = 0
  try {
    await whenRoutable(dht, options.signal)
    for await (const event of dht.provide(cid, { signal: options.signal, onProgress: options.onProgress as any })) {
      if (event.name === 'PEER_RESPONSE' && event.messageName === 'ADD_PROVIDER') accepted++
    }
  } catch (err) {
    log('provide %t: failed after %d peer(s) took it - %e', storageIndex, accepted, err)
    throw mapAbort(err, options.signal) ?? err
  }
  log('provide %t: %d peer(s) took the provider record', storageIndex, accepted)
  return { accepted }
}

export interface FindProvidersOptions extends DhtCallOptions {
  /**
   * Stop the query once it has sent this many RPCs. The RPC that crosses the
   * budget is cancelled while it is being written, but requests already in flight
   * from other paths may still count, so the total can end a few above the budget.
   */
  maxRpcs?: number
}

/**
 * Providers of `storageIndex`, each yielded once as it is found. Ends normally
 * when the query completes; throws QueryBudgetExceededError when the budget ran
 * out (after yielding whatever was found), QueryAbortedError when the caller's
 * signal fired.
 */
export async function * findProviders (dht: KadDHT, storageIndex: Uint8Array, options: FindProvidersOptions = {}): AsyncGenerator<PeerInfo> {
  const cid = storageIndexToCid(storageIndex)
  const budgetController = new AbortController()
  const signal = options.signal == null ? budgetController.signal : AbortSignal.any([options.signal, budgetController.signal])
  let sent = 0
  const onProgress = (event: Event): void => {
    if (event.type === 'kad-dht:query:send-query') {
      sent++
      if (options.maxRpcs != null && sent > options.maxRpcs && !budgetController.signal.aborted) {
        budgetController.abort(new QueryBudgetExceededError(sent, options.maxRpcs))
      }
    }
    options.onProgress?.(event)
  }
  const seen = new Set<string>()
  try {
    await whenRoutable(dht, signal)
    for await (const event of dht.findProviders(cid, { signal, onProgress: onProgress as any })) {
      if (event.name !== 'PROVIDER') continue
      for (const peer of event.providers) {
        const id = peer.id.toString()
        if (seen.has(id)) continue
        seen.add(id)
        log.trace('find providers of %t: %p after %d RPCs', storageIndex, peer.id, sent)
        yield peer
      }
    }
  } catch (err) {
    if (budgetController.signal.aborted && options.signal?.aborted !== true) {
      log('find providers of %t: budget of %d RPCs spent (%d sent), %d provider(s) found', storageIndex, options.maxRpcs, sent, seen.size)
      throw new QueryBudgetExceededError(sent, options.maxRpcs ?? 0)
    }
    log('find providers of %t: stopped after %d RPCs, %d provider(s) found - %e', storageIndex, sent, seen.size, err)
    throw mapAbort(err, options.signal) ?? err
  }
  // an abort can also end the stream quietly instead of throwing
  if (budgetController.signal.aborted && options.signal?.aborted !== true) {
    log('find providers of %t: budget of %d RPCs spent (%d sent), %d provider(s) found', storageIndex, options.maxRpcs, sent, seen.size)
    throw new QueryBudgetExceededError(sent, options.maxRpcs ?? 0)
  }
  const aborted = mapAbort(undefined, options.signal)
  if (aborted != null) {
    log('find providers of %t: aborted by the caller after %d RPCs', storageIndex, sent)
    throw aborted
  }
  log('find providers of %t: query ended after %d RPCs, %d provider(s) found', storageIndex, sent, seen.size)
}

/** Collects providers until `want` are found or the query ends; NotFoundError when none. */
export async function findProvidersList (dht: KadDHT, storageIndex: Uint8Array, options: FindProvidersOptions & { want?: number } = {}): Promise<PeerInfo[]> {
  const found: PeerInfo[] = []
  for await (const peer of findProviders(dht, storageIndex, options)) {
    found.push(peer)
    if (options.want != null && found.length >= options.want) break
  }
  if (found.length === 0) throw new NotFoundError('no DHT peer knows a provider for this storage index')
  return found
}
