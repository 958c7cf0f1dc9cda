/**
 * npm run bench:magic: section 7 of `npm run bench` on its own
 * (bench/sections/magic.ts), with the full measurement: write → arrival
 * latency between two nodes polling every 60 s (5 samples), the initial
 * upload rate, and an idle node watching 3 folders of 10,000 files for
 * 3 minutes. A run with the default options saves
 * bench/results/magic-<date>.json (not with --no-save).
 *
 * Options: --quick, --poll <s> (60), --samples <n> (5), --size <bytes> (1 MiB) of the latency files,
 * --upload-files <n> (300), --idle <min> (3), --files <n> per idle folder (10000),
 * --skip latency,upload,idle, --profile <dir> (V8 CPU profile of the idle node), --no-save
 */
import '../src/shim.js'
import { option, positiveOption } from './lib/args.js'
import { cpus, loadavg } from 'node:os'
import { resolve } from 'node:path'
import { formatTable } from './lib/measure.js'
import { SUMMARY_HEADER, summaryCells } from './lib/summary-row.js'
import { magicRows, runMagic } from './sections/magic.js'
import { saveBenchResults } from './lib/results.js'

const args = process.argv.slice(2)
const OPTIONS = ['--poll', '--samples', '--size', '--upload-files', '--idle', '--files', '--skip', '--profile']


async function main (): Promise<void> {
  const quick = args.includes('--quick')
  const loadStart = loadavg()
  const t0 = Date.now()
  const profile = option('--profile')
  const result = await runMagic(quick, {
    poll: positiveOption('--poll'),
    samples: positiveOption('--samples'),
    fileBytes: positiveOption('--size'),
    uploadFiles: positiveOption('--upload-files'),
    idle: positiveOption('--idle'),
    filesPerFolder: positiveOption('--files'),
    skip: option('--skip')?.split(','),
    profileDir: profile !== undefined ? resolve(profile) : undefined
  })
  const rows = magicRows(result)
  console.log(formatTable(SUMMARY_HEADER, rows.map(summaryCells)))
  console.log(`  magic: ${result.servers} storage servers in one child process, ${result.code}; nodes A, B and the idle node each their own process, CPU from /proc`)
  console.log(`  load average (1 min) ${loadStart[0].toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end on ${cpus().length} cores: figures from a busy machine are upper bounds of the cost`)
  // Only a run with the defaults is comparable with the saved ones.
  if (!quick && !args.includes('--no-save') && !OPTIONS.some(o => args.includes(o))) {
    console.log(`
saved ${await saveBenchResults('magic', t0, loadStart, rows, result)}`)
  }
}

main().catch((err: unknown) => { console.error(err); process.exitCode = 1 })
