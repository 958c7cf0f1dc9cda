/*
 * A lafs-club node with Tor (a real tor from the Debian package `tor`, with
 * no access to the Tor network): the onion listen address, Tor-only mode
 * making no direct connection, and what the status snapshot says.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { createNode, type ConfigInput, type LafsNode, type NodeLogger } from '../../src/node/index.js'
import { TorNotInstalledError, TorProvider, isOnionAddress } from '../../src/tor/index.js'
import { OFFLINE, TOR, loopbackOnlyNetwork, requireTor, tempDir } from './helpers.js'

const PEER = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'

function recordingLogger (): NodeLogger & { lines: string[] } {
  const lines: string[] = []
  return { lines, info: m => lines.push(`info ${m}`), warn: m => lines.push(`warn ${m}`), error: m => lines.push(`error ${m}`) }
}

function alive (pid: number | undefined): boolean {
  if (pid === undefined) return false
  try { process.kill(pid, 0); return true } catch { return false }
}

/** A plain TCP server on 127.0.0.1 that counts who connects. */
async function countingServer (): Promise<{ server: Server, port: number, connections: () => number }> {
  let n = 0
  const server = createServer(s => { n++; s.destroy() })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { server, port: (server.address() as { port: number }).port, connections: () => n }
}

describe('node with Tor', function () {
  this.timeout(60_000)
  let dir: string
  let remove: () => Promise<void>
  const nodes: LafsNode[] = []

  before(function () { requireTor(this) })
  beforeEach(async () => { ({ dir, remove } = await tempDir()) })
  afterEach(async () => {
    for (const n of nodes.splice(0)) await n.stop()
    await remove()
  })

  async function start (tor: ConfigInput['tor'], more: ConfigInput = {}, logger?: NodeLogger, bootstrap: string[] = []): Promise<LafsNode> {
    const node = await createNode({
      dataDir: join(dir, 'node'),
      bootstrap,
      gateway: false,
      logger,
      config: { listen: [], ...more, tor: { launch: true, executable: TOR, ...tor } }
    })
    nodes.push(node)
    return node
  }

  it('a Tor-only server listens on its onion address only, which survives a restart', async () => {
    const node = await start({ hideIp: true, listenOnion: true, extraConfig: OFFLINE })
    assert.ok(node.tor !== null)
    const [onion] = node.tor.onionAddrs
    const m = /^\/onion3\/([a-z2-7]{56}):4001$/.exec(onion ?? '')
    assert.ok(m !== null && isOnionAddress(m[1]), onion)
    assert.deepEqual(node.multiaddrs, [`${onion}/p2p/${node.peerId}`])
    assert.equal(node.profile.torOnly, true)
    // no NAT traversal or relaying services
    for (const s of ['autoNAT', 'upnp', 'relay', 'dcutr']) assert.equal(node.libp2p.services[s], undefined, s)

    const status = await node.admin.status()
    assert.ok(status.tor !== null)
    assert.equal(status.tor.mode, 'launched')
    assert.equal(status.tor.hideIp, true)
    assert.equal(status.tor.bootstrap.progress, 0)
    assert.deepEqual(status.tor.onionAddrs, [onion])
    assert.deepEqual(status.multiaddrs, [`${onion}/p2p/${node.peerId}`])

    const pid = node.tor.provider.pid
    assert.ok(alive(pid))
    await node.stop()
    nodes.length = 0
    assert.equal(alive(pid), false, 'tor stops with the node')

    const again = await start({ hideIp: true, listenOnion: true, extraConfig: OFFLINE })
    assert.deepEqual(again.tor?.onionAddrs, [onion])
  })

  it('a Tor-only node dials through tor only: nothing reaches a loopback server directly', async () => {
    const target = await countingServer()
    try {
      const node = await start({ hideIp: true, extraConfig: loopbackOnlyNetwork() })
      for (const a of [`/ip4/127.0.0.1/tcp/${target.port}/p2p/${PEER}`, `/dns4/localhost/tcp/${target.port}/p2p/${PEER}`]) {
        await assert.rejects(node.libp2p.dial(multiaddr(a), { signal: AbortSignal.timeout(3000) }), a)
      }
      // WebSockets cannot go through tor: no transport takes it
      await assert.rejects(node.libp2p.dial(multiaddr(`/ip4/127.0.0.1/tcp/${target.port}/ws/p2p/${PEER}`)), /no valid addresses|NoValidAddresses/i)
      assert.equal(target.connections(), 0)
      assert.ok(node.tor?.provider !== undefined && (await node.tor.status()).socks !== null, 'the dials went to tor\'s SOCKS port')

      // the same dial from a node that may connect directly does reach the server (the check above can fail)
      const direct = await createNode({ dataDir: join(dir, 'direct'), bootstrap: [], gateway: false, config: { listen: [] } })
      nodes.push(direct)
      await assert.rejects(direct.libp2p.dial(multiaddr(`/ip4/127.0.0.1/tcp/${target.port}/p2p/${PEER}`), { signal: AbortSignal.timeout(3000) }))
      assert.equal(target.connections(), 1)
    } finally {
      await new Promise(resolve => target.server.close(resolve))
    }
  })

  it('warns with tor\'s log lines when tor does not bootstrap in time, and keeps running', async () => {
    const logger = recordingLogger()
    const node = await start({ extraConfig: OFFLINE, bootstrapTimeoutSeconds: 1 }, {}, logger)
    assert.equal(await node.tor?.bootstrapped, false)
    const warning = logger.lines.find(l => l.startsWith('warn '))
    assert.match(warning ?? '', /did not finish bootstrapping within 1 s[\s\S]*Bootstrapped 0%/)
    assert.match((await node.admin.status()).tor?.error ?? '', /did not finish bootstrapping/)
    assert.equal(node.stopped, false)
  })

  it('a Tor-only node skips /dnsaddr bootstrap peers (no DNS lookup of its own) and tries the rest once tor is ready', async () => {
    const logger = recordingLogger()
    const node = await start({ hideIp: true, extraConfig: OFFLINE, bootstrapTimeoutSeconds: 1 }, {}, logger, [`/dnsaddr/bootstrap.libp2p.io/p2p/${PEER}`])
    const report = await node.bootstrapped
    assert.equal(report.alone, true)
    assert.equal(report.configured, 0)
    assert.ok(logger.lines.some(l => /warn none of the bootstrap peers can be dialled through Tor \(all are \/dnsaddr\)/.test(l)), logger.lines.join('\n'))
    // the bootstrap peers were tried after tor gave up bootstrapping, not before
    const warnTor = logger.lines.findIndex(l => /did not finish bootstrapping/.test(l))
    const warnPeers = logger.lines.findIndex(l => /bootstrap peers can be dialled/.test(l))
    assert.ok(warnTor >= 0 && warnTor < warnPeers, logger.lines.join('\n'))
  })

  it('attaches to a running tor by its control port, publishes its onion there, and leaves that tor running', async () => {
    const owner = await TorProvider.start({ torDir: join(dir, 'system-tor'), executable: TOR, extraConfig: OFFLINE })
    try {
      const endpoint = owner.control.endpoint as { path: string }
      const node = await createNode({ dataDir: join(dir, 'node'), bootstrap: [], gateway: false, config: { listen: [], tor: { controlPort: `unix:${endpoint.path}`, listenOnion: true, hideIp: true } } })
      nodes.push(node)
      assert.equal(node.tor?.provider.mode, 'attached')
      const [onion] = node.tor?.onionAddrs ?? []
      assert.match(onion ?? '', /^\/onion3\/[a-z2-7]{56}:4001$/)
      assert.equal((await node.admin.status()).tor?.mode, 'attached')
      await node.stop()
      nodes.length = 0
      assert.ok(owner.pid !== undefined && alive(owner.pid), 'the attached tor keeps running')
      // the node took its onion service with it
      const address = /\/onion3\/([a-z2-7]{56})/.exec(onion ?? '')?.[1] ?? ''
      await assert.rejects(owner.control.delOnion(address), /552|Unknown Onion Service/i)
    } finally {
      await owner.stop()
    }
  })

  it('fails to start, naming the package, when tor is missing, and frees the data folder', async () => {
    await assert.rejects(start({ executable: join(dir, 'no-tor-here') }), TorNotInstalledError)
    nodes.length = 0
    // the folder is usable again at once
    const node = await createNode({ dataDir: join(dir, 'node'), bootstrap: [], gateway: false, config: { listen: [] } })
    nodes.push(node)
    assert.equal(node.tor, null)
  })
})
