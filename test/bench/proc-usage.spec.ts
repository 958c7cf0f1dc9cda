/**
 * What the benches read about another process from /proc
 * (bench/lib/proc-usage.ts): its CPU time to the nanosecond, summed over its
 * threads, and how often its main thread slept and was woken. A child that
 * spins for a known time, then sleeps in many short timers, is read from
 * outside.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { preciseCpuMs, procSample, wakeups } from '../../bench/lib/proc-usage.js'

const SPIN_MS = 300
const SLEEPS = 40

/**
 * A child that prints "ready", then on a line from us spins until it has used
 * SPIN_MS of CPU (not of wall time, which a busy machine stretches), sleeps
 * SLEEPS times for 5 ms, and prints "done".
 */
const CHILD = `
process.stdout.write('ready\\n')
process.stdin.once('data', async () => {
  const start = process.cpuUsage()
  const used = () => { const c = process.cpuUsage(start); return (c.user + c.system) / 1000 }
  while (used() < ${SPIN_MS}) {}
  for (let i = 0; i < ${SLEEPS}; i++) await new Promise(resolve => setTimeout(resolve, 5))
  process.stdout.write('done\\n')
})
`

async function line (child: ChildProcess, text: string): Promise<void> {
  let seen = ''
  while (!seen.includes(text)) seen += String((await once(child.stdout!, 'data'))[0])
}

describe('bench/proc-usage: another process\'s CPU time and wake-ups from /proc', function () {
  this.timeout(30_000)

  it('counts a spin to the millisecond and every timer wake-up', async () => {
    const child = spawn(process.execPath, ['-e', CHILD], { stdio: ['pipe', 'pipe', 'inherit'] })
    try {
      await line(child, 'ready')
      const pid = child.pid as number
      const cpu0 = preciseCpuMs(pid)
      const wake0 = wakeups(pid)
      const coarse0 = procSample(pid).cpuMs
      child.stdin.write('go\n')
      await line(child, 'done')
      const cpu = preciseCpuMs(pid) - cpu0
      const woke = wakeups(pid) - wake0
      const coarse = procSample(pid).cpuMs - coarse0
      // the spin itself, plus a little for the timers and V8's own threads
      assert.ok(cpu >= SPIN_MS * 0.95 && cpu < SPIN_MS * 1.5, `spin of ${SPIN_MS} ms read as ${cpu.toFixed(3)} CPU-ms`)
      assert.ok(!Number.isInteger(cpu), `nanosecond counts give fractions of a millisecond, got ${cpu}`)
      // the tick-based figure agrees to within two 10 ms ticks per read
      assert.ok(Math.abs(coarse - cpu) <= 40, `/proc/<pid>/stat says ${coarse} ms, schedstat ${cpu.toFixed(1)}`)
      assert.ok(woke >= SLEEPS, `${SLEEPS} timers of 5 ms woke the main thread ${woke} times`)
    } finally {
      child.kill()
    }
  })
})
