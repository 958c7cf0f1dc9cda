/** `lafs-club club …`: create, manage and join storage clubs, through the daemon. */
import { Option, type Command } from 'commander'
import { collect, contextOf, query } from './context.js'
import { clubLines, clubListLines } from './render.js'
import type { ClubStatus } from '../node/index.js'

const id = (clubId: string): string => encodeURIComponent(clubId)

export function addClubCommands (program: Command): void {
  const club = program.command('club').description('create, manage and join storage clubs')

  club.command('create').argument('<name>')
    .description('create a club owned by this node and publish its roster')
    .option('--description <text>', 'what the club is for')
    .addOption(new Option('--policy <policy>', 'who may join as a server').choices(['open', 'invitation']).default('open'))
    .option('--server <multiaddr>', 'a first server (repeatable)', collect)
    .action(async (name: string, o: { description?: string, policy: string, server?: string[] }, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      const r = await (await daemon()).json<ClubStatus>('POST', '/api/clubs', { name, description: o.description, policy: o.policy, servers: o.server })
      out.result(r, v => [...clubLines(v), `Share the club ID: ${v.clubId}`])
    })

  club.command('show').argument('<club-id>')
    .description('the club\'s roster (cached; --refresh fetches the newest from the DHT)')
    .option('--refresh', 'resolve the roster from the DHT')
    .action(async (clubId: string, o: { refresh?: boolean }, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<ClubStatus>('GET', `/api/clubs/${id(clubId)}${query({ refresh: o.refresh === true })}`), clubLines)
    })

  club.command('add').argument('<club-id>').argument('<server-multiaddr>', 'the server, ending in /p2p/<peer id>')
    .description('add a server to a club you own and publish the next roster')
    .action(async (clubId: string, server: string, _o: unknown, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<ClubStatus>('POST', `/api/clubs/${id(clubId)}/servers`, { server }), clubLines)
    })

  club.command('remove').argument('<club-id>').argument('<peer-id>', 'the server\'s peer ID (or multiaddr)')
    .description('remove a server from a club you own and publish the next roster')
    .action(async (clubId: string, server: string, _o: unknown, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<ClubStatus>('DELETE', `/api/clubs/${id(clubId)}/servers`, { server }), clubLines)
    })

  club.command('publish').argument('<club-id>')
    .description('publish the roster again with the next sequence number')
    .action(async (clubId: string, _o: unknown, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<ClubStatus>('POST', `/api/clubs/${id(clubId)}/publish`), clubLines)
    })

  club.command('join').argument('<club-id-or-invite>')
    .description('join a club as a user: resolve its roster, check it, keep it; the first club joined becomes the default for uploads')
    .action(async (clubIdOrInvite: string, _o: unknown, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<ClubStatus>('POST', '/api/clubs/join', { club: clubIdOrInvite }), clubLines)
    })

  club.command('invite').argument('<club-id>')
    .description('a one-code invite: the club ID plus this node\'s addresses to bootstrap from')
    .action(async (clubId: string, _o: unknown, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<{ invite: string }>('POST', `/api/clubs/${id(clubId)}/invite`), v => v.invite)
    })

  club.command('list')
    .description('clubs this node owns or has joined')
    .action(async (_o: unknown, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<ClubStatus[]>('GET', '/api/clubs'), clubListLines)
    })
}
