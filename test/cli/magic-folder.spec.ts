/**
 * Issue #15 through the CLI, each node its own daemon process: a folder added
 * on one, an invite piped to the other, a file written on one side appearing
 * on the other, status as JSON and as text, set-intervals, leave.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { cliArgs, patchConfig, run, startDaemon, stopDaemon, until, type Daemon, type RunResult } from './helpers.js'

const LOOPBACK = '/ip4/127.0.0.1/tcp/0'

describe('cli: magic-folder add, invite, join, status, set-intervals, leave', function () {
  this.timeout(150_000)
  let base: string
  const daemons = new Map<string, Daemon>()
  const dirs: Record<string, string> = {}

  const init = async (name: string, extra: string[]): Promise<void> => {
    const dir = join(base, name)
    const r = await run(['--data', dir, 'init', '--listen', LOOPBACK, '--gateway-port', '0', '--dht-protocol', '/lafs-club-test/kad/1.0.0', ...extra])
    assert.equal(r.code, 0, r.stderr)
    // Two servers in all: each file's shares go to both.
    await patchConfig(dir, {
      client: { k: 1, happy: 2, n: 2 },
      dht: { lan: true, clientMode: 'server' },
      nat: { upnp: false, autonat: false },
      connections: { allow: ['/ip4/127.0.0.0/ipcidr/8'] }
    })
    dirs[name] = dir
  }
  const start = async (name: string): Promise<Daemon> => {
    const d = await startDaemon(dirs[name])
    daemons.set(name, d)
    return d
  }
  const cli = async (name: string, args: string[]): Promise<any> => {
    const r = await run(['--data', dirs[name], '--json', ...args])
    assert.equal(r.code, 0, `${name}: lafs-club ${args.join(' ')} → ${r.code}\n${r.stderr}`)
    return JSON.parse(r.stdout)
  }
  const text = async (name: string, args: string[]): Promise<string> => {
    const r = await run(['--data', dirs[name], ...args])
    assert.equal(r.code, 0, `${name}: lafs-club ${args.join(' ')} → ${r.code}\n${r.stderr}`)
    return r.stdout
  }

  /** The CLI run from `cwd`, so relative paths mean something. */
  const runIn = async (cwd: string, args: string[], stdin = ''): Promise<RunResult> => await new Promise((resolve, reject) => {
    // `--import tsx` is looked up from the working folder: name it by its path instead.
    const argv = cliArgs(args).map(a => a === 'tsx' ? pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href : a)
    const child = spawn(process.execPath, argv, { cwd, stdio: ['pipe', 'pipe', 'pipe'] })
    child.stdin.end(stdin)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`lafs-club ${args.join(' ')} did not finish in time`)) }, 60_000)
    child.on('error', reject)
    child.on('close', code => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })

  before(async () => { base = await mkdtemp(join(tmpdir(), 'lafs-cli-mf-')) })
  after(async () => {
    await Promise.all([...daemons.values()].map(stopDaemon))
    await rm(base, { recursive: true, force: true })
  })

  it('a file written into one node\'s folder appears in the other\'s', async () => {
    // No DHT needed: the folder names its servers, and the invite carries the inviter's addresses.
    await Promise.all(['a', 'b'].map(async n => { await init(n, ['--no-bootstrap']) }))
    const [a, b] = await Promise.all([start('a'), start('b')])
    const servers = [a.info.multiaddrs[0], b.info.multiaddrs[0]].flatMap(ma => ['--server', ma])
    const pathA = join(base, 'alice photos')
    const pathB = join(base, 'bob photos')

    const added = await cli('a', ['magic-folder', 'add', 'photos', pathA, ...servers, '--participant', 'alice', '--poll-interval', '1s', '--scan-interval', '1'])
    assert.equal(added.name, 'photos')
    assert.equal(added.localPath, pathA)
    assert.deepEqual([added.pollSeconds, added.scanSeconds, added.participant, added.admin], [1, 1, 'alice', true])
    assert.match(await text('a', ['magic-folder', 'list']), /^photos {2}.*alice photos {2}as alice \(admin\), 1 participant, poll every 1 s, scan every 1 s$/m)

    // The code alone on stdout, so `$(lafs-club magic-folder invite …)` works; the advice goes to stderr.
    const invite = await run(['--data', dirs.a, 'magic-folder', 'invite', 'photos', 'bob'])
    assert.equal(invite.code, 0, invite.stderr)
    assert.match(invite.stdout, /^lafs-mf1:\S+\n$/)
    assert.match(invite.stderr, /privately/)

    // The code piped in (kept out of the process list); a relative local path is the user's, not the daemon's: the CLI resolves it where it runs.
    const joining = await runIn(base, ['--data', dirs.b, '--json', 'magic-folder', 'join', '-', 'photos', 'bob photos', '--poll-interval', '1s', '--scan-interval', '1s'], invite.stdout)
    assert.equal(joining.code, 0, joining.stderr)
    const joined = JSON.parse(joining.stdout)
    assert.deepEqual([joined.name, joined.localPath, joined.participant, joined.admin], ['photos', pathB, 'bob', false])

    await writeFile(join(pathA, 'beach.jpg'), 'sand and sea')
    await until('beach.jpg in bob\'s folder', async () => await readFile(join(pathB, 'beach.jpg'), 'utf8').then(t => t === 'sand and sea' ? true : undefined), 30_000, 200)

    await writeFile(join(pathB, 'reply.txt'), 'wish I were there')
    await until('reply.txt in alice\'s folder', async () => await readFile(join(pathA, 'reply.txt'), 'utf8').then(t => t === 'wish I were there' ? true : undefined), 30_000, 200)

    const status = await cli('b', ['magic-folder', 'status', 'photos'])
    assert.ok(status.downloads >= 1, JSON.stringify(status))
    assert.deepEqual(status.errors, [])
    const alice = status.participants.find((p: any) => p.name === 'alice')
    assert.ok(typeof alice?.lastChange === 'number', 'bob saw a change of alice\'s')
    const human = await text('b', ['magic-folder', 'status', 'photos'])
    assert.match(human, /^ {2}you are {8}bob$/m)
    assert.match(human, /^ {2}remote poll {4}every 1 s; last \d\d:\d\d:\d\d \(.*\), next /m)
    assert.match(human, /^ {4}alice: last change \d\d:\d\d:\d\d/m)
    assert.match(human, /^ {2}errors {9}none$/m)

    const changed = await cli('b', ['magic-folder', 'set-intervals', 'photos', '--poll-interval', '5m'])
    assert.deepEqual([changed.pollSeconds, changed.scanSeconds], [300, 1])
    assert.ok(changed.nextPoll > Date.now() + 200_000, 'the next poll moved to the new interval at once')
    assert.match(await text('b', ['magic-folder', 'list']), /poll every 5 m, scan every 1 s/)

    // Mistakes: usage errors (exit 2) before or from the daemon, an unknown folder fails (exit 1).
    const badInterval = await run(['--data', dirs.b, 'magic-folder', 'set-intervals', 'photos', '--poll-interval', 'soon'])
    assert.equal(badInterval.code, 2, badInterval.stderr)
    assert.match(badInterval.stderr, /not an interval/)
    const unknown = await run(['--data', dirs.b, 'magic-folder', 'status', 'nothing'])
    assert.equal(unknown.code, 1)
    assert.match(unknown.stderr, /no magic folder named 'nothing'/)
    const notAdmin = await run(['--data', dirs.b, 'magic-folder', 'invite', 'photos', 'carol'])
    assert.notEqual(notAdmin.code, 0)
    assert.match(notAdmin.stderr, /only the node that created/)

    assert.match(await text('b', ['magic-folder', 'leave', 'photos']), /left magic folder photos/)
    assert.deepEqual(await cli('b', ['magic-folder', 'list']), [])
    assert.equal(await readFile(join(pathB, 'beach.jpg'), 'utf8'), 'sand and sea', 'leaving keeps the local files')
    assert.deepEqual(await cli('a', ['magic-folder', 'remove', 'photos']), { name: 'photos', removed: true })
  })
})
