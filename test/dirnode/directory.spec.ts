/** The Directory model: Tahoe's link, unlink, rename and metadata rules, names, read-only and immutable refusals, size. */
import assert from 'node:assert/strict'
import {
  CapConstraintError, Directory, directoryModifier, ExistingChildError, InvalidChildNameError, MalformedDirectoryError, newImmutableDirectoryBytes,
  NoSuchChildError, packEntry, ReadOnlyDirectoryError, splitNetstrings, toReadOnlyDirCap, updateMetadata, type DirReadableCap, type JsonObject
} from '../../src/dirnode/index.js'
import { concatBytes } from '../../src/immutable/index.js'
import { dirnodeVectors, readable, writeDirCap } from './helpers.js'

const v = dirnodeVectors()
const capOf = (name: string): string => v.children.find(c => c.name === name)!.cap
const CHK = capOf('file.txt')
const LIT = capOf('Français')
const MDMF_FILE = capOf('\ufb01 ligature')
const SUBDIR = capOf('subdir')

function isReadOnlyError (err: unknown): boolean {
  assert.ok(err instanceof ReadOnlyDirectoryError, String(err))
  assert.equal(err.code, 'ERR_READ_ONLY_DIRECTORY')
  assert.match(err.message, /write cap|immutable/)
  return true
}

describe('dirnode: Directory', function () {
  it('links children with Tahoe timestamps; replacing keeps linkcrtime', function () {
    const dir = Directory.empty(writeDirCap())
    const e = dir.set('a.txt', CHK, { now: 100.5 })
    assert.deepEqual(e.metadata, { tahoe: { linkcrtime: 100.5, linkmotime: 100.5 } })
    assert.equal(e.node.type, 'filenode')
    assert.equal(e.node.readUri, CHK)
    const r = dir.set('a.txt', LIT, { now: 200 })
    assert.deepEqual(r.metadata, { tahoe: { linkcrtime: 100.5, linkmotime: 200 } })
    assert.equal(dir.get('a.txt').node.readUri, LIT)
    // New user metadata replaces the old; 'tahoe' given by the caller is ignored.
    const m = dir.set('a.txt', LIT, { now: 300, metadata: { mime: 'text/plain', tahoe: { linkcrtime: 1 } } })
    assert.deepEqual(m.metadata, { mime: 'text/plain', tahoe: { linkcrtime: 100.5, linkmotime: 300 } })
    // Omitted metadata keeps the user part.
    assert.equal(dir.set('a.txt', CHK, { now: 400 }).metadata.mime, 'text/plain')
    const s = dir.setMetadata('a.txt', { k: 1 }, 500)
    assert.deepEqual(s.metadata, { k: 1, tahoe: { linkcrtime: 100.5, linkmotime: 500 } })
  })

  it("takes a pre-1.4 'ctime' as the link's creation time", function () {
    const dir = Directory.empty(writeDirCap())
    dir.set('x', CHK, { now: 5, metadata: { ctime: 1.5 } })
    // First link: no old metadata, so linkcrtime is now; a later update of a link holding 'ctime' without 'tahoe' uses it.
    const bytes = concatBytes([packEntry({ name: 'old', node: dir.get('x').node, metadata: { ctime: 1.5, mtime: 2.5 } }, { writekey: writeDirCap().file.writekey, deepImmutable: false })])
    const old = Directory.fromBytes(writeDirCap(), bytes)
    assert.deepEqual(old.set('old', CHK, { now: 9 }).metadata, { ctime: 1.5, mtime: 2.5, tahoe: { linkcrtime: 1.5, linkmotime: 9 } })
  })

  it("updates metadata as Tahoe's test_update_metadata expects", function () {
    const [t1, t2, t3] = [626644800.0, 634745640.0, 892226160.0]
    const md1 = updateMetadata({ ctime: t1 }, {}, t2)
    assert.deepEqual(md1, { tahoe: { linkcrtime: t1, linkmotime: t2 } })
    assert.deepEqual(updateMetadata(md1, { key: 'value', tahoe: { bad: 'mojo' } }, t3), { key: 'value', tahoe: { linkcrtime: t1, linkmotime: t3 } })
    assert.deepEqual(updateMetadata({}, undefined, t3), { tahoe: { linkcrtime: t3, linkmotime: t3 } })
    assert.deepEqual(updateMetadata({}, { bool: true, number: 42 }, t1), { bool: true, number: 42, tahoe: { linkcrtime: t1, linkmotime: t1 } })
    assert.deepEqual(md1, { tahoe: { linkcrtime: t1, linkmotime: t2 } }, 'inputs are not changed')
  })

  it('refuses to replace when asked not to, and directories with only-files', function () {
    const dir = Directory.empty(writeDirCap())
    dir.set('f', CHK)
    dir.set('d', SUBDIR)
    assert.throws(() => dir.set('f', LIT, { overwrite: false }), ExistingChildError)
    assert.equal(dir.get('f').node.readUri, CHK)
    dir.set('f', LIT, { overwrite: 'only-files' })
    assert.throws(() => dir.set('d', LIT, { overwrite: 'only-files' }), (err: unknown) => err instanceof ExistingChildError && err.code === 'ERR_EXISTING_CHILD')
  })

  it('keeps write caps of writable children and derives their read caps', function () {
    const dir = Directory.empty(writeDirCap())
    const f = dir.set('m', MDMF_FILE)
    assert.equal(f.node.writeUri, MDMF_FILE)
    assert.match(f.node.readUri!, /^URI:MDMF-RO:/)
    assert.match(f.node.verifyUri!, /^URI:MDMF-Verifier:/)
    assert.equal(f.node.mutable, true)
    const d = dir.set('d', SUBDIR)
    assert.equal(d.node.type, 'dirnode')
    assert.equal(d.node.writeUri, SUBDIR)
    assert.match(d.node.readUri!, /^URI:DIR2-RO:/)
    // "no-write" diminishes the link to its read cap.
    const nw = dir.set('nw', MDMF_FILE, { metadata: { 'no-write': true } })
    assert.equal(nw.node.writeUri, undefined)
    assert.equal(nw.node.readUri, f.node.readUri)
  })

  it('normalises names to NFC: NFC and NFD input are one entry', function () {
    const dir = Directory.empty(writeDirCap())
    const nfc = 'caf\u00e9'
    const nfd = 'cafe\u0301'
    dir.set(nfd, CHK)
    dir.set(nfc, LIT)
    assert.equal(dir.size, 1)
    assert.deepEqual(dir.names(), [nfc])
    assert.equal(dir.get(nfd).node.readUri, LIT)
    assert.ok(dir.has(nfd))
    const back = Directory.fromBytes(writeDirCap(), dir.toBytes())
    assert.deepEqual(back.names(), [nfc])
    dir.delete(nfd)
    assert.equal(dir.size, 0)
  })

  it("refuses names with '/' and empty names", function () {
    const dir = Directory.empty(writeDirCap())
    for (const [name, reason] of [['a/b', 'slash'], ['/', 'slash'], ['', 'empty']] as const) {
      assert.throws(() => dir.set(name, CHK), (err: unknown) => err instanceof InvalidChildNameError && err.reason === reason && err.code === 'ERR_INVALID_CHILD_NAME')
    }
    dir.set('ok', CHK)
    assert.throws(() => dir.rename('ok', 'x/y'), InvalidChildNameError)
    assert.equal(dir.size, 1)
  })

  it('links several children at once, or none when one is refused', function () {
    const dir = Directory.empty(writeDirCap())
    dir.set('keep', CHK, { now: 1 })
    const added = dir.setMany([{ name: 'a', caps: CHK }, { name: 'b', caps: LIT, metadata: { m: 1 } }], { now: 2 })
    assert.deepEqual(added.map(e => e.name), ['a', 'b'])
    assert.deepEqual(dir.get('b').metadata, { m: 1, tahoe: { linkcrtime: 2, linkmotime: 2 } })
    assert.throws(() => dir.setMany([{ name: 'c', caps: CHK }, { name: 'x/y', caps: CHK }]), InvalidChildNameError)
    assert.throws(() => dir.setMany([{ name: 'd', caps: CHK }, { name: 'keep', caps: LIT }], { overwrite: false }), ExistingChildError)
    assert.deepEqual(dir.names(), ['keep', 'a', 'b'])
  })

  it('gives a bytes-to-bytes modifier for a mutable file’s modify', function () {
    const cap = writeDirCap()
    const addA = directoryModifier(cap, d => { d.set('a', CHK, { now: 1 }) })
    const addB = directoryModifier(cap, d => { d.set('b', LIT, { now: 2 }) })
    // Two writers' changes applied in turn, as modify() re-runs the loser's on the fresh contents.
    const after = addB(addA(new Uint8Array(0)))
    assert.deepEqual(Directory.fromBytes(cap, after).names(), ['a', 'b'])
  })

  it('deletes, with Tahoe’s must-exist and type checks', function () {
    const dir = Directory.empty(writeDirCap())
    dir.set('f', CHK)
    dir.set('d', SUBDIR)
    assert.throws(() => dir.delete('nope'), NoSuchChildError)
    assert.equal(dir.delete('nope', { mustExist: false }), undefined)
    assert.throws(() => dir.delete('f', { mustBeDirectory: true }), ExistingChildError)
    assert.throws(() => dir.delete('d', { mustBeFile: true }), ExistingChildError)
    assert.equal(dir.delete('f')?.node.readUri, CHK)
    assert.deepEqual(dir.names(), ['d'])
  })

  it('renames within the directory as Tahoe moves a link: user metadata kept, new link times', function () {
    const dir = Directory.empty(writeDirCap())
    dir.set('a', CHK, { now: 10, metadata: { note: 'x' } })
    dir.set('b', LIT, { now: 20 })
    const moved = dir.rename('a', 'c', { now: 30 })
    assert.deepEqual(moved.metadata, { note: 'x', tahoe: { linkcrtime: 30, linkmotime: 30 } })
    assert.deepEqual(dir.names().sort(), ['b', 'c'])
    assert.throws(() => dir.rename('c', 'b', { overwrite: false }), ExistingChildError)
    assert.deepEqual(dir.names().sort(), ['b', 'c'])
    // Replacing an existing link takes over that link's times.
    const over = dir.rename('c', 'b', { now: 40 })
    assert.deepEqual(over.metadata, { note: 'x', tahoe: { linkcrtime: 20, linkmotime: 40 } })
    assert.equal(over.node.readUri, CHK)
    assert.deepEqual(dir.names(), ['b'])
    assert.throws(() => dir.rename('zz', 'y'), NoSuchChildError)
    assert.equal(dir.rename('b', 'b').node.readUri, CHK)
  })

  it('a read-only directory refuses every write with a clear error and shows no write cap', function () {
    const rw = Directory.empty(writeDirCap())
    rw.set('m', MDMF_FILE)
    rw.set('d', SUBDIR)
    rw.set('f', CHK)
    const bytes = rw.toBytes()
    const ro = Directory.fromBytes(toReadOnlyDirCap(rw.cap) as DirReadableCap, bytes)
    assert.ok(ro.isReadOnly)
    assert.equal(ro.size, 3)
    assert.throws(() => ro.set('x', CHK), isReadOnlyError)
    assert.throws(() => ro.delete('f'), isReadOnlyError)
    assert.throws(() => ro.rename('f', 'g'), isReadOnlyError)
    assert.throws(() => ro.setMetadata('f', {}), isReadOnlyError)
    assert.throws(() => ro.toBytes(), isReadOnlyError)
    const listing = JSON.stringify(ro.list())
    assert.ok(!listing.includes(MDMF_FILE) && !listing.includes(SUBDIR))
    for (const e of ro.list()) assert.equal(e.node.writeUri, undefined)
    assert.equal(ro.get('d').node.readUri, rw.get('d').node.readUri)
    const view = rw.readOnlyView()
    assert.ok(view.isReadOnly)
    assert.ok(!JSON.stringify(view.list()).includes(MDMF_FILE))
    // The write caps are in the bytes, but only as ciphertext.
    assert.ok(!Buffer.from(bytes).toString('latin1').includes(MDMF_FILE))
  })

  it('immutable directories: only immutable children, no writes', function () {
    assert.throws(() => newImmutableDirectoryBytes([{ name: 'm', caps: MDMF_FILE }]), CapConstraintError)
    assert.throws(() => newImmutableDirectoryBytes([{ name: 'd', caps: SUBDIR }]), CapConstraintError)
    const { bytes } = newImmutableDirectoryBytes([{ name: 'f', caps: CHK }, { name: 'l', caps: LIT }])
    const cap = readable(v.caps[4].cap)
    const dir = Directory.fromBytes(cap, bytes)
    assert.deepEqual(dir.names(), ['f', 'l'])
    assert.ok(dir.isReadOnly && !dir.isMutable)
    assert.throws(() => dir.set('x', CHK), (err: unknown) => isReadOnlyError(err) && /immutable/.test((err as Error).message))
    // A write-cap field in an immutable directory is malformed.
    const rwBytes = Directory.empty(writeDirCap()).toBytes()
    assert.equal(rwBytes.length, 0)
    const withRw = Directory.empty(writeDirCap())
    withRw.set('f', CHK)
    assert.throws(() => Directory.fromBytes(cap, withRw.toBytes()), MalformedDirectoryError)
    const empty = newImmutableDirectoryBytes([])
    assert.equal(empty.bytes.length, 0)
    assert.equal(Directory.fromBytes(empty.literalCap!, empty.bytes).size, 0)
    assert.equal(Directory.fromLiteralCap(empty.literalCap!).uri, 'URI:DIR2-LIT:')
  })

  it("allows only immutable children in an immutable directory, as Tahoe's test_deep_immutable", function () {
    // The caps of Tahoe's test_dirnode _make_kids.
    const caps: Record<string, string> = {
      imm: 'URI:CHK:n7r3m6wmomelk4sep3kw5cvduq:os7ijw5c3maek7pg65e5254k2fzjflavtpejjyhshpsxuqzhcwwq:3:20:14861',
      lit: 'URI:LIT:n5xgk',
      write: 'URI:SSK:vfvcbdfbszyrsaxchgevhmmlii:euw4iw7bbnkrrwpzuburbhppuxhc3gwxv26f6imekhz7zyw2ojnq',
      read: 'URI:SSK-RO:e3mdrzfwhoq42hy5ubcz6rp3o4:ybyibhnp3vvwuq2vaw2ckjmesgkklfs6ghxleztqidihjyofgw7q',
      dirwrite: 'URI:DIR2:n6x24zd3seu725yluj75q5boaa:mm6yoqjhl6ueh7iereldqxue4nene4wl7rqfjfybqrehdqmqskvq',
      dirread: 'URI:DIR2-RO:b7sr5qsifnicca7cbk3rhrhbvq:mm6yoqjhl6ueh7iereldqxue4nene4wl7rqfjfybqrehdqmqskvq'
    }
    const kids = (names: string[]): Array<{ name: string, caps: string }> => names.map(name => ({ name, caps: caps[name] }))
    const mutable = Directory.empty(writeDirCap())
    for (const k of kids(Object.keys(caps))) mutable.set(k.name, k.caps)
    assert.ok(Buffer.from(mutable.toBytes()).includes('lit'))
    assert.ok(Buffer.from(newImmutableDirectoryBytes(kids(['imm', 'lit'])).bytes).includes('lit'))
    for (const extra of ['write', 'read', 'dirwrite', 'dirread']) {
      assert.throws(() => newImmutableDirectoryBytes(kids(['imm', 'lit', extra])), CapConstraintError, extra)
    }
  })

  it("strips Tahoe's markers from the stored read-only cap as strip_prefix_for_ro", function () {
    const wk = writeDirCap().file.writekey
    const roField = (readUri: string, deepImmutable: boolean): string => {
      const packed = packEntry({ name: 'n', node: { type: 'unknown', readUri }, metadata: {} }, { writekey: deepImmutable ? undefined : wk, deepImmutable })
      const [[entry]] = splitNetstrings(packed, 1)
      return Buffer.from(splitNetstrings(entry, 4)[0][1]).toString()
    }
    assert.equal(roField('foo', false), 'foo')
    assert.equal(roField('ro.foo', false), 'foo')
    assert.equal(roField('imm.foo', false), 'imm.foo')
    assert.equal(roField('foo', true), 'foo')
    assert.equal(roField('ro.foo', true), 'foo')
    assert.equal(roField('imm.foo', true), 'foo')
  })

  it('on unpack a repeated name keeps the last entry, as Tahoe', function () {
    const wk = writeDirCap().file.writekey
    const node = (cap: string): Directory => { const d = Directory.empty(writeDirCap()); d.set('x', cap); return d }
    const e1 = packEntry({ name: 'same', node: node(CHK).get('x').node, metadata: { n: 1 } }, { writekey: wk, deepImmutable: false })
    const e2 = packEntry({ name: 'other', node: node(CHK).get('x').node, metadata: {} }, { writekey: wk, deepImmutable: false })
    const e3 = packEntry({ name: 'same', node: node(LIT).get('x').node, metadata: { n: 2 } }, { writekey: wk, deepImmutable: false })
    const dir = Directory.fromBytes(writeDirCap(), concatBytes([e1, e2, e3]))
    assert.deepEqual(dir.names(), ['same', 'other'])
    assert.equal(dir.get('same').node.readUri, LIT)
    assert.deepEqual(dir.get('same').metadata, { n: 2 })
  })

  it('refuses malformed bytes with a typed error and drops children whose caps break the rules', function () {
    for (const bad of ['5:abc', '3:abc', 'x:abc,', '12:1:a,1:b,1:c,,']) {
      assert.throws(() => Directory.fromBytes(writeDirCap(), new TextEncoder().encode(bad)), MalformedDirectoryError, bad)
    }
    const wk = writeDirCap().file.writekey
    const good = packEntry({ name: 'f', node: { type: 'filenode', readUri: CHK, mutable: false }, metadata: {} }, { writekey: wk, deepImmutable: false })
    const broken = packEntry({ name: 'b', node: { type: 'filenode', readUri: 'URI:CHK:zzz' }, metadata: {} }, { writekey: wk, deepImmutable: false })
    const dropped: string[] = []
    const dir = Directory.fromBytes(writeDirCap(), concatBytes([good, broken]), { onDropped: n => dropped.push(n) })
    assert.deepEqual(dir.names(), ['f'])
    assert.deepEqual(dropped, ['b'])
  })

  it("keeps unknown caps opaque with Tahoe's ro. marker", function () {
    const dir = Directory.empty(writeDirCap())
    const u = dir.set('future', { writeUri: 'x-future:rw', readUri: 'x-future:ro' })
    assert.equal(u.node.type, 'unknown')
    assert.equal(u.node.readUri, 'ro.x-future:ro')
    assert.equal(u.node.writeUri, 'x-future:rw')
    assert.throws(() => dir.set('lone', 'x-future:maybe-write'), CapConstraintError)
    const back = Directory.fromBytes(writeDirCap(), dir.toBytes())
    assert.deepEqual(back.get('future').node, u.node)
    const ro = Directory.fromBytes(toReadOnlyDirCap(writeDirCap()) as DirReadableCap, dir.toBytes())
    assert.deepEqual(ro.get('future').node, { type: 'unknown', readUri: 'ro.x-future:ro' })
    // Unknown prefixes that merely look like ours stay unknown, as in Tahoe's uri.from_string.
    assert.equal(dir.set('near', { readUri: 'URI:DIR2-FUTURE:abc' }).node.readUri, 'ro.URI:DIR2-FUTURE:abc')
    // In an immutable directory the marker is 'imm.', and an unknown write cap is refused.
    const { bytes } = newImmutableDirectoryBytes([{ name: 'u', caps: { readUri: 'x-future:ro' } }])
    assert.deepEqual(Directory.fromBytes(readable(v.caps[4].cap), bytes).get('u').node, { type: 'unknown', readUri: 'imm.x-future:ro' })
    assert.throws(() => newImmutableDirectoryBytes([{ name: 'u', caps: { writeUri: 'x-future:rw', readUri: 'x-future:ro' } }]), CapConstraintError)
  })

  it('round-trips unicode names, metadata and 1000 entries within a time bound', function () {
    this.timeout(20_000)
    for (const i of [0, 1]) {
      const dir = Directory.empty(writeDirCap(i))
      const names: string[] = []
      const t0 = performance.now()
      for (let n = 0; n < 1000; n++) {
        const name = `entry ${n} \u00e9\u65e5\u{1f389}`
        names.push(name)
        const md: JsonObject = n % 3 === 0 ? { mime: 'text/plain', size: n, nested: { a: [n, 'x'] } } : {}
        dir.set(name, n % 2 === 0 ? CHK : MDMF_FILE, { now: 1_700_000_000 + n / 1000, metadata: md })
      }
      const bytes = dir.toBytes()
      const back = Directory.fromBytes(writeDirCap(i), bytes)
      const again = back.toBytes()
      const ms = performance.now() - t0
      assert.equal(back.size, 1000)
      assert.deepEqual(back.list(), [...dir.list()].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name))))
      assert.deepEqual(again, bytes)
      assert.ok(new Set(names).size === 1000)
      // Set, pack and unpack of 1000 entries took 100–300 ms on the shared 2-core machine.
      assert.ok(ms < 5000, `1000 entries took ${ms.toFixed(0)} ms`)
    }
  })
})
