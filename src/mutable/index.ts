/**
 * Mutable files in Tahoe-LAFS's formats (SDMF and MDMF): RSA keys, caps,
 * share layouts, the encoder and the verifying decoder. Knows no network.
 */
export * from './errors.js'
export {
  MUTABLE_TAGS, KEY_LENGTH, HASH_LENGTH, SALT_LENGTH, writekeyHash, readkeyHash, mutableStorageIndexHash, fingerprintHash,
  dataKeyHash, writeEnablerMasterHash, writeEnablerHash
} from './hashes.js'
export {
  RSA_KEY_BITS, RSA_PUBLIC_EXPONENT, PSS_SALT_LENGTH, generateMutableKeyPair, importMutablePrivateKey, importMutablePublicKey,
  exportMutablePrivateKeyPem, signMutable, verifyMutableSignature, aesCtr, encryptPrivateKey, decryptPrivateKey,
  type MutableKeyPair
} from './keys.js'
export {
  writeCapFromKey, readCapFromKey, writeCapFromKeyPair, toReadCap, toMutableVerifyCap, isMutableCapString, parseMutableCap,
  parseHintedMutableCap, formatMutableCap, capStrings, mutableCapsFromKey,
  type MutableFormat, type MutableWriteCap, type MutableReadCap, type MutableVerifyCap, type MutableCap, type HintedMutableCap,
  type MutableCapStrings
} from './caps.js'
export {
  SDMF_VERSION, MDMF_VERSION, SDMF_SIGNED_PREFIX_LENGTH, SDMF_HEADER_LENGTH, MDMF_SIGNED_PREFIX_LENGTH, MDMF_HEADER_LENGTH,
  HEADER_READ_SIZE, SDMF_CHECKSTRING_LENGTH, MDMF_CHECKSTRING_LENGTH, MDMF_RESERVED, MDMF_SHARE_DATA_OFFSET, DEFAULT_MDMF_SEGMENT_SIZE,
  geometry, packSignedPrefix, checkstringOf, parseShareHeader, packShareHashChain, parseShareHashChain, assembleShare, blockRange,
  sameVersion, type ShareVersion, type SignedPrefix, type ShareFields, type ParsedHeader, type Geometry, type SharePieces
} from './layout.js'
export { encodeMutable, type EncodeMutableOptions, type EncodedMutable } from './encoder.js'
export {
  mutableShareSourceFromBytes, openShare, readVerifiedBlock, openVersions, readMutable, decodeMutable, verifyMutableShares,
  extractPrivateKey, type MutableShareSource, type OpenedShare, type DecodedMutable, type ReadMutableOptions,
  type MutableShareVerification
} from './decoder.js'
