/** Progress events of uploads and downloads, for bars and status pages. */
export interface TransferProgress {
  phase: 'hashing' | 'placing' | 'uploading' | 'locating' | 'downloading' | 'repairing' | 'done'
  /** Plaintext bytes handled so far in this phase. */
  bytesDone: number
  /** Plaintext bytes in all (the file or range size). */
  bytesTotal: number
}

export type ProgressHandler = (progress: TransferProgress) => void
