/**
 * The knobs of `npm run scale`: flags first, then LAFS_SCALE_* environment
 * variables, then the defaults (100 nodes, 10 minutes of load). `--short` is
 * the CI size: 30 nodes, 90 s of load, under 5 minutes in all.
 */
import { GridError } from '../grid/lib.js'

export interface ScaleOptions {
  /** Node processes in all: one owner (the bootstrap peer), servers, writers, readers. */
  nodes: number
  /** Minutes of load (uploads, downloads, churn). */
  minutes: number
  /** Share of the servers killed with SIGKILL and started again. */
  churn: number
  /** Share of the servers killed for good. */
  retire: number
  /** Operations in flight at once. */
  concurrency: number
  /** Encoding the writers upload with. */
  k: number
  happy: number
  n: number
  /** Leave the data folders in place at the end. */
  keep: boolean
  short: boolean
  /** Seed of every random choice (victims, sizes, nodes), so two runs churn alike. */
  seed: number
}

const FULL: ScaleOptions = { nodes: 100, minutes: 10, churn: 0.2, retire: 0.1, concurrency: 6, k: 3, happy: 7, n: 10, keep: false, short: false, seed: 16 }
// 24 servers, 8 per club: happy 6 of 8 leaves room for one server of a club to be down during an upload
// 90 s of load: starting 30 nodes took 110-170 s on this 2-core machine while other work ran on it
const SHORT: ScaleOptions = { ...FULL, nodes: 30, minutes: 1.5, concurrency: 4, happy: 6, n: 8, short: true }

const NUMBERS = ['nodes', 'minutes', 'churn', 'retire', 'concurrency', 'k', 'happy', 'n', 'seed'] as const

export function usage (): string {
  return [
    'npm run scale -- [--short] [--nodes N] [--minutes M] [--churn F] [--retire F] [--concurrency C]',
    '                 [--k K --happy H --n N] [--seed S] [--keep]',
    '  --short       30 nodes, 90 s of load, happy 6 of n 8 (the CI run, under 5 minutes)',
    '  --churn F     share of the servers SIGKILLed and restarted (default 0.2)',
    '  --retire F    share of the servers SIGKILLed for good (default 0.1)',
    '  --keep        leave the data folders (their path is printed)',
    'Each flag may also come from the environment: LAFS_SCALE_NODES, LAFS_SCALE_MINUTES, …'
  ].join('\n')
}

export function parseOptions (argv: string[], env: NodeJS.ProcessEnv = process.env): ScaleOptions {
  const short = argv.includes('--short') || env.LAFS_SCALE_SHORT === '1'
  const out: ScaleOptions = { ...(short ? SHORT : FULL) }
  for (const key of NUMBERS) {
    const v = env[`LAFS_SCALE_${key.toUpperCase()}`]
    if (v !== undefined && v !== '') out[key] = number(key, v)
  }
  if (env.LAFS_SCALE_KEEP === '1') out.keep = true
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--short') continue
    if (a === '--keep') { out.keep = true; continue }
    if (a === '--help' || a === '-h') throw new GridError(usage())
    const key = a.replace(/^--/, '') as typeof NUMBERS[number]
    if (!a.startsWith('--') || !NUMBERS.includes(key)) throw new GridError(`unknown argument ${a}\n${usage()}`)
    out[key] = number(key, argv[++i])
  }
  return validate(out)
}

function number (key: string, text: string | undefined): number {
  const v = Number(text)
  if (text === undefined || text === '' || !Number.isFinite(v)) throw new GridError(`--${key} needs a number, got ${String(text)}`)
  return v
}

function validate (o: ScaleOptions): ScaleOptions {
  const bad = (m: string): never => { throw new GridError(`${m}\n${usage()}`) }
  if (!Number.isInteger(o.nodes) || o.nodes < 12 || o.nodes > 200) bad('--nodes must be a whole number from 12 to 200')
  if (o.minutes <= 0 || o.minutes > 120) bad('--minutes must be more than 0 and at most 120')
  if (o.churn < 0 || o.retire < 0 || o.churn + o.retire > 0.6) bad('--churn and --retire are shares of the servers (0…0.6 together)')
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1 || o.concurrency > 64) bad('--concurrency must be 1…64')
  if (!(o.k >= 1 && o.k <= o.happy && o.happy <= o.n && o.n <= 256)) bad('need 1 ≤ k ≤ happy ≤ n ≤ 256')
  return o
}
