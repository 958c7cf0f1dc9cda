import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { getJson, patchConfig, run, startDaemon, stopDaemon, until, type Daemon } from './helpers.js'

const LOOPBACK = '/ip4/127.0.0.1/tcp/0'
const DHT = '/lafs-club-test/kad/1.0.0'

/** Every regular file under `dir`, as paths relative to it. */
async function filesUnder (dir: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (d: string, rel: string): Promise<void> => {
    let entries
    try { entries = await readdir(d, { withFileTypes: true }) } catch { return }
    for (const e of entries) {
      if (e.isDirectory()) await walk(join(d, e.name), join(rel, e.name))
      else out.push(join(rel, e.name))
    }
  }
  await walk(dir, '')
  return out
}

describe('cli: lafs-club as a user runs it', function () {
  this.timeout(60_000)
  let base: string
  before(async () => { base = await mkdtemp(join(tmpdir(), 'lafs-cli-')) })
  after(async () => { await rm(base, { recursive: true, force: true }) })

  it('init creates a data folder and --json output parses; a second init is refused with exit 2', async () => {
    const dir = join(base, 'init')
    const r = await run(['--data', dir, '--json', 'init', '--listen', LOOPBACK, '--no-bootstrap', '--gateway-port', '0'])
    assert.equal(r.code, 0, r.stderr)
    const out = JSON.parse(r.stdout)
    assert.match(out.peerId, /^12D3KooW/)
    assert.equal(out.dataDir, dir)
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'))
    assert.deepEqual(config.listen, [LOOPBACK])
    assert.deepEqual(config.bootstrap, [])
    assert.equal(config.gateway.port, 0)
    assert.equal((await stat(join(dir, 'private'))).mode & 0o777, 0o700)
    const again = await run(['--data', dir, 'init'])
    assert.equal(again.code, 2)
    assert.match(again.stderr, /already a lafs-club data folder/)
  })

  it('LAFS_CLUB_DATA picks the data folder when --data is not given', async () => {
    const dir = join(base, 'env')
    const r = await run(['--json', 'init', '--no-bootstrap'], { env: { LAFS_CLUB_DATA: dir } })
    assert.equal(r.code, 0, r.stderr)
    assert.equal(JSON.parse(r.stdout).dataDir, dir)
  })

  it('a missing data folder: exit 2 and a hint to run lafs-club init', async () => {
    const dir = join(base, 'nothing-here')
    await Promise.all([['status'], ['put', fileURLToPath(import.meta.url)], ['get', 'URI:CHK:3pgnnhinwj2ifcdcdg6s2qkp4y:tenvs2yd3zuuiv5xboiatcw5hfh5ubb3ww3uyeemcxsnxkmnhkzq:3:10:1000']].map(async args => {
      const r = await run(['--data', dir, ...args])
      assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`)
      assert.match(r.stderr, /Run "lafs-club init"/, args[0])
    }))
  })

  it('start on a missing data folder creates it with the options given, says so, and runs; put then says what to do', async () => {
    const dir = join(base, 'first-run')
    const daemon = await startDaemon(dir, 30_000, ['--listen', LOOPBACK, '--no-bootstrap', '--gateway-port', '0'])
    try {
      assert.equal(daemon.info.created, true)
      const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'))
      assert.deepEqual(config.listen, [LOOPBACK])
      assert.deepEqual(config.bootstrap, [])
      assert.ok(daemon.info.multiaddrs.every(a => a.startsWith('/ip4/127.0.0.1/')), daemon.info.multiaddrs.join(' '))
      const status = await run(['--data', dir, '--json', 'status'])
      assert.equal(status.code, 0, status.stderr)
      assert.equal(JSON.parse(status.stdout).peerId, daemon.info.peerId)
      const put = await run(['--data', dir, 'put', fileURLToPath(import.meta.url)])
      assert.equal(put.code, 2, put.stderr)
      assert.match(put.stderr, /no storage servers to upload to/)
      assert.match(put.stderr, /lafs-club club join/)
    } finally {
      assert.equal(await stopDaemon(daemon), 0)
    }
    const again = await startDaemon(dir, 30_000)
    try {
      assert.equal(again.info.created, false, 'the second start uses the folder the first one made')
      assert.equal(again.info.peerId, daemon.info.peerId)
    } finally {
      await stopDaemon(again)
    }
  })

  it('the control API needs the token in private/api_auth_token: the CLI sends it, a client without it gets 401', async () => {
    const dir = join(base, 'token')
    assert.equal((await run(['--data', dir, 'init', '--listen', LOOPBACK, '--no-bootstrap', '--gateway-port', '0'])).code, 0)
    const tokenFile = join(dir, 'private', 'api_auth_token')
    assert.equal((await stat(tokenFile)).mode & 0o777, 0o600)
    const token = (await readFile(tokenFile, 'utf8')).trim()
    const daemon = await startDaemon(dir)
    try {
      const url = daemon.info.gateway as string
      const bare = await fetch(`${url}/api/node`)
      assert.equal(bare.status, 401)
      const body = await bare.json() as { error: { code: string, message: string } }
      assert.equal(body.error.code, 'ERR_UNAUTHORIZED')
      assert.ok(body.error.message.includes(tokenFile), body.error.message)
      assert.equal((await fetch(`${url}/api/node`, { headers: { Authorization: `Bearer ${token}` } })).status, 200)
      // the CLI finds the daemon (its ping of /api/node carries the token) and drives it
      const invite = await run(['--data', dir, '--json', 'invite', 'create', '--quota', '1GB'])
      assert.equal(invite.code, 0, invite.stderr)
      assert.equal(typeof JSON.parse(invite.stdout).code, 'string')
      for (const args of [['club', 'list'], ['status'], ['account', 'terms'], ['gc']]) {
        const r = await run(['--data', dir, '--json', ...args])
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
      }
      // a wrong token: the CLI says so instead of "not running"
      await writeFile(tokenFile, 'not-the-token\n')
      const refused = await run(['--data', dir, 'gc'])
      assert.equal(refused.code, 1, refused.stderr)
      assert.match(refused.stderr, /refused the API token/)
      await writeFile(tokenFile, token + '\n')
    } finally {
      assert.equal(await stopDaemon(daemon), 0)
    }
    // a folder from before the token existed: start makes one
    await rm(tokenFile)
    const again = await startDaemon(dir)
    try {
      assert.equal((await stat(tokenFile)).mode & 0o777, 0o600)
      assert.notEqual((await readFile(tokenFile, 'utf8')).trim(), token)
      const gc = await run(['--data', dir, 'gc'])
      assert.equal(gc.code, 0, gc.stderr)
    } finally {
      assert.equal(await stopDaemon(again), 0)
    }
  })

  it('a bad config: exit 2 and the message names the key', async () => {
    const dir = join(base, 'badconfig')
    assert.equal((await run(['--data', dir, 'init', '--no-bootstrap'])).code, 0)
    await patchConfig(dir, { dht: { clientMode: 'servr' } })
    await Promise.all([['status'], ['start']].map(async args => {
      const r = await run(['--data', dir, ...args])
      assert.equal(r.code, 2, r.stderr)
      assert.match(r.stderr, /"dht\.clientMode" must be one of/)
    }))
    await writeFile(join(dir, 'config.json'), JSON.stringify({ storage: { capasity: 5 } }))
    const typo = await run(['--data', dir, '--json', 'status'])
    assert.equal(typo.code, 2)
    assert.match(typo.stderr, /"storage\.capasity" is not a known key/)
    assert.equal(JSON.parse(typo.stdout).error.code, 'ERR_INVALID_CONFIG')
  })

  it('bad caps: exit 2 with the reason, as text and as --json', async () => {
    const dir = join(base, 'caps')
    assert.equal((await run(['--data', dir, 'init', '--no-bootstrap'])).code, 0)
    await Promise.all(['URI:CHK:nope', 'hello', 'URI:LIT:oruw46i@'].map(async cap => {
      const r = await run(['--data', dir, 'get', cap])
      assert.equal(r.code, 2, cap)
      assert.match(r.stderr, /cap|hint/)
    }))
    const j = await run(['--data', dir, '--json', 'check', 'URI:CHK:nope'])
    assert.equal(j.code, 2)
    assert.equal(JSON.parse(j.stdout).error.code, 'ERR_INVALID_CAP')
  })

  it('commands that need the daemon exit 3 when it is not running; usage errors exit 2', async () => {
    const dir = join(base, 'nodaemon')
    assert.equal((await run(['--data', dir, 'init', '--no-bootstrap'])).code, 0)
    await Promise.all([['status'], ['gc'], ['club', 'list'], ['account', 'usage']].map(async args => {
      const r = await run(['--data', dir, ...args])
      assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, /lafs-club start/)
    }))
    const usage = await Promise.all([['frobnicate'], ['put'], ['put', join(base, 'no-such-file')], ['init', '--capacity', 'lots']].map(async args => await run(['--data', dir, ...args])))
    assert.deepEqual(usage.map(r => r.code), [2, 2, 2, 2], usage.map(r => r.stderr).join('\n'))
    assert.equal((await run(['--help'])).code, 0)
  })

  it('get of a literal cap needs no daemon, no node and no data folder: the bytes are in the cap', async () => {
    const dir = join(base, 'lit-never-initialized')
    const out = join(base, 'tiny.txt')
    const r = await run(['--data', dir, '--json', 'get', 'URI:LIT:oruw46i', '-o', out])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(await readFile(out, 'utf8'), 'tiny')
    assert.equal(JSON.parse(r.stdout).bytes, 4)
    assert.doesNotMatch(r.stderr, /in-process node|daemon/)
    const empty = await run(['--data', dir, 'get', 'URI:LIT:', '--explain'])
    assert.equal(empty.code, 0, empty.stderr)
    assert.equal(empty.stdout, '')
    assert.match(empty.stderr, /literal cap/)
  })
})

describe('cli: four processes, a club, put on one node, get on a fresh one', function () {
  this.timeout(180_000)
  let base: string
  const daemons: Daemon[] = []
  const dirs: Record<string, string> = {}

  const init = async (name: string, extra: string[]): Promise<string> => {
    const dir = join(base, name)
    const r = await run(['--data', dir, 'init', '--listen', LOOPBACK, '--gateway-port', '0', '--dht-protocol', DHT, ...extra])
    assert.equal(r.code, 0, r.stderr)
    await patchConfig(dir, {
      dht: { lan: true, clientMode: 'server' },
      nat: { upnp: false, autonat: false },
      connections: { allow: ['/ip4/127.0.0.0/ipcidr/8'] },
      client: { k: 2, happy: 2, n: 3 }
    })
    dirs[name] = dir
    return dir
  }
  const cli = async (name: string, args: string[], timeoutMs?: number): Promise<any> => {
    const r = await run(['--data', dirs[name], '--json', ...args], { timeoutMs })
    assert.equal(r.code, 0, `${name}: lafs-club ${args.join(' ')} → ${r.code}\n${r.stderr}`)
    return JSON.parse(r.stdout)
  }

  before(async () => { base = await mkdtemp(join(tmpdir(), 'lafs-cli-grid-')) })
  after(async () => {
    await Promise.all(daemons.map(stopDaemon))
    await rm(base, { recursive: true, force: true })
  })

  it('owner A, servers B and C as daemons; the club lists B and C; put on A; D (only the bootstrap address and the cap) gets the same bytes', async () => {
    await init('a', ['--no-bootstrap', '--no-storage'])
    const a = await startDaemon(dirs.a)
    daemons.push(a)
    const bootstrap = a.info.multiaddrs[0]
    await init('b', ['--bootstrap', bootstrap])
    await init('c', ['--bootstrap', bootstrap])
    const [b, c] = await Promise.all([startDaemon(dirs.b), startDaemon(dirs.c)])
    daemons.push(b, c)

    // the daemons found each other through A
    await until('B and C to be connected to A', async () => {
      const s = await getJson(`${a.info.gateway as string}/status?t=json`)
      return s.storageServersConnected >= 2 ? s : undefined
    }, 20_000)
    // Connections settle (duplicate dials are closed): wait for the CLI to report ready, with a deadline.
    await until('the CLI to report upload readiness', async () => {
      const status = await cli('a', ['status'])
      return status.uploadReady === true ? status : undefined
    }, 20_000)

    const club = await cli('a', ['club', 'create', 'cli club', '--description', 'made by the test', '--local'])
    assert.match(club.clubId, /^k51/)
    assert.equal(club.sequence, '1')
    await cli('a', ['club', 'add', club.clubId, b.info.multiaddrs[0]])
    const added = await cli('a', ['club', 'add', club.clubId, c.info.multiaddrs[0]])
    assert.equal(added.servers.length, 2)
    const published = await cli('a', ['club', 'publish', club.clubId])
    assert.equal(published.sequence, '4')
    const shown = await cli('a', ['club', 'show', club.clubId])
    assert.deepEqual(shown.servers.map((s: any) => s.peerId).sort(), [b.info.peerId, c.info.peerId].sort())
    const list = await cli('a', ['club', 'list'])
    assert.equal(list.length, 1)
    const invite = await cli('a', ['club', 'invite', club.clubId])
    assert.equal(typeof invite.invite, 'string')

    const file = join(base, 'data.bin')
    const data = randomBytes(700_000)
    await writeFile(file, data)
    const put = await cli('a', ['put', file, '--club', club.clubId])
    assert.match(put.cap, /^URI:CHK:.*:2:3:700000$/)
    assert.equal(put.hintedCap, `${put.cap as string}@${club.clubId as string}`)

    // D: a fresh node, no daemon; it knows A's address and the cap
    await init('d', ['--bootstrap', bootstrap, '--no-storage'])
    const out = join(base, 'copy.bin')
    const got = await cli('d', ['get', put.hintedCap, '-o', out, '--explain'], 90_000)
    assert.equal(got.bytes, data.length)
    assert.ok((await readFile(out)).equals(data), 'D downloaded different bytes')
    assert.equal(got.explain?.way, 'located')
    assert.ok(got.explain?.explain?.chosen !== undefined, 'no locate explanation')
    assert.ok(got.explain.servers.length >= 2, 'the explain names the servers the download read from')

    // The same through A's daemon: the explain comes from the download's own locate, not a second one.
    const viaDaemon = await cli('a', ['get', put.cap, '-o', join(base, 'copy-a.bin'), '--explain'], 90_000)
    assert.equal(viaDaemon.bytes, data.length)
    assert.equal(viaDaemon.explain?.way, 'located')
    assert.ok(viaDaemon.explain.explain.actual.rpcs >= 1)

    // put from D with no daemon (in-process node), get it back through A's daemon
    const small = join(base, 'small.bin')
    const smallData = randomBytes(20_000)
    await writeFile(small, smallData)
    const putD = await cli('d', ['put', small, '--server', b.info.multiaddrs[0], '--server', c.info.multiaddrs[0]], 90_000)
    assert.equal(putD.hintedCap, null)
    const back = join(base, 'small-back.bin')
    await cli('a', ['get', putD.cap, '-o', back, '--server', b.info.multiaddrs[0], '--server', c.info.multiaddrs[0]])
    assert.ok((await readFile(back)).equals(smallData))
    const human = await run(['--data', dirs.a, 'put', file, '--club', club.clubId])
    assert.equal(human.code, 0, human.stderr)
    assert.deepEqual(human.stdout.trim().split('\n'), [put.cap, put.hintedCap])

    // A mutable file: put --mutable through A's daemon, get by its hinted write cap, check it.
    const mput = await cli('a', ['put', small, '--mutable', '--format', 'mdmf', '--club', club.clubId])
    assert.match(mput.cap, /^URI:MDMF:/)
    assert.equal(mput.hintedCap, `${mput.cap}@${club.clubId}`)
    const mback = join(base, 'mutable-back.bin')
    await cli('a', ['get', mput.hintedCap, '-o', mback])
    assert.ok((await readFile(mback)).equals(smallData))
    const mcheck = await cli('a', ['check', mput.hintedCap])
    assert.equal(mcheck.healthy, true, JSON.stringify(mcheck))

    const usage = await cli('a', ['account', 'usage'])
    assert.ok(usage.some((u: any) => u.result?.bytes > 0), JSON.stringify(usage))
    const terms = await cli('b', ['account', 'terms'])
    assert.ok(terms.length >= 1)
    const code = await cli('b', ['invite', 'create', '--quota', '10GB'])
    const redeemed = await cli('a', ['invite', 'redeem', code.code, '--server', b.info.multiaddrs[0]])
    assert.equal(redeemed[0].result.quota, 10e9)
    const check = await cli('a', ['check', put.hintedCap, '--verify'])
    assert.equal(check.sharesFound, 3)
    assert.equal(check.healthy, true)
    const gc = await cli('b', ['gc'])
    assert.equal(gc.deletedShares, 0)
    const bStatus = await cli('b', ['status'])
    assert.ok(bStatus.storage.shares >= 1)
    assert.ok(bStatus.accountsTotal >= 1, 'A allocated on B, so B knows its account')
    assert.equal(bStatus.corruptionTotal, 0)
    const bText = await run(['--data', dirs.b, 'status'])
    assert.equal(bText.code, 0, bText.stderr)
    assert.match(bText.stdout, new RegExp(`^storage .*, ${bStatus.accountsTotal as number} accounts, 0 corruption advisories$`, 'm'))

    // B's operator grants A's key (the invitation above granted it too), lists it, and revokes the grant.
    const granted = await cli('b', ['account', 'grant', a.info.peerId, '--quota', '50GiB', '--note', 'the club owner'])
    assert.equal(granted.quota, 50 * 2 ** 30)
    const listed = await cli('b', ['account', 'list'])
    assert.ok(listed.accounts.some((g: { account: string, note: string | null }) => g.account === a.info.peerId && g.note === 'the club owner'))
    const onB = await cli('a', ['account', 'usage', '--server', b.info.multiaddrs[0]])
    assert.equal(onB[0].result.quota, 50 * 2 ** 30)
    assert.deepEqual(await cli('b', ['account', 'revoke', a.info.peerId]), { revoked: true })
    assert.equal((await cli('b', ['account', 'list'])).accounts.some((g: { account: string }) => g.account === a.info.peerId), false)
    const notAPeer = await run(['--data', dirs.b, 'account', 'grant', 'nobody', '--quota', '1GB'])
    assert.equal(notAPeer.code, 2, notAPeer.stderr)
    assert.match(notAPeer.stderr, /not a peer ID/)
  })

  it('SIGTERM to a storage server during an upload leaves no partial share, and it restarts cleanly', async () => {
    const b = daemons[1]
    const bDir = dirs.b
    const file = join(base, 'big.bin')
    await writeFile(file, randomBytes(96 * 1024 * 1024))
    const sharesBefore = (await filesUnder(join(bDir, 'storage', 'shares'))).filter(f => !f.startsWith('incoming'))
    const putting = run(['--data', dirs.a, '--json', 'put', file, '--server', b.info.multiaddrs[0], '--server', daemons[2].info.multiaddrs[0]], { timeoutMs: 120_000 })
    await until('B to receive shares', async () => {
      const s = await getJson(`${b.info.gateway as string}/status?t=json`)
      return s.storage.incoming > 0 ? true : undefined
    }, 60_000, 10)
    b.child.kill('SIGTERM')
    assert.equal(await b.exited, 0, b.stderr())
    const put = await putting
    assert.equal(put.code, 1, `the upload should fail once B is gone: ${put.stdout}${put.stderr}`)
    // nothing partial is visible, and the in-progress folder is gone or empty
    const after = await filesUnder(join(bDir, 'storage', 'shares'))
    assert.deepEqual(after.filter(f => f.startsWith('incoming')), [])
    assert.deepEqual(after.sort(), sharesBefore.sort())
    await assert.rejects(stat(join(bDir, 'gateway.url')))

    const again = await startDaemon(bDir)
    daemons[1] = again
    const s = await getJson(`${again.info.gateway as string}/status?t=json`)
    assert.equal(s.storage.incoming, 0)
    // The status counts mutable shares (slots) too: the first test put a mutable file on B.
    const slotShares = (await filesUnder(join(bDir, 'storage', 'slots')).catch(() => [])).filter(f => /(^|\/)\d+$/.test(f))
    assert.equal(s.storage.shares, sharesBefore.length + slotShares.length)
    assert.equal(again.info.peerId, b.info.peerId)
  })
})
