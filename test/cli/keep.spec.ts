import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatCap } from '../../src/immutable/index.js'
import { patchConfig, run, startDaemon, stopDaemon, type Daemon } from './helpers.js'

const LOOPBACK = '/ip4/127.0.0.1/tcp/0'
const CLUB = 'k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8'

describe('cli: lafs-club keep', function () {
  this.timeout(60_000)
  let base: string
  let daemon: Daemon | undefined
  before(async () => { base = await mkdtemp(join(tmpdir(), 'lafs-cli-keep-')) })
  after(async () => {
    await stopDaemon(daemon)
    await rm(base, { recursive: true, force: true })
  })

  it('keeps caps given as arguments and from a file, lists them by storage index, runs a pass, and removes one', async () => {
    const dir = join(base, 'keeper')
    const init = await run(['--data', dir, 'init', '--listen', LOOPBACK, '--no-bootstrap', '--no-storage', '--gateway-port', '0'])
    assert.equal(init.code, 0, init.stderr)
    // passes only when asked: a kept cap no server holds would start one that waits out the locate deadline
    await patchConfig(dir, { repair: { intervalSeconds: 0 } })
    daemon = await startDaemon(dir)
    const cap = (): string => formatCap({ kind: 'chk', key: randomBytes(16), uebHash: randomBytes(32), k: 3, n: 10, size: 100_000 })
    const [a, b, c] = [cap(), cap(), cap()]
    const list = join(base, 'caps.txt')
    await writeFile(list, `# caps the club asked us to keep\n${b}@${CLUB}\n\n${c}\n`)

    const kept = await run(['--data', dir, '--json', 'keep', a, '--from', list])
    assert.equal(kept.code, 0, kept.stderr)
    const entries = JSON.parse(kept.stdout).kept
    assert.equal(entries.length, 3)
    assert.equal(entries[1].club, CLUB)
    const listed = await run(['--data', dir, 'keep', '--list'])
    assert.equal(listed.code, 0, listed.stderr)
    assert.equal(listed.stdout.trim().split('\n').length, 3, listed.stdout)
    for (const k of [a, b, c]) assert.ok(!listed.stdout.includes(k.split(':')[2]), 'the list shows storage indexes, not caps')

    const removed = await run(['--data', dir, '--json', 'keep', '--remove', a, '--list'])
    assert.equal(removed.code, 0, removed.stderr)
    const after = JSON.parse(removed.stdout)
    assert.equal(after.removed, 1)
    assert.equal(after.files.length, 2)
    const nothing = await run(['--data', dir, 'keep', '--remove', a])
    assert.equal(nothing.code, 1)
    assert.match(nothing.stdout, /not kept/)
    // by storage index too, then a pass (passes run only when asked here) and the list
    const pass = await run(['--data', dir, '--json', 'keep', '--remove', entries[2].storageIndex, '--remove', `${b}@${CLUB}`, '--now', '--list'])
    assert.equal(pass.code, 0, pass.stderr)
    const last = JSON.parse(pass.stdout)
    assert.equal(last.removed, 2)
    assert.equal(last.pass.checked, 0)
    assert.deepEqual(last.files, [])
    const usage = await run(['--data', dir, 'keep'])
    assert.equal(usage.code, 2, usage.stderr)
    assert.match(usage.stderr, /--list/)
  })
})
