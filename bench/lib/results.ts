/**
 * Saving a bench's figures as bench/results/<name>-<date>.json, beside the
 * source whether the bench runs under tsx or built in dist/.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'

export interface SaveOptions {
  /** File name under bench/results/ (default `<name>-<date>.json`): a run that keeps one latest copy names it. */
  file?: string
  /** The command that made the figures (default `npm run bench:<name>`). */
  command?: string
}

export async function saveBenchResults (name: string, startedMs: number, loadStart: number[], table: unknown, result: unknown, opts: SaveOptions = {}): Promise<string> {
  const date = new Date().toISOString()
  // bench/lib/results.ts under tsx, dist/bench/lib/results.js when built: both write to the source tree's bench/results.
  const dir = new URL(import.meta.url.endsWith('.ts') ? '../results/' : '../../../bench/results/', import.meta.url)
  const file = new URL(opts.file ?? `${name}-${date.slice(0, 10)}.json`, dir)
  await mkdir(dir, { recursive: true })
  await writeFile(file, JSON.stringify({
    bench: name,
    date,
    command: opts.command ?? `npm run bench:${name}`,
    machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, memMiB: Math.round(totalmem() / 2 ** 20) },
    totalSeconds: (Date.now() - startedMs) / 1000,
    loadAverage: { start: loadStart, end: loadavg() },
    table,
    result
  }, null, 2) + '\n')
  return fileURLToPath(file)
}
