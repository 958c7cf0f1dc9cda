/* `lafs-club init` with the Tor flags, and a Tor-only daemon started through the CLI (a real tor from the Debian package `tor`, offline). */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { getJson, run, startDaemon, stopDaemon, type Daemon } from '../cli/helpers.js'
import { TOR, requireTor, tempDir } from './helpers.js'

describe('lafs-club with Tor', function () {
  this.timeout(120_000)
  let dir: string
  let remove: () => Promise<void>
  let daemon: Daemon | undefined

  before(function () { requireTor(this) })
  beforeEach(async () => { ({ dir, remove } = await tempDir()) })
  afterEach(async () => {
    await stopDaemon(daemon)
    daemon = undefined
    await remove()
  })

  it('init --hide-ip without Tor is refused, naming the key and the flag to add', async () => {
    const r = await run(['--data', join(dir, 'n'), 'init', '--hide-ip'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /tor\.hideIp.*needs Tor.*--tor-launch/)
  })

  it('init --tor-launch --listen-onion --hide-ip makes a Tor-only server; start publishes its onion address; status shows tor', async () => {
    const data = join(dir, 'n')
    const init = await run(['--data', data, 'init', '--tor-launch', '--tor-executable', TOR, '--tor-config', 'DisableNetwork 1', '--listen-onion', '--hide-ip', '--no-bootstrap', '--gateway-port', '0'])
    assert.equal(init.code, 0, init.stderr)
    const config = JSON.parse(await readFile(join(data, 'config.json'), 'utf8'))
    assert.deepEqual(config.listen, [])
    assert.deepEqual({ ...config.tor }, { ...config.tor, launch: true, controlPort: null, executable: TOR, extraConfig: ['DisableNetwork 1'], listenOnion: true, hideIp: true })

    daemon = await startDaemon(data, 60_000)
    const onion = daemon.info.multiaddrs.find(a => a.startsWith('/onion3/'))
    assert.ok(onion !== undefined, daemon.info.multiaddrs.join(' '))
    assert.deepEqual(daemon.info.multiaddrs, [onion])
    const status = await getJson(`${daemon.info.gateway ?? ''}/status?t=json`)
    assert.equal(status.tor.mode, 'launched')
    assert.equal(status.tor.hideIp, true)
    assert.equal(status.tor.bootstrap.progress, 0)
    assert.deepEqual(status.tor.onionAddrs, [onion.replace(/\/p2p\/.*$/, '')])
    assert.match(await (await fetch(`${daemon.info.gateway ?? ''}/metrics`)).text(), /^lafs_club_tor_bootstrap_progress 0$/m)
    const text = await run(['--data', data, 'status'])
    assert.match(text.stdout, /^tor {7}launched, Tor only \(hide-ip\), bootstrapping 0% .*onion \/onion3\//m)
    assert.equal(await stopDaemon(daemon), 0)
    daemon = undefined
  })
})
