/** Section 7 (magic folders): its options and the shapes of its results (bench/sections/magic.ts says what each part measures). */

export interface MagicOptions {
  /** B's poll interval in the latency part, seconds (default 60). */
  poll?: number
  samples?: number
  /** Minutes the idle node is watched after its first scans (default 3; quick 1). */
  idle?: number
  /** Bytes of each latency file (default 1 MiB). */
  fileBytes?: number
  /** Files of the timed initial upload (default 300). */
  uploadFiles?: number
  /** Files per idle folder (default 10,000). */
  filesPerFolder?: number
  /** Write a V8 CPU profile of the idle node into this folder. */
  profileDir?: string
  /** Skip parts: 'latency', 'upload', 'idle'. */
  skip?: string[]
}

export interface LatencySample {
  /** Phase of the write in B's poll cycle, 0..1. */
  phase: number
  totalMs: number
  settleMs: number
  uploadMs: number
  downloadMs: number
  /** The rest: waiting for B's poll. */
  waitMs: number
}

export interface LatencyResult {
  pollSeconds: number
  fileBytes: number
  settleSettingMs: number
  samples: LatencySample[]
  /** (total − settle − transfer) / interval, median and max. */
  restRatioMedian: number
  restRatioMax: number
  totalRatioMedian: number
  totalRatioMax: number
  settleMedianMs: number
  transferMedianMs: number
  /** CPU ms of A and B over the whole latency part, and its length. */
  cpuMs: { a: number, b: number }
  seconds: number
}

export interface UploadResult {
  files: number
  seconds: number
  msPerFile: number
  /** Projection to 30,000 files at that rate (a lower bound: the personal directory grows). */
  projected30kMinutes: number
  nodeCpuMs: number
  gridCpuMs: number
}

export interface CpuSplit {
  seconds: number
  cpuMs: number
  /** % of one core. */
  percent: number
}

export interface IdleResult {
  folders: number
  filesPerFolder: number
  makeFilesSeconds: number
  seedSeconds: number
  pollSeconds: number
  scanSeconds: number
  /** The node alone, no folder yet, for comparison (20 s, from 10 s after its start). */
  bare: CpuSplit & { rssMiB: number, fds: number }
  /** First scan of every folder after the restart (all unchanged). */
  firstScanMs: number[]
  minutes: number
  total: CpuSplit
  betweenPolls: CpuSplit
  duringPolls: CpuSplit
  scans: number
  polls: number
  scanMsMedian: number
  pollMsMedian: number
  /** CPU ms per scan of one 10,000-file folder (busy seconds' CPU / scans, polls included: they are short). */
  cpuMsPerScan: number
  rssMiB: { median: number, max: number }
  fds: { median: number, max: number }
  instrumented: boolean
  /** CPU ms over the idle minutes per thread name: which thread pays. */
  threadsCpuMs: Record<string, number>
  /** CPU ms of each ~1 s sample over the idle minutes. */
  cpuPerSecond: number[]
  profile?: string
}

export interface MagicResult {
  servers: number
  code: string
  latency?: LatencyResult
  upload?: UploadResult
  idle?: IdleResult
}
