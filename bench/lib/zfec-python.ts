/**
 * Drives python3-zfec in a child process (bench/zfec-bench.py) one timed
 * pass at a time, so its runs can alternate with ours and both see the same
 * machine load.
 */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createInterface, type Interface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'

/** Debian's interpreter, where python3-zfec installs; override with ZFEC_PYTHON. */
export const PYTHON = process.env.ZFEC_PYTHON ?? '/usr/bin/python3'

export function zfecAvailable (): boolean {
  return spawnSync(PYTHON, ['-c', 'import zfec'], { stdio: 'ignore' }).status === 0
}

/** The script sits in bench/; this file runs from bench/lib (tsx) or dist/bench/lib (built). */
function scriptPath (): string {
  for (const rel of ['../zfec-bench.py', '../../../bench/zfec-bench.py']) {
    const p = fileURLToPath(new URL(rel, import.meta.url))
    if (existsSync(p)) return p
  }
  throw new Error('bench/zfec-bench.py not found next to the bench scripts')
}

export class ZfecTimer {
  private constructor (
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    private readonly lines: AsyncIterator<string>,
    private readonly rl: Interface,
    readonly version: string
  ) {}

  /** Starts zfec on `total` random bytes cut into Tahoe segments of `segsize`. */
  static async start (k: number, m: number, total: number, segsize: number): Promise<ZfecTimer> {
    const child = spawn(PYTHON, [scriptPath()], { stdio: ['pipe', 'pipe', 'inherit'] })
    const rl = createInterface({ input: child.stdout })
    const lines = rl[Symbol.asyncIterator]()
    child.stdin.write(JSON.stringify({ k, m, total, segsize }) + '\n')
    const first = await lines.next()
    if (first.done === true) throw new Error('zfec-bench.py exited during setup')
    const ready = JSON.parse(first.value) as { zfec_version: string }
    return new ZfecTimer(child, lines, rl, ready.zfec_version)
  }

  /** Seconds zfec took for one pass over all segments. */
  async time (op: 'encode' | 'decode'): Promise<number> {
    this.child.stdin.write(op + '\n')
    const next = await this.lines.next()
    if (next.done === true) throw new Error('zfec-bench.py exited')
    const r = JSON.parse(next.value) as { seconds?: number, error?: string }
    if (r.seconds == null) throw new Error(`zfec-bench.py: ${r.error ?? next.value}`)
    return r.seconds
  }

  async close (): Promise<void> {
    const closed = new Promise(resolve => this.child.once('close', resolve))
    this.child.stdin.end()
    this.rl.close()
    await closed
  }
}
