/**
 * Tahoe's directory CLI as a user runs it: two daemons (A, a client; B, a
 * storage server A is connected to), `lafs-club` in child processes against
 * A's gateway. Aliases, mkdir, put/get by path, ls, ln, mv, rm, read-only
 * aliases, unicode names, and cp -r of a deep tree with a 1000-file folder.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cliArgs, getJson, patchConfig, run, startDaemon, stopDaemon, until, type Daemon, type RunResult } from './helpers.js'

const LOOPBACK = '/ip4/127.0.0.1/tcp/0'
const DHT = '/lafs-club-dirs-test/kad/1.0.0'

/** `lafs-club` with `input` on stdin. */
async function runWithInput (args: string[], input: Uint8Array, timeoutMs = 60_000): Promise<RunResult> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgs(args), { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`lafs-club ${args.join(' ')} did not finish in time\n${stderr}`)) }, timeoutMs)
    child.on('error', reject)
    child.on('close', code => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
    child.stdin.end(input)
  })
}

/** Every file under `dir` with its bytes, by relative path. */
async function treeOf (dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>()
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name), rel === '' ? e.name : `${rel}/${e.name}`)
      else out.set(rel === '' ? e.name : `${rel}/${e.name}`, await readFile(join(d, e.name)))
    }
  }
  await walk(dir, '')
  return out
}

describe('cli: Tahoe directories (aliases, mkdir, ls, put/get, ln, mv, rm, cp -r)', function () {
  this.timeout(150_000)
  let base: string
  let a: string
  const daemons: Daemon[] = []

  const init = async (dir: string, extra: string[]): Promise<void> => {
    const r = await run(['--data', dir, 'init', '--listen', LOOPBACK, '--gateway-port', '0', '--dht-protocol', DHT, ...extra])
    assert.equal(r.code, 0, r.stderr)
    await patchConfig(dir, {
      dht: { lan: true, clientMode: 'server' },
      nat: { upnp: false, autonat: false },
      connections: { allow: ['/ip4/127.0.0.0/ipcidr/8'] },
      client: { k: 1, happy: 1, n: 1 }
    })
  }
  /** `lafs-club --data A …`: must succeed; the result. */
  const ok = async (args: string[], timeoutMs?: number): Promise<RunResult> => {
    const r = await run(['--data', a, ...args], { timeoutMs })
    assert.equal(r.code, 0, `lafs-club ${args.join(' ')} → ${r.code}\n${r.stderr}`)
    return r
  }
  const json = async (args: string[], timeoutMs?: number): Promise<any> => JSON.parse((await ok(['--json', ...args], timeoutMs)).stdout)
  const names = async (path: string): Promise<string[]> => Object.keys((await json(['ls', path]))[1].children).sort()

  before(async function () {
    this.timeout(90_000)
    base = await mkdtemp(join(tmpdir(), 'lafs-cli-dirs-'))
    const b = join(base, 'b')
    a = join(base, 'a')
    await init(b, ['--no-bootstrap'])
    const bd = await startDaemon(b)
    daemons.push(bd)
    await init(a, ['--bootstrap', bd.info.multiaddrs[0], '--no-storage'])
    // before A runs: directory commands need the daemon
    const early = await run(['--data', a, 'create-alias', 'tahoe'])
    assert.equal(early.code, 3, early.stderr)
    assert.match(early.stderr, /lafs-club start/)
    const ad = await startDaemon(a)
    daemons.push(ad)
    await until('A to be connected to B\'s storage server', async () => {
      const s = await getJson(`${ad.info.gateway as string}/status?t=json`)
      return s.storageServersConnected >= 1 ? s : undefined
    }, 30_000)
  })
  after(async () => {
    await Promise.all(daemons.map(stopDaemon))
    await rm(base, { recursive: true, force: true })
  })

  it('create-alias, add-alias, list-aliases: a 0600 file of "name: cap" lines; bad or existing names are refused', async () => {
    const made = await json(['create-alias', 'tahoe'])
    assert.equal(made.alias, 'tahoe')
    assert.match(made.cap, /^URI:DIR2:/)
    const mdmf = await json(['create-alias', 'work:', '--format', 'mdmf'])
    assert.match(mdmf.cap, /^URI:DIR2-MDMF:/)
    const file = join(a, 'private', 'aliases')
    assert.equal((await stat(file)).mode & 0o777, 0o600)
    assert.equal(await readFile(file, 'utf8'), `tahoe: ${made.cap as string}\nwork: ${mdmf.cap as string}\n`)

    // refusals, side by side (each is its own process)
    await Promise.all([
      [['add-alias', 'tahoe', mdmf.cap], /alias "tahoe:" exists already/],
      [['create-alias', 'work'], /alias "work:" exists already/],
      ...['a:b', ':', ''].map(bad => [['add-alias', bad, made.cap], /alias name cannot/] as const),
      [['add-alias', 'nope', 'URI:CHK:3pgnnhinwj2ifcdcdg6s2qkp4y:tenvs2yd3zuuiv5xboiatcw5hfh5ubb3ww3uyeemcxsnxkmnhkzq:3:10:1000'], /not a directory cap/]
    ].map(async ([args, message]) => {
      const r = await run(['--data', a, ...args as string[]])
      assert.equal(r.code, 2, `${(args as string[]).join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, message as RegExp)
    }))

    const listed = await json(['list-aliases'])
    assert.equal(listed.tahoe.readwrite, made.cap)
    assert.match(listed.tahoe.readonly, /^URI:DIR2-RO:/)
    assert.match(listed.work.readonly, /^URI:DIR2-MDMF-RO:/)
    const text = (await ok(['list-aliases'])).stdout
    assert.ok(text.includes(`tahoe: ${listed.tahoe.readonly as string}`), text)
    assert.ok(!text.includes(made.cap), 'write caps only with --readwrite')
    assert.ok((await ok(['list-aliases', '--readwrite'])).stdout.includes(`tahoe: ${made.cap as string}`))
  })

  it('mkdir, put (file and stdin) by path, get, ls -l / --json / --uri; an unlinked mkdir and put still print caps', async () => {
    const unlinked = (await ok(['mkdir'])).stdout.trim()
    assert.match(unlinked, /^URI:DIR2:/)
    await ok(['mkdir', 'tahoe:docs/deep'])
    const small = join(base, 'small.txt')
    const big = randomBytes(5000)
    await writeFile(small, 'hello, directories\n')
    await writeFile(join(base, 'big.bin'), big)
    const put = await json(['put', small, 'tahoe:docs/hello.txt'])
    assert.match(put.cap, /^URI:LIT:/)
    const putBig = await json(['put', join(base, 'big.bin'), 'docs/big.bin']) // no alias: the default tahoe:
    assert.match(putBig.cap, /^URI:CHK:/)
    const piped = await runWithInput(['--data', a, 'put', '-', 'tahoe:docs/deep/from-stdin.bin'], big)
    assert.equal(piped.code, 0, piped.stderr)
    const mutable = await json(['put', small, 'tahoe:docs/m.txt', '--format', 'mdmf'])
    assert.match(mutable.cap, /^URI:MDMF:/)
    // the one-argument put is unchanged: an unlinked upload that prints its cap
    assert.match((await ok(['put', join(base, 'big.bin')])).stdout, /^URI:CHK:/)

    const back = join(base, 'back.bin')
    await ok(['get', 'tahoe:docs/deep/from-stdin.bin', back])
    assert.deepEqual(await readFile(back), big)
    assert.equal((await ok(['get', 'tahoe:docs/hello.txt'])).stdout, 'hello, directories\n')
    const viaCap = (await ok(['get', `${put.cap as string}`])).stdout
    assert.equal(viaCap, 'hello, directories\n')
    const missing = await run(['--data', a, 'get', 'tahoe:docs/nothing-here'])
    assert.equal(missing.code, 1, missing.stderr)
    assert.match(missing.stderr, /no such file or directory: tahoe:docs\/nothing-here/)

    assert.deepEqual((await ok(['ls', 'tahoe:docs'])).stdout.trim().split('\n'), ['big.bin', 'deep', 'hello.txt', 'm.txt'])
    const long = (await ok(['ls', '-l', 'docs'])).stdout.trim().split('\n')
    assert.match(long[0], /^-r-- 5000 \w{3} [ \d]\d \d\d:\d\d big\.bin$/)
    assert.match(long[1], /^drwx {4}- .* deep\/$/)
    assert.match(long[2], /^-r-- {3}19 .* hello\.txt$/)
    assert.match(long[3], /^-rw- .* m\.txt$/)
    const j = await json(['ls', 'tahoe:docs'])
    assert.equal(j[0], 'dirnode')
    assert.equal(j[1].children['big.bin'][1].ro_uri, putBig.cap)
    assert.equal(j[1].children['big.bin'][1].size, 5000)
    assert.equal(typeof j[1].children['hello.txt'][1].metadata.tahoe.linkmotime, 'number')
    assert.equal(j[1].children.deep[0], 'dirnode')
    const withUri = (await ok(['ls', '--uri', 'tahoe:docs'])).stdout
    assert.ok(withUri.includes(`big.bin ${putBig.cap as string}`), withUri)
    const one = await json(['ls', 'tahoe:docs/big.bin'])
    assert.equal(one[0], 'filenode')
    assert.match((await ok(['ls', '--readonly-uri', 'tahoe:docs'])).stdout, /^m\.txt URI:MDMF-RO:/m)
    // a bare directory cap stands for an alias: Tahoe's CAP/path and CAP:./path
    await ok(['put', small, `${unlinked}/bare.txt`])
    assert.deepEqual((await ok(['ls', `${unlinked}:./`])).stdout.trim().split('\n'), ['bare.txt'])
  })

  it('ln links the same cap again; mv renames (relink) and moves across aliases; rm unlinks', async () => {
    await ok(['ln', 'tahoe:docs/big.bin', 'tahoe:linked.bin'])
    const root = await json(['ls', 'tahoe:'])
    const docs = await json(['ls', 'tahoe:docs'])
    assert.equal(root[1].children['linked.bin'][1].ro_uri, docs[1].children['big.bin'][1].ro_uri)
    // into an existing directory, under the source's name
    await ok(['ln', 'tahoe:docs/hello.txt', 'work:'])
    assert.deepEqual(await names('work:'), ['hello.txt'])

    await ok(['mv', 'tahoe:linked.bin', 'tahoe:renamed.bin'])
    assert.ok((await names('tahoe:')).includes('renamed.bin'))
    assert.ok(!(await names('tahoe:')).includes('linked.bin'))
    await ok(['mv', 'tahoe:renamed.bin', 'tahoe:docs/deep/'])
    assert.ok((await names('tahoe:docs/deep')).includes('renamed.bin'))
    await ok(['mv', 'tahoe:docs/deep/renamed.bin', 'work:moved.bin'])
    assert.deepEqual(await names('work:'), ['hello.txt', 'moved.bin'])
    assert.ok(!(await names('tahoe:docs/deep')).includes('renamed.bin'))

    await ok(['rm', 'work:moved.bin'])
    await ok(['unlink', 'work:hello.txt'])
    assert.deepEqual(await names('work:'), [])
    const gone = await run(['--data', a, 'rm', 'work:moved.bin'])
    assert.equal(gone.code, 1, gone.stderr)
    assert.match(gone.stderr, /no such file or directory: work:moved\.bin/)
    const unknown = await run(['--data', a, 'ls', 'nosuch:'])
    assert.equal(unknown.code, 2, unknown.stderr)
    assert.match(unknown.stderr, /there is no alias "nosuch:"/)
  })

  it('a read-only alias lists and reads, and refuses every write with a clear message', async () => {
    const ro = (await json(['list-aliases'])).tahoe.readonly
    await ok(['add-alias', 'ro', ro])
    assert.deepEqual(await names('ro:docs'), await names('tahoe:docs'))
    assert.equal((await ok(['get', 'ro:docs/hello.txt'])).stdout, 'hello, directories\n')
    const small = join(base, 'small.txt')
    // the alias, and the same cap given bare with a path after it
    await Promise.all([['put', small, 'ro:new.txt'], ['mkdir', 'ro:newdir'], ['rm', 'ro:docs/hello.txt'], ['mv', 'ro:docs/hello.txt', 'ro:x.txt'], ['ln', 'tahoe:docs/hello.txt', 'ro:x'], ['cp', small, 'ro:'], ['put', small, `${ro as string}/new.txt`]].map(async args => {
      const r = await run(['--data', a, ...args])
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, /is a read-only directory cap \(it can list and read, not change\)/, args.join(' '))
    }))
    assert.ok(!(await names('tahoe:')).includes('new.txt'))
  })

  it('unicode names: NFC and NFD inputs are one NFC name; an emoji and CJK names round-trip', async () => {
    const small = join(base, 'small.txt')
    const nfc = 'caf\u00e9.txt'
    const nfd = 'cafe\u0301.txt'
    await ok(['mkdir', 'tahoe:uni'])
    await ok(['put', small, `tahoe:uni/${nfd}`])
    await ok(['put', join(base, 'big.bin'), `tahoe:uni/${nfc}`])
    await ok(['put', small, 'tahoe:uni/🎉 party.txt'])
    await ok(['mkdir', 'tahoe:uni/文件夹'])
    await ok(['put', small, 'tahoe:uni/文件夹/日本語のファイル.txt'])
    assert.deepEqual(await names('tahoe:uni'), [nfc, '文件夹', '🎉 party.txt'].sort())
    const j = await json(['ls', 'tahoe:uni'])
    assert.equal(j[1].children[nfc][1].size, 5000, 'the NFC put replaced the NFD one: one name')
    await ok(['get', `tahoe:uni/${nfd}`, join(base, 'uni-back.bin')])
    assert.deepEqual(await readFile(join(base, 'uni-back.bin')), await readFile(join(base, 'big.bin')))
    assert.deepEqual((await ok(['ls', 'tahoe:uni/文件夹'])).stdout.trim().split('\n'), ['日本語のファイル.txt'])
    // local files with NFD names land as NFC names too
    const local = join(base, 'uni-local')
    await mkdir(local)
    await writeFile(join(local, nfd), 'x')
    await ok(['cp', '-r', local, 'tahoe:uni'])
    assert.deepEqual(await names('tahoe:uni/uni-local'), [nfc])
  })

  it('cp: into an existing directory (merged, one set_children per directory), grid to grid by cap, file to file, and its usage errors', async () => {
    const m = join(base, 'm')
    await mkdir(join(m, 'sub'), { recursive: true })
    await writeFile(join(m, 'a.txt'), 'first a')
    await writeFile(join(m, 'sub', 'b.txt'), randomBytes(100))
    await ok(['cp', '-r', m, 'tahoe:merge'])
    await writeFile(join(m, 'a.txt'), 'second a, longer than before')
    await writeFile(join(m, 'c.txt'), 'new c')
    await writeFile(join(m, 'sub', 'd.bin'), randomBytes(300))
    await symlink('..', join(m, 'sub', 'loop')) // followed, but not round and round
    const again = await json(['cp', '-r', m, 'tahoe:merge'])
    assert.equal(again.files, 4)
    assert.deepEqual(await names('tahoe:merge/m'), ['a.txt', 'c.txt', 'sub'])
    assert.deepEqual(await names('tahoe:merge/m/sub'), ['b.txt', 'd.bin', 'loop'])
    assert.deepEqual(await names('tahoe:merge/m/sub/loop'), [])
    await rm(join(m, 'sub', 'loop'))
    assert.equal((await ok(['get', 'tahoe:merge/m/a.txt'])).stdout, 'second a, longer than before')
    // cp makes literal caps itself: the same cap the daemon gives the same bytes
    const lit = (await json(['ls', 'tahoe:merge/m']))[1].children['c.txt'][1].ro_uri
    assert.equal((await ok(['put', join(m, 'c.txt')])).stdout.trim(), lit)

    // grid to grid: the same caps, new directories
    await ok(['cp', '-r', 'tahoe:merge/m', 'work:copy'])
    const from = await json(['ls', 'tahoe:merge/m/sub'])
    const to = await json(['ls', 'work:copy/m/sub'])
    assert.equal(to[1].children['d.bin'][1].ro_uri, from[1].children['d.bin'][1].ro_uri)
    assert.notEqual(to[1].rw_uri, from[1].rw_uri)

    // file to file, both ways
    await ok(['cp', 'tahoe:merge/m/sub/d.bin', join(base, 'd-back.bin')])
    assert.deepEqual(await readFile(join(base, 'd-back.bin')), await readFile(join(m, 'sub', 'd.bin')))
    await ok(['cp', join(base, 'd-back.bin'), 'tahoe:single.bin'])
    assert.equal((await json(['ls', 'tahoe:single.bin']))[1].ro_uri, from[1].children['d.bin'][1].ro_uri, 'the same bytes give the same CHK cap')

    const checks: Array<Promise<void>> = []
    for (const [args, message] of [
      [['cp', m, 'tahoe:x'], /without --recursive/],
      [['cp', join(base, 'small.txt'), join(base, 'elsewhere.txt')], /copies to or from the grid/],
      [['cp', join(base, 'small.txt'), join(m, 'a.txt'), 'tahoe:merge/m/a.txt'], /needs a directory as the destination/],
      [['cp', join(base, 'small.txt'), 'nosuch:x'], /there is no alias "nosuch:"/]
    ] as const) checks.push((async () => {
      const r = await run(['--data', a, ...args])
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, message)
    })())
    await Promise.all(checks)
  })

  it('cp -r: a 5-level tree with a 1000-file folder goes in and comes back byte for byte; ls shows 1000 entries', async () => {
    const src = join(base, 'tree')
    let deep = src
    const levels = ['l1', 'l2 two', 'l3', 'l4', 'l5']
    let n = 0
    const fileBytes = (i: number): Buffer => i % 3 === 0 ? randomBytes(56 + (i % 200)) : Buffer.from(`file ${i}: ${'x'.repeat(i % 30)}`)
    for (const level of levels) {
      deep = join(deep, level)
      await mkdir(deep, { recursive: true })
      await writeFile(join(deep, `at-${level}.bin`), fileBytes(n++))
      await writeFile(join(deep, `small-${level}.txt`), fileBytes(n++ * 3 + 1))
    }
    const big = join(deep, 'thousand')
    await mkdir(big)
    await Promise.all(Array.from({ length: 1000 }, async (_, i) => { await writeFile(join(big, `f${String(i).padStart(4, '0')}.dat`), fileBytes(i)) }))
    await mkdir(join(src, 'empty-dir'))

    const started = Date.now()
    const copying = await run(['--data', a, '--json', 'cp', '-r', '--progress', src, 'tahoe:backup'], { timeoutMs: 120_000 })
    assert.equal(copying.code, 0, copying.stderr)
    assert.doesNotMatch(copying.stderr, /copied/, 'no progress with --json')
    const copied = JSON.parse(copying.stdout)
    assert.equal(copied.files, 1010)
    const inMs = Date.now() - started
    const remoteBig = `tahoe:backup/tree/${levels.join('/')}/thousand`
    const listing = (await ok(['ls', remoteBig])).stdout.trim().split('\n')
    assert.equal(listing.length, 1000)
    assert.equal(listing[0], 'f0000.dat')
    const sizes = await json(['ls', remoteBig])
    assert.ok(Object.values(sizes[1].children).filter((c: any) => c[1].ro_uri.startsWith('URI:CHK:')).length >= 300, 'a third of the files are CHK uploads')

    const out = join(base, 'out')
    const back = await run(['--data', a, 'cp', '-r', '--progress', 'tahoe:backup/tree', out], { timeoutMs: 120_000 })
    assert.equal(back.code, 0, back.stderr)
    assert.match(back.stderr, /copied 1010\/1010 files/)
    const original = await treeOf(src)
    const returned = await treeOf(join(out, 'tree'))
    assert.deepEqual([...returned.keys()].sort(), [...original.keys()].sort())
    for (const [path, bytes] of original) assert.ok(bytes.equals(returned.get(path) as Buffer), path)
    assert.ok((await stat(join(out, 'tree', 'empty-dir'))).isDirectory())
    console.log(`      cp -r in: ${inMs} ms, out: ${Date.now() - started - inMs} ms`)
  })
})
