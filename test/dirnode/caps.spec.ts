/** Directory caps: Tahoe's forms, read-only and verify forms, the file cap beneath, and typed refusals. */
import assert from 'node:assert/strict'
import {
  dirCapOfFile, dirStorageIndex, fileCapString, formatDirCap, InvalidDirCapError, isDirCapString, parseDirCap, parseHintedDirCap,
  toDirVerifyCap, toReadOnlyDirCap, type DirCapErrorReason
} from '../../src/dirnode/index.js'
import { parseCap } from '../../src/immutable/index.js'
import { parseMutableCap } from '../../src/mutable/index.js'
import { dirnodeVectors } from './helpers.js'

function refuses (text: string, reason: DirCapErrorReason): void {
  assert.throws(() => parseDirCap(text), (err: unknown) => {
    assert.ok(err instanceof InvalidDirCapError, String(err))
    assert.equal(err.code, 'ERR_INVALID_DIR_CAP')
    assert.equal(err.reason, reason, err.message)
    return true
  })
}

describe('dirnode: caps', function () {
  const caps = dirnodeVectors().caps

  it("parses and formats every kind as Tahoe's uri.py does (read-only, verify, file cap)", function () {
    assert.equal(caps.length, 6)
    for (const c of caps) {
      const cap = parseDirCap(c.cap)
      assert.equal(formatDirCap(cap), c.cap)
      assert.equal(formatDirCap(toReadOnlyDirCap(cap)), c.readonly)
      const verify = toDirVerifyCap(cap)
      assert.equal(verify === undefined ? null : formatDirCap(verify), c.verify)
      assert.equal(fileCapString(cap), c.filecap)
      if (c.verify !== null) {
        const vc = parseDirCap(c.verify)
        assert.equal(formatDirCap(vc), c.verify)
        assert.equal(formatDirCap(toReadOnlyDirCap(vc)), c.verify)
        assert.deepEqual(dirStorageIndex(vc), dirStorageIndex(cap))
      } else {
        assert.equal(dirStorageIndex(cap), undefined)
      }
      assert.ok(isDirCapString(c.cap))
    }
  })

  it('wraps file caps as directories and back', function () {
    for (const c of caps) {
      const file = c.filecap.startsWith('URI:SSK') || c.filecap.startsWith('URI:MDMF') ? parseMutableCap(c.filecap) : parseCap(c.filecap)
      assert.equal(formatDirCap(dirCapOfFile(file as never)), c.cap)
    }
  })

  it('knows which caps write, which are mutable', function () {
    const kinds = caps.map(c => parseDirCap(c.cap).kind)
    assert.deepEqual(kinds, ['dir-write', 'dir-read', 'dir-write', 'dir-read', 'dir-immutable', 'dir-literal'])
    assert.deepEqual(caps.map(c => parseDirCap(c.cap).format), ['sdmf', 'sdmf', 'mdmf', 'mdmf', 'chk', 'lit'])
  })

  it("honours Tahoe's ro. and imm. markers", function () {
    const [w, r, mw, mr, chk, lit] = caps.map(c => c.cap)
    assert.equal(formatDirCap(parseDirCap('ro.' + r)), r)
    assert.equal(formatDirCap(parseDirCap('ro.' + mr)), mr)
    assert.equal(formatDirCap(parseDirCap('imm.' + chk)), chk)
    assert.equal(formatDirCap(parseDirCap('imm.' + lit)), lit)
    refuses('ro.' + w, 'readonly-prefix')
    refuses('ro.' + mw, 'readonly-prefix')
    refuses('imm.' + r, 'readonly-prefix')
    refuses('imm.' + mw, 'readonly-prefix')
  })

  it('refuses what is not a directory cap, with a reason', function () {
    refuses('URI:SSK:' + caps[0].cap.slice('URI:DIR2:'.length), 'unknown-type')
    refuses('URI:DIR3:abc', 'unknown-type')
    refuses('URI:DIR2:abc:def', 'bad-inner-cap')
    refuses(caps[0].cap + 'a', 'bad-inner-cap')
    refuses('URI:DIR2-CHK:' + caps[4].cap.split(':').slice(2, 6).join(':') + ':1', 'bad-inner-cap')
    refuses('URI:DIR2-LIT:0', 'bad-inner-cap')
  })

  it('parses and formats a club hint', function () {
    const h = parseHintedDirCap(caps[0].cap + '@k51abc')
    assert.equal(h.hint, 'k51abc')
    assert.equal(formatDirCap(h.cap, h.hint), caps[0].cap + '@k51abc')
    assert.throws(() => parseHintedDirCap(caps[0].cap + '@'), InvalidDirCapError)
  })
})
