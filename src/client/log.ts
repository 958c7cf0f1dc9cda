/**
 * Loggers of the client layer, `lafs-club:client:<part>`, from the node's
 * own logger when the opener is a libp2p node. Storage indexes are logged
 * in base32 (never a cap: it holds the file's key).
 */
import { defaultLogger } from '@libp2p/logger'
import { base32Encode } from '../immutable/index.js'
import type { StreamOpener } from '../protocols/index.js'
import type { Logger } from '@libp2p/interface'

export function clientLogger (opener: StreamOpener, part: string): Logger {
  return (opener.logger ?? defaultLogger()).forComponent(`lafs-club:client:${part}`)
}

/** A storage index as logs show it. */
export function siText (storageIndex: Uint8Array): string {
  return base32Encode(storageIndex)
}

/** The tail of a peer ID, enough to tell servers apart in a log line or an error. */
export function shortPeer (peerId: string): string {
  return peerId.length > 12 ? `…${peerId.slice(-8)}` : peerId
}
