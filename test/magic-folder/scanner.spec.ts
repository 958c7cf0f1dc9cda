import assert from 'node:assert/strict'
import { lstat, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { conflictName, TMP_DIR } from '../../src/magic-folder/index.js'
import { scanFolder } from '../../src/magic-folder/scanner.js'

describe('magic folders: the local scan', () => {
  let root: string
  beforeEach(async () => { root = await mkdtemp(join(tmpdir(), 'lafs-mf-scan-')) })
  afterEach(async () => { await rm(root, { recursive: true, force: true }) })

  it('lists every regular file by NFC path with size and mtime, leaving out staging, conflict copies and symlinks', async () => {
    const want = new Map<string, string>()
    for (const sub of ['a', 'b/c', 'd']) {
      await mkdir(join(root, sub), { recursive: true })
      // More entries than one stat batch, in several folders.
      for (let i = 0; i < 250; i++) {
        const rel = `${sub}/f${i}.txt`
        await writeFile(join(root, rel), `file ${rel}`)
        want.set(rel, `file ${rel}`)
      }
    }
    await writeFile(join(root, 'top.txt'), 'top')
    want.set('top.txt', 'top')
    await writeFile(join(root, 'cafe\u0301.txt'), 'nfd')
    want.set('caf\u00e9.txt', 'nfd')
    await mkdir(join(root, TMP_DIR))
    await writeFile(join(root, TMP_DIR, 'partial'), 'x')
    await writeFile(join(root, conflictName('top.txt', 'bob', new Date())), 'theirs')
    await symlink(join(root, 'top.txt'), join(root, 'link.txt'))

    const scan = await scanFolder(root)
    assert.deepEqual(scan.problems, [])
    assert.deepEqual([...scan.files.keys()].sort(), [...want.keys()].sort())
    for (const [rel, text] of want) {
      const f = scan.files.get(rel)
      assert.ok(f !== undefined)
      const st = await lstat(f.path)
      assert.equal(f.size, Buffer.byteLength(text))
      assert.equal(f.mtimeMs, st.mtimeMs)
    }
    assert.equal(scan.files.get('caf\u00e9.txt')?.path, join(root, 'cafe\u0301.txt'))
  })

  it('reports two names equal in NFC and a missing folder, and never throws', async () => {
    await writeFile(join(root, 'caf\u00e9.txt'), 'nfc')
    await writeFile(join(root, 'cafe\u0301.txt'), 'nfd')
    const scan = await scanFolder(root)
    assert.equal(scan.files.size, 1)
    assert.deepEqual(scan.problems.map(p => [p.relpath, p.code]), [['caf\u00e9.txt', 'ERR_NFC_COLLISION']])
    const gone = await scanFolder(join(root, 'nope'))
    assert.equal(gone.files.size, 0)
    assert.deepEqual(gone.problems.map(p => [p.relpath, p.code]), [['.', 'ENOENT']])
  })

  it('hands the event loop back while it scans a large folder', async () => {
    await Promise.all(Array.from({ length: 2000 }, async (_, i) => { await writeFile(join(root, `f${i}`), 'x') }))
    let turns = 0
    let counting = true
    const tick = (): void => { turns++; if (counting) setImmediate(tick) }
    setImmediate(tick)
    const scan = await scanFolder(root)
    counting = false
    assert.equal(scan.files.size, 2000)
    // One readdir and ten batches of 200 stats: the loop turns between batches, not only once at the end.
    assert.ok(turns >= 5, `the event loop turned ${turns} times during the scan`)
  })
})
