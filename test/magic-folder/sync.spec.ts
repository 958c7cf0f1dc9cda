import assert from 'node:assert/strict'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { contentsIs, gone, MagicGridFixture, names, waitFor } from './helpers.js'
import type { LafsNode, MagicFolderStatus } from '../../src/node/index.js'

/** Fast intervals: a file should cross within settle + scan + poll + transfer time. */
const FAST = { pollSeconds: 1, scanSeconds: 1, settleMs: 200 }
/** The bound for one crossing: settle + scan + poll (2.2 s) plus generous transfer time on a busy machine. */
const CROSS_MS = 15_000

describe('magic folders: sync between nodes on loopback', function () {
  this.timeout(120_000)
  const grid = new MagicGridFixture()
  let a: LafsNode
  let b: LafsNode
  let aData: string

  before(async () => {
    await grid.start(4)
    const ca = await grid.client()
    a = ca.node
    aData = ca.dataDir
    b = (await grid.client()).node
  })
  after(async () => { await grid.stop() })

  /** A folder made on `a` (participant alice) and joined on `b` (bob); answers both local paths. */
  const share = async (name: string, opts = FAST): Promise<{ pa: string, pb: string }> => {
    const pa = await grid.dir('lafs-mf-a-')
    const pb = await grid.dir('lafs-mf-b-')
    await a.magicFolders.create(name, pa, { ...opts, participant: 'alice', servers: grid.servers })
    const { code } = await a.magicFolders.invite(name, 'bob')
    assert.match(code, /^lafs-mf1:[A-Za-z0-9_-]+$/)
    await b.magicFolders.join(code, name, pb, opts)
    return { pa, pb }
  }

  it('a file made on one node appears on the others within the poll bound; changes and deletions go both ways; a third participant joins', async () => {
    const { pa, pb } = await share('photos')
    const started = Date.now()
    await writeFile(join(pa, 'hello.txt'), 'hello from alice')
    await waitFor('hello.txt on bob', CROSS_MS, async () => await contentsIs(join(pb, 'hello.txt'), 'hello from alice'))
    const took = Date.now() - started
    // settle + scan + poll = 2.2 s; the rest is transfer time on a machine shared with other test runs.
    const bound = FAST.settleMs + (FAST.scanSeconds + FAST.pollSeconds) * 1000 + 6000
    assert.ok(took < bound, `took ${took} ms, over the ${bound} ms bound`)

    await mkdir(join(pa, 'trips', '2026'), { recursive: true })
    await writeFile(join(pa, 'trips', '2026', 'notes.md'), 'nested')
    await waitFor('a nested file on bob', CROSS_MS, async () => await contentsIs(join(pb, 'trips', '2026', 'notes.md'), 'nested'))

    await writeFile(join(pa, 'hello.txt'), 'hello again, changed')
    await waitFor('the change on bob', CROSS_MS, async () => await contentsIs(join(pb, 'hello.txt'), 'hello again, changed'))

    await writeFile(join(pb, 'from-bob.txt'), 'bob wrote this')
    await waitFor('bob\'s file on alice', CROSS_MS, async () => await contentsIs(join(pa, 'from-bob.txt'), 'bob wrote this'))

    await rm(join(pa, 'hello.txt'))
    await waitFor('the deletion on bob', CROSS_MS, async () => await gone(join(pb, 'hello.txt')))
    await rm(join(pb, 'trips'), { recursive: true })
    // The file goes first and its emptied folders right after, so wait for the folders, not the file:
    // checking them the moment the file is gone raced the removal (seen once in CI).
    await waitFor('bob\'s deletion on alice, emptied folders removed too', CROSS_MS, async () => JSON.stringify(await names(pa)) === JSON.stringify(['from-bob.txt']) ? true : undefined)

    // A third participant gets the folder as it is now, and its own change reaches both.
    const c = (await grid.client()).node
    const pc = await grid.dir('lafs-mf-c-')
    const { code } = await a.magicFolders.invite('photos', 'carol')
    await c.magicFolders.join(code, 'shared-photos', pc, FAST)
    await waitFor('the folder on carol', CROSS_MS, async () => await contentsIs(join(pc, 'from-bob.txt'), 'bob wrote this'))
    assert.deepEqual(await names(pc), ['from-bob.txt'], 'deleted files are not brought back')
    await writeFile(join(pc, 'carol.txt'), 'c')
    await waitFor('carol\'s file on alice and bob', CROSS_MS, async () => (await contentsIs(join(pa, 'carol.txt'), 'c')) && (await contentsIs(join(pb, 'carol.txt'), 'c')))

    const sa = await a.magicFolders.status('photos')
    assert.equal(sa.admin, true)
    assert.deepEqual(sa.participants.map(p => p.name), ['alice', 'bob', 'carol'])
    assert.equal(sa.conflicts.length, 0)
    assert.deepEqual(sa.errors, [])
    assert.ok(sa.uploads >= 3 && sa.deletionsSent === 1 && sa.downloads >= 2, JSON.stringify(sa))
    const sb = await b.magicFolders.status('photos')
    assert.equal(sb.admin, false)
    await assert.rejects(b.magicFolders.invite('photos', 'dave'), (err: any) => err.code === 'ERR_NOT_MAGIC_FOLDER_ADMIN')
  })

  it('a change made on both sides at once keeps both: a conflict copy on each side; the poll interval changes at run time', async () => {
    const { pa, pb } = await share('docs')
    await writeFile(join(pa, 'plan.txt'), 'v1')
    await waitFor('v1 on bob', CROSS_MS, async () => await contentsIs(join(pb, 'plan.txt'), 'v1'))
    // Neither polls for an hour: both change the file without seeing the other's change.
    await a.magicFolders.setIntervals('docs', { pollSeconds: 3600 })
    const slow = await b.magicFolders.setIntervals('docs', { pollSeconds: 3600 })
    assert.equal(slow.pollSeconds, 3600)
    assert.ok((slow.nextPoll as number) > Date.now() + 3_000_000, 'the next poll moved an hour on')
    const before = [(await a.magicFolders.status('docs')).uploads, (await b.magicFolders.status('docs')).uploads]
    await writeFile(join(pa, 'plan.txt'), 'alice\'s version')
    await writeFile(join(pb, 'plan.txt'), 'bob\'s version')
    // The same new file on both sides is no conflict: nothing to keep apart.
    await writeFile(join(pa, 'same.txt'), 'identical')
    await writeFile(join(pb, 'same.txt'), 'identical')
    await waitFor('both changes uploaded', CROSS_MS, async () => {
      const [sa, sb] = [await a.magicFolders.status('docs'), await b.magicFolders.status('docs')]
      return sa.uploads >= before[0] + 2 && sb.uploads >= before[1] + 2 ? true : undefined
    })
    assert.equal(await readFile(join(pb, 'plan.txt'), 'utf8'), 'bob\'s version', 'no poll ran: bob has not seen alice\'s change')
    await a.magicFolders.setIntervals('docs', { pollSeconds: 1 })
    await b.magicFolders.setIntervals('docs', { pollSeconds: 1 })
    const conflictOn = async (node: LafsNode): Promise<MagicFolderStatus | undefined> => {
      const s = await node.magicFolders.status('docs')
      return s.conflicts.length > 0 ? s : undefined
    }
    const [sa, sb] = await Promise.all([waitFor('a conflict on alice', CROSS_MS, async () => await conflictOn(a)), waitFor('a conflict on bob', CROSS_MS, async () => await conflictOn(b))])
    assert.equal(sa.conflicts[0].participant, 'bob')
    assert.match(sa.conflicts[0].file, /^plan\.txt\.conflict-bob-\d{8}T\d{6}Z$/)
    assert.equal(await readFile(join(pa, 'plan.txt'), 'utf8'), 'alice\'s version')
    assert.equal(await readFile(join(pa, sa.conflicts[0].file), 'utf8'), 'bob\'s version')
    assert.equal(sb.conflicts[0].participant, 'alice')
    assert.equal(await readFile(join(pb, 'plan.txt'), 'utf8'), 'bob\'s version')
    assert.equal(await readFile(join(pb, sb.conflicts[0].file), 'utf8'), 'alice\'s version')
    // Markers sort after same.txt: once they crossed, both sides dealt with same.txt.
    await writeFile(join(pa, 'zz-a.txt'), 'a')
    await writeFile(join(pb, 'zz-b.txt'), 'b')
    await waitFor('the markers', CROSS_MS, async () => (await contentsIs(join(pb, 'zz-a.txt'), 'a')) && (await contentsIs(join(pa, 'zz-b.txt'), 'b')))
    for (const node of [a, b]) assert.deepEqual((await node.magicFolders.status('docs')).conflicts.map(c => c.relpath), ['plan.txt'])
    assert.equal(await readFile(join(pa, 'same.txt'), 'utf8'), 'identical')
    // Conflict copies stay local: they are not uploaded (and so not copied back and forth).
    const ups = (await a.magicFolders.status('docs')).uploads
    await a.magicFolders.setIntervals('docs', { scanSeconds: 0.2 })
    await waitFor('two more scans', 5000, async () => { const s = await a.magicFolders.status('docs'); return (s.lastScan as number) > Date.now() - 300 ? true : undefined })
    assert.equal((await a.magicFolders.status('docs')).uploads, ups)
    assert.deepEqual((await names(pa)).filter(n => n.startsWith('plan.txt')).length, 2)
  })

  it('a file is uploaded only once it has settled (not while it may still be written)', async () => {
    const pa = await grid.dir('lafs-mf-settle-')
    await a.magicFolders.create('settle', pa, { pollSeconds: 60, scanSeconds: 0.3, settleMs: 4000, participant: 'alice', servers: grid.servers })
    await waitFor('a first scan', CROSS_MS, async () => (await a.magicFolders.status('settle')).lastScan)
    const written = Date.now()
    await writeFile(join(pa, 'draft.txt'), 'still typing')
    await waitFor('the upload', CROSS_MS, async () => (await a.magicFolders.status('settle')).uploads === 1 ? true : undefined)
    const after = Date.now() - written
    assert.ok(after >= 3900, `uploaded ${after} ms after the write, before the 4000 ms settle time`)
    await a.magicFolders.remove('settle')
  })

  it('Unicode names: NFD on disk arrives as NFC; names with "@" and "/" survive the flattening', async () => {
    const { pa, pb } = await share('unicode')
    const nfd = 'cafe\u0301 menu.txt'
    await writeFile(join(pa, nfd), 'NFD on disk')
    await mkdir(join(pa, 'a@b'), { recursive: true })
    await writeFile(join(pa, 'a@b', '@_odd@@.txt'), 'at signs')
    await writeFile(join(pa, '日本語.txt'), 'kanji')
    await waitFor('all three on bob', CROSS_MS, async () =>
      (await contentsIs(join(pb, 'caf\u00e9 menu.txt'), 'NFD on disk')) && (await contentsIs(join(pb, 'a@b', '@_odd@@.txt'), 'at signs')) && (await contentsIs(join(pb, '日本語.txt'), 'kanji')))
    assert.ok((await names(pb)).includes('caf\u00e9 menu.txt'), 'written under the NFC name')
    // A change on bob's NFC name reaches alice's NFD file (the same path), not a new one next to it.
    await writeFile(join(pb, 'caf\u00e9 menu.txt'), 'changed on bob')
    await waitFor('the change on alice', CROSS_MS, async () => await contentsIs(join(pa, nfd), 'changed on bob'))
    assert.deepEqual((await names(pa)).filter(n => n.startsWith('caf')), [nfd])
    assert.deepEqual((await a.magicFolders.status('unicode')).errors, [])
  })

  it('a file that cannot be placed is reported against its name and retried; the others sync; bad input is refused; remove stops a folder', async () => {
    const { pa, pb } = await share('errors')
    await mkdir(join(pb, 'blocked'))
    await writeFile(join(pa, 'blocked'), 'a file where bob has an empty folder')
    await writeFile(join(pa, 'ok.txt'), 'fine')
    await waitFor('ok.txt on bob', CROSS_MS, async () => await contentsIs(join(pb, 'ok.txt'), 'fine'))
    const problem = await waitFor('the problem in bob\'s status', CROSS_MS, async () => (await b.magicFolders.status('errors')).errors.find(e => e.relpath === 'blocked'))
    assert.equal(problem.code, 'EISDIR')
    assert.equal(typeof problem.message, 'string')
    await rm(join(pb, 'blocked'), { recursive: true })
    await waitFor('the file on bob once the way is clear', CROSS_MS, async () => await contentsIs(join(pb, 'blocked'), 'a file where bob has an empty folder'))
    await waitFor('the problem cleared', CROSS_MS, async () => (await b.magicFolders.status('errors')).errors.length === 0 ? true : undefined)
    assert.deepEqual(await names(join(pb, '.lafs-tmp')), [], 'no staging leftovers')

    // A local folder that vanished (an unmounted disk) is reported, not taken for deleted files.
    await rename(pb, `${pb}-away`)
    await waitFor('the missing folder in bob\'s status', CROSS_MS, async () => (await b.magicFolders.status('errors')).errors.find(e => e.relpath === '.'))
    const scanned = Date.now()
    await waitFor('another scan on bob', CROSS_MS, async () => ((await b.magicFolders.status('errors')).lastScan as number) > scanned ? true : undefined)
    assert.equal((await b.magicFolders.status('errors')).deletionsSent, 0)
    await rename(`${pb}-away`, pb)
    await waitFor('the problem cleared', CROSS_MS, async () => (await b.magicFolders.status('errors')).errors.length === 0 ? true : undefined)
    assert.equal(await readFile(join(pa, 'ok.txt'), 'utf8'), 'fine')

    await assert.rejects(a.magicFolders.create('errors', pa), (err: any) => err.code === 'ERR_MAGIC_FOLDER_EXISTS')
    await assert.rejects(a.magicFolders.setIntervals('errors', { pollSeconds: 0 }), (err: any) => err.code === 'ERR_INVALID_MAGIC_FOLDER_INPUT')
    await assert.rejects(a.magicFolders.status('nope'), (err: any) => err.code === 'ERR_NO_SUCH_MAGIC_FOLDER')
    await assert.rejects(b.magicFolders.join('lafs-mf1:xyz', 'again', pb), (err: any) => err.code === 'ERR_INVALID_MAGIC_FOLDER_INVITE')

    await b.magicFolders.remove('errors')
    assert.ok(!(await b.magicFolders.list()).some(f => f.name === 'errors'))
    assert.equal(await readFile(join(pb, 'ok.txt'), 'utf8'), 'fine', 'local files stay after remove')
  })

  it('a node stopped in the middle of a sync and started again finishes without uploading anything twice; folders restart with the node', async () => {
    const { pa, pb } = await share('restart')
    const count = 12
    for (let i = 0; i < count; i++) await writeFile(join(pa, `f${i}.txt`), `file ${i}`)
    await waitFor('a few uploads', CROSS_MS, async () => (await a.magicFolders.status('restart')).uploads >= 2 ? true : undefined)
    const mid = (await a.magicFolders.status('restart')).uploads
    await a.stop()
    const again = await grid.client(aData)
    a = again.node
    const listed = await a.magicFolders.list()
    assert.ok(listed.some(f => f.name === 'restart' && f.localPath === pa && f.participant === 'alice'), 'the folder came back with the node')
    await waitFor(`all ${count} files on bob`, CROSS_MS * 2, async () => {
      for (let i = 0; i < count; i++) if (await contentsIs(join(pb, `f${i}.txt`), `file ${i}`) === undefined) return undefined
      return true
    })
    const s = await a.magicFolders.status('restart')
    assert.equal(s.uploads, count, `each file uploaded once (${mid} before the stop)`)
    assert.deepEqual(s.errors, [])
  })
})
