import '../src/shim.js'
import { option } from './lib/args.js'
/**
 * npm run bench:shaped (as root): section 10 of npm run bench alone,
 * transfers on shaped links in network namespaces (bench/sections/shaped.ts,
 * bench/lib/shaped-run.ts). Prints the table and writes
 * bench/results/shaped-<date>.json. About 4–5 minutes for 64 MiB.
 *
 *   --size <MiB>   file size (default 64; --quick 16); a run with another size is not saved
 *   --quick        16 MiB, not saved
 *   --no-save      print only
 *
 * Without root (or without iproute2) it prints why in a banner and exits 3
 * (1 under CI): it never passes quietly without measuring.
 */
import { loadavg } from 'node:os'
import { formatTable } from './lib/measure.js'
import { saveBenchResults } from './lib/results.js'
import { SUMMARY_HEADER, summaryCells } from './lib/summary-row.js'
import { runShapedSection, shapedNotes, shapedRows } from './sections/shaped.js'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const sizeMiB = option('--size') !== undefined ? Number(option('--size')) : undefined
if (sizeMiB !== undefined && !(sizeMiB >= 1 && sizeMiB <= 1024)) { console.error('--size: MiB between 1 and 1024'); process.exit(2) }

// A reset stream can leave an internal promise rejected with nobody awaiting it; the run's own checks decide success.
process.on('unhandledRejection', err => { console.error(`[shaped] unhandled rejection (ignored): ${(err as Error)?.message ?? String(err)}`) })

const t0 = Date.now()
const loadStart = loadavg()
const result = await runShapedSection(quick, sizeMiB)
const rows = shapedRows(result)
console.log(`\nlafs-club bench:shaped, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, total ${((Date.now() - t0) / 60_000).toFixed(1)} min`)
console.log(formatTable(SUMMARY_HEADER, rows.map(summaryCells)))
for (const n of shapedNotes(result)) console.log(`  ${n}`)
console.log(`  load average (1 min) ${loadStart[0].toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end: figures from a busy machine are lower bounds`)
if ('skipped' in result) {
  process.exitCode = process.env.CI !== undefined && process.env.CI !== '' ? 1 : 3
} else if (!args.includes('--no-save') && !quick && (sizeMiB === undefined || sizeMiB === 64)) {
  const path = await saveBenchResults('shaped', t0, loadStart, rows, result)
  console.log(`\nsaved ${path}`)
} else {
  console.log('\nnot saved (--quick, --size or --no-save)')
}
// node processes and Helia timers may hold the loop a moment after teardown: the figures are out
process.exit()
