/*
 * The Tor provider against a real tor (Debian package `tor`), with no access
 * to the Tor network: either DisableNetwork, or a made-up directory
 * authority on 127.0.0.1.
 */
import assert from 'node:assert/strict'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import {
  SocksError, TorBootstrapTimeoutError, TorControl, TorControlCommandError, TorNotInstalledError, TorNotRunningError,
  TorProvider, TorStartError, loadOrCreateOnionKey, socksConnect
} from '../../src/tor/index.js'
import { OFFLINE, TOR, loopbackOnlyNetwork, requireTor, tempDir } from './helpers.js'

function alive (pid: number | undefined): boolean {
  if (pid === undefined) return false
  try { process.kill(pid, 0); return true } catch { return false }
}

describe('Tor provider', function () {
  this.timeout(60_000)
  let dir: string
  let remove: () => Promise<void>
  const providers: TorProvider[] = []

  before(function () { requireTor(this) })
  beforeEach(async () => { ({ dir, remove } = await tempDir()) })
  afterEach(async () => {
    for (const p of providers.splice(0)) await p.stop()
    await remove()
  })

  async function start (extraConfig: string[] = OFFLINE): Promise<TorProvider> {
    const p = await TorProvider.start({ torDir: join(dir, 'private', 'tor'), executable: TOR, extraConfig })
    providers.push(p)
    return p
  }

  it('says to install tor when the executable is missing', async () => {
    await assert.rejects(TorProvider.start({ torDir: join(dir, 'tor'), executable: join(dir, 'no-such-tor') }), (err: any) => {
      assert.ok(err instanceof TorNotInstalledError)
      assert.equal(err.code, 'ERR_TOR_NOT_INSTALLED')
      assert.match(err.message, /install the tor package/)
      return true
    })
  })

  it('reports a torrc tor refuses, with its exit code and log lines', async () => {
    await assert.rejects(start(['NoSuchTorOption 1']), (err: any) => {
      assert.ok(err instanceof TorStartError, String(err))
      assert.equal(err.code, 'ERR_TOR_START_FAILED')
      assert.equal(err.exitCode, 1)
      assert.ok(err.logTail.some((l: string) => /NoSuchTorOption/.test(l)), err.message)
      assert.match(err.message, /NoSuchTorOption/)
      return true
    })
  })

  it('launches tor with its files under private/tor, reads the bootstrap state, and stops it', async () => {
    const tor = await start()
    const torDir = join(dir, 'private', 'tor')
    assert.ok((await stat(join(torDir, 'control.socket'))).isSocket())
    assert.equal((await stat(join(torDir, 'state'))).mode & 0o777, 0o700)
    assert.match(await readFile(join(torDir, 'torrc'), 'utf8'), /DisableNetwork 1/)
    const phase = await tor.bootstrapPhase()
    assert.equal(phase.progress, 0)
    assert.equal(phase.tag, 'starting')
    const status = await tor.status()
    assert.equal(status.mode, 'launched')
    assert.match(status.version, /^\d+\.\d+/)
    const pid = tor.pid
    assert.ok(alive(pid))
    await tor.stop()
    assert.equal(alive(pid), false)
    await assert.rejects(tor.bootstrapPhase(), TorNotRunningError)
  })

  it('uses a TCP control port on 127.0.0.1 when the folder is too deep for a unix socket path', async () => {
    const deep = join(dir, 'd'.repeat(60), 'e'.repeat(40))
    const tor = await TorProvider.start({ torDir: deep, executable: TOR, extraConfig: OFFLINE })
    providers.push(tor)
    const endpoint = tor.control.endpoint as { host: string, port: number }
    assert.equal(endpoint.host, '127.0.0.1')
    assert.ok(endpoint.port > 0)
    assert.match(await readFile(join(deep, 'control.port'), 'utf8'), /^PORT=127\.0\.0\.1:\d+/)
    assert.equal((await tor.bootstrapPhase()).tag, 'starting')
  })

  it('gives up waiting for bootstrap at the deadline, quoting tor\'s log', async () => {
    const tor = await start()
    const t0 = Date.now()
    await assert.rejects(tor.waitForBootstrap({ timeoutMs: 1500 }), (err: any) => {
      assert.ok(err instanceof TorBootstrapTimeoutError)
      assert.equal(err.code, 'ERR_TOR_BOOTSTRAP_TIMEOUT')
      assert.equal(err.progress, 0)
      assert.ok(err.logTail.some((l: string) => /DisableNetwork|Bootstrapped 0%/.test(l)), err.message)
      return true
    })
    assert.ok(Date.now() - t0 < 10_000)
  })

  it('publishes an onion service whose address survives a restart of tor', async () => {
    const tor = await start()
    const predicted = await tor.onionAddress(4001)
    const published = await tor.publishOnion({ virtualPort: 4001, targetPort: 40001 })
    assert.equal(published, predicted, 'tor derives the same address from our key')
    assert.deepEqual((await tor.status()).onions, [`${published}.onion:4001`])
    const keyFile = join(dir, 'private', 'tor', 'onion-4001.key')
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600)
    await tor.stop()
    providers.length = 0

    const again = await start()
    assert.equal(await again.publishOnion({ virtualPort: 4001, targetPort: 40002 }), published)
    assert.equal((await loadOrCreateOnionKey(keyFile)).created, false)
    // another port, another key and address
    assert.notEqual(await again.publishOnion({ virtualPort: 4002, targetPort: 40003 }), published)
    await again.removeOnion(published)
    assert.equal((await again.status()).onions.length, 1)
  })

  it('attaches to a running tor by its control socket and leaves it running', async () => {
    const owner = await start()
    const attached = await TorProvider.start({ torDir: join(dir, 'attached'), attach: owner.control.endpoint })
    assert.equal(attached.mode, 'attached')
    assert.equal((await attached.bootstrapPhase()).tag, 'starting')
    const address = await attached.publishOnion({ virtualPort: 80, targetPort: 40004 })
    await attached.stop()
    assert.ok(alive(owner.pid))
    // the attached provider removed its onion service when it stopped
    await assert.rejects(owner.control.delOnion(address), TorControlCommandError)
  })

  it('says so when there is no tor at the control endpoint to attach to', async () => {
    await assert.rejects(TorProvider.start({ torDir: join(dir, 'a'), attach: { path: join(dir, 'no.socket') } }), (err: any) => {
      assert.equal(err.code, 'ERR_TOR_CONTROL_UNREACHABLE')
      assert.match(err.message, /nothing listens there.*is tor running/)
      return true
    })
  })

  it('answers control commands and reports tor\'s refusals with their status', async () => {
    const tor = await start()
    const control = await TorControl.connect(tor.control.endpoint)
    await control.authenticate()
    assert.match((await control.getInfo('version')).version ?? '', /^\d/)
    await assert.rejects(control.command('NOSUCHCOMMAND'), (err: any) => err instanceof TorControlCommandError && err.status === 510)
    await assert.rejects(control.getInfo('no/such/key'), (err: any) => err instanceof TorControlCommandError && err.status === 552)
    control.close()
    await control.closed
  })

  it('has no SOCKS port while the network is disabled, and says so', async () => {
    const tor = await start()
    await assert.rejects(tor.socksEndpoint(), /no SOCKS port/)
  })

  it('hands host names to tor, which judges them (no local resolution)', async () => {
    const tor = await start(loopbackOnlyNetwork())
    const socks = await tor.socksEndpoint()
    assert.equal((socks as { host: string }).host, '127.0.0.1')
    // a malformed onion name is refused by tor itself, with its extended error code
    await assert.rejects(socksConnect(socks, 'not-an-onion-address.onion', 80), (err: any) => {
      assert.ok(err instanceof SocksError)
      assert.equal(err.reply, 0xF6)
      return true
    })
    // a dial tor cannot finish (no consensus) is abandoned when the caller gives up
    const t0 = Date.now()
    await assert.rejects(socksConnect(socks, 'example.invalid', 80, { signal: AbortSignal.timeout(500) }))
    assert.ok(Date.now() - t0 < 5000)
  })
})
