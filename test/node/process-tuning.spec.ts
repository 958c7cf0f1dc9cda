/**
 * tuneProcess() (src/node/process-tuning.ts), in real child processes: after
 * it, buffers freed in a batch are reused without the kernel faulting their
 * pages in again; without it (the untouched run, which shows the measure
 * sees faults at all) every round faults its 24 MiB in anew.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)
const FIXTURE = 'test/node/fixtures/process-tuning.ts'
/** 24 MiB in 4 KiB pages: what one round faults in when nothing is reused. */
const ROUND_PAGES = 24 * 256

async function faults (mode: 'tuned' | 'untouched', env: NodeJS.ProcessEnv = {}): Promise<{ faults: number[], tuning?: { allocator: boolean, heapGrowingPercent: number } }> {
  // --single-threaded-gc: V8 otherwise frees dead buffers' memory on a background thread after gc()
  // returns, and under load a round can start before a few of the last round's buffers are freed; those
  // few are then new memory (whole MiBs of faults) for a reason that has nothing to do with the allocator.
  const { stdout } = await run(process.execPath, ['--expose-gc', '--single-threaded-gc', '--import', 'tsx', FIXTURE, mode], { timeout: 30_000, env: { ...process.env, ...env } })
  return JSON.parse(stdout.trim().split('\n').at(-1)!)
}

describe('node: process tuning', function () {
  this.timeout(60_000)

  it('buffers freed in a batch come back without page faults once the allocator is tuned', async function () {
    const untouched = await faults('untouched')
    const tuned = await faults('tuned')
    // glibc's thresholds are what the allocator part lifts: elsewhere it is left alone, and says so.
    assert.deepEqual(tuned.tuning, { allocator: process.platform === 'linux', heapGrowingPercent: 300 })
    if (process.platform !== 'linux') return
    // Untouched, glibc gives the freed 24 MiB back and faults it in again: most rounds cost most of their pages.
    const faulting = untouched.faults.filter(f => f > ROUND_PAGES / 2).length
    assert.ok(faulting >= 3, `untouched rounds faulted ${untouched.faults.join(', ')} pages; expected at least 3 of 4 above ${ROUND_PAGES / 2}`)
    // Tuned, the freed buffers stay with the allocator: a few pages at most, per round.
    for (const f of tuned.faults) assert.ok(f < ROUND_PAGES / 20, `tuned rounds faulted ${tuned.faults.join(', ')} pages; expected each under ${ROUND_PAGES / 20}`)
  })

  it('LAFS_PROCESS_TUNING=0 leaves the process as Node starts it', async function () {
    const off = await faults('tuned', { LAFS_PROCESS_TUNING: '0' })
    assert.deepEqual(off.tuning, { allocator: false, heapGrowingPercent: 0 })
    if (process.platform !== 'linux') return
    assert.ok(off.faults.filter(f => f > ROUND_PAGES / 2).length >= 3, `rounds faulted ${off.faults.join(', ')} pages; expected most to fault their pages in again`)
  })
})
