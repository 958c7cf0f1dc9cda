/**
 * lafs-club: a peer-to-peer, least-authority file store on js-libp2p.
 *
 * The package's main entry. Applications embed a node with `createNode`
 * (like Helia's `createHelia`); outside checks call the interop surface
 * (`zfecEncode`, `zfecDecode`, `encodeImmutable`, `decodeImmutable`,
 * `mutableCapsFromKey`, `encodeMutable`, `decodeMutable`), whose
 * signatures are kept stable.
 */
import './shim.js'

export { zfecEncode, zfecDecode } from './erasure/index.js'
export {
  encodeImmutable, decodeImmutable, parseCap, parseHintedCap, formatCap, toVerifyCap, storageIndexOf,
  type EncodeImmutableOptions, type EncodedImmutable, type Cap
} from './immutable/index.js'
export {
  mutableCapsFromKey, parseMutableCap, parseHintedMutableCap, formatMutableCap, generateMutableKeyPair, importMutablePrivateKey,
  writeCapFromKeyPair, capStrings, encodeMutable, decodeMutable,
  type MutableCap, type MutableFormat, type MutableCapStrings, type MutableKeyPair, type EncodeMutableOptions, type EncodedMutable,
  type DecodedMutable
} from './mutable/index.js'
export {
  createNode, initDataDir, tuneProcess, type ProcessTuning, type CreateNodeOptions, type LafsNode, type FilesApi, type ClubsApi, type AccountsApi, type AdminApi,
  type PutOptions, type PutResult, type GetOptions, type CheckOptions, type CheckReport, type NodeLocateOptions, type DownloadExplain,
  type NodeConfig, type ConfigInput, type NodeSnapshot, type ClubStatus
} from './node/index.js'
export type { LocateExplain, LocateResult, LocatedServer } from './routing/index.js'
export type { Roster, RosterServer } from './club/index.js'
