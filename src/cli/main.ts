/**
 * The `lafs-club` command line. Every command but `init`, `start`, `put` and
 * `get` talks to the running daemon through its HTTP API (docs/cli.md);
 * `put` and `get` use the daemon when it runs and an in-process node when not.
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { rename, rm, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Command, CommanderError, Option } from 'commander'
import { parseHintedCap } from '../immutable/index.js'
import { initDataDir, mergeConfig, defaultConfig, parseSize, type ConfigInput } from '../node/index.js'
import { runDemo } from './demo.js'
import { findDaemon, requireDaemon, type DaemonClient } from './daemon-client.js'
import { runDaemon } from './daemon.js'
import { CliError, EXIT_OK, EXIT_USAGE, exitCodeOf, UsageError } from './errors.js'
import { withLocalNode } from './local.js'
import { createOutput, formatBytes, type Output } from './output.js'

interface GlobalOptions { data?: string, json?: boolean }

export function defaultDataDir (): string {
  const env = process.env.LAFS_CLUB_DATA
  return env !== undefined && env !== '' ? resolve(env) : resolve(homedir(), '.lafs-club')
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

function sizeArg (value: string): number {
  const n = parseSize(value)
  if (n === undefined) throw new UsageError(`"${value}" is not a size (e.g. 5GB, 500MiB, 1000000)`)
  return n
}

function checkCap (cap: string): void {
  parseHintedCap(cap)
}

function query (params: Record<string, string | boolean | string[] | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === false) continue
    if (Array.isArray(v)) for (const x of v) q.append(k, x)
    else q.set(k, v === true ? 'true' : v)
  }
  const s = q.toString()
  return s === '' ? '' : `?${s}`
}

/** Counts bytes through an async iterable, for a progress bar. */
async function * counted (source: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    onBytes(chunk.length)
    yield chunk
  }
}

function explainLines (explain: any): string[] {
  if (explain == null) return []
  const e = explain.explain ?? explain
  if (e.literal === true) return ['locate: literal cap, the file is inside the cap']
  const lines = [`locate: chose ${e.chosen ?? '?'}${e.fellBack === true ? ' (fell back to the other way)' : ''}`]
  for (const [way, est] of Object.entries<any>(e.estimates ?? {})) {
    lines.push(`  estimate ${way}: ${est.rpcs} RPCs, ${est.roundTrips} round trips${est.networkSize !== undefined ? `, network ~${est.networkSize} peers` : ''}${est.rosterCached !== undefined ? `, roster ${est.rosterCached === true ? 'cached' : 'not cached'}` : ''}${est.fitsBudget === false ? ' (over budget)' : ''}`)
  }
  for (const run of e.runs ?? []) {
    lines.push(`  ran ${run.way}: ${run.rpcs} RPCs, ${run.roundTrips} round trips, ${run.ms} ms, ${run.servers} servers, ${run.distinctShares} distinct shares${run.error !== undefined ? ` — ${run.error}` : ''}`)
  }
  if (e.actual !== undefined) lines.push(`  actual: ${e.actual.rpcs} RPCs, ${e.actual.roundTrips} round trips, ${e.actual.ms} ms`)
  return lines
}

function statusLines (s: any): string[] {
  const lines = [
    `node      ${s.peerId}`,
    `gateway   ${s.gateway?.url ?? '-'}  (status page: ${s.gateway?.url ?? ''}/status)`,
    `upload    ${s.uploadReady === true ? 'READY' : 'NOT READY'}: ${s.storageServersConnected} storage servers connected, an upload needs ${s.happy}`,
    `peers     ${s.peers.length} connected (${s.peers.filter((p: any) => p.connection === 'relayed').length} relayed)`
  ]
  if (s.bootstrap?.alone === true && s.bootstrap.configured > 0) lines.push('bootstrap none of the bootstrap peers answered: running alone')
  if (s.storage === null) lines.push('storage   off')
  else lines.push(`storage   ${s.storage.shares} shares, ${formatBytes(s.storage.bytes)} of ${formatBytes(s.storage.capacity)}, ${s.storage.accounts} accounts`)
  if (s.reprovide !== null) lines.push(`reprovide backlog ${s.reprovide.backlog}${s.reprovide.failed > 0 ? `, ${s.reprovide.failed} failed` : ''}`)
  if (s.clubs !== null) {
    lines.push(`clubs     ${s.clubs.length}`)
    for (const c of s.clubs) lines.push(`  ${c.clubId} "${c.name}" sequence ${c.sequence}, ${c.servers.length} servers${c.owned === true ? ' (owner)' : ''}`)
  }
  lines.push(`transfers ${s.transfers.length} in progress; ${s.totals.uploadsSucceeded} uploads and ${s.totals.downloadsSucceeded} downloads done since start`)
  for (const t of s.transfers) lines.push(`  #${t.id} ${t.direction} ${t.phase} ${formatBytes(t.bytesDone)}${t.bytesTotal !== undefined ? ` / ${formatBytes(t.bytesTotal)}` : ''}`)
  lines.push(`leases    ${s.leasesHeld} uploads kept alive`)
  for (const l of s.leasesExpiringSoon) lines.push(`  WARNING lease of ${l.cap.slice(0, 40)}… expires ${new Date(l.expiresAt).toISOString()}${l.lastError !== undefined ? ` (renewal failed: ${l.lastError})` : ''}`)
  for (const c of s.corruption.slice(0, 5)) lines.push(`  corrupt share ${c.storageIndex} #${c.shareNumber} reported by ${c.reportedBy}: ${c.reason}`)
  return lines
}

function clubLines (c: any): string[] {
  return [
    `club      ${c.clubId}`,
    `name      ${c.name}${c.description !== '' ? ` — ${c.description}` : ''}`,
    `policy    ${c.policy}${c.owned === true ? ' (you own it)' : ''}`,
    `sequence  ${c.sequence}, valid until ${new Date(c.expiresAt).toISOString()}`,
    `servers   ${c.servers.length}`,
    ...c.servers.map((s: any) => `  ${s.peerId} ${s.multiaddrs.join(' ')}`)
  ]
}

function serverAnswerLines (answers: any[], fmt: (r: any) => string): string[] {
  return answers.map(a => a.error !== undefined ? `${a.server}: ERROR ${a.error.message}` : `${a.server}: ${fmt(a.result)}`)
}

export function buildProgram (): Command {
  const program = new Command()
  program
    .name('lafs-club')
    .description('A peer-to-peer, least-authority file store: Tahoe-LAFS-compatible immutable files kept by storage clubs.')
    .option('--data <dir>', 'data folder (default $LAFS_CLUB_DATA or ~/.lafs-club)')
    .option('--json', 'print results as JSON, for scripts')
    .showHelpAfterError('(run "lafs-club --help" for the commands)')
    .exitOverride()

  const ctx = (cmd: Command): { dataDir: string, out: Output, globals: GlobalOptions } => {
    const globals = cmd.optsWithGlobals<GlobalOptions>()
    return { dataDir: globals.data !== undefined ? resolve(globals.data) : defaultDataDir(), out: createOutput(globals.json === true), globals }
  }
  const daemon = async (dataDir: string): Promise<DaemonClient> => await requireDaemon(dataDir)

  program.command('init')
    .description('create a data folder with a new identity, secrets and config.json')
    .option('--no-storage', 'do not run a storage server (a client-only node)')
    .option('--capacity <size>', 'most bytes of shares to keep, e.g. 50GB')
    .option('--listen <multiaddr>', 'listen address (repeatable; default TCP 4001 and WebSockets 4002)', collect)
    .option('--bootstrap <multiaddr>', 'bootstrap peer with /p2p/ (repeatable; replaces the public IPFS peers)', collect)
    .option('--no-bootstrap', 'start with no bootstrap peers')
    .option('--dht-protocol <id>', 'Kademlia protocol id, for a private DHT')
    .option('--gateway-port <port>', 'HTTP gateway port (default 3456; 0 = any free port)')
    .option('--gateway-host <host>', 'HTTP gateway interface (default 127.0.0.1)')
    .action(async (o, cmd: Command) => {
      const { dataDir, out } = ctx(cmd)
      const config: ConfigInput = {}
      if (o.storage === false) config.storage = { enabled: false }
      if (o.capacity !== undefined) config.storage = { ...config.storage, capacity: sizeArg(o.capacity) }
      if (o.listen !== undefined) config.listen = o.listen
      if (o.bootstrap === false) config.bootstrap = []
      else if (Array.isArray(o.bootstrap)) config.bootstrap = o.bootstrap
      if (o.dhtProtocol !== undefined) config.dht = { protocol: o.dhtProtocol }
      if (o.gatewayPort !== undefined || o.gatewayHost !== undefined) {
        const port = o.gatewayPort !== undefined ? Number(o.gatewayPort) : undefined
        if (port !== undefined && !Number.isInteger(port)) throw new UsageError(`--gateway-port must be a port number, got "${o.gatewayPort}"`)
        config.gateway = { ...(port !== undefined ? { port } : {}), ...(o.gatewayHost !== undefined ? { host: o.gatewayHost } : {}) }
      }
      mergeConfig(defaultConfig(), config, 'init options')
      const r = await initDataDir(dataDir, { config })
      out.result({ dataDir: r.dataDir, peerId: r.peerId, config: resolve(dataDir, 'config.json') }, v => [
        `Created ${v.dataDir}`,
        `node ID  ${v.peerId}`,
        `config   ${v.config}`,
        'Back up the private/ folder. Start the node with: lafs-club start' + (cmd.optsWithGlobals().data !== undefined ? ` --data ${dataDir}` : '')
      ])
    })

  program.command('start')
    .description('run the node (storage server, DHT, gateway and status page) until Ctrl-C')
    .action(async (_o, cmd: Command) => {
      const { dataDir, out } = ctx(cmd)
      await runDaemon(dataDir, info => {
        out.result(info, v => [
          `lafs-club node ${v.peerId} is running (data: ${v.dataDir})`,
          ...v.multiaddrs.map((a: string) => `  listening on ${a}`),
          v.gateway !== undefined ? `gateway and status page: ${v.gateway}/status` : 'gateway: off (gateway.enabled is false)',
          'Press Ctrl-C to stop.'
        ])
      }, { json: out.json })
    })

  program.command('put')
    .description('upload a file; prints its read-cap (and the hinted cap when uploaded through a club)')
    .argument('<file>', 'the file to upload')
    .option('--club <id>', 'upload to this club\'s servers; the club ID becomes the cap\'s hint')
    .option('--server <multiaddr>', 'upload to this server (repeatable; instead of a club)', collect)
    .action(async (file: string, o, cmd: Command) => {
      const { dataDir, out } = ctx(cmd)
      let size: number
      try {
        const st = await stat(file)
        if (!st.isFile()) throw new UsageError(`${file} is not a regular file`)
        size = st.size
      } catch (err: any) {
        if (err instanceof CliError) throw err
        throw new UsageError(`cannot read ${file}: ${err?.code === 'ENOENT' ? 'no such file' : err?.message}`)
      }
      const bar = out.progress('sending', size)
      let sent = 0
      const d = await findDaemon(dataDir)
      let result: { cap: string, hintedCap?: string | null }
      try {
        if (d !== undefined) {
          const body = counted(createReadStream(file), n => { sent += n; bar.update(sent, size, sent >= size ? 'uploading' : 'sending') })
          const res = await d.stream('PUT', `/uri${query({ t: 'json', club: o.club, server: o.server })}`, { body, headers: { 'Content-Length': size, 'Content-Type': 'application/octet-stream', Accept: 'application/json' } })
          const chunks: Buffer[] = []
          for await (const c of res as AsyncIterable<Buffer>) chunks.push(c)
          result = JSON.parse(Buffer.concat(chunks).toString())
        } else {
          out.note('no daemon running: uploading from an in-process node')
          result = await withLocalNode(dataDir, async node => await node.put(createReadStream(file), {
            club: o.club,
            servers: o.server,
            onProgress: p => { bar.update(p.bytesDone, p.bytesTotal, p.phase) }
          }))
        }
      } finally {
        bar.done()
      }
      out.result({ cap: result.cap, hintedCap: result.hintedCap ?? null, size }, v => v.hintedCap !== null ? [v.cap, v.hintedCap] : [v.cap])
    })

  program.command('get')
    .description('download a file by its cap, to a file (-o) or to stdout')
    .argument('<cap>', 'read-cap (URI:CHK:… or URI:LIT:…), optionally with @<club id>')
    .option('-o, --output <file>', 'write to this file (created only once the whole file arrived)')
    .option('--server <multiaddr>', 'ask this server first (repeatable)', collect)
    .option('--explain', 'print how the shares were located and what it cost')
    .action(async (cap: string, o, cmd: Command) => {
      const { dataDir, out } = ctx(cmd)
      const parsed = parseHintedCap(cap).cap
      if (out.json && o.output === undefined) throw new UsageError('with --json the file cannot go to stdout: give -o FILE')
      const target = o.output !== undefined ? resolve(o.output) : undefined
      const part = target !== undefined ? `${target}.part-${process.pid}` : undefined
      const bar = out.progress('downloading', undefined)
      let received = 0
      let explain: unknown
      const sink = async (source: AsyncIterable<Uint8Array>): Promise<void> => {
        const through = counted(source, n => { received += n; bar.update(received) })
        if (part !== undefined) await pipeline(through, createWriteStream(part, { mode: 0o644 }))
        else for await (const chunk of through) { if (!process.stdout.write(chunk)) await new Promise(resolve => process.stdout.once('drain', resolve)) }
      }
      try {
        const d = parsed.kind === 'lit' ? undefined : await findDaemon(dataDir)
        if (parsed.kind === 'lit') {
          // The bytes are inside the cap: no daemon, no node, no network.
          if (o.explain === true) explain = { literal: true }
          bar.update(0, parsed.data.length)
          await sink((async function * () { if (parsed.data.length > 0) yield parsed.data })())
        } else if (d !== undefined) {
          if (o.explain === true) explain = await d.json('GET', `/api/locate${query({ cap })}`)
          const res = await d.stream('GET', `/uri/${encodeURIComponent(cap)}${query({ server: o.server })}`)
          const length = Number(res.headers['content-length'])
          bar.update(0, Number.isFinite(length) ? length : undefined)
          await sink(res as AsyncIterable<Uint8Array>)
        } else {
          out.note('no daemon running: downloading with an in-process node')
          await withLocalNode(dataDir, async node => {
            if (o.explain === true) explain = await node.locate(cap)
            await sink(node.cat(cap, { servers: o.server, onProgress: p => { bar.update(received, p.bytesTotal, p.phase) } }))
          })
        }
        if (part !== undefined && target !== undefined) await rename(part, target)
      } catch (err) {
        if (part !== undefined) await rm(part, { force: true })
        throw err
      } finally {
        bar.done()
      }
      if (o.explain === true && !out.json) for (const line of explainLines(explain)) process.stderr.write(line + '\n')
      if (target !== undefined || out.json) {
        out.result({ cap, bytes: received, file: target ?? null, ...(o.explain === true ? { explain } : {}) }, v => `${formatBytes(v.bytes)} written to ${v.file}`)
      }
    })

  program.command('check')
    .description('count a file\'s shares on the grid; --verify downloads and checks every share; --repair rebuilds missing ones')
    .argument('<cap>', 'read-cap or verify-cap')
    .option('--verify', 'read every block of every share and check the hashes')
    .option('--repair', 'upload new shares when the file is not healthy')
    .option('--server <multiaddr>', 'check on these servers (repeatable)', collect)
    .action(async (cap: string, o, cmd: Command) => {
      const { dataDir, out } = ctx(cmd)
      checkCap(cap)
      const r = await (await daemon(dataDir)).json('POST', `/api/check${query({ cap, verify: o.verify === true, repair: o.repair === true, server: o.server })}`)
      out.result(r, v => [
        `${v.healthy === true ? 'healthy' : v.recoverable === true ? 'NOT HEALTHY (recoverable)' : 'NOT RECOVERABLE'}: ${v.sharesFound} of ${v.n} shares on ${v.serversWithShares} servers (k=${v.k}, happiness ${v.happiness})`,
        ...(v.corrupt ?? []).map((c: any) => `  corrupt share ${c.shnum} on ${c.peerId} (${c.check})`),
        ...(v.unreachable ?? []).map((p: string) => `  unreachable ${p}`),
        ...(v.repaired !== undefined ? [`repaired: ${v.repaired.sharesUploaded} shares uploaded, now ${v.repaired.sharesFoundAfter} shares, happiness ${v.repaired.happinessAfter}`] : [])
      ])
      if (r?.recoverable === false) process.exitCode = 1
    })

  const club = program.command('club').description('create, manage and join storage clubs')
  club.command('create').argument('<name>')
    .description('create a club owned by this node and publish its roster')
    .option('--description <text>', 'what the club is for')
    .addOption(new Option('--policy <policy>', 'who may join as a server').choices(['open', 'invitation']).default('open'))
    .option('--server <multiaddr>', 'a first server (repeatable)', collect)
    .action(async (name: string, o, cmd: Command) => {
      const { dataDir, out } = ctx(cmd)
      const r = await (await daemon(dataDir)).json('POST', '/api/clubs', { name, description: o.description, policy: o.policy, servers: o.server })
      out.result(r, v => [...clubLines(v), `Share the club ID: ${v.clubId}`])
    })
  club.command('show').argument('<club-id>')
    .description('the club\'s roster (cached; --refresh fetches the newest from the DHT)')
    .option('--refresh', 'resolve the roster from the DHT')
    .action(async (id: string, o, cmd: Command) => {
      const { dataDir, out } = ctx(cmd)
      out.result(await (await daemon(dataDir)).json('GET', `/api/clubs/${encodeURIComponent(id)}${query({ refresh: o.refresh === true })}`), clubLines)
    })
  club.command('add').argument('<club-id>').argument('<server-multiaddr>', 'the server, ending in /p2p/<peer id>')
    .description('add a server to a club you own and publish the next roster')
    .action(async (id: string, server: string, _o, cmd: Command) => {
      const { dataDir, out } = ctx(cmd)
      out.result(await (await daemon(dataDir)).json('POST', `/api/clubs/${encodeURIComponent(id)}/servers`, { server }), clubLines)
    })
  club.command('remove').argument('<club-id>').argument('<peer-id>', 'the server\'s peer ID (or multiaddr)')
    .description('remove a server from a club you own and publish the next roster')
    .action(async (id: string, server: string, _o, cmd: Command) => {
      const { dataDir, out } = ctx(cmd)
      out.result(await (await daemon(dataDir)).json('DELETE', `/api/clubs/${encodeURIComponent(id)}/servers`, { server }), clubLines)
    })
  club.command('publish').argument('<club-id>')
    .description('publish the roster again with the next sequence number')
    .action(async (id: string, _o, cmd: Command) => {
      const { dataDir, out } = ctx(cmd)
      out.result(await (await daemon(dataDir)).json('POST', `/api/clubs/${encodeURIComponent(id)}/publish`), clubLines)
    })
  club.command('join').argument('<club-id-or-invite>')
    .description('join a club as a user: resolve its roster, check it, and keep it')
    .action(async (id: string, _o, cmd: Command) => {
      const { dataDir, out } = ctx(cmd)
      out.result(await (await daemon(dataDir)).json('POST', '/api/clubs/join', { club: id }), clubLines)
    })
  club.command('invite').argument('<club-id>')
    .description('a one-code invite: the club ID plus this node\'s addresses to bootstrap from')
    .action(async (id: string, _o, cmd: Command) => {
      const { dataDir, out } = ctx(cmd)
      out.result(await (await daemon(dataDir)).json('POST', `/api/clubs/${encodeURIComponent(id)}/invite`), v => v.invite)
    })
  club.command('list')
    .description('clubs this node owns or has joined')
    .action(async (_o, cmd: Command) => {
      const { dataDir, out } = ctx(cmd)
      out.result(await (await daemon(dataDir)).json('GET', '/api/clubs'), (v: any[]) => v.length === 0
        ? 'no clubs yet (create one with "lafs-club club create NAME" or join with "lafs-club club join ID")'
        : v.map(c => `${c.clubId}  ${c.name}  sequence ${c.sequence}  ${c.servers.length} servers${c.owned === true ? '  (owner)' : ''}`))
    })

  const invite = program.command('invite').description('storage invitations: more quota on a server')
  invite.command('create')
    .description('make a single-use code that raises an account\'s quota on this node\'s storage server')
    .requiredOption('--quota <size>', 'the quota the code grants, e.g. 10GB')
    .option('--note <text>', 'a note for your own records')
    .action(async (o, cmd: Command) => {
      const { dataDir, out } = ctx(cmd)
      out.result(await (await daemon(dataDir)).json('POST', '/api/invites', { quota: sizeArg(o.quota), note: o.note }), v => [v.code, `grants a quota of ${formatBytes(v.quota)}; give it to one person`])
    })
  invite.command('redeem').argument('<code>')
    .description('redeem a code at a server (default: every connected storage server)')
    .option('--server <multiaddr>', 'the server that made the code')
    .action(async (code: string, o, cmd: Command) => {
      const { dataDir, out } = ctx(cmd)
      const r = await (await daemon(dataDir)).json<any[]>('POST', '/api/invites/redeem', { code, server: o.server })
      out.result(r, v => serverAnswerLines(v, x => `quota is now ${formatBytes(x.quota)}`))
      if (!r.some(a => a.error === undefined)) process.exitCode = 1
    })

  const account = program.command('account').description('this node\'s accounts on storage servers')
  account.command('usage')
    .description('bytes, shares and leases this node uses on each server, and its quota')
    .option('--server <multiaddr>', 'one server (default: every connected storage server)')
    .action(async (o, cmd: Command) => {
      const { dataDir, out } = ctx(cmd)
      out.result(await (await daemon(dataDir)).json('GET', `/api/account/usage${query({ server: o.server })}`), v => serverAnswerLines(v, u => `${formatBytes(u.bytes)} in ${u.shares} shares, ${u.leases} leases, quota ${formatBytes(u.quota)}${u.reserved > 0 ? `, ${formatBytes(u.reserved)} reserved` : ''}`))
    })
  account.command('terms')
    .description('what each server accepts: free quota, invitations, payment methods')
    .option('--server <multiaddr>', 'one server (default: this node and every connected storage server)')
    .action(async (o, cmd: Command) => {
      const { dataDir, out } = ctx(cmd)
      out.result(await (await daemon(dataDir)).json('GET', `/api/account/terms${query({ server: o.server })}`), v => serverAnswerLines(v, t =>
        [`free quota ${formatBytes(t.freeQuota)}`, ...t.methods.map((m: any) => `\n    ${m.name}${m.url !== undefined && m.url !== '' ? ` <${m.url}>` : ''}: ${m.explanation}`)].join('')))
    })

  program.command('status')
    .description('what the node is doing: peers, upload readiness, storage, clubs, transfers, warnings')
    .action(async (_o, cmd: Command) => {
      const { dataDir, out } = ctx(cmd)
      out.result(await (await daemon(dataDir)).json('GET', '/status?t=json'), statusLines)
    })

  program.command('gc')
    .description('delete shares whose leases have all expired, now')
    .action(async (_o, cmd: Command) => {
      const { dataDir, out } = ctx(cmd)
      out.result(await (await daemon(dataDir)).json('POST', '/api/gc'), v => `deleted ${v.deletedShares} shares, freed ${formatBytes(v.freedBytes)}`)
    })

  program.command('demo')
    .description('a local grid of six nodes in this process, a club, one upload and one download; runs until Ctrl-C')
    .option('--gateway-port <port>', 'port of the demo gateway (default 3456, 0 = any free port)')
    .action(async (o, cmd: Command) => {
      const { out } = ctx(cmd)
      await runDemo({ out, gatewayPort: o.gatewayPort !== undefined ? Number(o.gatewayPort) : undefined })
    })

  return program
}

/** Runs the CLI; resolves to the exit code. */
export async function main (argv: string[]): Promise<number> {
  const program = buildProgram()
  const json = argv.includes('--json')
  try {
    await program.parseAsync(argv)
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK
  } catch (err: any) {
    if (err instanceof CommanderError) {
      // commander printed its message (or the help) already
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE
    }
    const code = exitCodeOf(err)
    const message: string = err?.message ?? String(err)
    if (json) process.stdout.write(JSON.stringify({ error: { code: err?.code ?? 'ERR_FAILED', message } }) + '\n')
    process.stderr.write(`lafs-club: ${message}\n`)
    if (err?.code === 'ERR_NO_SERVERS') process.stderr.write('Upload through a club (put FILE --club ID) or to servers (put FILE --server MULTIADDR, repeatable).\n')
    if (code === EXIT_USAGE && err?.code === 'ERR_INVALID_CONFIG') process.stderr.write('Fix that key in config.json (reference: docs/config.md).\n')
    return code
  }
}
