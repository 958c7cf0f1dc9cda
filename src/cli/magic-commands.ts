/**
 * `lafs-club magic-folder …`: local folders kept in sync with other people's
 * copies (src/magic-folder/README.md), all through the running daemon's
 * `/api/magic-folders` routes. Local paths are made absolute here: the
 * daemon's working folder is not the user's.
 */
import { addRestoreCommands } from './magic-restore.js'
import { resolve } from 'node:path'
import { collect, contextOf } from './context.js'
import { UsageError } from './errors.js'
import { magicListLines, magicStatusLines, magicStatusListLines } from './magic-render.js'
import { parseDuration, type MagicFolderStatus } from '../node/index.js'
import type { Command } from 'commander'

const folderPath = (name: string, tail = ''): string => `/api/magic-folders/${encodeURIComponent(name)}${tail}`

/** `90`, `90s`, `5m`, `1h` → seconds; a typo is a usage error (exit 2) before the daemon is asked. */
export function intervalArg (value: string): number {
  const ms = parseDuration(value)
  if (ms === undefined || ms <= 0) throw new UsageError(`"${value}" is not an interval (e.g. 90, 90s, 5m, 1h)`)
  return ms / 1000
}

/** `-`: the code from stdin, which keeps it (a write cap) out of the process list and the shell's history. */
async function inviteCode (code: string): Promise<string> {
  if (code !== '-') return code.trim()
  const chunks: Buffer[] = []
  for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c)
  const text = Buffer.concat(chunks).toString('utf8').trim()
  if (text === '') throw new UsageError('no invite code on stdin')
  return text
}

interface IntervalFlags { pollInterval?: number, scanInterval?: number }

function withIntervals (cmd: Command): Command {
  return cmd
    .option('--poll-interval <duration>', 'how often to look for the others\' changes: 90, 90s, 5m, 1h (default 60s)', intervalArg)
    .option('--scan-interval <duration>', 'how often to scan the local folder in full; file-system events make scans come sooner (default 60s)', intervalArg)
}

export function addMagicFolderCommands (program: Command): void {
  const mf = program.command('magic-folder')
    .description('local folders kept in sync with other people\'s copies through the grid')
  addRestoreCommands(mf)

  withIntervals(mf.command('add').argument('<name>', 'what this node calls the folder').argument('<local-path>', 'the folder to sync (made if missing)'))
    .description('start a new magic folder: its collective and your personal directory on the grid; you can then invite others')
    .option('--club <club-id>', 'store through this club (default: the node\'s default club)')
    .option('--server <multiaddr>', 'store on these servers instead of a club (repeatable)', collect)
    .option('--participant <name>', 'your name in the folder, shown to the others (default from the node\'s peer ID)')
    .action(async (name: string, localPath: string, o: IntervalFlags & { club?: string, server?: string[], participant?: string }, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      const r = await (await daemon()).json<MagicFolderStatus>('POST', '/api/magic-folders', {
        name, localPath: resolve(localPath), pollSeconds: o.pollInterval, scanSeconds: o.scanInterval, club: o.club, servers: o.server, participant: o.participant
      })
      out.result(r, v => [...magicStatusLines(v), `Invite others with: lafs-club magic-folder invite ${JSON.stringify(v.name)} THEIR_NAME`])
    })

  mf.command('list')
    .description('the magic folders of this node')
    .action(async (_o: unknown, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<MagicFolderStatus[]>('GET', '/api/magic-folders'), magicListLines)
    })

  mf.command('status').argument('[name]', 'one folder (default: all)')
    .description('what a folder is doing: last scan and poll and the next ones, queued files, conflicts, errors, participants')
    .action(async (name: string | undefined, _o: unknown, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      const d = await daemon()
      if (name === undefined) out.result(await d.json<MagicFolderStatus[]>('GET', '/api/magic-folders'), v => magicStatusListLines(v))
      else out.result(await d.json<MagicFolderStatus>('GET', folderPath(name)), v => magicStatusLines(v))
    })

  withIntervals(mf.command('set-intervals').argument('<name>'))
    .description('change how often a folder polls and scans; takes effect at once and is kept')
    .action(async (name: string, o: IntervalFlags, cmd: Command) => {
      if (o.pollInterval === undefined && o.scanInterval === undefined) throw new UsageError('give --poll-interval, --scan-interval or both')
      const { out, daemon } = contextOf(cmd)
      const r = await (await daemon()).json<MagicFolderStatus>('PATCH', folderPath(name, '/intervals'), { pollSeconds: o.pollInterval, scanSeconds: o.scanInterval })
      out.result(r, magicStatusLines)
    })

  mf.command('invite').argument('<name>', 'a folder this node created').argument('<participant>', 'the new participant\'s name in the folder')
    .description('add a participant and print its one-line join code (alone on stdout, for piping)')
    .action(async (name: string, participant: string, _o: unknown, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      const r = await (await daemon()).json<{ code: string, participant: string }>('POST', folderPath(name, '/invite'), { participant })
      out.note(`Hand this code to ${r.participant} privately, once: whoever holds it writes to the folder as ${r.participant}. They run: lafs-club magic-folder join CODE NAME LOCAL_PATH`)
      out.result(r, v => v.code)
    })

  withIntervals(mf.command('join').argument('<code>', 'the code from "magic-folder invite", or - to read it from stdin').argument('<name>', 'what this node calls the folder').argument('<local-path>', 'where to sync it (made if missing)'))
    .description('join a magic folder with an invite code and start syncing it')
    .action(async (code: string, name: string, localPath: string, o: IntervalFlags, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      const r = await (await daemon()).json<MagicFolderStatus>('POST', '/api/magic-folders/join', {
        code: await inviteCode(code), name, localPath: resolve(localPath), pollSeconds: o.pollInterval, scanSeconds: o.scanInterval
      })
      out.result(r, magicStatusLines)
    })

  // Tahoe's magic-folder calls this `leave`; `remove` is what people try first.
  mf.command('leave').alias('remove').argument('<name>')
    .description('stop syncing a folder and forget it on this node; the local files stay, and the others keep the folder')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      const r = await (await daemon()).json<{ name: string, removed: boolean }>('DELETE', folderPath(name))
      out.result(r, v => `left magic folder ${v.name}; the files in its local folder stay where they are`)
    })
}
