/**
 * Reads and checks the URI extension block of one remote share: repair needs
 * the file's real segment size to regenerate byte-identical shares, and an
 * upload helper reads it to tell a client the UEB hash of a file stored already.
 */
import {
  HEADER_READ_SIZE, parseHeader, toVerifyCap, uebHash, validateUeb, type Cap, type ShareSource, type ValidatedUeb
} from '../immutable/index.js'
import { ClientError } from './errors.js'
import { RemoteShare } from './remote-share.js'
import type { ServerInfo, StorageClientPool } from './servers.js'

/** The UEB's bytes as the share holds them (unchecked: hash them against what you expect). */
export async function readUebBytes (source: ShareSource, n: number): Promise<Uint8Array> {
  const header = parseHeader(await source.read(0, HEADER_READ_SIZE), n)
  const lenBytes = await source.read(header.offsets.uriExtension, header.uebLengthSize)
  const view = new DataView(lenBytes.buffer, lenBytes.byteOffset, lenBytes.byteLength)
  const length = header.uebLengthSize === 4 ? view.getUint32(0) : Number(view.getBigUint64(0))
  if (length > 2000) throw new ClientError('ERR_BAD_SHARE', `share ${source.shnum}: URI extension block of ${length} bytes is corrupt`)
  return await source.read(header.offsets.uriExtension + header.uebLengthSize, length)
}

/** The UEB of share `shnum` on `server` (small reads on the pool's session). */
export async function fetchRemoteUeb (pool: StorageClientPool, server: ServerInfo, storageIndex: Uint8Array, shnum: number, n: number): Promise<Uint8Array> {
  return await readUebBytes(new RemoteShare(pool.get(server, 'small'), server.peerId, storageIndex, shnum), n)
}

export async function readShareUeb (cap: Cap, source: ShareSource): Promise<ValidatedUeb> {
  if (cap.kind === 'lit') throw new ClientError('ERR_LITERAL_CAP', 'a literal cap has no shares')
  const vc = toVerifyCap(cap)
  const ueb = await readUebBytes(source, vc.n)
  const h = uebHash(ueb)
  if (Buffer.compare(Buffer.from(h), Buffer.from(vc.uebHash)) !== 0) {
    throw new ClientError('ERR_BAD_SHARE', `share ${source.shnum}: URI extension block does not match the cap`)
  }
  return validateUeb(ueb, vc)
}
