/**
 * `keep`: this node adopts caps and renews and repairs their files from now
 * on, so a club keeps files alive while their uploaders are offline. Caps go
 * to the daemon in request bodies, never in URLs; what comes back names files
 * by storage index only.
 */
import { readFile } from 'node:fs/promises'
import { collect, contextOf } from './context.js'
import { UsageError } from './errors.js'
import type { KeptFile, RepairPassReport } from '../node/index.js'
import type { Command } from 'commander'

interface KeepFlags { from?: string, list?: boolean, all?: boolean, remove?: string[], now?: boolean }

function keptLine (f: KeptFile): string {
  const health = f.health === undefined ? 'not checked yet' : `${f.health.sharesFound}/${f.health.n} shares, happiness ${f.health.happiness}${f.health.healthy ? '' : ' (NOT HEALTHY)'}`
  const lease = f.expiresAt === 0 ? 'no lease yet' : `lease until ${new Date(f.expiresAt).toISOString()}`
  const who = [f.kept ? 'kept' : '', f.uploaded ? 'uploaded' : ''].filter(Boolean).join(', ')
  return `${f.storageIndex}  ${f.kind}  ${who}  ${health}  ${lease}${f.club !== undefined ? `  club ${f.club}` : ''}${f.lastError !== undefined ? `  last error: ${f.lastError}` : ''}`
}

function passLines (r: RepairPassReport): string[] {
  return [
    `pass: ${r.checked} checked (${r.verified} verified), ${r.renewed} renewed, ${r.repaired} repaired (${r.sharesPlaced} shares placed) in ${r.durationMs} ms`,
    ...r.failures.map(f => `  ${f.stage} failed for ${f.storageIndex}: ${f.error}`)
  ]
}

/** Caps from a file: one a line; blank lines and lines starting with # are skipped. */
async function capsFrom (file: string): Promise<string[]> {
  let text: string
  try {
    text = file === '-' ? await new Promise<string>((resolve, reject) => {
      let s = ''
      process.stdin.setEncoding('utf8').on('data', d => { s += String(d) }).on('end', () => { resolve(s) }).on('error', reject)
    }) : await readFile(file, 'utf8')
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`)
  }
  return text.split('\n').map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#'))
}

export function addKeepCommand (program: Command): void {
  program.command('keep')
    .description('keep files alive for others: this node renews the leases of these caps and repairs their files from now on')
    .argument('[caps...]', 'read-caps or verify-caps (with @<club id> to repair within that club)')
    .option('--from <file>', 'read caps from a file, one a line ("-" for stdin)')
    .option('--list', 'list the files kept (by storage index)')
    .option('--all', 'with --list: also the files this node uploaded')
    .option('--remove <cap>', 'stop keeping a cap (or a storage index); repeatable', collect)
    .option('--now', 'run a self-repair pass now (checks, renewals, repairs) and print what it did')
    .action(async (args: string[], o: KeepFlags, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      const caps = [...args, ...(o.from !== undefined ? await capsFrom(o.from) : [])]
      if (caps.length === 0 && o.list !== true && o.remove === undefined && o.now !== true) {
        throw new UsageError('give caps to keep (or --from FILE), or --list, --remove CAP or --now')
      }
      const d = await daemon()
      // One answer, whatever was asked: { removed?, kept?, pass?, files? } with --json.
      const answer: { removed?: number, kept?: KeptFile[], pass?: RepairPassReport, files?: KeptFile[] } = {}
      for (const cap of o.remove ?? []) answer.removed = (answer.removed ?? 0) + (await d.json<{ removed: number }>('DELETE', '/api/keep', { cap })).removed
      if (caps.length > 0) answer.kept = await d.json<KeptFile[]>('POST', '/api/keep', { caps })
      if (o.now === true) answer.pass = await d.json<RepairPassReport>('POST', '/api/keep/run', {})
      if (o.list === true) answer.files = await d.json<KeptFile[]>('GET', `/api/keep${o.all === true ? '?all=1' : ''}`)
      out.result(answer, v => [
        ...(v.removed === undefined ? [] : [v.removed === 0 ? 'not kept: nothing removed' : `no longer kept: ${v.removed} file(s)`]),
        ...(v.kept === undefined ? [] : [`keeping ${v.kept.length} file(s):`, ...v.kept.map(keptLine)]),
        ...(v.pass === undefined ? [] : passLines(v.pass)),
        ...(v.files === undefined ? [] : v.files.length === 0 ? ['no files kept (keep one with "lafs-club keep CAP")'] : v.files.map(keptLine))
      ])
      if (answer.removed === 0) process.exitCode = 1
    })
}
