/**
 * npm run bench:mutable: section 6 of `npm run bench` on its own
 * (bench/sections/mutable.ts): 1 KiB update round trips and ms; reading a
 * 1000-entry directory against a CHK download of its packed size; MDMF
 * publish against a CHK upload of the same bytes. A run with the default
 * options saves bench/results/mutable-<date>.json (not with --no-save).
 *
 * Options: --quick, --size <MiB> (default 64), --updates <n> (default 20), --rounds <n> (default 3),
 * --reads <n> directory and CHK reads (default 15), --no-save
 */
import '../src/shim.js'
import { positiveOption } from './lib/args.js'
import { cpus, loadavg } from 'node:os'
import { formatTable } from './lib/measure.js'
import { SUMMARY_HEADER, summaryCells } from './lib/summary-row.js'
import { mutableRows, runMutable } from './sections/mutable.js'
import { saveBenchResults } from './lib/results.js'

const args = process.argv.slice(2)
const OPTIONS = ['--size', '--updates', '--rounds', '--reads']


async function main (): Promise<void> {
  const quick = args.includes('--quick')
  const loadStart = loadavg()
  const t0 = Date.now()
  const result = await runMutable(quick, { sizeMiB: positiveOption('--size'), updates: positiveOption('--updates'), rounds: positiveOption('--rounds'), reads: positiveOption('--reads') })
  const rows = mutableRows(result)
  console.log(formatTable(SUMMARY_HEADER, rows.map(summaryCells)))
  console.log(`  load average (1 min) ${loadStart[0].toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end on ${cpus().length} cores: figures from a busy machine are lower bounds`)
  // Only a run with the defaults is comparable with the saved ones.
  if (!quick && !args.includes('--no-save') && !OPTIONS.some(o => args.includes(o))) {
    console.log(`
saved ${await saveBenchResults('mutable', t0, loadStart, rows, result)}`)
  }
}

main().catch((err: unknown) => { console.error(err); process.exitCode = 1 })
