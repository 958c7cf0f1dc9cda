/**
 * A directory through the file formats beneath it (no network): its bytes
 * encoded as SDMF/MDMF shares under the key its cap came from, or as a CHK
 * file, decoded again with the cap's file cap, give the same directory.
 */
import assert from 'node:assert/strict'
import {
  dirCapOfFile, Directory, fileCapString, newImmutableDirectoryBytes, parseDirCap, toReadOnlyDirCap, type DirReadableCap,
  type MutableDirWriteCap
} from '../../src/dirnode/index.js'
import { decodeImmutable, encodeImmutable, parseCap } from '../../src/immutable/index.js'
import { decodeMutable, encodeMutable, formatMutableCap, importMutablePrivateKey, parseMutableCap } from '../../src/mutable/index.js'
import { sskVectors } from '../mutable/helpers.js'
import { dirnodeVectors } from './helpers.js'

describe('dirnode: through the file formats', function () {
  this.timeout(20_000)
  const v = dirnodeVectors()
  const capOf = (name: string): string => v.children.find(c => c.name === name)!.cap

  for (const format of ['sdmf', 'mdmf'] as const) {
    it(`a ${format} directory: shares under its key decode to the same children`, async function () {
      const vec = sskVectors().find(x => x.format === format)!
      const keyPair = importMutablePrivateKey(vec.key_pem)
      const dircap = parseDirCap(format === 'sdmf' ? 'URI:DIR2:' + vec.expected.slice('URI:SSK:'.length) : 'URI:DIR2-MDMF:' + vec.expected.slice('URI:MDMF:'.length)) as MutableDirWriteCap
      assert.equal(fileCapString(dircap), vec.expected)
      const dir = Directory.empty(dircap)
      dir.set('file', capOf('file.txt'), { now: 1 })
      dir.set('sub', capOf('subdir'), { now: 2 })
      dir.set('caf\u00e9', capOf('\ufb01 ligature'), { now: 3 })
      const enc = encodeMutable(dir.toBytes(), { keyPair, format, seqnum: 1, k: 3, n: 10 })
      assert.equal(formatMutableCap(enc.cap), vec.expected)
      const shares = new Map([3, 7, 9].map(i => [i, enc.shares[i]]))
      // The writer reads with the write cap; a reader with the read cap sees no write cap.
      const rw = Directory.fromBytes(dircap, (await decodeMutable(parseMutableCap(fileCapString(dircap)), shares)).plaintext)
      // Stored order is Tahoe's: sorted by code point.
      assert.deepEqual(rw.names(), ['caf\u00e9', 'file', 'sub'])
      for (const name of rw.names()) assert.deepEqual(rw.get(name), dir.get(name))
      const rocap = toReadOnlyDirCap(dircap) as DirReadableCap
      const ro = Directory.fromBytes(rocap, (await decodeMutable(parseMutableCap(fileCapString(rocap)), shares)).plaintext)
      assert.deepEqual(ro.names(), ['caf\u00e9', 'file', 'sub'])
      assert.ok(ro.list().every(e => e.node.writeUri === undefined))
    })
  }

  it('an immutable directory stored as a CHK file opens through URI:DIR2-CHK:', async function () {
    const { bytes, literalCap } = newImmutableDirectoryBytes([
      { name: 'a', caps: capOf('file.txt'), metadata: { x: 1 } },
      { name: 'b', caps: capOf('Français') }
    ])
    assert.equal(literalCap, undefined)
    const stored = await encodeImmutable(bytes, { convergenceSecret: new Uint8Array(16), k: 3, n: 10 })
    const cap = dirCapOfFile(parseCap(stored.cap))
    assert.match(cap.kind, /dir-immutable/)
    const plain = await decodeImmutable(fileCapString(cap), stored.shares)
    const dir = Directory.fromBytes(cap as DirReadableCap, plain)
    assert.deepEqual(dir.names(), ['a', 'b'])
    assert.deepEqual(dir.get('a').metadata, { x: 1 })
  })
})
