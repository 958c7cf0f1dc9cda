/**
 * The private Tor network itself (interop/torlab): it comes up on 127.0.0.1,
 * a plain tor client bootstraps through it, an onion service published the
 * old way (HiddenServiceDir) answers through another client's SOCKS port, an
 * exit reaches a loopback TCP server, the Tor-only firewall rule lets a
 * confined user reach tor and nothing else, and a signal leaves no tor and no
 * folder behind (the shared network's own stop is checked the same way in
 * shared.ts, after the last spec). Needs root (system users, nftables) and Debian's `tor`.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { ensureUser, installTorOnlyRules, tableExists } from './firewall.js'
import type { TorNetwork } from './network.js'
import { freePort, pidsMentioning } from './procs.js'
import { probeTcp } from './probe.js'
import { NETWORK_START_TIMEOUT_MS, elapsed, requireTorLab, sharedNetwork, stopSharedNetwork } from './shared.js'
import { socksHttpGet } from './socks.js'
import { retryUntil } from './wait.js'

const HERE = fileURLToPath(new URL('.', import.meta.url))

after(stopSharedNetwork)

async function httpServer (body: string): Promise<{ server: Server, port: number }> {
  const server = createServer((_req, res) => { res.end(body) })
  const port = await freePort()
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
  return { server, port }
}

describe('torlab: a private Tor network on 127.0.0.1', function () {
  this.timeout(120_000)
  let net: TorNetwork
  const servers: Server[] = []

  before(async function () {
    requireTorLab(this)
    this.timeout(NETWORK_START_TIMEOUT_MS)
    net = await sharedNetwork()
  })

  afterEach(() => { for (const s of servers.splice(0)) s.close() })

  it('lists its 3 authorities and 4 relays in a consensus, all on loopback', () => {
    assert.equal(net.authorities.length, 3)
    assert.equal(net.relays.length, 4)
    const lines = net.joinLines()
    assert.ok(lines.includes('TestingTorNetwork 1'))
    const auths = lines.filter(l => l.startsWith('DirAuthority '))
    assert.equal(auths.length, 3)
    for (const l of auths) assert.match(l, / 127\.0\.0\.1:\d+ [0-9A-F]{40}$/)
    console.log(`      startup: keys ${net.times.keysMs} ms, consensus ${(net.times.consensusMs / 1000).toFixed(1)} s after start, ${(net.times.totalMs / 1000).toFixed(1)} s in all`)
  })

  it('bootstraps a plain tor client, which reaches a loopback TCP server through an exit and an onion service through the network', async () => {
    const t0 = Date.now()
    const { server, port } = await httpServer('hello over an exit')
    servers.push(server)
    const hs = await httpServer('hello from an onion service')
    servers.push(hs.server)
    const hsDir = join(net.privateDir('svc-hs'), 'web')
    const [client, svc] = await Promise.all([
      net.startClient('plain1'),
      net.startClient('svc1', { extra: [`HiddenServiceDir ${hsDir}`, `HiddenServicePort 80 127.0.0.1:${hs.port}`] })
    ])
    console.log(`      two clients bootstrapped in ${elapsed(t0)}`)
    assert.equal(await socksHttpGet(client.socksPort ?? 0, '127.0.0.1', port), 'hello over an exit')
    const onion = readFileSync(join(hsDir, 'hostname'), 'utf8').trim()
    assert.match(onion, /^[a-z2-7]{56}\.onion$/)
    assert.ok(svc.socksPort !== undefined)
    const t1 = Date.now()
    // the descriptor is published some seconds after bootstrap: retry until it is found
    const body = await retryUntil(async () => await socksHttpGet(client.socksPort ?? 0, onion, 80, '/', 30_000), 90_000, 'the onion service to answer')
    assert.equal(body, 'hello from an onion service')
    const first = Date.now() - t1
    const t2 = Date.now()
    assert.equal(await socksHttpGet(client.socksPort ?? 0, onion, 80), 'hello from an onion service')
    console.log(`      onion service: first answer ${(first / 1000).toFixed(1)} s, then ${Date.now() - t2} ms`)
  })

  it('confines a system user to tor: its direct connections are dropped, its SOCKS connections pass', async () => {
    const user = ensureUser('lafs-tor-probe')
    const client = net.clients.find(c => c.nick === 'plain1') ?? await net.startClient('plain1')
    const { server, port } = await httpServer('direct')
    servers.push(server)
    // before the rule: the user can connect directly (so a failure below is the rule's doing)
    assert.equal(await probeTcp(user, port), 'connected')
    const rules = installTorOnlyRules({ uids: [user.uid], torPorts: [client.socksPort ?? 0, client.controlPort ?? 0] })
    try {
      assert.notEqual(await probeTcp(user, port), 'connected')
      assert.ok(rules.dropped() > 0, 'the drop rule counted no packet')
      assert.equal(await probeTcp(user, client.socksPort ?? 0), 'connected')
      assert.equal(await probeTcp(user, client.controlPort ?? 0), 'connected')
      // root is not confined: the server itself is fine
      assert.equal(await probeTcp(undefined, port), 'connected')
    } finally {
      rules.remove()
    }
    assert.equal(tableExists(rules.table), false)
  })

  it('kills every tor and removes its folder when the harness gets SIGTERM while starting', async function () {
    this.timeout(60_000)
    const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'hold.ts')], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { out += d.toString() })
    const exited = new Promise<number | null>(resolve => child.once('close', code => { resolve(code) }))
    const dir = await retryUntil(async () => {
      const m = / in (\S+lafs-torlab-\S+)$/m.exec(out)
      if (m === null) throw new Error(`no start line yet: ${out}`)
      return m[1]
    }, 30_000, 'the harness to start its tors')
    await retryUntil(async () => { if (pidsMentioning(dir).length < 7) throw new Error('not all tors running yet') }, 15_000, '7 tors')
    child.kill('SIGTERM')
    assert.equal(await exited, 143)
    await sleep(200)
    assert.deepEqual(pidsMentioning(dir), [])
    assert.equal(existsSync(dir), false)
  })
})
