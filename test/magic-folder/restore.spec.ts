import assert from 'node:assert/strict'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { contentsIs, gone, MagicGridFixture, waitFor } from './helpers.js'
import type { LafsNode } from '../../src/node/index.js'

const FAST = { pollSeconds: 1, scanSeconds: 1, settleMs: 200 }
const CROSS_MS = 20_000

describe('magic folders: history and restore', function () {
  this.timeout(120_000)
  const grid = new MagicGridFixture()
  let a: LafsNode
  let b: LafsNode

  before(async () => {
    await grid.start(4)
    a = (await grid.client()).node
    b = (await grid.client()).node
  })
  after(async () => { await grid.stop() })

  it('lists a file\'s versions newest first and brings a deleted file back on every side', async () => {
    const pa = await grid.dir('lafs-mf-a-')
    const pb = await grid.dir('lafs-mf-b-')
    await a.magicFolders.create('docs', pa, { ...FAST, participant: 'alice', servers: grid.servers })
    await b.magicFolders.join((await a.magicFolders.invite('docs', 'bob')).code, 'docs', pb, FAST)

    await writeFile(join(pa, 'plan.txt'), 'first draft')
    await waitFor('v1 on bob', CROSS_MS, async () => await contentsIs(join(pb, 'plan.txt'), 'first draft'))
    await writeFile(join(pa, 'plan.txt'), 'second draft, longer')
    await waitFor('v2 on bob', CROSS_MS, async () => await contentsIs(join(pb, 'plan.txt'), 'second draft, longer'))
    await rm(join(pa, 'plan.txt'))
    await waitFor('the deletion on bob', CROSS_MS, async () => await gone(join(pb, 'plan.txt')))

    const h = await b.magicFolders.history('docs', 'plan.txt')
    assert.deepEqual(h.map(v => [v.version, v.author, v.deleted, v.size, v.current]), [
      [3, 'alice', true, 0, true], [2, 'alice', false, 20, false], [1, 'alice', false, 11, false]
    ])
    assert.ok(h[1].mtimeMs > 0 && h[1].mtimeMs >= h[2].mtimeMs)

    // Default: the newest version that is not a deletion; written on bob, it reaches alice as bob's change.
    const r = await b.magicFolders.restore('docs', 'plan.txt')
    assert.deepEqual(r, { relpath: 'plan.txt', version: 2, size: 20, written: true })
    assert.equal(await readFile(join(pb, 'plan.txt'), 'utf8'), 'second draft, longer')
    await waitFor('the restored file on alice', CROSS_MS, async () => await contentsIs(join(pa, 'plan.txt'), 'second draft, longer'))
    const after = await waitFor('the restore in the history', CROSS_MS, async () => {
      const v = await a.magicFolders.history('docs', 'plan.txt')
      return v.length === 4 && v[0].current ? v : undefined
    })
    assert.deepEqual(after.map(v => [v.version, v.author, v.deleted]), [[4, 'bob', false], [3, 'alice', true], [2, 'alice', false], [1, 'alice', false]])

    // An older version by number, over the current file.
    const r1 = await a.magicFolders.restore('docs', 'plan.txt', { version: 1 })
    assert.equal(r1.version, 1)
    await waitFor('version 1 on bob', CROSS_MS, async () => await contentsIs(join(pb, 'plan.txt'), 'first draft'))

    await assert.rejects(a.magicFolders.history('docs', 'nothing-here.txt'), { code: 'ERR_NO_SUCH_FILE_VERSION' })
    await assert.rejects(a.magicFolders.restore('docs', 'plan.txt', { version: 3 }), { code: 'ERR_INVALID_MAGIC_FOLDER_INPUT' })
    await assert.rejects(a.magicFolders.restore('docs', 'plan.txt', { version: 99 }), { code: 'ERR_NO_SUCH_FILE_VERSION' })
    await assert.rejects(a.magicFolders.restore('docs', '../etc/passwd'), { code: 'ERR_INVALID_MAGIC_FOLDER_INPUT' })

    // A local change not synced yet is never overwritten by a restore.
    await b.magicFolders.setIntervals('docs', { scanSeconds: 3600 })
    await writeFile(join(pb, 'plan.txt'), 'unsaved local edit')
    await assert.rejects(b.magicFolders.restore('docs', 'plan.txt', { version: 2 }), { code: 'ERR_LOCAL_CHANGE_PENDING' })
    assert.equal(await readFile(join(pb, 'plan.txt'), 'utf8'), 'unsaved local edit')
  })
})
