import '../src/shim.js'
/**
 * The storage servers' CPU per transfer over many transfers of one kind,
 * each paired with the raw libp2p stream moving the same bytes in the same
 * process: a steadier figure than the transfer bench's three rounds, for
 * telling whether a change to the serving path moved it. Ten servers and
 * the raw node run in one child process (as in bench:transfer); the client
 * is this process.
 *
 *   npm run build && node dist/bench/serve-loop.js [--mode spread|k|up] [--runs 15] [--warmup 5] [--back-memory <GiB>]
 *
 * spread: downloads spread over the ten servers (the default), k: the same
 * from k shares, up: uploads of a new file each time, against a raw stream
 * up. Server CPU is per 64 MiB of share data (a download serves the file's
 * size, an upload stores n/k times it; the raw stream moves the file's
 * size), so the ratio compares CPU per byte. --back-memory first writes
 * to that much memory in a child process (lib/back-memory.ts: on a VM that
 * hands free pages back to its host, storing pays for every new page;
 * 8 GiB by default there, --back-memory 0 to measure the cold machine).
 */
import { randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { tuneProcess } from '../src/node/index.js'
import { option } from './lib/args.js'
import { backMemory, backMemoryOption, memoryNote } from './lib/back-memory.js'
import { formatTable, median } from './lib/measure.js'
import { startChildGrid } from './lib/transfer-grid.js'
import { createBenchNode } from './lib/transfer-node.js'
import { downloadOnce, plaintext, stopClient, uploadOnce } from './lib/transfer-ops.js'
import { rawDown, rawUp } from './lib/transfer-raw.js'

// As the lafs-club command does (node/process-tuning.ts): the figures are the product's.
tuneProcess()

const MODES = ['spread', 'k', 'up'] as const
type Mode = typeof MODES[number]
const mode = (option('--mode') ?? 'spread') as Mode
if (!MODES.includes(mode)) throw new Error(`--mode: choose from ${MODES.join(', ')}`)
const RUNS = Number(option('--runs') ?? 15)
const WARMUP = Number(option('--warmup') ?? 5)
const SIZE = 64 * 2 ** 20
const K = 3
const N = 10

interface Sample { serverMs: number, clientMs: number, wallMs: number }

const BACK_GIB = backMemoryOption(option('--back-memory'))
const backed = backMemory(BACK_GIB)

const grid = await startChildGrid(N)
const client = await createBenchNode()
try {
  const pt = await plaintext(SIZE, false)
  const leaseSecret = randomBytes(32)
  const file = await uploadOnce(client, grid, pt, leaseSecret, K, N)
  const raw = multiaddr(grid.raw)
  const transfer = async (): Promise<unknown> => mode === 'up'
    ? await uploadOnce(client, grid, pt, leaseSecret, K, N)
    : await downloadOnce(client, grid, file, pt, { spread: mode === 'spread', checkLater: true })
  const baseline = async (): Promise<number> => mode === 'up' ? await rawUp(client, raw, SIZE) : await rawDown(client, raw, SIZE)
  const measure = async (fn: () => Promise<unknown>): Promise<Sample> => {
    const u0 = await grid.usage()
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    await fn()
    const wallMs = performance.now() - t0
    const c = process.cpuUsage(c0)
    const u1 = await grid.usage()
    return { serverMs: u1.cpuMs - u0.cpuMs, clientMs: (c.user + c.system) / 1000, wallMs }
  }
  // a download's sha256 check runs after its clock stopped (and before the next pair)
  const checks: Array<() => void> = []
  const checkAll = (): void => { for (const c of checks.splice(0)) c() }
  const ours = async (): Promise<unknown> => {
    const done = await transfer()
    if (typeof done === 'function') checks.push(done as () => void)
    return done
  }
  for (let i = 0; i < WARMUP; i++) { await baseline(); await ours(); checkAll() }
  const pairs: Array<{ raw: Sample, ours: Sample }> = []
  for (let i = 0; i < RUNS; i++) {
    pairs.push({ raw: await measure(baseline), ours: await measure(ours) })
    checkAll()
  }

  // share data at the servers per transfer, in units of 64 MiB
  const shareData = mode === 'up' ? N / K : 1
  const row = (what: string, pick: (s: Sample) => number, perShareData: boolean): string[] => {
    const o = pairs.map(p => pick(p.ours) / (perShareData ? shareData : 1))
    const r = pairs.map(p => pick(p.raw))
    const ratios = pairs.map((p, i) => o[i] / r[i])
    return [what, median(o).toFixed(0), median(r).toFixed(0), `${median(ratios).toFixed(2)}x`, `${Math.min(...o).toFixed(0)} / ${Math.min(...r).toFixed(0)}`]
  }
  console.log(`serve-loop: ${mode === 'up' ? 'uploads' : mode === 'k' ? 'downloads from k shares' : 'spread downloads'} of 64 MiB, CHK ${K}-of-${N}, ${RUNS} pairs with a raw stream ${mode === 'up' ? 'up' : 'down'} after ${WARMUP} warm-up pairs; loopback, noise`)
  console.log(formatTable(['per 64 MiB', 'ours (median)', 'raw (median)', 'ratio (median of pairs)', 'least ours / raw'], [
    row('servers CPU-ms per 64 MiB of share data', s => s.serverMs, true),
    row('client CPU-ms per transfer', s => s.clientMs, false),
    row('wall ms per transfer', s => s.wallMs, false)
  ]))
  console.log(memoryNote(backed))
} finally {
  await stopClient(client)
  await grid.stop()
}
