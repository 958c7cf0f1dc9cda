/**
 * Directories in Tahoe-LAFS's dirnode format: caps, entry packing (with
 * encrypted child write caps), the in-memory Directory model, and the
 * web API's JSON. Knows no network: the bytes go into a mutable file
 * (URI:DIR2:, URI:DIR2-MDMF:) or an immutable one (URI:DIR2-CHK:,
 * URI:DIR2-LIT:) through the client layer.
 */
export * from './errors.js'
export {
  parseDirCap, parseHintedDirCap, formatDirCap, isDirCapString, dirCapOfFile, fileCapString, toReadOnlyDirCap, toDirVerifyCap,
  isWritableDirCap, isMutableDirCap, dirStorageIndex, dirWritekey,
  type DirFormat, type DirCap, type DirReadableCap, type DirVerifyCap, type HintedDirCap, type MutableDirWriteCap,
  type MutableDirReadCap, type MutableDirVerifyCap, type ImmutableDirCap, type ImmutableDirVerifyCap, type LiteralDirCap
} from './caps.js'
export { normalizeName, checkChildName, compareNames } from './names.js'
export { childFromCaps, readOnlyChild, allowedInImmutable, type ChildNode, type ChildType, type FileFormat } from './child.js'
export {
  RWCAP_TAGS, RWCAP_SALT_LENGTH, RWCAP_MAC_LENGTH, rwcapSalt, rwcapKey, tahoeHmac, encryptRwCap, decryptRwCap, rwCapMacValid
} from './rwcap.js'
export { FLOAT_KEYS, pythonFloatRepr, pythonJsonString, pythonJsonDumps, type JsonValue, type JsonObject } from './pyjson.js'
export {
  packEntry, packChildren, unpackChildren, splitNetstrings, type DirEntry, type StoredEntry, type PackOptions, type UnpackOptions
} from './pack.js'
export {
  Directory, updateMetadata, directoryModifier, newMutableDirectoryBytes, newImmutableDirectoryBytes,
  type ChildCaps, type SetChildOptions, type DeleteOptions, type OpenOptions, type NewChild
} from './directory.js'
export {
  childJson, directoryJson, fileJson, tahoeJsonText, type NodeJson, type ListingOptions, type FileJsonOptions
} from './webjson.js'
export {
  splitPath, readableDirCap, openDirectory, entryDirCap, walk, walkToParent, changeDirectory, createDirectory, ensureDirectory,
  type DirFileStore
} from './tree.js'
