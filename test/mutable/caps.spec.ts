/** Mutable cap strings: parse, format, derive, and typed refusals. */
import assert from 'node:assert/strict'
import {
  formatMutableCap, InvalidMutableCapError, isMutableCapString, parseHintedMutableCap, parseMutableCap, toMutableVerifyCap,
  toReadCap, type MutableCapErrorReason, type MutableWriteCap
} from '../../src/mutable/index.js'
import { sskVectors } from './helpers.js'

function refuses (text: string, reason: MutableCapErrorReason): void {
  assert.throws(() => parseMutableCap(text), (err: unknown) => {
    assert.ok(err instanceof InvalidMutableCapError, String(err))
    assert.equal(err.code, 'ERR_INVALID_MUTABLE_CAP')
    assert.equal(err.reason, reason, err.message)
    return true
  })
}

describe('mutable: caps', function () {
  const sdmf = sskVectors().find(v => v.format === 'sdmf')!.expected
  const mdmf = sskVectors().find(v => v.format === 'mdmf')!.expected

  it('parses and formats all six kinds back to the same string', function () {
    for (const text of [sdmf, mdmf]) {
      const w = parseMutableCap(text) as MutableWriteCap
      assert.equal(formatMutableCap(w), text)
      const r = toReadCap(w)
      const v = toMutableVerifyCap(w)
      const rs = formatMutableCap(r)
      const vs = formatMutableCap(v)
      assert.match(rs, text === sdmf ? /^URI:SSK-RO:/ : /^URI:MDMF-RO:/)
      assert.match(vs, text === sdmf ? /^URI:SSK-Verifier:/ : /^URI:MDMF-Verifier:/)
      assert.deepEqual(parseMutableCap(rs), r)
      assert.deepEqual(parseMutableCap(vs), v)
      assert.equal(formatMutableCap(parseMutableCap(rs)), rs)
      assert.equal(formatMutableCap(parseMutableCap(vs)), vs)
      assert.ok(isMutableCapString(text) && isMutableCapString(rs) && isMutableCapString(vs))
    }
    assert.equal(isMutableCapString('URI:CHK:aaaa'), false)
  })

  it('accepts the ro. marker on read and verify caps, refuses it on write caps, refuses imm.', function () {
    const r = formatMutableCap(toReadCap(parseMutableCap(sdmf) as MutableWriteCap))
    assert.deepEqual(parseMutableCap(`ro.${r}`), parseMutableCap(r))
    refuses(`ro.${sdmf}`, 'readonly-prefix')
    refuses(`imm.${r}`, 'readonly-prefix')
  })

  it('drops extra MDMF fields (as Tahoe ignores them) but not extra SDMF fields', function () {
    assert.equal(formatMutableCap(parseMutableCap(`${mdmf}:3:131073`)), mdmf)
    refuses(`${sdmf}:3`, 'field-count')
  })

  it('refuses malformed caps with the reason', function () {
    const [, , wk, fp] = sdmf.split(':')
    refuses('URI:SSK-RW:aaaa:bbbb', 'unknown-type')
    refuses('URI:CHK:aaaa:bbbb', 'unknown-type')
    refuses(`URI:SSK:${wk}`, 'field-count')
    refuses(`URI:SSK:${wk.toUpperCase()}:${fp}`, 'bad-base32')
    refuses(`URI:SSK:${wk}:${fp.slice(0, -1)}8`, 'bad-base32')
    refuses(`URI:SSK:${wk.slice(0, -1)}b:${fp}`, 'trailing-bits') // 128 bits: the last char carries 2 unused bits
    refuses(`URI:SSK:${fp}:${fp}`, 'bad-length')
    refuses(`URI:SSK:${wk}:${wk}`, 'bad-length')
  })

  it('reads and writes a club hint', function () {
    const h = parseHintedMutableCap(`${mdmf}@k51qzi5uqu5dabc`)
    assert.equal(h.hint, 'k51qzi5uqu5dabc')
    assert.equal(formatMutableCap(h.cap, h.hint), `${mdmf}@k51qzi5uqu5dabc`)
    assert.equal(parseHintedMutableCap(mdmf).hint, undefined)
    assert.throws(() => parseHintedMutableCap(`${mdmf}@`), InvalidMutableCapError)
  })
})
