/**
 * tuneProcess() (src/node/process-tuning.ts), in real child processes: the
 * tuning call maps the allocator's warm-up, after which buffers freed in a
 * batch are reused without the kernel faulting their pages in again; with
 * LAFS_PROCESS_TUNING=0 it maps nothing. Every child's first round faults its
 * fresh 24 MiB in, which shows the count sees faults at all.
 *
 * An untuned process usually faults every round in anew (glibc trims the
 * freed buffers off the top of its heap), but not always: a small chunk
 * allocated between the buffers and then held in a thread's allocator cache
 * keeps them below it, and the rounds after reuse them (1 child in 30 on two
 * busy cores; CI saw it). So the untuned rounds are printed, not asserted.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)
const FIXTURE = 'test/node/fixtures/process-tuning.ts'
/** 24 MiB in 4 KiB pages: what one round faults in when nothing is reused. */
const ROUND_PAGES = 24 * 256

interface ChildReport {
  /** Address space the tuning call mapped, in MiB (Linux). */
  mappedByTuningMiB?: number
  /** Minor page faults of the first round, into fresh memory. */
  first: number
  /** Minor page faults of each round after it. */
  faults: number[]
  tuning?: { allocator: boolean, heapGrowingPercent: number }
}

async function child (mode: 'tuned' | 'untouched', env: NodeJS.ProcessEnv = {}): Promise<ChildReport> {
  // --single-threaded-gc: V8 otherwise frees dead buffers' memory on a background thread after gc()
  // returns, and under load a round can start before a few of the last round's buffers are freed; those
  // few are then new memory (whole MiBs of faults) for a reason that has nothing to do with the allocator.
  const { stdout } = await run(process.execPath, ['--expose-gc', '--single-threaded-gc', '--import', 'tsx', FIXTURE, mode], { timeout: 30_000, env: { ...process.env, ...env } })
  return JSON.parse(stdout.trim().split('\n').at(-1)!)
}

/** The warm-up is 32 MiB less 64 KiB; nothing else the call does maps memory. */
const WARMUP_MIB = 31
const NOTHING_MIB = 8

describe('node: process tuning', function () {
  this.timeout(60_000)

  it('buffers freed in a batch come back without page faults once the allocator is tuned', async function () {
    const untouched = await child('untouched')
    const tuned = await child('tuned')
    // glibc's thresholds are what the allocator part lifts: elsewhere it is left alone, and says so.
    assert.deepEqual(tuned.tuning, { allocator: process.platform === 'linux', heapGrowingPercent: 300 })
    if (process.platform !== 'linux') return
    console.log(`      untouched rounds faulted ${untouched.faults.join(', ')} pages; tuned ${tuned.faults.join(', ')}`)
    for (const c of [untouched, tuned]) assert.ok(c.first > ROUND_PAGES / 2, `a first round faulted ${c.first} pages; expected its fresh ${ROUND_PAGES}`)
    assert.ok(tuned.mappedByTuningMiB! >= WARMUP_MIB, `tuning mapped ${tuned.mappedByTuningMiB} MiB; expected the ${WARMUP_MIB}+ MiB warm-up`)
    assert.ok(untouched.mappedByTuningMiB! < NOTHING_MIB, `nothing mapped ${untouched.mappedByTuningMiB} MiB`)
    // Tuned, the freed buffers stay with the allocator: a few pages at most, per round.
    for (const f of tuned.faults) assert.ok(f < ROUND_PAGES / 20, `tuned rounds faulted ${tuned.faults.join(', ')} pages; expected each under ${ROUND_PAGES / 20}`)
  })

  it('LAFS_PROCESS_TUNING=0 leaves the process as Node starts it', async function () {
    const off = await child('tuned', { LAFS_PROCESS_TUNING: '0' })
    assert.deepEqual(off.tuning, { allocator: false, heapGrowingPercent: 0 })
    if (process.platform !== 'linux') return
    assert.ok(off.first > ROUND_PAGES / 2, `the first round faulted ${off.first} pages; expected its fresh ${ROUND_PAGES}`)
    assert.ok(off.mappedByTuningMiB! < NOTHING_MIB, `tuning off mapped ${off.mappedByTuningMiB} MiB; expected no warm-up`)
  })
})
