/**
 * Byte equality with Tahoe: directory contents, encrypted child write caps,
 * metadata JSON and ?t=json text from test/vectors/tahoe-dirnode.json
 * (made by interop/tahoe/make-dirnode-vectors.py from Tahoe's own modules).
 */
import assert from 'node:assert/strict'
import {
  decryptRwCap, Directory, encryptRwCap, newImmutableDirectoryBytes, newMutableDirectoryBytes, packChildren, pythonFloatRepr,
  pythonJsonDumps, rwCapMacValid, type JsonValue, type MutableDirWriteCap
} from '../../src/dirnode/index.js'
import { dirnodeVectors, hex, readable } from './helpers.js'

const enc = new TextEncoder()

describe('dirnode: Tahoe bytes', function () {
  const v = dirnodeVectors()
  const children = v.children.map(c => ({ name: c.name, caps: c.cap, metadata: c.metadata }))

  for (const d of v.directories) {
    it(`packs a ${d.label} directory exactly as Tahoe`, function () {
      const cap = readable(d.dircap) as MutableDirWriteCap
      assert.equal(hex(newMutableDirectoryBytes(cap, children)), d.packed_hex)
    })

    it(`unpacks Tahoe's ${d.label} directory and writes it back unchanged`, function () {
      const bytes = Buffer.from(d.packed_hex, 'hex')
      const dir = Directory.fromBytes(readable(d.dircap), bytes)
      const rows = v.rwcaps.filter(r => r.dir === d.label)
      assert.equal(dir.size, rows.length)
      for (const e of dir.list()) {
        const row = rows.find(r => r.ro_uri === e.node.readUri)
        assert.ok(row !== undefined, e.name)
        assert.equal(e.node.writeUri ?? '', row.rw_uri)
      }
      assert.equal(hex(dir.toBytes()), d.packed_hex)
      // Packing every entry afresh (no stored bytes reused) must give the same bytes too.
      assert.equal(hex(packChildren(dir.list(), { writekey: (dir.cap as MutableDirWriteCap).file.writekey, deepImmutable: false })), d.packed_hex)
    })

    it(`a read-only view of Tahoe's ${d.label} directory holds no write cap`, function () {
      const dir = Directory.fromBytes(readable(d.readcap), Buffer.from(d.packed_hex, 'hex'))
      assert.equal(dir.size, v.children.length)
      for (const e of dir.list()) assert.equal(e.node.writeUri, undefined, e.name)
      const text = JSON.stringify(dir.list())
      for (const r of v.rwcaps) if (r.rw_uri !== '') assert.ok(!text.includes(r.rw_uri.split(':')[2]), 'a write key leaked')
    })
  }

  it('encrypts each child write cap as Tahoe (deterministic salt, CTR, mac)', function () {
    for (const r of v.rwcaps) {
      const d = v.directories.find(x => x.label === r.dir)!
      const writekey = (readable(d.dircap) as MutableDirWriteCap).file.writekey
      const data = encryptRwCap(writekey, enc.encode(r.rw_uri))
      assert.equal(hex(data), r.rwcapdata_hex)
      assert.equal(new TextDecoder().decode(decryptRwCap(writekey, data)), r.rw_uri)
      assert.ok(rwCapMacValid(writekey, data))
      const bad = data.slice(); bad[bad.length - 1] ^= 1
      assert.ok(!rwCapMacValid(writekey, bad))
    }
  })

  it('packs an immutable directory exactly as Tahoe (no write-cap field)', function () {
    const imm = children.filter(c => v.immutable.names.includes(c.name.normalize('NFC')))
    assert.equal(imm.length, v.immutable.names.length)
    const { bytes, literalCap } = newImmutableDirectoryBytes(imm)
    assert.equal(hex(bytes), v.immutable.packed_hex)
    assert.equal(literalCap, undefined)
    assert.deepEqual(newImmutableDirectoryBytes([]).literalCap?.kind, 'dir-literal')
  })

  it("reads the directory Tahoe's own test_dirnode.py packs (known_tree) through a read-only cap", function () {
    const k = v.tahoe_known_tree
    const dir = Directory.fromBytes(readable(k.readcap), Buffer.from(k.packed_hex, 'hex'))
    assert.deepEqual(dir.names(), ['file1', 'file2', 'file3'])
    for (const [name, want] of Object.entries(k.children)) {
      const e = dir.get(name)
      assert.equal(e.node.readUri, want.ro_uri)
      assert.equal(e.node.writeUri, undefined)
      assert.deepEqual(e.metadata, want.metadata)
    }
  })

  it('writes floats as Python repr', function () {
    for (const r of v.float_repr) assert.equal(pythonFloatRepr(Number(r)), r)
    assert.equal(pythonFloatRepr(-0), '-0.0')
    assert.throws(() => pythonFloatRepr(Number.NaN), RangeError)
  })

  it("writes json.dumps(…, indent=1) as Python (Tahoe's ?t=json text)", function () {
    assert.equal(pythonJsonDumps(v.json_indent1.value as JsonValue, 1) + '\n', v.json_indent1.text)
  })
})
