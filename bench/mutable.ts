/**
 * npm run bench:mutable: section 6 of `npm run bench` on its own
 * (bench/sections/mutable.ts): 1 KiB update round trips and ms; MDMF
 * publish against a CHK upload of the same bytes.
 *
 * Options: --quick, --size <MiB> (default 64), --updates <n> (default 20), --rounds <n> (default 2)
 */
import '../src/shim.js'
import { formatTable } from './lib/measure.js'
import { SUMMARY_HEADER, summaryCells } from './lib/summary-row.js'
import { mutableRows, runMutable } from './sections/mutable.js'

function option (name: string): number | undefined {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : undefined
}

runMutable(process.argv.includes('--quick'), { sizeMiB: option('--size'), updates: option('--updates'), rounds: option('--rounds') })
  .then(r => { console.log(formatTable(SUMMARY_HEADER, mutableRows(r).map(summaryCells))) })
  .catch((err: unknown) => { console.error(err); process.exitCode = 1 })
