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
  signal: AbortSignal
  log: (fmt: string, ...args: unknown[]) => void
}
