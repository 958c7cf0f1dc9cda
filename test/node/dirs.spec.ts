import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { base32Encode, createNode, type LafsNode } from '../../src/node/index.js'

const LISTEN = ['/ip4/127.0.0.1/tcp/0']

function rejectsCode (p: Promise<unknown>, code: string): Promise<void> {
  return assert.rejects(p, (err: any) => {
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`)
    return true
  })
}

describe('node: directories through the door (node.dirs)', function () {
  this.timeout(240_000)
  const tmp: string[] = []
  const nodes: LafsNode[] = []
  let servers: string[]
  let writer: LafsNode
  const fresh = async (storage: boolean): Promise<LafsNode> => {
    const dir = await mkdtemp(join(tmpdir(), 'lafs-dirs-'))
    tmp.push(dir)
    const node = await createNode({ dataDir: dir, listen: LISTEN, bootstrap: [], storage: { enabled: storage }, gateway: false })
    nodes.push(node)
    return node
  }
  before(async () => {
    const s = await Promise.all(Array.from({ length: 10 }, async () => await fresh(true)))
    servers = s.map(n => n.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws')) as string)
    writer = await fresh(false)
  })
  after(async () => {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await Promise.all(tmp.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  for (const format of ['sdmf', 'mdmf'] as const) {
    it(`${format}: mkdir, put files at nested paths (parents made), list, stat, json; a fresh node reads through the read-only cap and cannot write`, async () => {
      const root = await writer.dirs.mkdir({ servers, format })
      assert.match(root.cap, format === 'sdmf' ? /^URI:DIR2:/ : /^URI:DIR2-MDMF:/)
      assert.match(root.readCap, format === 'sdmf' ? /^URI:DIR2-RO:/ : /^URI:DIR2-MDMF-RO:/)
      const big = randomBytes(5000)
      const put = await writer.dirs.putFile(root.cap, 'docs/2026/report.bin', big, { servers })
      assert.match(put.cap, /^URI:CHK:/)
      assert.equal(put.replaced, false)
      await writer.dirs.putFile(root.cap, 'docs/small.txt', new TextEncoder().encode('tiny'), { servers })
      const top = await writer.dirs.list(root.cap, '', { servers })
      assert.deepEqual(top.children.map(c => [c.name, c.type]), [['docs', 'dirnode']])
      assert.equal(top.readOnly, false)
      assert.ok(top.children[0].writeCap?.startsWith('URI:DIR2:'), 'intermediate directories are mutable (sdmf by default)')
      const docs = await writer.dirs.list(root.cap, 'docs/', { servers })
      assert.deepEqual(docs.children.map(c => [c.name, c.type, c.format]), [['2026', 'dirnode', undefined], ['small.txt', 'filenode', 'LIT']])
      const st = await writer.dirs.stat(root.cap, 'docs/2026/report.bin', { servers })
      assert.equal(st.type, 'filenode')
      assert.equal(st.link.size, 5000)
      assert.equal(typeof (st.link.metadata.tahoe as any).linkcrtime, 'number')
      assert.ok(Buffer.from(await writer.get(st.link.readCap as string, { servers })).equals(big))
      const json = await writer.dirs.json(root.cap, 'docs', { servers })
      assert.equal(json[0], 'dirnode')
      assert.ok('rw_uri' in json[1] && !('metadata' in json[1]), 'a directory\'s own JSON carries no link metadata, as Tahoe\'s')

      const reader = await fresh(false)
      const ro = await reader.dirs.list(root.readCap, 'docs', { servers })
      assert.equal(ro.readOnly, true)
      assert.equal(ro.writeCap, undefined)
      assert.ok(ro.children.every(c => c.writeCap === undefined), 'a read-only directory never shows a child write cap')
      const roJson = JSON.stringify(await reader.dirs.json(root.readCap, '', { servers }))
      assert.ok(!roJson.includes('rw_uri'), 'no rw_uri anywhere under a read-only cap')
      const sub = await reader.dirs.stat(root.readCap, 'docs/2026/report.bin', { servers })
      assert.ok(Buffer.from(await reader.get(sub.link?.readCap as string, { servers })).equals(big))
      await rejectsCode(reader.dirs.putFile(root.readCap, 'docs/x', big, { servers }), 'ERR_READ_ONLY_DIRECTORY')
      await rejectsCode(reader.dirs.link(root.readCap, 'x', put.cap, { servers }), 'ERR_READ_ONLY_DIRECTORY')
      await rejectsCode(reader.dirs.unlink(root.readCap, 'docs/small.txt', { servers }), 'ERR_READ_ONLY_DIRECTORY')
      await rejectsCode(reader.dirs.mkdirAt(root.readCap, 'new', { servers }), 'ERR_READ_ONLY_DIRECTORY')
      await rejectsCode(reader.dirs.move(root.readCap, 'docs/small.txt', 'small.txt', { servers }), 'ERR_READ_ONLY_DIRECTORY')
      // nothing changed
      assert.deepEqual((await writer.dirs.list(root.cap, 'docs', { servers })).children.map(c => c.name), ['2026', 'small.txt'])
    })
  }

  it('links, moves (within and across directories), unlinks; replace=false and only-files; a file in the way; mkdirAt of an existing directory changes nothing', async () => {
    const root = await writer.dirs.mkdir({ servers })
    const other = await writer.dirs.mkdir({ servers, format: 'mdmf' })
    const file = await writer.files.put(randomBytes(100), { servers })
    await writer.dirs.link(root.cap, 'a.bin', file.cap, { servers, metadata: { note: 'kept on move' } })
    await rejectsCode(writer.dirs.link(root.cap, 'a.bin', file.cap, { servers, replace: false }), 'ERR_EXISTING_CHILD')
    const made = await writer.dirs.mkdirAt(root.cap, 'sub/deeper', { servers })
    assert.equal(made.created, true)
    const inner = (await writer.dirs.list(root.cap, 'sub', { servers })).children[0]
    assert.equal(typeof (inner.metadata.tahoe as any)?.linkcrtime, 'number', 'a directory made on the way has link times like any link')
    const again = await writer.dirs.mkdirAt(root.cap, 'sub/deeper', { servers })
    assert.deepEqual([again.created, again.cap], [false, made.cap])
    await rejectsCode(writer.dirs.putFile(root.cap, 'sub', randomBytes(80), { servers, replace: 'only-files' }), 'ERR_EXISTING_CHILD')
    await rejectsCode(writer.dirs.mkdirAt(root.cap, 'a.bin/x', { servers }), 'ERR_NOT_A_DIRECTORY')
    await rejectsCode(writer.dirs.list(root.cap, 'missing', { servers }), 'ERR_NO_SUCH_CHILD')

    const renamed = await writer.dirs.move(root.cap, 'a.bin', 'sub/deeper/b.bin', { servers })
    assert.equal(renamed.name, 'b.bin')
    assert.equal(renamed.metadata.note, 'kept on move')
    assert.deepEqual((await writer.dirs.list(root.cap, '', { servers })).children.map(c => c.name), ['sub'])
    await writer.dirs.move(root.cap, 'sub/deeper/b.bin', 'c.bin', { servers, toDir: other.cap })
    assert.deepEqual((await writer.dirs.list(other.cap, '', { servers })).children.map(c => [c.name, c.readCap]), [['c.bin', file.cap]])
    assert.deepEqual((await writer.dirs.list(made.cap, '', { servers })).children, [])
    await writer.dirs.move(other.cap, 'c.bin', 'd.bin', { servers })
    const removed = await writer.dirs.unlink(other.cap, 'd.bin', { servers, mustBe: 'file' })
    assert.equal(removed.readCap, file.cap)
    await rejectsCode(writer.dirs.unlink(other.cap, 'd.bin', { servers }), 'ERR_NO_SUCH_CHILD')
  })

  it('a mutable file at a path is overwritten in place; an immutable directory lists but refuses writes; the empty one is literal', async () => {
    const root = await writer.dirs.mkdir({ servers })
    const first = await writer.dirs.putFile(root.cap, 'notes.txt', Buffer.from('one'), { servers, format: 'mdmf' })
    assert.match(first.cap, /^URI:MDMF:/)
    const second = await writer.dirs.putFile(root.cap, 'notes.txt', Buffer.from('two, longer'), { servers })
    assert.deepEqual([second.cap, second.replaced], [first.cap, true])
    assert.equal(Buffer.from(await writer.get(first.cap, { servers })).toString(), 'two, longer')

    const chk = await writer.files.put(randomBytes(300), { servers })
    const imm = await writer.dirs.mkdir({ servers, immutable: true, children: { 'x.bin': chk.cap, 'lit.txt': 'URI:LIT:nbswy3dp' } })
    assert.match(imm.cap, /^URI:DIR2-CHK:/)
    const listed = await writer.dirs.list(imm.cap, '', { servers })
    assert.deepEqual(listed.children.map(c => c.name), ['lit.txt', 'x.bin'])
    assert.equal(listed.mutable, false)
    await rejectsCode(writer.dirs.link(imm.cap, 'y', chk.cap, { servers }), 'ERR_READ_ONLY_DIRECTORY')
    await rejectsCode(writer.dirs.mkdir({ servers, immutable: true, children: { m: first.cap } }), 'ERR_CAP_CONSTRAINT')
    const empty = await writer.dirs.mkdir({ servers, immutable: true })
    assert.match(empty.cap, /^URI:DIR2-LIT:/)
    assert.deepEqual((await writer.dirs.list(empty.cap)).children, [], 'a literal directory needs no server')
    await writer.dirs.link(root.cap, 'frozen', imm.cap, { servers })
    assert.equal((await writer.dirs.stat(root.cap, "frozen/x.bin", { servers })).link?.readCap, chk.cap)
  })

  it('unicode names: NFD and NFC are one name, emoji and CJK round-trip; "/" and empty names refused', async () => {
    const root = await writer.dirs.mkdir({ servers })
    const lit = 'URI:LIT:nbswy3dp'
    await writer.dirs.link(root.cap, 'cafe\u0301.txt', lit, { servers })
    await writer.dirs.link(root.cap, 'caf\u00e9.txt', lit, { servers, replace: true })
    await writer.dirs.link(root.cap, '猫/🐈.txt', lit, { servers }).then(() => assert.fail('linked under a missing directory'), () => {})
    await writer.dirs.mkdirAt(root.cap, '猫', { servers })
    await writer.dirs.link(root.cap, '猫/🐈.txt', lit, { servers })
    const names = (await writer.dirs.list(root.cap, '', { servers })).children.map(c => c.name)
    assert.deepEqual(names, ['caf\u00e9.txt', '猫'])
    assert.equal((await writer.dirs.stat(root.cap, 'cafe\u0301.txt', { servers })).link?.name, 'caf\u00e9.txt')
    assert.deepEqual((await writer.dirs.list(root.cap, '猫', { servers })).children.map(c => c.name), ['🐈.txt'])
    await rejectsCode(writer.dirs.link(root.cap, '', lit, { servers }), 'ERR_EMPTY_PATH')
    await rejectsCode(writer.dirs.linkMany(root.cap, '', { 'a/b': lit }, { servers }), 'ERR_INVALID_CHILD_NAME')
  })

  it('a tree 5 levels deep with 1000 entries in one directory (one publish for all of them); two writers linking into one directory at once both land', async () => {
    const root = await writer.dirs.mkdir({ servers })
    const deep = await writer.dirs.mkdirAt(root.cap, 'l1/l2/l3/l4/l5', { servers })
    const children: Record<string, string> = {}
    for (let i = 0; i < 1000; i++) children[`file-${String(i).padStart(4, '0')}.txt`] = `URI:LIT:${base32Encode(Buffer.from(`entry ${i}`))}`
    const linked = await writer.dirs.linkMany(root.cap, 'l1/l2/l3/l4/l5', children, { servers })
    assert.equal(linked.length, 1000)
    const listing = await writer.dirs.list(deep.cap, '', { servers })
    assert.equal(listing.children.length, 1000)
    assert.equal(listing.children[999].name, 'file-0999.txt')
    const viaPath = await writer.dirs.list(root.readCap, 'l1/l2/l3/l4/l5', { servers })
    assert.equal(viaPath.children.length, 1000)

    const second = await fresh(false)
    const lit = 'URI:LIT:nbswy3dp'
    await Promise.all([
      ...Array.from({ length: 3 }, async (_, i) => await writer.dirs.link(root.cap, `w1-${i}`, lit, { servers })),
      ...Array.from({ length: 3 }, async (_, i) => await second.dirs.link(root.cap, `w2-${i}`, lit, { servers }))
    ])
    const names = (await second.dirs.list(root.cap, '', { servers })).children.map(c => c.name)
    assert.deepEqual(names, ['l1', 'w1-0', 'w1-1', 'w1-2', 'w2-0', 'w2-1', 'w2-2'])
  })
})
