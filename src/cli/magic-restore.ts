/**
 * `magic-folder history NAME PATH` and `magic-folder restore NAME PATH
 * [--version N]`: a file's versions from the snapshot history, and writing
 * one back into the local folder (it then syncs to the others as a new
 * change). Both go through the running daemon.
 */
import { contextOf, query } from './context.js'
import { UsageError } from './errors.js'
import { formatBytes } from './output.js'
import type { FileVersion, RestoreResult } from '../node/index.js'
import type { Command } from 'commander'

function versionArg (value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`"${value}" is not a version number (1, 2, …; see "magic-folder history")`)
  return n
}

function historyLines (path: string, versions: FileVersion[]): string[] {
  if (versions.length === 0) return [`no versions of ${path}`]
  return [
    `versions of ${path}, newest first:`,
    ...versions.map(v => `  ${String(v.version).padStart(4)}  ${new Date(v.mtimeMs).toISOString().replace('.000Z', 'Z')}  ${(v.deleted ? 'deleted' : formatBytes(v.size)).padStart(10)}  by ${v.author}${v.current ? '  (current)' : ''}`)
  ]
}

/** Adds `history` and `restore` to the `magic-folder` command group. */
export function addRestoreCommands (group: Command): void {
  group.command('history').argument('<name>', 'the magic folder').argument('<path>', 'the file, relative to the folder')
    .description('the versions of a file in a magic folder, newest first (version number, time, size or deletion, author)')
    .action(async (name: string, path: string, _o: unknown, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      const versions = await (await daemon()).json<FileVersion[]>('GET', `/api/magic-folders/${encodeURIComponent(name)}/history${query({ path })}`)
      out.result(versions, v => historyLines(path, v))
    })

  group.command('restore').argument('<name>', 'the magic folder').argument('<path>', 'the file, relative to the folder')
    .description('write a version of a file back into the local folder (default: the newest that is not a deletion); it syncs to the others as a new change')
    .option('--version <n>', 'the version to restore (see "magic-folder history")', versionArg)
    .action(async (name: string, path: string, o: { version?: number }, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      const r = await (await daemon()).json<RestoreResult>('POST', `/api/magic-folders/${encodeURIComponent(name)}/restore`, { path, version: o.version })
      out.result(r, v => v.written
        ? `restored version ${v.version} of ${v.relpath} (${formatBytes(v.size)}); it syncs to the others as a new change`
        : `${v.relpath} already holds version ${v.version}; nothing written`)
    })
}
