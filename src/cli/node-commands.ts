/** Commands about the node and its accounts: invitations, usage and terms, status, gc, and the demo grid. */
import { contextOf, query, sizeArg } from './context.js'
import { runDemo } from './demo.js'
import { formatBytes } from './output.js'
import { serverAnswerLines, statusLines, termsLine, usageLine } from './render.js'
import type { GcResult, GrantedAccountStatus, Invitation, ServerAnswer, StatusJson, Terms, Usage } from '../node/index.js'
import type { Command } from 'commander'

export function addNodeCommands (program: Command): void {
  const invite = program.command('invite').description('storage invitations: more quota on a server')
  invite.command('create')
    .description('make a single-use code that raises an account\'s quota on this node\'s storage server')
    .requiredOption('--quota <size>', 'the quota the code grants, e.g. 10GB')
    .option('--note <text>', 'a note for your own records')
    .action(async (o: { quota: string, note?: string }, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<Invitation>('POST', '/api/invites', { quota: sizeArg(o.quota), note: o.note }), v => [v.code, `grants a quota of ${formatBytes(v.quota)}; give it to one person`])
    })
  invite.command('redeem').argument('<code>')
    .description('redeem a code at a server (default: every connected storage server)')
    .option('--server <multiaddr>', 'the server that made the code')
    .action(async (code: string, o: { server?: string }, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      const r = await (await daemon()).json<Array<ServerAnswer<{ quota: number }>>>('POST', '/api/invites/redeem', { code, server: o.server })
      out.result(r, v => serverAnswerLines(v, x => `quota is now ${formatBytes(x.quota)}`))
      if (!r.some(a => a.error === undefined)) process.exitCode = 1
    })

  const account = program.command('account').description('this node\'s accounts on storage servers')
  account.command('usage')
    .description('bytes, shares and leases this node uses on each server, and its quota')
    .option('--server <multiaddr>', 'one server (default: every connected storage server)')
    .action(async (o: { server?: string }, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<Array<ServerAnswer<Usage>>>('GET', `/api/account/usage${query({ server: o.server })}`), v => serverAnswerLines(v, usageLine))
    })
  account.command('terms')
    .description('what each server accepts: free quota, invitations, payment methods')
    .option('--server <multiaddr>', 'one server (default: this node and every connected storage server)')
    .action(async (o: { server?: string }, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<Array<ServerAnswer<Terms>>>('GET', `/api/account/terms${query({ server: o.server })}`), v => serverAnswerLines(v, termsLine))
    })

  account.command('grant').argument('<peer-id>', 'the client\'s peer ID (what `lafs-club status` shows as "node" on its machine)')
    .description('serve a client key on this node\'s storage server with the granted limits (a friend, a club\'s helper)')
    .requiredOption('--quota <size>', 'its quota, e.g. 50GiB')
    .option('--note <text>', 'who it is, for your own records')
    .action(async (peerId: string, o: { quota: string, note?: string }, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<GrantedAccountStatus>('POST', '/api/accounts', { account: peerId, quota: sizeArg(o.quota), note: o.note }),
        v => `granted ${v.account} a quota of ${formatBytes(v.quota)}`)
    })
  account.command('list')
    .description('the accounts granted on this node\'s storage server')
    .option('--limit <n>', 'how many (default 100)')
    .action(async (o: { limit?: string }, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<{ total: number, accounts: GrantedAccountStatus[] }>('GET', `/api/accounts${query({ limit: o.limit })}`), v => v.total === 0
        ? 'no accounts granted (grant one with "lafs-club account grant PEER-ID --quota SIZE")'
        : [`${v.total} accounts granted`, ...v.accounts.map(a => `  ${a.account}  quota ${formatBytes(a.quota)}${a.note !== null ? `  ${a.note}` : ''}`)])
    })
  account.command('revoke').argument('<peer-id>')
    .description('return a granted account to the free limits')
    .action(async (peerId: string, _o: unknown, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      const r = await (await daemon()).json<{ revoked: boolean }>('DELETE', `/api/accounts/${encodeURIComponent(peerId)}`)
      out.result(r, v => v.revoked ? `${peerId} is back to the free limits` : `${peerId} was not granted`)
    })

  program.command('status')
    .description('what the node is doing: peers, upload readiness, storage, clubs, transfers, warnings')
    .action(async (_o: unknown, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<StatusJson>('GET', '/status?t=json'), statusLines)
    })

  program.command('gc')
    .description('delete shares whose leases have all expired, now')
    .action(async (_o: unknown, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<GcResult>('POST', '/api/gc'), v => `deleted ${v.deletedShares} shares, freed ${formatBytes(v.freedBytes)}`)
    })

  program.command('demo')
    .description('a local grid of six nodes in this process, a club, one upload and one download; runs until Ctrl-C')
    .option('--gateway-port <port>', 'port of the demo gateway (default 3456, 0 = any free port)')
    .action(async (o: { gatewayPort?: string }, cmd: Command) => {
      const { out } = contextOf(cmd)
      await runDemo({ out, gatewayPort: o.gatewayPort !== undefined ? Number(o.gatewayPort) : undefined })
    })
}
