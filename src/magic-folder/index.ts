/**
 * Magic folders: local folders kept in sync between participants through
 * snapshots in their personal directories (see README.md for the model).
 * The network comes in through `MagicGrid`, which the node layer provides.
 */
export { MagicFolders, DEFAULT_POLL_SECONDS, DEFAULT_SCAN_SECONDS, DEFAULT_SETTLE_MS, type MagicFoldersDeps, type FolderOptions, type CreateFolderOptions, type GridWhere } from './manager.js'
export type { MagicGrid, GridChild } from './grid.js'
export type { MagicFolderStatus, FolderIntervals, FolderProblem, FolderConflict, ParticipantStatus } from './status.js'
export type { FolderConfig } from './folder.js'
export { MagicFolderEmitter, MAGIC_FOLDER_EVENT_NAMES, type MagicFolderEvents, type MagicFolderEventDetails, type MagicFolderEventName } from './events.js'
export { mangle, unmangle, conflictName, isConflictName, checkRelpath, METADATA_NAME, TMP_DIR } from './magicpath.js'
export { encodeInvite, decodeInvite, INVITE_PREFIX, type InviteContents } from './invite.js'
export { readSnapshot, writeSnapshot, SNAPSHOT_VERSION, type SnapshotInfo } from './snapshot.js'
export * from './errors.js'
export { detectCaseInsensitive, foldPath, type CaseCheck } from './casefold.js'
export type { FileVersion, RestoreResult } from './restore.js'
