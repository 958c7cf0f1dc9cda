/**
 * Which file a grid call belongs to, so its bytes are reported as that
 * file's progress. Transfers run a few at a time, so the file is carried by
 * AsyncLocalStorage through each transfer's awaits rather than kept in one
 * field. Only file contents are counted (snapshots and metadata are small).
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { counted, type MagicFolderEventDetails, type MagicFolderEventName } from './events.js'
import type { MagicGrid } from './grid.js'

export interface Transfer {
  relpath: string
  /** Set for a download: whose version it is. */
  participant?: string
  /** A download's snapshot (its size is read from there). */
  snapshotCap?: string
  size: number
}

export type Emit = <K extends MagicFolderEventName>(name: K, detail: Omit<MagicFolderEventDetails[K], 'folder' | 'at'>) => void

export class TransferObserver {
  private readonly current = new AsyncLocalStorage<Transfer>()

  constructor (private readonly emit: Emit, private readonly snapshotSize: (snapshotCap: string) => Promise<number>) {}

  /** Runs one file's transfer; the grid calls inside it report progress against that file. */
  async run<T> (transfer: Transfer, fn: () => Promise<T>): Promise<T> {
    return await this.current.run(transfer, fn)
  }

  /** The grid with file contents counted. */
  wrap (grid: MagicGrid): MagicGrid {
    return {
      ...grid,
      upload: async (data, signal) => {
        const cur = this.current.getStore()
        if (cur === undefined || cur.participant !== undefined) return await grid.upload(data, signal)
        if (data instanceof Uint8Array) {
          const cap = await grid.upload(data, signal)
          // A small file goes up whole (uploader.ts): one progress event once it is sent. Its metadata, sent
          // beside it, is told apart by size; one of the same size only repeats the final count.
          if (data.byteLength === cur.size) this.emit('upload-progress', { relpath: cur.relpath, bytesDone: cur.size, bytesTotal: cur.size })
          return cap
        }
        return await grid.upload(counted(data, bytesDone => { this.emit('upload-progress', { relpath: cur.relpath, bytesDone, bytesTotal: cur.size }) }), signal)
      },
      cat: (cap, signal) => this.download(grid, cap, signal)
    }
  }

  private async * download (grid: MagicGrid, cap: string, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const cur = this.current.getStore()
    if (cur?.participant === undefined || cur.snapshotCap === undefined) { yield * grid.cat(cap, signal); return }
    const participant = cur.participant
    // Already read (and cached) by the downloader before it asks for the content.
    cur.size = await this.snapshotSize(cur.snapshotCap)
    this.emit('download-started', { relpath: cur.relpath, participant, size: cur.size })
    yield * counted(grid.cat(cap, signal), bytesDone => { this.emit('download-progress', { relpath: cur.relpath, participant, bytesDone, bytesTotal: cur.size }) })
  }
}
