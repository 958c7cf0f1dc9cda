/**
 * A private Tor network on 127.0.0.1: three directory authorities and four
 * relays in a temporary folder, started in parallel, ready once the
 * authorities serve a consensus that lists every one of them. Callers get the
 * torrc lines a client or onion-service tor needs to join it, can start such
 * clients here, and stop everything (processes killed, folder removed) with
 * `stop()`; exit and SIGINT/SIGTERM do the same.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { type RunAs, type TorNode, deathNote, isRunning, logTail, makeNode, privateDir, startNode, stopNode, waitForLog } from './nodes.js'
import { keepOnLoopback } from './hermetic.js'
import { TorLabError, findExecutable, freePort, runProgram, trackDir, untrackDir, userIds } from './procs.js'
import { type AuthorityId, EMPTY_TORRC, authorityLines, commonLines, nodeLines, relayLines } from './torrc.js'

export interface TorNetworkOptions {
  authorities?: number
  relays?: number
  /** deadline for the first consensus listing every authority and relay */
  consensusTimeoutMs?: number
  /** user the tor processes run as when we are root (default debian-tor, if it exists) */
  torUser?: string
  /** print progress lines */
  log?: (line: string) => void
}

export interface ClientOptions {
  socks?: boolean
  control?: boolean
  /** extra torrc lines (HiddenServiceDir …) */
  extra?: string[]
  bootstrapTimeoutMs?: number
}

export interface StartupTimes {
  keysMs: number
  consensusMs: number
  totalMs: number
}

export class TorNetwork {
  readonly clients: TorNode[] = []
  private stopped = false

  constructor (
    readonly dir: string,
    readonly tor: string,
    readonly runAs: RunAs | undefined,
    readonly authorities: TorNode[],
    readonly relays: TorNode[],
    private readonly ids: AuthorityId[],
    readonly times: StartupTimes,
    private readonly unguard: () => void
  ) {}

  /** What any tor needs in its torrc to use this network (and only it). */
  joinLines (): string[] {
    return commonLines(this.ids)
  }

  /** A folder for a client's own use (HiddenServiceDir parents, etc.), owned by the tor user. */
  privateDir (name: string): string {
    return privateDir(join(this.dir, name), this.runAs)
  }

  /** A client tor (SOCKS and control port on 127.0.0.1 by default), bootstrapped through this network. */
  async startClient (nick: string, opts: ClientOptions = {}): Promise<TorNode> {
    const node = makeNode(this.dir, nick, this.runAs)
    node.socksPort = opts.socks === false ? undefined : await freePort()
    node.controlPort = opts.control === false ? undefined : await freePort()
    startNode(node, this.tor, join(this.dir, EMPTY_TORRC), [
      ...nodeLines(nick, node.dir),
      ...this.joinLines(),
      `SocksPort ${node.socksPort === undefined ? '0' : `127.0.0.1:${node.socksPort}`}`,
      ...(node.controlPort === undefined ? [] : [`ControlPort 127.0.0.1:${node.controlPort}`]),
      ...(opts.extra ?? [])
    ], this.runAs)
    this.clients.push(node)
    await waitForLog(node, /Bootstrapped 100%/, opts.bootstrapTimeoutMs ?? 120_000, 'bootstrap to 100%')
    return node
  }

  /** Every tor of the network, for diagnostics. */
  tails (lines = 8): string {
    return [...this.authorities, ...this.relays, ...this.clients].map(n => logTail(n, lines)).join('\n')
  }

  /** Kills every tor (clients first), removes the folder. Safe to call twice. */
  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    await Promise.all(this.clients.map(stopNode))
    await Promise.all([...this.relays, ...this.authorities].map(stopNode))
    this.unguard()
    untrackDir(this.dir)
  }
}

/** The user the tor processes run as: another user than ours when we are root, so firewall rules can tell them apart. */
function torUser (name: string): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined
  return userIds(name)
}

async function authorityKeys (tor: string, gencert: string, node: TorNode, runAs: RunAs | undefined): Promise<AuthorityId> {
  const keys = privateDir(join(node.dir, 'keys'), runAs)
  // an empty passphrase on stdin; -m 12: the certificate lasts a year
  await runProgram(gencert, ['--create-identity-key', '-m', '12', '-a', `127.0.0.1:${node.dirPort}`, '--passphrase-fd', '0'],
    { cwd: keys, input: '\n', ...runAs })
  const cert = readFileSync(join(keys, 'authority_certificate'), 'utf8')
  const v3ident = /^fingerprint ([0-9A-F]{40})$/m.exec(cert)?.[1]
  if (v3ident === undefined) throw new TorLabError(`${node.nick}: no fingerprint line in authority_certificate`)
  const empty = join(node.dir, '..', EMPTY_TORRC)
  const out = await runProgram(tor, ['--defaults-torrc', empty, '-f', empty, '--list-fingerprint',
    '--DataDirectory', node.dir, '--ORPort', `127.0.0.1:${node.orPort}`, '--quiet'], { cwd: node.dir, ...runAs })
  const fingerprint = /([0-9A-F]{4}(?: [0-9A-F]{4}){9})\s*$/.exec(out.trim())?.[1]?.replaceAll(' ', '')
  if (fingerprint === undefined) throw new TorLabError(`${node.nick}: tor --list-fingerprint printed no fingerprint: ${out}`)
  return { nick: node.nick, orPort: node.orPort ?? 0, dirPort: node.dirPort ?? 0, v3ident, fingerprint }
}

async function fetchConsensus (dirPort: number): Promise<string | undefined> {
  return await new Promise(resolve => {
    const req = get({ host: '127.0.0.1', port: dirPort, path: '/tor/status-vote/current/consensus', timeout: 2000 }, res => {
      if (res.statusCode !== 200) { res.resume(); resolve(undefined); return }
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => { body += d })
      res.on('end', () => { resolve(body) })
      res.on('error', () => { resolve(undefined) })
    })
    req.on('timeout', () => { req.destroy() })
    req.on('error', () => { resolve(undefined) })
  })
}

/** Waits until every authority serves a consensus listing all `count` routers. */
async function waitForConsensus (net: TorNetwork, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const dead = [...net.authorities, ...net.relays].find(n => !isRunning(n))
    if (dead !== undefined) throw new TorLabError(`${dead.nick}: tor stopped while the network started\n${deathNote(dead)}`)
    const bodies = await Promise.all(net.authorities.map(async a => await fetchConsensus(a.dirPort ?? 0)))
    const listed = bodies.map(b => b === undefined ? -1 : b.split('\n').filter(l => l.startsWith('r ')).length)
    if (listed.every(n => n >= count)) return
    if (Date.now() > deadline) {
      throw new TorLabError(`no consensus listing all ${count} routers within ${timeoutMs / 1000} s (authorities list ${listed.join(', ')})\n${net.tails()}`)
    }
    await sleep(500)
  }
}

/**
 * Starts the network and waits for its consensus. Throws a TorLabError (with
 * the logs' tails) on failure, after killing and removing everything.
 */
export async function startTorNetwork (opts: TorNetworkOptions = {}): Promise<TorNetwork> {
  const say = opts.log ?? (() => {})
  const tor = findExecutable('tor')
  const gencert = findExecutable('tor-gencert')
  if (tor === undefined || gencert === undefined) throw new TorLabError('tor is not installed: apt-get install tor')
  const t0 = Date.now()
  const runAs = torUser(opts.torUser ?? 'debian-tor')
  const guard = runAs === undefined ? undefined : keepOnLoopback(runAs.uid)
  const unguard = (): void => { guard?.remove() }
  const dir = mkdtempSync(join(tmpdir(), 'lafs-torlab-'))
  trackDir(dir)
  chmodSync(dir, 0o755) // the tor user walks into its own subfolders
  writeFileSync(join(dir, EMPTY_TORRC), '', { mode: 0o644 })
  const nAuth = opts.authorities ?? 3
  const nRelay = opts.relays ?? 4
  const authorities: TorNode[] = []
  const relays: TorNode[] = []
  let net: TorNetwork | undefined
  try {
    for (let i = 1; i <= nAuth; i++) {
      const a = makeNode(dir, `auth${i}`, runAs)
      a.orPort = await freePort()
      a.dirPort = await freePort()
      authorities.push(a)
    }
    for (let i = 1; i <= nRelay; i++) {
      const r = makeNode(dir, `relay${i}`, runAs)
      r.orPort = await freePort()
      r.dirPort = await freePort()
      relays.push(r)
    }
    const ids = await Promise.all(authorities.map(async a => await authorityKeys(tor, gencert, a, runAs)))
    const keysMs = Date.now() - t0
    say(`torlab: keys for ${nAuth} authorities in ${keysMs} ms; starting ${nAuth} authorities and ${nRelay} relays in ${dir}`)
    for (const a of authorities) {
      startNode(a, tor, join(dir, EMPTY_TORRC), [...nodeLines(a.nick, a.dir), ...commonLines(ids), ...authorityLines(a.orPort ?? 0, a.dirPort ?? 0)], runAs)
    }
    for (const r of relays) {
      startNode(r, tor, join(dir, EMPTY_TORRC), [...nodeLines(r.nick, r.dir), ...commonLines(ids), ...relayLines(r.orPort ?? 0, r.dirPort ?? 0)], runAs)
    }
    const times: StartupTimes = { keysMs, consensusMs: 0, totalMs: 0 }
    net = new TorNetwork(dir, tor, runAs, authorities, relays, ids, times, unguard)
    const tc = Date.now()
    await waitForConsensus(net, nAuth + nRelay, opts.consensusTimeoutMs ?? 240_000)
    times.consensusMs = Date.now() - tc
    times.totalMs = Date.now() - t0
    say(`torlab: consensus with ${nAuth + nRelay} routers ${(times.consensusMs / 1000).toFixed(1)} s after the tors started, ${(times.totalMs / 1000).toFixed(1)} s in all`)
    return net
  } catch (err) {
    if (net !== undefined) await net.stop()
    else {
      await Promise.all([...authorities, ...relays].map(stopNode))
      unguard()
      untrackDir(dir)
    }
    throw err
  }
}
