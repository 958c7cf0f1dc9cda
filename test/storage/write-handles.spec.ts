import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WriteHandles } from '../../src/storage/write-handles.js'

async function openFds (): Promise<number> {
  return (await readdir('/proc/self/fd')).length
}

/** Polls `check` every 10 ms until it holds or `ms` pass; returns whether it held. */
async function eventually (check: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  return await check()
}

describe('storage: descriptors kept open between writes (write-handles.ts)', () => {
  let dir: string
  const pools: WriteHandles[] = []
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'lafs-write-handles-')) })
  afterEach(async () => {
    for (const p of pools.splice(0)) await p.closeAll()
    await rm(dir, { recursive: true, force: true })
  })
  const pool = (max: number, idleMs: number): WriteHandles => { const p = new WriteHandles(max, idleMs); pools.push(p); return p }

  // Old code opened and closed the file around every write: no descriptor was ever reused.
  it('reuses one descriptor for every write to a file and closes it once unused for idleMs', async () => {
    const handles = pool(4, 100)
    const path = join(dir, 'share')
    const before = await openFds()
    const fds = new Set<number>()
    await handles.use(path, true, async h => { fds.add(h.fd); await h.write(Buffer.from('abc'), 0, 3, 0) })
    for (let i = 1; i < 5; i++) await handles.use(path, false, async h => { fds.add(h.fd); await h.write(Buffer.from('d'), 0, 1, 2 + i) })
    assert.equal(fds.size, 1, 'one descriptor for all five writes')
    assert.equal(handles.open, 1)
    assert.equal(await readFile(path, 'utf8'), 'abcdddd')
    assert.ok(await eventually(() => handles.open === 0, 2000), 'closed after 100 ms unused')
    assert.ok(await eventually(async () => await openFds() === before, 1000), 'the descriptor is released')
  })

  it('keeps at most `max` open, closing the least recently used once its write ends', async () => {
    const handles = pool(3, 60_000)
    const before = await openFds()
    let release!: () => void
    const held = new Promise<void>(resolve => { release = resolve })
    // the first file's write is still running when it is evicted
    const first = handles.use(join(dir, 'f0'), true, async h => { await held; await h.write(Buffer.from('late'), 0, 4, 0) })
    await eventually(() => handles.open === 1, 1000)
    for (let i = 1; i < 8; i++) await handles.use(join(dir, `f${i}`), true, async h => { await h.write(Buffer.from('x'), 0, 1, 0) })
    assert.equal(handles.open, 3)
    release()
    await first
    assert.equal(await readFile(join(dir, 'f0'), 'utf8'), 'late', 'an evicted descriptor in use was not closed under its write')
    assert.ok(await eventually(async () => await openFds() - before <= 3, 1000), `at most 3 descriptors: ${await openFds() - before}`)
  })

  it('a file created again at the same path gets a fresh descriptor, not the old file\'s', async () => {
    const handles = pool(4, 60_000)
    const path = join(dir, 'share')
    await handles.use(path, true, async h => { await h.write(Buffer.from('old bytes'), 0, 9, 0) })
    await rm(path)
    await handles.use(path, true, async h => { await h.write(Buffer.from('new'), 0, 3, 0) })
    assert.equal(await readFile(path, 'utf8'), 'new')
    assert.equal((await stat(path)).size, 3)
  })

  it('drop closes a descriptor at once; closeAll closes every one', async () => {
    const handles = pool(8, 60_000)
    const before = await openFds()
    for (let i = 0; i < 4; i++) await handles.use(join(dir, `f${i}`), true, async () => {})
    assert.equal(await openFds() - before, 4)
    await handles.drop(join(dir, 'f0'))
    assert.equal(await openFds() - before, 3)
    await handles.closeAll()
    assert.equal(await openFds(), before)
  })
})
