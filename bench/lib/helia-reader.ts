/**
 * The Helia side of the download comparison that is timed: a second stock
 * Helia 7 node on loopback, in the measuring process (where our client also
 * runs), dialled to the provider and reading the file with @helia/unixfs
 * `cat`, i.e. bitswap. Bytes are SHA-256 checked as they stream, as ours are.
 * One reader per read: a Helia node that fetched a CID once and dropped
 * the blocks (helia.gc) does not get them from the same provider again (its
 * want is never answered), so every timed read gets a fresh node, started
 * and connected before the clock starts.
 */
import { setMaxListeners } from 'node:events'
import { CID } from 'multiformats/cid'
import { startLoopbackHelia } from '../../interop/lib/loopback-helia.js'
import { HELIA_BENCH_DHT } from './helia-provider.js'
import { consume } from './transfer-ops.js'

/**
 * The signal of one whole `cat`. Helia adds a listener to it for each block
 * in flight and removes it when the block arrives: more than ten at once is
 * how bitswap works, not a leak, so Node's warning would only be noise.
 */
function catSignal (timeoutMs: number): AbortSignal {
  const signal = AbortSignal.timeout(timeoutMs)
  setMaxListeners(Infinity, signal)
  return signal
}

export interface HeliaReader {
  /**
   * Streams the file (throws after timeoutMs) and returns its size-and-sha256
   * check, already run unless `checkLater` (see transfer-ops.ts consume()).
   */
  cat: (cid: string, size: number, sha256: string, timeoutMs: number, checkLater?: boolean) => Promise<() => void>
  stop: () => Promise<void>
}

/** Dials every provider given (the shaped-link bench: ten of them, from a namespace's `listen` address). */
export async function startHeliaReader (providerAddr: string | string[], listen?: string): Promise<HeliaReader> {
  const { unixfs } = await import('@helia/unixfs')
  const peers = typeof providerAddr === 'string' ? [providerAddr] : providerAddr
  const node = await startLoopbackHelia({ dhtProtocol: HELIA_BENCH_DHT, peers, ...(listen !== undefined ? { listen: [listen] } : {}) })
  const fs = unixfs(node.helia)
  return {
    cat: async (cid, size, sha256, timeoutMs, checkLater = false) =>
      await consume(fs.cat(CID.parse(cid), { signal: catSignal(timeoutMs) }), { size, sha256 }, 'Helia cat', checkLater),
    stop: node.stop
  }
}
