/**
 * What a magic folder tells whoever listens: the moments a person would want
 * to see (a scan, a poll, a file going up or coming down with its bytes, a
 * conflict, a problem with its file, a participant's change, new intervals).
 * Every folder dispatches them on its own `events`; `MagicFolders.events`
 * carries those of all its folders. Payloads hold names, paths and counts,
 * never a cap: the gateway sends them to the status page as they are.
 */
import { TypedEventEmitter } from '@libp2p/interface'
import type { RemoteOutcome } from './downloader.js'

export interface Base {
  /** The folder's local name. */
  folder: string
  /** When it happened, ms since the epoch. */
  at: number
}

export type ScanStarted = Base
export interface ScanFinished extends Base {
  startedAt: number
  /** Local changes found and due for upload (settled). */
  queued: number
  /** When the next scan is due (ms since the epoch). */
  nextScan: number
}
export type PollStarted = Base
export interface PollFinished extends Base {
  startedAt: number
  /** The collective could be read (else an `error` event says why). */
  ok: boolean
  participants: string[]
  nextPoll: number
}
export interface FileEvent extends Base {
  /** NFC, '/'-separated, relative to the folder. */
  relpath: string
}
export interface UploadEvent extends FileEvent {
  /** A change of the file's content, or its deletion. */
  kind: 'change' | 'deletion'
  /** Bytes to send (0 for a deletion). */
  size: number
}
export interface DownloadEvent extends FileEvent {
  /** Whose version it is. */
  participant: string
}
export interface DownloadStarted extends DownloadEvent { size: number }
export interface DownloadDone extends DownloadEvent {
  /** What became of it: `created`/`updated`/`deleted` changed the local file, `conflict` wrote a copy next to it, the rest changed nothing. */
  outcome: RemoteOutcome
}
export interface Progress extends FileEvent {
  bytesDone: number
  bytesTotal: number
}
export interface Failed extends FileEvent { code: string, message: string }
export interface ConflictEvent extends FileEvent {
  participant: string
  /** The conflict copy, relative to the folder. */
  file: string
}
export interface ErrorEvent extends Base {
  /** The file concerned; absent for the folder as a whole. */
  relpath?: string
  code: string
  message: string
}
export interface ParticipantChanged extends FileEvent { participant: string }
export interface IntervalsChanged extends Base {
  pollSeconds: number
  scanSeconds: number
  nextPoll: number
  nextScan: number
}
export interface FolderAdded extends Base { localPath: string }
export type FolderRemoved = Base

/** Event name → payload (`event.detail`). The names are also the gateway's SSE event names. */
export interface MagicFolderEventDetails {
  'folder-added': FolderAdded
  'folder-removed': FolderRemoved
  'scan-started': ScanStarted
  'scan-finished': ScanFinished
  'poll-started': PollStarted
  'poll-finished': PollFinished
  'upload-queued': UploadEvent
  'upload-started': UploadEvent
  'upload-progress': Progress
  /** The snapshot is stored and published in our personal directory: the others see it at their next poll. */
  'upload-done': UploadEvent
  'upload-failed': Failed
  'download-queued': DownloadEvent
  'download-started': DownloadStarted
  'download-progress': Progress & { participant: string }
  'download-done': DownloadDone
  'download-failed': Failed & { participant: string }
  conflict: ConflictEvent
  error: ErrorEvent
  'participant-changed': ParticipantChanged
  'intervals-changed': IntervalsChanged
}

export type MagicFolderEventName = keyof MagicFolderEventDetails
export type MagicFolderEvents = { [K in MagicFolderEventName]: CustomEvent<MagicFolderEventDetails[K]> }

export const MAGIC_FOLDER_EVENT_NAMES: readonly MagicFolderEventName[] = [
  'folder-added', 'folder-removed', 'scan-started', 'scan-finished', 'poll-started', 'poll-finished',
  'upload-queued', 'upload-started', 'upload-progress', 'upload-done', 'upload-failed',
  'download-queued', 'download-started', 'download-progress', 'download-done', 'download-failed',
  'conflict', 'error', 'participant-changed', 'intervals-changed'
]

export class MagicFolderEmitter extends TypedEventEmitter<MagicFolderEvents> {
  /** Dispatches one event (nothing is built when nobody listens). */
  emit<K extends MagicFolderEventName>(name: K, detail: MagicFolderEventDetails[K]): void {
    if (this.listenerCount(name) === 0) return
    this.safeDispatchEvent(name, { detail })
  }
}

/** At most one progress event per file this often (plus the last); a big file would send thousands otherwise. */
export const PROGRESS_INTERVAL_MS = 250

/** Counts bytes as a stream is consumed and reports them at most every PROGRESS_INTERVAL_MS, and once at the end. */
export async function * counted (source: AsyncIterable<Uint8Array>, report: (bytesDone: number) => void): AsyncGenerator<Uint8Array> {
  let done = 0
  let last = 0
  for await (const chunk of source) {
    done += chunk.byteLength
    const now = Date.now()
    if (now - last >= PROGRESS_INTERVAL_MS) {
      last = now
      report(done)
    }
    yield chunk
  }
  report(done)
}
