/** Tahoe's ?t=json shapes for directories and files, and that a read-only listing never carries a write cap. */
import assert from 'node:assert/strict'
import { childJson, Directory, directoryJson, fileJson, tahoeJsonText, toReadOnlyDirCap, type DirReadableCap } from '../../src/dirnode/index.js'
import { dirnodeVectors, readable, writeDirCap } from './helpers.js'

const v = dirnodeVectors()
const capOf = (name: string): string => v.children.find(c => c.name === name)!.cap
const CHK = capOf('file.txt')
const LIT = capOf('Français')
const MDMF_FILE = capOf('\ufb01 ligature')
const SDMF_FILE = capOf('\u{1f389} party')
const SUBDIR = capOf('subdir')

describe('dirnode: web JSON', function () {
  it("lists a writable directory in Tahoe's shape and key order", function () {
    const dir = Directory.empty(writeDirCap())
    dir.set('f', CHK, { now: 1 })
    dir.set('d', SUBDIR, { now: 2 })
    dir.set('m', MDMF_FILE, { now: 3 })
    const [type, body] = directoryJson(dir, { mutableSize: name => name === 'm' ? 42 : undefined })
    assert.equal(type, 'dirnode')
    assert.deepEqual(Object.keys(body), ['children', 'ro_uri', 'rw_uri', 'verify_uri', 'mutable'])
    assert.equal(body.rw_uri, v.directories[0].dircap)
    assert.equal(body.ro_uri, v.directories[0].readcap)
    assert.equal(body.verify_uri, v.directories[0].verifycap)
    assert.equal(body.mutable, true)
    const kids = body.children as Record<string, [string, Record<string, unknown>]>
    assert.deepEqual(kids.f, ['filenode', {
      mutable: false, format: 'CHK', size: 8388609, metadata: { tahoe: { linkcrtime: 1, linkmotime: 1 } }, ro_uri: CHK,
      verify_uri: childJson('f', dir.get('f').node, {})[1].verify_uri
    }])
    assert.match(kids.f[1].verify_uri as string, /^URI:CHK-Verifier:/)
    assert.deepEqual(Object.keys(kids.d[1]), ['mutable', 'metadata', 'rw_uri', 'ro_uri', 'verify_uri'])
    assert.equal(kids.d[0], 'dirnode')
    assert.deepEqual(Object.keys(kids.m[1]), ['mutable', 'format', 'size', 'metadata', 'rw_uri', 'ro_uri', 'verify_uri'])
    assert.equal(kids.m[1].format, 'MDMF')
    assert.equal(kids.m[1].size, 42)
    const text = tahoeJsonText(directoryJson(dir))
    assert.ok(text.startsWith('[\n "dirnode",\n {\n  "children": {'))
    assert.ok(text.endsWith('\n]\n'))
    assert.ok(text.includes('"linkcrtime": 1.0'))
  })

  it('a read-only listing has no rw_uri and no write cap anywhere', function () {
    const rw = Directory.empty(writeDirCap(1))
    rw.set('m', MDMF_FILE)
    rw.set('s', SDMF_FILE)
    rw.set('d', SUBDIR)
    const ro = Directory.fromBytes(toReadOnlyDirCap(rw.cap) as DirReadableCap, rw.toBytes())
    const value = directoryJson(ro)
    const text = tahoeJsonText(value)
    assert.ok(!text.includes('rw_uri'))
    for (const wc of [MDMF_FILE, SDMF_FILE, SUBDIR, rw.uri]) assert.ok(!text.includes(wc.split(':')[2]), wc)
    assert.equal(value[1].ro_uri, v.directories[1].readcap)
  })

  it('immutable and literal directories: not mutable, no rw_uri; a literal one has no verify_uri', function () {
    const chk = directoryJson(Directory.empty(readable(v.caps[4].cap)))
    assert.deepEqual(chk[1], { children: {}, ro_uri: v.caps[4].cap, verify_uri: v.caps[4].verify, mutable: false })
    const lit = directoryJson(Directory.empty(readable('URI:DIR2-LIT:')))
    assert.deepEqual(lit[1], { children: {}, ro_uri: 'URI:DIR2-LIT:', mutable: false })
  })

  it("describes files as Tahoe's t=json does", function () {
    assert.deepEqual(fileJson(LIT), ['filenode', { mutable: false, format: 'LIT', size: 5, ro_uri: LIT }])
    const chk = fileJson(CHK, { metadata: { a: 1 } })
    assert.deepEqual(Object.keys(chk[1]), ['mutable', 'format', 'size', 'ro_uri', 'verify_uri', 'metadata'])
    const m = fileJson(MDMF_FILE)
    assert.deepEqual(Object.keys(m[1]), ['mutable', 'format', 'ro_uri', 'rw_uri', 'verify_uri'])
    assert.equal(m[1].format, 'MDMF')
    const s = fileJson(SDMF_FILE, { size: 10 })
    assert.equal(s[1].format, 'SDMF')
    assert.equal(s[1].size, 10)
    assert.equal(fileJson(s[1].ro_uri as string)[1].rw_uri, undefined)
    assert.throws(() => fileJson(SUBDIR), TypeError)
  })
})
