/** What a folder reports about itself: the shapes `status()` answers. */

export interface FolderIntervals {
  /** Seconds between reads of the other participants' directories. */
  pollSeconds: number
  /** Seconds between full scans of the local folder (fs.watch only makes one come sooner). */
  scanSeconds: number
}

export interface FolderProblem {
  /** The file concerned; absent for the folder as a whole (the grid could not be reached…). */
  relpath?: string
  code: string
  message: string
  /** ms since the epoch, when last seen. */
  at: number
}

export interface FolderConflict {
  relpath: string
  participant: string
  /** The conflict copy, relative to the folder. */
  file: string
  at: number
}

export interface ParticipantStatus {
  name: string
  /** When a change of theirs was last seen (ms since the epoch), if ever. */
  lastChange?: number
  me: boolean
}

export interface MagicFolderStatus extends FolderIntervals {
  name: string
  localPath: string
  participant: string
  /** This node holds the collective's write cap (it created the folder and can invite). */
  admin: boolean
  running: boolean
  /** The local folder's filesystem ignores case (detected at start): remote names equal but for case are kept apart as conflict copies. */
  caseInsensitive?: boolean
  settleMs: number
  lastScan?: number
  nextScan?: number
  lastPoll?: number
  nextPoll?: number
  /** Local changes found by the last scan and not uploaded yet (or waiting to settle). */
  queuedUploads: number
  /** Remote versions found by the poll in progress and not dealt with yet. */
  queuedDownloads: number
  /** Snapshots of local changes made and recorded, across restarts. */
  uploads: number
  deletionsSent: number
  /** Remote versions placed into the local folder, across restarts. */
  downloads: number
  deletionsApplied: number
  participants: ParticipantStatus[]
  conflicts: FolderConflict[]
  errors: FolderProblem[]
}
