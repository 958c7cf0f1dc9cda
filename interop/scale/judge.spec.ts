/**
 * How `npm run scale` judges a failure and a file's health from the share
 * files on disk: real folders, real (idle) child processes standing for the
 * servers, so that "live" means a process that runs.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseOptions } from './options.js'
import { percentile } from './report.js'
import { holding, liveNames, liveThroughout, newHealth, scanHealth, storageIndexDir } from './shares.js'
import type { Daemon } from '../grid/lib.js'
import type { ScaleNode } from './topology.js'

// a CHK cap of 1 KiB (Tahoe form) and its storage index as the share folder name
const CAP = 'URI:CHK:2n2nacgz3lqb4ys2i3crd4zbxm:yrnvk4mnyd7ii6ysdpkrk6h4kmg3fbsxzx6i5v52uk6ryzvkzzqa:3:10:1024'

describe('interop: scale run judgement', function () {
  let base: string
  const children: ChildProcess[] = []
  const servers: ScaleNode[] = []

  const live = async (n: ScaleNode): Promise<void> => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' })
    children.push(child)
    await new Promise(resolve => child.once('spawn', resolve))
    n.daemon = { child, name: n.name } as unknown as Daemon
  }
  const kill = async (n: ScaleNode): Promise<void> => {
    const child = n.daemon?.child as ChildProcess
    child.kill('SIGKILL')
    await new Promise(resolve => child.once('exit', resolve))
    n.lastKilledAt = Date.now()
  }
  const share = (n: ScaleNode, si: string, shnum: number): void => {
    mkdirSync(join(n.dir, 'storage', 'shares', si.slice(0, 2), si), { recursive: true })
    writeFileSync(join(n.dir, 'storage', 'shares', si.slice(0, 2), si, String(shnum)), 'x')
  }

  before(async function () {
    base = mkdtempSync(join(tmpdir(), 'lafs-scale-spec-'))
    for (let i = 0; i < 4; i++) {
      servers.push({ name: `s${i}`, role: 'server', dir: join(base, `s${i}`), port: 0, club: 0, retired: false, starts: 1, joined: [] })
      await live(servers[i])
    }
  })

  after(function () {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
    rmSync(base, { recursive: true, force: true })
  })

  it('names the storage index folder of a CHK cap, and none for a literal cap', function () {
    const si = storageIndexDir(CAP)
    assert.match(si ?? '', /^[a-z2-7]{26}$/)
    assert.equal(storageIndexDir(`${CAP}@k51qzi5uqu5dgnbecfa2xyt2lxtruejpd1bkexsjcx0iiq6zuiim3ar6t6pm7c`), si)
    assert.equal(storageIndexDir('URI:LIT:nbswy3dp'), undefined)
  })

  it('counts only shares on servers that ran from the start of an operation to its end', async function () {
    const si = storageIndexDir(CAP) as string
    share(servers[0], si, 0)
    share(servers[1], si, 1)
    share(servers[2], si, 2)
    share(servers[2], si, 3)
    const since = Date.now()
    const atStart = liveNames(servers)
    assert.deepEqual(holding(servers, si, liveThroughout(servers, atStart, since)), { distinct: 4, holders: 3 })
    // killed and started again during the operation: not there throughout
    await kill(servers[1])
    await live(servers[1])
    assert.deepEqual(holding(servers, si, liveThroughout(servers, atStart, since)), { distinct: 3, holders: 2 })
    // retired: never counted again
    servers[2].retired = true
    assert.deepEqual(holding(servers, si, liveThroughout(servers, liveNames(servers), Date.now() + 1)), { distinct: 2, holders: 2 })
    servers[2].retired = false
  })

  it('tells a spell below happy ended by a restart from one ended by new shares', async function () {
    const si = 'abcdefghijklmnopqrstuvwxyz'
    share(servers[0], si, 0)
    share(servers[1], si, 1)
    share(servers[2], si, 2)
    const f = newHealth('URI:CHK:x', si)
    scanHealth([f], servers, 3, 1000)
    assert.equal(f.holders, 3)
    assert.equal(f.spells.length, 0)
    await kill(servers[2])
    scanHealth([f], servers, 3, 2000)
    assert.equal(f.belowSince, 2000)
    await live(servers[2])
    scanHealth([f], servers, 3, 3000)
    assert.deepEqual(f.spells, [{ from: 2000, to: 3000, lowest: 2, restored: 'restart' }])
    await kill(servers[2])
    scanHealth([f], servers, 3, 4000)
    share(servers[3], si, 2)
    scanHealth([f], servers, 3, 9000)
    assert.deepEqual(f.spells[1], { from: 4000, to: 9000, lowest: 2, restored: 'new-shares' })
    assert.equal(f.belowSince, undefined)
  })

  it('reads flags over the environment over the defaults, and refuses nonsense', function () {
    assert.deepEqual(
      (({ nodes, minutes, happy, n }) => ({ nodes, minutes, happy, n }))(parseOptions(['--short', '--minutes', '1'], { LAFS_SCALE_NODES: '40' })),
      { nodes: 40, minutes: 1, happy: 6, n: 8 })
    assert.equal(parseOptions([], {}).nodes, 100)
    assert.throws(() => parseOptions(['--nodes', '5'], {}), /12 to 200/)
    assert.throws(() => parseOptions(['--happy', '11'], {}), /happy/)
    assert.throws(() => parseOptions(['--bogus'], {}), /unknown argument/)
  })

  it('takes percentiles by rank', function () {
    assert.equal(percentile([], 50), null)
    assert.equal(percentile([5, 1, 3, 2, 4], 50), 3)
    assert.equal(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 95), 95)
  })
})
