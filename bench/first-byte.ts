/**
 * npm run bench:first-byte: section 8 of `npm run bench` on its own
 * (bench/sections/first-byte.ts): time to the first byte for a fresh node
 * given a hinted cap, a fresh node given a plain cap, and a warm node with
 * the club's roster cached, p50 and p95, against a bare libp2p stream to
 * the same server measured in the same run. Prints the median breakdown
 * (createNode, locate, locate to first byte) too. A run with the defaults
 * saves bench/results/first-byte-<date>.json (not with --no-save).
 *
 * Options: --quick (5 runs), --runs <n> (default 20), --no-save
 */
import '../src/shim.js'
import { cpus, loadavg } from 'node:os'
import { formatTable } from './lib/measure.js'
import { saveBenchResults } from './lib/results.js'
import { SUMMARY_HEADER, summaryCells } from './lib/summary-row.js'
import { firstByteRows, runFirstByte } from './sections/first-byte.js'

const args = process.argv.slice(2)

async function main (): Promise<void> {
  const quick = args.includes('--quick')
  const runsAt = args.indexOf('--runs')
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : undefined
  const loadStart = loadavg()
  const t0 = Date.now()
  // A reset stream can leave an internal promise rejected with nobody awaiting it; the samples decide success.
  process.on('unhandledRejection', err => { console.error(`[first-byte] unhandled rejection (ignored): ${(err as Error)?.message ?? String(err)}`) })
  const result = await runFirstByte(quick, { runs })
  const rows = firstByteRows(result)
  console.log(formatTable(SUMMARY_HEADER, rows.map(summaryCells)))
  for (const [kind, b] of Object.entries(result.breakdown)) {
    console.log(`  ${kind}: median createNode ${b.createMs.toFixed(0)} ms, locate ${b.locateMs.toFixed(0)} ms, locate end to first byte ${b.downloadMs.toFixed(0)} ms; ways ${JSON.stringify(b.ways)}`)
  }
  console.log(`  load average (1 min) ${loadStart[0].toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end on ${cpus().length} cores: figures from a busy machine are upper bounds`)
  if (!quick && runs == null && !args.includes('--no-save')) {
    console.log(`
saved ${await saveBenchResults('first-byte', t0, loadStart, rows, result)}`)
  }
  // a libp2p timer left behind must not hold the run
  process.exit(process.exitCode ?? 0)
}

main().catch((err: unknown) => { console.error(err); process.exit(1) })
