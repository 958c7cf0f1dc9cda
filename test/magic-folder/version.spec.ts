import assert from 'node:assert/strict'
import { MagicGridFixture } from './helpers.js'
import type { LafsNode } from '../../src/node/index.js'

describe('node.dirs.version and node.files.version: a mutable version without reading it', function () {
  this.timeout(60_000)
  const grid = new MagicGridFixture()
  let a: LafsNode

  before(async () => {
    await grid.start(4)
    a = (await grid.client()).node
  })
  after(async () => { await grid.stop() })

  for (const format of ['sdmf', 'mdmf'] as const) {
    it(`${format}: the same until the directory changes, then the next seqnum; read caps see it too`, async () => {
      const opts = { servers: grid.servers }
      const d = await a.dirs.mkdir({ ...opts, format })
      const v1 = await a.dirs.version(d.cap, opts)
      assert.ok(v1 !== undefined)
      assert.match(v1.roothash, /^[0-9a-f]{64}$/)
      assert.deepEqual(await a.dirs.version(d.readCap, opts), v1)
      await a.dirs.link(d.cap, 'x', 'URI:LIT:mfrgg', opts)
      const v2 = await a.dirs.version(d.readCap, opts)
      assert.equal(v2?.seqnum, v1.seqnum + 1)
      assert.notEqual(v2?.roothash, v1.roothash)
      // The file layer answers the same for the file that holds the directory.
      const made = await a.files.createMutable(new TextEncoder().encode('hello'), { ...opts, format })
      const fv = await a.files.version(made.readCap, opts)
      assert.equal(fv?.seqnum, made.seqnum)
      assert.deepEqual(await a.files.version(made.cap, opts), fv)
    })
  }

  it('an immutable directory has no version (it never changes)', async () => {
    const d = await a.dirs.mkdir({ servers: grid.servers, immutable: true, children: { a: { readCap: 'URI:LIT:mfrgg' } } })
    assert.equal(await a.dirs.version(d.cap, { servers: grid.servers }), undefined)
  })
})
