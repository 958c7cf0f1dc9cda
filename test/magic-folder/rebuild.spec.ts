import assert from 'node:assert/strict'
import { readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gridOver } from '../../src/node/magic-folders-api.js'
import { MagicFolders } from '../../src/magic-folder/index.js'
import { MagicGridFixture, waitFor } from './helpers.js'
import type { LafsNode } from '../../src/node/index.js'

const FAST = { pollSeconds: 1, scanSeconds: 0.5, settleMs: 100 }

describe('magic folders: a lost state file', function () {
  this.timeout(90_000)
  const grid = new MagicGridFixture()
  let a: LafsNode

  before(async () => {
    await grid.start(4)
    a = (await grid.client()).node
  })
  after(async () => { await grid.stop() })

  it('is rebuilt from our personal directory: unchanged files are not uploaded again, a changed one is a change of its snapshot', async () => {
    const dir = await grid.dir('lafs-mf-state-')
    const open = async (): Promise<MagicFolders> => await MagicFolders.open({ dir, gridFor: where => gridOver(a.files, a.dirs, where), defaultParticipant: 'alice', log: () => {} })
    const pa = await grid.dir('lafs-mf-a-')
    let folders = await open()
    await folders.create('f', pa, { ...FAST, servers: grid.servers })
    for (const n of ['one', 'two', 'three']) await writeFile(join(pa, `${n}.txt`), `the file called ${n}`)
    await waitFor('three uploads', 20_000, () => folders.status('f').uploads === 3 && folders.status('f').queuedUploads === 0 ? true : undefined)
    await folders.stop()

    // The state goes (a lost data folder), folders.json stays; meanwhile one file changes.
    for (const f of await readdir(dir)) if (f.endsWith('.sqlite') || f.includes('.sqlite-')) await rm(join(dir, f))
    await writeFile(join(pa, 'two.txt'), 'changed while the state was gone')
    folders = await open()
    try {
      await waitFor('the changed file uploaded', 20_000, () => folders.status('f').uploads === 1 ? true : undefined)
      // A few more scans: nothing else goes up.
      const scans = folders.status('f').lastScan ?? 0
      await waitFor('two more scans', 10_000, () => (folders.status('f').lastScan ?? 0) > scans + 600 ? true : undefined)
      assert.equal(folders.status('f').uploads, 1, 'only the changed file was uploaded')
      assert.deepEqual(folders.status('f').errors, [])
      const h = await folders.history('f', 'two.txt')
      assert.deepEqual(h.map(v => [v.version, v.current, v.size]), [[2, true, 32], [1, false, 19]], 'the change has the old snapshot as parent')
      assert.equal((await folders.history('f', 'one.txt')).length, 1)
    } finally {
      await folders.stop()
    }
  })
})
