import assert from 'node:assert/strict'
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gridOver } from '../../src/node/magic-folders-api.js'
import { detectCaseInsensitive, foldPath, MagicFolders } from '../../src/magic-folder/index.js'
import { contentsIs, MagicGridFixture, names, waitFor } from './helpers.js'
import type { LafsNode } from '../../src/node/index.js'

const FAST = { pollSeconds: 1, scanSeconds: 1, settleMs: 200 }
const CROSS_MS = 20_000

describe('magic folders: names that differ only in case', function () {
  this.timeout(120_000)
  const grid = new MagicGridFixture()
  let a: LafsNode
  let c: LafsNode

  before(async () => {
    await grid.start(4)
    a = (await grid.client()).node
    c = (await grid.client()).node
  })
  after(async () => { await grid.stop() })

  it('detects this machine\'s filesystem as case-sensitive with a probe file, and folds names as a case-insensitive one would', async () => {
    const d = await grid.dir('lafs-mf-probe-')
    assert.equal(await detectCaseInsensitive(d), false)
    assert.deepEqual(await names(d), [], 'the probe leaves nothing behind')
    assert.equal(foldPath('Docs/README.md'), foldPath('docs/readme.MD'))
    assert.equal(foldPath('Cafe\u0301.txt'), foldPath('CAFÉ.txt'))
  })

  for (const insensitive of [true, false]) {
    it(`on a ${insensitive ? 'simulated case-insensitive' : 'case-sensitive'} folder, two remote names equal but for case ${insensitive ? 'are kept apart as a conflict copy' : 'are two files'}`, async () => {
      const name = insensitive ? 'ci' : 'cs'
      const pa = await grid.dir('lafs-mf-a-')
      const pc = await grid.dir('lafs-mf-c-')
      await a.magicFolders.create(name, pa, { ...FAST, participant: 'alice', servers: grid.servers })
      const { code } = await a.magicFolders.invite(name, 'carol')
      const folders = await MagicFolders.open({
        dir: await grid.dir('lafs-mf-state-'),
        gridFor: where => gridOver(c.files, c.dirs, where),
        defaultParticipant: 'carol',
        caseCheck: async () => insensitive,
        log: () => {}
      })
      try {
        await folders.join(code, name, pc, FAST)
        await writeFile(join(pa, 'README.md'), 'upper case name')
        await writeFile(join(pa, 'readme.md'), 'lower case name')
        await waitFor('README.md on carol', CROSS_MS, async () => await contentsIs(join(pc, 'README.md'), 'upper case name'))
        if (!insensitive) {
          await waitFor('readme.md on carol', CROSS_MS, async () => await contentsIs(join(pc, 'readme.md'), 'lower case name'))
          assert.deepEqual(folders.status(name).conflicts, [])
          assert.equal(folders.status(name).caseInsensitive, false)
          return
        }
        const st = await waitFor('the collision in carol\'s status', CROSS_MS, () => {
          const s = folders.status(name)
          return s.conflicts.length > 0 ? s : undefined
        })
        assert.equal(st.caseInsensitive, true)
        assert.equal(st.conflicts[0].relpath, 'readme.md')
        assert.match(st.conflicts[0].file, /^readme\.md\.conflict-alice-\d{8}T\d{6}Z$/)
        assert.equal(await contentsIs(join(pc, st.conflicts[0].file), 'lower case name'), true)
        assert.deepEqual(st.errors.map(e => [e.relpath, e.code]), [['readme.md', 'ERR_NAME_COLLISION']])
        assert.deepEqual(await names(pc), ['README.md', st.conflicts[0].file].sort(), 'readme.md itself is never written')
        // Nothing of carol's goes back: alice keeps her two files, and no deletion is sent for the name carol could not hold.
        await new Promise(resolve => setTimeout(resolve, 2500))
        assert.equal(folders.status(name).uploads + folders.status(name).deletionsSent, 0)
        assert.equal(folders.status(name).conflicts.length, 1, 'the copy is made once, not on every poll')
        assert.equal(await contentsIs(join(pa, 'readme.md'), 'lower case name'), true)
      } finally {
        await folders.stop()
      }
    })
  }

  it('on a simulated case-insensitive folder, remote folders whose names differ only in case become one folder: what the other spelling holds is kept apart as conflict copies in it', async () => {
    const name = 'ci-dirs'
    const pa = await grid.dir('lafs-mf-a-')
    const pc = await grid.dir('lafs-mf-c-')
    await a.magicFolders.create(name, pa, { ...FAST, participant: 'alice', servers: grid.servers })
    const { code } = await a.magicFolders.invite(name, 'carol')
    const folders = await MagicFolders.open({
      dir: await grid.dir('lafs-mf-state-'),
      gridFor: where => gridOver(c.files, c.dirs, where),
      defaultParticipant: 'carol',
      caseCheck: async () => true,
      log: () => {}
    })
    try {
      await folders.join(code, name, pc, FAST)
      const sent: Record<string, string> = { 'Docs/a.txt': 'Docs/a from alice', 'docs/a.txt': 'docs/a from alice', 'docs/b.txt': 'docs/b from alice' }
      await mkdir(join(pa, 'Docs'))
      await mkdir(join(pa, 'docs'))
      for (const [p, text] of Object.entries(sent)) await writeFile(join(pa, ...p.split('/')), text)
      // Whichever spelling arrives first is the folder; every file under the other one is a conflict copy in it.
      const st = await waitFor('every file of alice\'s on carol', CROSS_MS, async () => {
        const top = await names(pc)
        if (top.length !== 1) return undefined
        const inside = await readdir(join(pc, top[0]))
        return inside.length === 3 ? { dir: top[0], inside, status: folders.status(name) } : undefined
      })
      assert.equal(foldPath(st.dir), 'docs')
      assert.ok((await stat(join(pc, st.dir))).isDirectory())
      const kept = Object.keys(sent).filter(p => !p.startsWith(st.dir + '/'))
      for (const [p, text] of Object.entries(sent)) {
        const base = p.slice(p.indexOf('/') + 1)
        if (!kept.includes(p)) {
          assert.equal(await readFile(join(pc, st.dir, base), 'utf8'), text, p)
          continue
        }
        const copy = st.status.conflicts.find(c => c.relpath === p)
        assert.ok(copy !== undefined, `a conflict copy for ${p}: ${JSON.stringify(st.status.conflicts)}`)
        assert.match(copy.file, new RegExp(`^${st.dir}/${base.replace('.', '\\.')}\\.conflict-alice-\\d{8}T\\d{6}Z$`))
        assert.equal(await readFile(join(pc, ...copy.file.split('/')), 'utf8'), text, p)
      }
      assert.deepEqual(st.status.conflicts.map(c => c.relpath).sort(), kept.sort())
      assert.deepEqual(st.status.errors.map(e => `${e.relpath ?? ''} ${e.code}`).sort(), kept.sort().map(p => `${p} ERR_NAME_COLLISION`))
      // Nothing goes back: the copies are local, and alice keeps her two folders. Two more polls and scans to be sure.
      const since = Date.now()
      await waitFor('two more polls and scans', CROSS_MS, () => {
        const s = folders.status(name)
        return (s.lastPoll as number) > since + 1000 && (s.lastScan as number) > since + 1000 ? true : undefined
      })
      assert.equal(folders.status(name).uploads + folders.status(name).deletionsSent, 0)
      assert.equal(folders.status(name).conflicts.length, kept.length, 'the copies are made once, not on every poll')
      for (const [p, text] of Object.entries(sent)) assert.equal(await contentsIs(join(pa, ...p.split('/')), text), true, p)
    } finally {
      await folders.stop()
    }
  })
})
