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
import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import { startLoopbackHelia } from '../../interop/lib/loopback-helia.js'
import { HELIA_BENCH_DHT } from './helia-provider.js'

export interface HeliaReader {
  /** Streams the file to a hash; throws unless size and sha256 match, or after timeoutMs. */
  cat: (cid: string, size: number, sha256: string, timeoutMs: number) => Promise<void>
  stop: () => Promise<void>
}

export async function startHeliaReader (providerAddr: string): Promise<HeliaReader> {
  const { unixfs } = await import('@helia/unixfs')
  const node = await startLoopbackHelia({ dhtProtocol: HELIA_BENCH_DHT, peers: [providerAddr] })
  const fs = unixfs(node.helia)
  return {
    cat: async (cid, size, sha256, timeoutMs) => {
      const hash = createHash('sha256')
      let got = 0
      for await (const chunk of fs.cat(CID.parse(cid), { signal: AbortSignal.timeout(timeoutMs) })) {
        hash.update(chunk)
        got += chunk.byteLength
      }
      if (got !== size) throw new Error(`Helia cat returned ${got} of ${size} bytes`)
      if (hash.digest('hex') !== sha256) throw new Error('Helia cat returned different bytes (sha256 mismatch)')
    },
    stop: node.stop
  }
}
