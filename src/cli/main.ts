/**
 * The `lafs-club` command line. Every command but `init`, `start`, `put` and
 * `get` talks to the running daemon through its HTTP API (docs/cli.md);
 * `put` and `get` use the daemon when it runs and an in-process node when not.
 */
import { Command, CommanderError } from 'commander'
import { addClubCommands } from './club-commands.js'
import { addCpCommand } from './cp-command.js'
import { addDirCommands } from './dir-commands.js'
import { EXIT_OK, EXIT_USAGE, exitCodeOf } from './errors.js'
import { addFileCommands } from './file-commands.js'
import { addKeepCommand } from './keep-command.js'
import { addMagicFolderCommands } from './magic-commands.js'
import { addNodeCommands } from './node-commands.js'

export { defaultDataDir } from './context.js'

export function buildProgram (): Command {
  const program = new Command()
  program
    .name('lafs-club')
    .description('A peer-to-peer, least-authority file store: Tahoe-LAFS-compatible immutable files kept by storage clubs.')
    .option('--data <dir>', 'data folder (default $LAFS_CLUB_DATA or ~/.lafs-club)')
    .option('--json', 'print results as JSON, for scripts')
    .showHelpAfterError('(run "lafs-club --help" for the commands)')
    .exitOverride()
  addFileCommands(program)
  addDirCommands(program)
  addCpCommand(program)
  addClubCommands(program)
  addNodeCommands(program)
  addKeepCommand(program)
  addMagicFolderCommands(program)
  return program
}

/** Runs the CLI; resolves to the exit code. */
export async function main (argv: string[]): Promise<number> {
  const program = buildProgram()
  const json = argv.includes('--json')
  try {
    await program.parseAsync(argv)
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander printed its message (or the help) already
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE
    }
    const code = exitCodeOf(err)
    const e = err as { code?: unknown, message?: unknown }
    const message = typeof e?.message === 'string' ? e.message : String(err)
    const errorCode = typeof e?.code === 'string' ? e.code : 'ERR_FAILED'
    if (json) process.stdout.write(JSON.stringify({ error: { code: errorCode, message } }) + '\n')
    process.stderr.write(`lafs-club: ${message}\n`)
    if (code === EXIT_USAGE && errorCode === 'ERR_INVALID_CONFIG') process.stderr.write('Fix that key in config.json (reference: docs/config.md).\n')
    return code
  }
}
