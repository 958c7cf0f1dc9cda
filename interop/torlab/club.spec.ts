/**
 * Issue #18 end to end on the private Tor network, through the CLI: two
 * storage servers listening only on onion addresses and one on TCP form an
 * open club (plus a storage-less TCP node as the DHT's second server: Tor-only
 * nodes are DHT clients); a Tor-only client uploads a file through the club, and a second
 * Tor-only client, knowing only the hinted cap and a bootstrap address,
 * downloads it. The two clients' daemons run as their own system users, and an
 * nftables table drops every packet those users send except to their tors'
 * SOCKS and control ports (and their gateways' answers to the CLI): a direct
 * dial from such a user fails, the drop counter stays still during the
 * transfers, and the transfer works. Needs root and Debian's `tor`.
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ClubServers, TOR_DEADLINE_MS, connectedToServers, startClubServers, torOnlyClient } from './club.js'
import { type SystemUser, type TorOnlyRules, ensureUser, installTorOnlyRules, tableExists } from './firewall.js'
import { type LafsNode, cli, startLafs, statusOf, stopLafs } from './lafs.js'
import type { TorNetwork } from './network.js'
import { logTail } from './nodes.js'
import { trackDir, untrackDir } from './procs.js'
import { probeTcp } from './probe.js'
import { NETWORK_START_TIMEOUT_MS, elapsed, requireTorLab, sharedNetwork, stopSharedNetwork } from './shared.js'

after(stopSharedNetwork)

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

describe('torlab: a club over Tor, with Tor-only clients confined by nftables', function () {
  this.timeout(TOR_DEADLINE_MS + 60_000)
  const t0 = Date.now()
  const log = (l: string): void => { console.log(`      [${elapsed(t0)}] ${l}`) }
  let net: TorNetwork
  let base: string
  let servers: ClubServers
  let rules: TorOnlyRules | undefined
  const nodes: LafsNode[] = []
  let users: SystemUser[]
  let reader: { node: LafsNode, gatewayPort: number, socks: number, control: number }
  let writer: { node: LafsNode, gatewayPort: number, socks: number, control: number }
  const file = randomBytes(1 << 20)
  let hintedCap = ''
  let droppedBefore = 0
  let downloaded = false

  before(async function () {
    requireTorLab(this)
    this.timeout(NETWORK_START_TIMEOUT_MS + 2 * TOR_DEADLINE_MS)
    base = mkdtempSync(join(tmpdir(), 'lafs-torlab-club-'))
    trackDir(base)
    chmodSync(base, 0o711) // the clients' users reach their own folders inside, and list nothing

    net = await sharedNetwork()
    users = [ensureUser('lafs-tor-a'), ensureUser('lafs-tor-b')]
    const ts = Date.now()
    servers = await startClubServers(net, base, log, nodes).catch((err: unknown) => { dumpLogs(); throw err })
    log(`club ${servers.clubId} of 3 servers formed in ${elapsed(ts)}`)
    const [a, b] = await Promise.all([
      torOnlyClient(net, base, 'writer', servers.bootstrap, users[0]),
      torOnlyClient(net, base, 'reader', servers.bootstrap, users[1])
    ])
    writer = { node: a.node, gatewayPort: a.gatewayPort, socks: a.tor.socksPort ?? 0, control: a.tor.controlPort ?? 0 }
    reader = { node: b.node, gatewayPort: b.gatewayPort, socks: b.tor.socksPort ?? 0, control: b.tor.controlPort ?? 0 }
    nodes.push(writer.node, reader.node)
    rules = installTorOnlyRules({
      uids: users.map(u => u.uid),
      torPorts: [writer.socks, writer.control, reader.socks, reader.control],
      replyPorts: [writer.gatewayPort, reader.gatewayPort]
    })
  })

  after(async function () {
    this.timeout(60_000)
    const running = nodes.filter(n => n.child !== undefined)
    await Promise.all(running.map(stopLafs))
    if (rules !== undefined) {
      rules.remove()
      assert.equal(tableExists(rules.table), false, 'the Tor-only nftables table is still there')
    }
    if (base !== undefined) untrackDir(base)
  })

  function dumpLogs (): void {
    for (const n of nodes) console.log(`---- ${n.name}\n${logTail({ nick: n.name, dir: base, torrc: '', log: n.log }, 25)}`)
  }

  afterEach(function () {
    if (this.currentTest?.state === 'failed') dumpLogs()
  })

  it('the rule bites: a confined user cannot dial the TCP server directly, but reaches its tor', async () => {
    const port = Number(/\/tcp\/(\d+)/.exec(servers.bootstrap)?.[1])
    const direct = await probeTcp(users[0], port)
    assert.notEqual(direct, 'connected', 'a confined user opened a direct TCP connection')
    log(`direct dial from ${users[0].name} to 127.0.0.1:${port}: ${direct}`)
    assert.equal(await probeTcp(users[0], writer.socks), 'connected')
    assert.equal(await probeTcp(undefined, port), 'connected', 'the server itself is down: the probe proves nothing')
    droppedBefore = rules?.dropped() ?? 0
    assert.ok(droppedBefore > 0)
  })

  it('a Tor-only client (its own user) uploads through the club', async () => {
    const t = Date.now()
    await startLafs(writer.node)
    await cli(writer.node, ['club', 'join', servers.clubId], TOR_DEADLINE_MS)
    await connectedToServers(writer.node, 3)
    log(`writer joined the club and reached its 3 servers in ${elapsed(t)}`)
    const path = join(base, 'upload.bin')
    writeFileSync(path, file)
    const tp = Date.now()
    const put = await cli(writer.node, ['put', path, '--club', servers.clubId], TOR_DEADLINE_MS)
    hintedCap = put.hintedCap ?? ''
    assert.notEqual(hintedCap, '', `put printed no hinted cap: ${JSON.stringify(put)}`)
    log(`put 1 MiB in ${elapsed(tp)}`)
    // 2-of-3 with happy 3: a share on each server, so the onion servers were written to over Tor
    for (const server of [servers.tcp, ...servers.onions]) {
      const shares = (await statusOf(server)).storage?.shares ?? 0
      assert.ok(shares >= 1, `${server.name} holds no share after the upload`)
    }
  })

  it('a second Tor-only client, knowing only the hinted cap and a bootstrap address, downloads it', async () => {
    assert.ok(hintedCap !== '', 'the upload failed')
    const t = Date.now()
    await startLafs(reader.node)
    const out = join(base, 'download.bin')
    await cli(reader.node, ['get', hintedCap, '-o', out], TOR_DEADLINE_MS)
    assert.equal(sha(readFileSync(out)), sha(file))
    downloaded = true
    log(`reader started and got the file in ${elapsed(t)}`)
  })

  it('the confined clients tried no direct connection during the transfers', () => {
    assert.ok(downloaded, 'the transfers failed')
    assert.equal(rules?.dropped(), droppedBefore, 'packets of the Tor-only users were dropped: something dialed around tor')
  })
})
