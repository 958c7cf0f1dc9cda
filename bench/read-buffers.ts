import '../src/shim.js'
/**
 * What a storage server's share reads cost in CPU per GiB: each read into a
 * fresh buffer (what share-store.ts does, since the buffer then travels
 * down libp2p's stream stack, whose write buffers may hold it after send()
 * returns) against reads into one reused buffer (the baseline, which a
 * server could only use if it knew when the bytes had left every layer).
 * The difference is the allocator mapping fresh pages and the kernel
 * faulting them in; the transfer bench's "served" CPU ratio against a raw
 * stream (which sends one buffer again and again) includes it. The same
 * pair is measured again after tuneProcess() (src/node/process-tuning.ts),
 * which keeps freed buffers with the allocator: the part of the difference
 * a lafs-club process still pays.
 *
 *   npm run build && node dist/bench/read-buffers.js
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { tuneProcess } from '../src/node/index.js'
import { formatTable } from './lib/measure.js'

const FILE = 64 * 2 ** 20
const ROUNDS = 4
const SIZES = [64 * 1024, 256 * 1024, 1024 * 1024]

async function main (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lafs-read-buffers-'))
  try {
    const path = join(dir, 'share')
    await writeFile(path, randomBytes(FILE))
    const handle = await open(path, 'r')
    try {
      const cpuMsPerGiB = async (size: number, fresh: boolean): Promise<number> => {
        const reused = Buffer.allocUnsafeSlow(size)
        const t0 = process.cpuUsage()
        for (let r = 0; r < ROUNDS; r++) {
          for (let at = 0; at < FILE; at += size) await handle.read(fresh ? Buffer.allocUnsafeSlow(size) : reused, 0, size, at)
        }
        const used = process.cpuUsage(t0)
        return (used.user + used.system) / 1000 / (ROUNDS * FILE / 2 ** 30)
      }
      // alternating, best of 3 each: a busy machine slows both alike
      const best = async (size: number): Promise<{ fresh: number, reused: number }> => {
        let fresh = Infinity
        let reused = Infinity
        for (let i = 0; i < 3; i++) {
          fresh = Math.min(fresh, await cpuMsPerGiB(size, true))
          reused = Math.min(reused, await cpuMsPerGiB(size, false))
        }
        return { fresh, reused }
      }
      const untouched = []
      for (const size of SIZES) untouched.push(await best(size))
      // Then as the lafs-club command runs; the passes above' collections free its warm-up buffer well before the measured ones.
      tuneProcess()
      await cpuMsPerGiB(SIZES[0], true)
      const rows: string[][] = []
      for (const [i, size] of SIZES.entries()) {
        const { fresh, reused } = untouched[i]
        const tuned = await best(size)
        rows.push([`${size / 1024} KiB`, fresh.toFixed(0), reused.toFixed(0), `${(fresh / reused).toFixed(2)}x`,
          tuned.fresh.toFixed(0), tuned.reused.toFixed(0), `${(tuned.fresh / tuned.reused).toFixed(2)}x`])
      }
      console.log(`share reads from the page cache, ${FILE / 2 ** 20} MiB x ${ROUNDS}, CPU ms per GiB (all threads), best of 3`)
      console.log(formatTable(['read size', 'fresh buffer', 'reused buffer (baseline)', 'fresh / reused', 'fresh, tuned', 'reused, tuned', 'fresh / reused, tuned'], rows))
      console.log('tuned: after tuneProcess() (src/node/process-tuning.ts), as the lafs-club command and the transfer bench run')
    } finally {
      await handle.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
