/**
 * Checker ("verify") mode, as Tahoe's immutable Checker with verify=True:
 * every block of every given share against its block hash tree, the chain,
 * the UEB, and the crypttext hash tree's internal consistency — without the
 * key and without decrypting.
 */
import { logger } from '@libp2p/logger'
import { toCap, toVerifyCap, type Cap } from './caps.js'
import { BadShareError, type ShareCheck } from './errors.js'
import { blockHash, bytesEqual } from './hashes.js'
import { buildTree, emptyLeafHash, internalNodeHash } from './merkle.js'
import { ShareReader, type ShareSource } from './share-reader.js'
import { checkAborted, fileContext, fileLabel } from './share-set.js'

const log = logger('lafs-club:immutable:verifier')

export interface ShareVerification {
  shnum: number
  source: ShareSource
  ok: boolean
  check?: ShareCheck
  error?: Error
}

/** Every internal node of a whole stored tree is the hash of its children, and padding leaves are the empty-leaf hashes. */
function verifyFullTree (stored: Uint8Array[], leafCount: number): boolean {
  const p = (stored.length + 1) / 2
  for (let j = leafCount; j < p; j++) if (!bytesEqual(stored[p - 1 + j], emptyLeafHash(j))) return false
  for (let i = 0; i < p - 1; i++) if (!bytesEqual(stored[i], internalNodeHash(stored[2 * i + 1], stored[2 * i + 2]))) return false
  return true
}

/** Checks each given share whole; a share that fails says which check, anything else (an abort) throws. */
export async function verifyShares (capIn: string | Cap, sources: Iterable<ShareSource>, opts: { signal?: AbortSignal } = {}): Promise<ShareVerification[]> {
  const parsed = toCap(capIn)
  if (parsed.kind === 'lit') return []
  const cap = toVerifyCap(parsed)
  const file = fileContext(cap)
  const label = fileLabel(cap)
  const verifyOne = async (source: ShareSource): Promise<ShareVerification> => {
    const r = new ShareReader(source, file)
    try {
      await r.open()
      const ueb = r.ueb
      const p = ueb.params
      const cht = await r.readTreeRegion('crypttextHashTree')
      if (!bytesEqual(cht[0], ueb.crypttextRootHash) || !verifyFullTree(cht, p.numSegments)) {
        throw new BadShareError('crypttext-hash', 'the crypttext hash tree is not consistent with the root in the UEB')
      }
      const hashes: Uint8Array[] = []
      for (let i = 0; i < p.numSegments; i++) {
        checkAborted(opts.signal)
        hashes.push(blockHash(await r.readRawBlock(i)))
      }
      const computed = buildTree(hashes)
      if (!bytesEqual(computed[0], r.blockTreeRoot)) throw new BadShareError('block-hash', 'the blocks do not hash to the block hash tree root in the share hash chain')
      const stored = await r.readTreeRegion('blockHashTree')
      const wrong = stored.findIndex((h, j) => !bytesEqual(h, computed[j]))
      if (wrong >= 0) throw new BadShareError('block-hash', `block hash tree node ${wrong} is wrong`)
      log('%s: share %d verified', label, source.shnum)
      return { shnum: source.shnum, source, ok: true }
    } catch (err) {
      if (!(err instanceof BadShareError)) throw err
      log.error('%s: share %d is bad (%s): %s', label, source.shnum, err.check, err.message)
      return { shnum: source.shnum, source, ok: false, check: err.check, error: err }
    }
  }
  const list = [...sources]
  log('%s: verifying %d shares', label, list.length)
  const out: ShareVerification[] = []
  // The first share settles the UEB; the rest can then go in parallel.
  if (list.length > 0) out.push(await verifyOne(list[0]))
  out.push(...await Promise.all(list.slice(1).map(verifyOne)))
  return out
}
