/**
 * The node: `createNode` builds one lafs-club node from a data folder and
 * answers a `LafsNode`, the one door through which the CLI, the gateway and
 * embedding applications reach everything below.
 */
export { createNode, type CreateNodeOptions } from './create-node.js'
export type {
  LafsNode, FilesApi, ClubsApi, AccountsApi, AdminApi, RepairApi, TorApi, PutOptions, PutResult, GetOptions, CheckOptions, NodeLocateOptions,
  DownloadExplain, HolderRanking, CreateClubInput, CreateMutableOptions, MutableCreated, MutableWritten, MutableWriteOptions, MutableModifier
} from './api.js'
export type {
  DirsApi, DirOptions, MkdirOptions, DirCreated, DirChild, DirChildType, DirListing, DirNodeInfo, DirLinkTarget, LinkOptions, PutFileOptions,
  PutFileResult, MoveOptions, ReplaceMode, DirFormatName
} from './dirs-api.js'
export { MAGIC_FOLDER_EVENT_NAMES } from './magic-folders-api.js'
export type {
  MagicFoldersApi, MagicFolderStatus, FolderIntervals, CreateFolderOptions, FolderOptions, MagicFolderEvents, MagicFolderEventDetails, MagicFolderEventName,
  FileVersion, RestoreResult
} from './magic-folders-api.js'
export type * from './shapes.js'
export type { KeptFile, FileCheckEvent, RepairLogEntry, RepairPassReport, RepairStats } from './self-repair-types.js'
// Directory caps and Tahoe's `?t=json` text, for the gateway's /uri/<dircap> routes.
export { isDirCapString, fileJson, tahoeJsonText, type NodeJson, type JsonObject, type JsonValue } from '../dirnode/index.js'
export type { CheckReport, MutableCheckReport } from '../client/index.js'
export { UncoordinatedWriteError, WriteEnablerRefusedError, ModifyRetriesExhaustedError } from '../client/index.js'
export { isMutableCapString } from '../mutable/index.js'
// Caps are what goes in and out of the door: callers parse them before they ask (a literal cap needs no node).
export { parseHintedCap, storageIndexOf, base32Encode, formatCap, LIT_SIZE_THRESHOLD, type Cap } from '../immutable/index.js'
export { parseHintedDirCap, formatDirCap, toReadOnlyDirCap } from '../dirnode/index.js'
export type { LocateExplain, LocateResult, LocatedServer, WayEstimate, WayRun } from '../routing/index.js'
export type { Roster, RosterServer, SignedRoster } from '../club/index.js'
export type { BootstrapReport } from './bootstrap.js'
export type { LafsLibp2p, NetworkProfile } from './libp2p.js'
// NAT and relays: what to give out, how this node is reachable, the relay policy.
export { addressesToAdvertise, pickAdvertised, type Reachability, type ConnectionKind } from './reachability.js'
export { relayPolicy } from './libp2p.js'
export { RelayPolicyUnsupportedError, DEFAULT_RELAY_DATA_LIMIT, DEFAULT_RELAY_DURATION_SECONDS, type RelayPolicy } from './relay-policy.js'

// Setting up and finding a data folder (what `lafs-club init` and the CLI's daemon lookup need).
export { initDataDir, type InitOptions, type InitResult } from './data-dir.js'
export { dataDirPaths, type DataDirPaths } from './paths.js'
export { readIdentity } from './identity.js'
export { apiTokenPath, loadOrCreateApiToken, newApiToken, readApiToken, API_TOKEN_FILE } from './api-token.js'
export {
  DEFAULT_CONFIG, IPFS_BOOTSTRAP_PEERS, IPFS_DHT_PROTOCOL, defaultConfig, mergeConfig, parseSize,
  type NodeConfig, type ConfigInput, type ClientConfig, type GatewayConfig, type StorageConfig
} from './config.js'
export { loadConfigFile } from './config-file.js'
export type { TorConfig } from './config-types.js'
export { torEnabled } from './tor-config.js'
export { parseDuration } from './duration.js'

// Running a node as a program.
export { installProcessHandlers, type ProcessHandlerOptions } from './process.js'
export { tuneProcess, HEAP_GROWING_PERCENT, type ProcessTuning } from './process-tuning.js'
export { defaultLogger, silentLogger, consoleLogger, type NodeLogger } from './log.js'
export * from './errors.js'
