/**
 * Memory that the host has really given this machine, before a bench's
 * timed rounds.
 *
 * These benches run on a virtual machine whose balloon device reports free
 * pages to the host (Linux's free page reporting: /sys/module/page_reporting),
 * and the host takes them back. The next write to such a page stops the
 * guest while the host maps memory for it again: about 2.7 ms per MiB here
 * (read-chunk-frame.ts), several times the cost of the write itself. A
 * storage server puts every byte it stores into the page cache, so on this
 * machine storing an upload paid that toll on most of its pages: perf put
 * 45% of the servers' CPU during 64 MiB uploads in the kernel's copy into
 * new page-cache pages (copy_folio_from_iter_atomic). A machine whose memory
 * is in use (a running server, bare metal) does not pay it.
 *
 * `backMemory(gib)` writes to `gib` GiB in a child process that then exits:
 * the pages it freed are backed and at the head of the kernel's free lists,
 * so the page cache and heaps that grow during the next minutes reuse them.
 * The free page reporter hands pages back within seconds to minutes, so
 * this helps a bench of a minute or two, not a long one. The transfer
 * benches do it by default where the machine reports free pages
 * (DEFAULT_BACK_GIB; `--back-memory 0` measures the cold machine).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { freemem } from 'node:os'

const REPORTING = '/sys/module/page_reporting/parameters/reported_kib'
const CHUNK_MIB = 256
/** What the transfer benches back by default on a machine that reports free pages: more than a bench's page cache and heaps grow by. */
export const DEFAULT_BACK_GIB = 8

/** KiB of free memory this machine has handed back to its host so far, or undefined where it does not (no free page reporting). */
export function reportedKiB (): number | undefined {
  if (!existsSync(REPORTING)) return undefined
  const n = Number(readFileSync(REPORTING, 'utf8').trim())
  return Number.isFinite(n) ? n : undefined
}

/** `--back-memory <GiB>` as given, else DEFAULT_BACK_GIB where free pages are reported and 0 elsewhere. */
export function backMemoryOption (given: string | undefined): number {
  const gib = given !== undefined ? Number(given) : reportedKiB() !== undefined ? DEFAULT_BACK_GIB : 0
  if (!(gib >= 0)) throw new Error('--back-memory: GiB, 0 or more')
  return gib
}

/** Writes to `gib` GiB (at most half the free memory) in a child process; returns the GiB written, or undefined when nothing was. */
export function backMemory (gib: number): number | undefined {
  if (gib <= 0) return undefined
  const chunks = Math.floor(Math.min(gib * 1024, freemem() / 2 ** 20 / 2) / CHUNK_MIB)
  if (chunks <= 0) return undefined
  // One byte per 4 KiB page is enough for the kernel (and so the host) to back the page.
  const script = `const keep = []; for (let i = 0; i < ${chunks}; i++) { const b = Buffer.allocUnsafeSlow(${CHUNK_MIB * 2 ** 20}); for (let o = 0; o < b.length; o += 4096) b[o] = 1; keep.push(b) }`
  const r = spawnSync(process.execPath, ['-e', script], { stdio: 'inherit' })
  if (r.status !== 0) throw new Error(`backing memory failed: exit ${String(r.status)} ${String(r.signal ?? '')}`)
  return chunks * CHUNK_MIB / 1024
}

/** A line for the bench's output: whether this machine hands free memory back, and what --back-memory did. */
export function memoryNote (backedGiB: number | undefined, without = '--back-memory 0'): string {
  const reported = reportedKiB()
  if (reported === undefined) return 'memory: this machine reports no free pages to a host (no /sys/module/page_reporting); --back-memory changes nothing here'
  const done = backedGiB === undefined
    ? 'not backed first: page-cache growth pays the host\'s first-touch toll, which inflates the servers\' CPU per GiB stored'
    : `${backedGiB.toFixed(1)} GiB written in a child process before the timed rounds (${without} to measure without)`
  return `memory: this VM hands free pages back to its host (${(reported / 2 ** 20).toFixed(1)} GiB so far); ${done}`
}
