/**
 * Issue #13 through the CLI, every node its own process: servers join clubs by
 * ID with `club join --serve` (an open club lists them at once, an
 * invitation-only one queues them, kept across the owner's restart, until
 * `club approve`), `club leave`, `--valid` and the owner's expiry warning.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getJson, patchConfig, run, startDaemon, stopDaemon, until, type Daemon } from './helpers.js'

const LOOPBACK = '/ip4/127.0.0.1/tcp/0'
const DHT = '/lafs-club-test/kad/1.0.0'

describe('cli: servers join clubs by ID, the owner approves, a server leaves', function () {
  this.timeout(180_000)
  let base: string
  const daemons = new Map<string, Daemon>()
  const dirs: Record<string, string> = {}

  const init = async (name: string, extra: string[]): Promise<string> => {
    const dir = join(base, name)
    const r = await run(['--data', dir, 'init', '--listen', LOOPBACK, '--gateway-port', '0', '--dht-protocol', DHT, ...extra])
    assert.equal(r.code, 0, r.stderr)
    await patchConfig(dir, {
      dht: { lan: true, clientMode: 'server' },
      nat: { upnp: false, autonat: false },
      connections: { allow: ['/ip4/127.0.0.0/ipcidr/8'] }
    })
    dirs[name] = dir
    return dir
  }
  const start = async (name: string): Promise<Daemon> => {
    const d = await startDaemon(dirs[name])
    daemons.set(name, d)
    return d
  }
  const cli = async (name: string, args: string[], timeoutMs?: number): Promise<any> => {
    const r = await run(['--data', dirs[name], '--json', ...args], { timeoutMs })
    assert.equal(r.code, 0, `${name}: lafs-club ${args.join(' ')} → ${r.code}\n${r.stderr}`)
    return JSON.parse(r.stdout)
  }
  const text = async (name: string, args: string[]): Promise<string> => {
    const r = await run(['--data', dirs[name], ...args])
    assert.equal(r.code, 0, `${name}: lafs-club ${args.join(' ')} → ${r.code}\n${r.stderr}`)
    return r.stdout
  }

  before(async () => { base = await mkdtemp(join(tmpdir(), 'lafs-cli-join-')) })
  after(async () => {
    await Promise.all([...daemons.values()].map(stopDaemon))
    await rm(base, { recursive: true, force: true })
  })

  it('open club: accepted at once; invitation club: pending, kept across the owner\'s restart, approved; leave takes the server off', async () => {
    await init('owner', ['--no-bootstrap', '--no-storage'])
    const owner = await start('owner')
    const bootstrap = owner.info.multiaddrs[0]
    await init('b', ['--bootstrap', bootstrap])
    await init('c', ['--bootstrap', bootstrap])
    await Promise.all([start('b'), start('c')])
    await until('B and C to be connected to the owner', async () => {
      const s = await getJson(`${owner.info.gateway as string}/status?t=json`)
      return s.peers.length >= 2 ? s : undefined
    }, 20_000)

    const open = await cli('owner', ['club', 'create', 'open club', '--local'])
    assert.equal(open.local, true)
    assert.equal(open.owner.peerId, owner.info.peerId, 'the roster names the owner\'s node')
    const invitation = await cli('owner', ['club', 'create', 'invitation club', '--policy', 'invitation', '--local', '--valid', '2d'])
    assert.ok(Math.abs(invitation.expiresAt - (Date.now() + 2 * 86_400_000)) < 120_000)

    // B joins the open club knowing only its ID: accepted and listed
    const joined = await cli('b', ['club', 'join', open.clubId, '--serve'], 60_000)
    assert.equal(joined.server.status, 'accepted')
    assert.ok(joined.servers.some((s: any) => s.peerId === daemons.get('b')!.info.peerId))
    assert.equal(joined.isDefault, true, 'the first club joined becomes the default')

    // C asks the invitation club: pending, human output says so
    const asked = await text('c', ['club', 'join', invitation.clubId, '--serve', '--note', 'C here'])
    assert.match(asked, /pending/)
    const requests = await cli('owner', ['club', 'requests'])
    assert.deepEqual(requests.map((r: any) => [r.clubId, r.peerId, r.note]), [[invitation.clubId, daemons.get('c')!.info.peerId, 'C here']])

    // status: the request and the 2-day validity warning, as JSON and as text
    const status = await cli('owner', ['status'])
    assert.equal(status.clubRequests.length, 1)
    assert.deepEqual(status.clubsExpiringSoon.map((w: any) => w.clubId), [invitation.clubId])
    const statusText = await text('owner', ['status'])
    assert.match(statusText, new RegExp(`WARNING club ${invitation.clubId as string} "invitation club": its roster stops being valid`))
    assert.match(statusText, /1 server\(s\) ask to join/)

    // the owner restarts: the request is still there
    await stopDaemon(owner)
    daemons.delete('owner')
    await start('owner')
    assert.equal((await cli('owner', ['club', 'requests', invitation.clubId])).length, 1)
    const approved = await cli('owner', ['club', 'approve', invitation.clubId, daemons.get('c')!.info.peerId], 60_000)
    assert.deepEqual(approved.servers.map((s: any) => s.peerId), [daemons.get('c')!.info.peerId])
    assert.deepEqual(await cli('owner', ['club', 'requests']), [])
    const denyUnknown = await run(['--data', dirs.owner, 'club', 'deny', invitation.clubId, daemons.get('b')!.info.peerId])
    assert.notEqual(denyUnknown.code, 0, 'no pending request from B to deny')

    // B leaves the open club: the owner takes it off, B forgets the club and its default
    const left = await cli('b', ['club', 'leave', open.clubId], 60_000)
    assert.deepEqual(left, { clubId: open.clubId, wasServer: true, removed: true, wasDefault: true })
    const shown = await cli('owner', ['club', 'show', open.clubId])
    assert.deepEqual(shown.servers, [])
    assert.deepEqual(await cli('b', ['club', 'list']), [])

    // a bad duration is a usage error before the daemon is asked
    const bad = await run(['--data', dirs.owner, 'club', 'publish', open.clubId, '--valid', 'soon'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /not a duration/)
  })
})
