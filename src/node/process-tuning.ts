/**
 * Two process-wide settings for a process whose job is moving file data:
 * the lafs-club command (bin.ts applies them before anything else runs) and
 * the benchmarks that measure it. A program that embeds a LafsNode keeps its
 * own settings unless it calls this too.
 *
 * The allocator. Share reads, segments and plaintext are buffers of 0.3 to
 * 1 MiB, and V8 frees them in batches, after a garbage collection. glibc
 * maps every buffer above its mmap threshold fresh from the kernel, and it
 * hands heap memory back to the kernel as soon as more than twice that
 * threshold lies free at the top; so after each batch the next buffers are
 * faulted in again, page by page, which on the small machines a storage
 * node runs on costs more than the bytes' trip through Noise. glibc raises
 * both thresholds by itself when it frees a mapped chunk (to that chunk's
 * size, at most 32 MiB), but our largest buffers only lift them to 1 and
 * 2 MiB. One allocation just under 32 MiB, never touched and dropped at
 * once, lifts them to 32 and 64 MiB when V8 frees it: freed buffers are
 * then reused without faults. (bench/read-buffers: 1 MiB share reads into
 * fresh buffers went from 2-3.7x to 1.4-1.55x the CPU of reads into one
 * reused buffer; test/node/process-tuning.spec.ts counts the page faults.)
 *
 * The heap. Every buffer counts as V8 external memory, and V8 starts a full
 * marking each time that grows by its slack over a heap it keeps small
 * (about twice the live objects); a download allocates buffers several
 * times the bytes it moves (socket reads, joined frames, plaintext), so the
 * client ran a full marking every 100 ms or so and its GC threads used a
 * third of its CPU. A heap allowed to grow to four times the live objects
 * (V8's own ceiling for large heaps) marked a third as often, and client
 * CPU per 64 MiB download fell by about 16%. Both settings cost memory:
 * freed buffers stay with the process and garbage waits longer (a 1 GiB
 * streamed round trip peaked 35 to 60 MiB higher); docs/cli.md says so.
 */
import { setFlagsFromString } from 'node:v8'
import { logger } from '@libp2p/logger'

const log = logger('lafs-club:process')

/** Just under glibc's largest dynamic mmap threshold (32 MiB on 64-bit), with room for the chunk header. */
const ALLOCATOR_WARMUP_BYTES = 32 * 2 ** 20 - 64 * 1024
/** Heap growth: the limit after a full GC is (1 + this / 100) times the live size. */
export const HEAP_GROWING_PERCENT = 300

export interface ProcessTuning {
  /** The allocator's thresholds were lifted (Linux; elsewhere nothing is done). */
  allocator: boolean
  /** V8's heap growing factor set, in percent over the live size; 0: V8's own. */
  heapGrowingPercent: number
}

let applied: ProcessTuning | undefined

/**
 * Applies both settings once per process; later calls answer what was done.
 * LAFS_PROCESS_TUNING=0 leaves the process as Node starts it (to measure
 * what the settings do, or where memory matters more than CPU).
 */
export function tuneProcess (): ProcessTuning {
  if (applied != null) return applied
  if (process.env.LAFS_PROCESS_TUNING === '0') {
    applied = { allocator: false, heapGrowingPercent: 0 }
    log('process tuning off (LAFS_PROCESS_TUNING=0)')
    return applied
  }
  const allocator = process.platform === 'linux'
  // Uninitialised and never written: the kernel maps no page for it, and freeing it only unmaps.
  if (allocator) Buffer.allocUnsafeSlow(ALLOCATOR_WARMUP_BYTES)
  // Read by V8 each time it sets the next heap limit, so it takes effect after start.
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
  applied = { allocator, heapGrowingPercent: HEAP_GROWING_PERCENT }
  log('allocator thresholds lifted: %s; heap growing factor %d%%', allocator, HEAP_GROWING_PERCENT)
  return applied
}
