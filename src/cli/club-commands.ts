/** `lafs-club club …`: create, manage and join storage clubs, through the daemon. */
import { Option, type Command } from 'commander'
import { collect, contextOf, query } from './context.js'
import { UsageError } from './errors.js'
import { clubLines, clubListLines, joinLines, leaveLines, requestLines } from './render.js'
import { parseDuration, type ClubJoinResult, type ClubLeaveResult, type ClubStatus, type JoinRequestStatus } from '../node/index.js'

const id = (clubId: string): string => encodeURIComponent(clubId)

/** `--valid 30d`: checked here so a typo is a usage error (exit 2) before the daemon is asked. */
function validArg (value: string): string {
  if (parseDuration(value) === undefined) throw new UsageError(`"${value}" is not a duration (e.g. 30d, 36h, 90m)`)
  return value
}

export function addClubCommands (program: Command): void {
  const club = program.command('club').description('create, manage and join storage clubs')

  club.command('create').argument('<name>')
    .description('create a club owned by this node and publish its roster')
    .option('--description <text>', 'what the club is for')
    .addOption(new Option('--policy <policy>', 'who may join as a server').choices(['open', 'invitation']).default('open'))
    .option('--server <multiaddr>', 'a first server (repeatable)', collect)
    .option('--local', 'a club on one machine or LAN: invites and rosters may carry loopback and private addresses')
    .option('--valid <duration>', 'how long each published roster stays valid without the owner (default 30d)', validArg)
    .action(async (name: string, o: { description?: string, policy: string, server?: string[], local?: boolean, valid?: string }, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      const r = await (await daemon()).json<ClubStatus>('POST', '/api/clubs', { name, description: o.description, policy: o.policy, servers: o.server, local: o.local === true, valid: o.valid })
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

  club.command('helpers').argument('<club-id>').argument('[helper-multiaddr...]', 'upload helpers, each ending in /p2p/<peer id>; none clears the list')
    .description('set the upload helpers a club you own lists in its roster (users with client.helper "club" or put --helper club use them) and publish the next roster')
    .action(async (clubId: string, helpers: string[], _o: unknown, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<ClubStatus>('POST', `/api/clubs/${id(clubId)}/helpers`, { helpers }), clubLines)
    })

  club.command('remove').argument('<club-id>').argument('<peer-id>', 'the server\'s peer ID (or multiaddr)')
    .description('remove a server from a club you own and publish the next roster')
    .action(async (clubId: string, server: string, _o: unknown, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<ClubStatus>('DELETE', `/api/clubs/${id(clubId)}/servers`, { server }), clubLines)
    })

  club.command('publish').argument('<club-id>')
    .description('publish the roster again with the next sequence number')
    .option('--valid <duration>', 'a new validity for this and later rosters (e.g. 30d)', validArg)
    .action(async (clubId: string, o: { valid?: string }, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<ClubStatus>('POST', `/api/clubs/${id(clubId)}/publish`, { valid: o.valid }), clubLines)
    })

  club.command('join').argument('<club-id-or-invite>')
    .description('join a club as a user: resolve its roster, check it, keep it; the first club joined becomes the default for uploads')
    .option('--serve', 'also ask the owner to list this node\'s storage server (accepted at once by an open club, pending for an invitation-only one)')
    .option('--note <text>', 'with --serve: a word for the owner ("Alice\'s NAS")')
    .action(async (clubIdOrInvite: string, o: { serve?: boolean, note?: string }, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<ClubJoinResult>('POST', '/api/clubs/join', { club: clubIdOrInvite, serve: o.serve === true, note: o.note }), joinLines)
    })

  club.command('leave').argument('<club-id>')
    .description('leave a club: a server asks the owner to take it off the roster; the node forgets the club (and unsets it as default)')
    .action(async (clubId: string, _o: unknown, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<ClubLeaveResult>('POST', `/api/clubs/${id(clubId)}/leave`), leaveLines)
    })

  club.command('requests').argument('[club-id]')
    .description('servers asking to join invitation-only clubs you own')
    .action(async (clubId: string | undefined, _o: unknown, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      const path = clubId === undefined ? '/api/clubs/requests' : `/api/clubs/${id(clubId)}/requests`
      out.result(await (await daemon()).json<JoinRequestStatus[]>('GET', path), requestLines)
    })

  club.command('approve').argument('<club-id>').argument('<peer-id>', 'the server asking to join')
    .description('list a server that asked to join (after checking it answers on its addresses) and publish the next roster')
    .action(async (clubId: string, peer: string, _o: unknown, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<ClubStatus>('POST', `/api/clubs/${id(clubId)}/approve`, { peer }), clubLines)
    })

  club.command('deny').argument('<club-id>').argument('<peer-id>', 'the server asking to join')
    .description('refuse a server that asked to join; asking again gets the same answer')
    .option('--reason <text>', 'told to the server when it asks again')
    .action(async (clubId: string, peer: string, o: { reason?: string }, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      out.result(await (await daemon()).json<{ denied: boolean }>('POST', `/api/clubs/${id(clubId)}/deny`, { peer, reason: o.reason }), () => `denied ${peer}`)
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
