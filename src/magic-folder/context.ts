/** What the upload and download steps of one folder share. */
import type { MagicGrid } from './grid.js'
import type { History } from './history.js'
import type { FolderState } from './state.js'

export interface SyncContext {
  grid: MagicGrid
  state: FolderState
  history: History
  /** The local folder (absolute). */
  root: string
  /** This node's participant name (author of its snapshots). */
  participant: string
  /** Our personal directory's write cap. */
  personalCap: string
  /** The local folder's filesystem ignores case (detected at start): names equal but for case are kept apart. */
  caseInsensitive?: boolean
  signal: AbortSignal
  /** Reports a problem against a file without failing the step (it stays in the status until the file syncs cleanly). */
  onProblem?: (relpath: string, err: Error) => void
  log: (fmt: string, ...args: unknown[]) => void
}
