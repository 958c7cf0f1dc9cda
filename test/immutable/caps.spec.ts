import assert from 'node:assert/strict'
import {
  base32Decode, base32Encode, formatCap, InvalidBase32Error, InvalidCapError, parseCap, parseHintedCap,
  storageIndexHash, storageIndexOf, toVerifyCap, type CapErrorReason, type ChkReadCap
} from '../../src/immutable/index.js'
import { pseudoRandom } from './helpers.js'

const READ = 'URI:CHK:dx7tvyr2fc4u7lxjc6kehq2svq:tiy4qh2g6lqejxcaym3rr7ymkdkinn4qised6kgxloj7sptsqu4a:3:10:1024'

function refuses (text: string, reason: CapErrorReason): void {
  assert.throws(() => parseHintedCap(text), (err: unknown) => {
    assert.ok(err instanceof InvalidCapError, `expected InvalidCapError for ${text}, got ${String(err)}`)
    assert.equal(err.code, 'ERR_INVALID_CAP')
    assert.equal(err.reason, reason, `${text}: ${err.message}`)
    return true
  })
}

describe('immutable: base32', () => {
  it('round-trips every length 0..40 and has Tahoe\'s lengths', () => {
    for (let n = 0; n <= 40; n++) {
      const b = pseudoRandom(n, n + 1)
      const t = base32Encode(b)
      assert.equal(t.length, Math.ceil(n * 8 / 5))
      assert.match(t, /^[a-z2-7]*$/)
      assert.deepEqual(base32Decode(t), b)
    }
    assert.equal(base32Encode(new Uint8Array(16)).length, 26)
    assert.equal(base32Encode(new Uint8Array(32)).length, 52)
    assert.equal(base32Encode(new TextEncoder().encode('foo')), 'mzxw6')
  })

  it('refuses upper case, padding, impossible lengths and non-zero trailing bits', () => {
    const cases: Array<[string, string]> = [['MZXW6', 'bad-char'], ['mzxw6===', 'bad-char'], ['mzx', 'bad-length'], ['a', 'bad-length'], ['mzxw7', 'trailing-bits'], ['ab', 'trailing-bits'], ['m1xw6', 'bad-char']]
    for (const [text, reason] of cases) {
      assert.throws(() => base32Decode(text), (e: unknown) => e instanceof InvalidBase32Error && e.reason === reason && e.code === 'ERR_INVALID_BASE32', text)
    }
  })
})

describe('immutable: caps', () => {
  it('parses and formats a read-cap, derives the verify-cap and storage index', () => {
    const cap = parseCap(READ) as ChkReadCap
    assert.equal(cap.kind, 'chk')
    assert.deepEqual([cap.k, cap.n, cap.size, cap.key.length, cap.uebHash.length], [3, 10, 1024, 16, 32])
    assert.equal(formatCap(cap), READ)
    const vc = toVerifyCap(cap)
    assert.deepEqual(vc.storageIndex, storageIndexHash(cap.key))
    assert.deepEqual(storageIndexOf(cap), vc.storageIndex)
    const vtext = formatCap(vc)
    assert.match(vtext, /^URI:CHK-Verifier:[a-z2-7]{26}:tiy4qh2g6lqejxcaym3rr7ymkdkinn4qised6kgxloj7sptsqu4a:3:10:1024$/)
    assert.deepEqual(parseCap(vtext), vc)
    assert.equal(toVerifyCap(vc), vc)
  })

  it('handles the hinted form <cap>@<clubId> and the imm./ro. prefixes', () => {
    const club = 'k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8'
    const h = parseHintedCap(`${READ}@${club}`)
    assert.equal(h.hint, club)
    assert.equal(formatCap(h.cap, h.hint), `${READ}@${club}`)
    assert.equal(parseHintedCap(READ).hint, undefined)
    assert.equal(formatCap(parseCap(`imm.${READ}`)), READ)
    assert.equal(formatCap(parseCap(`ro.${READ}`)), READ)
    refuses(`${READ}@`, 'bad-hint')
    refuses(`${READ}@club/x`, 'bad-hint')
    assert.throws(() => formatCap(parseCap(READ), ''), InvalidCapError)
  })

  it('literal caps: empty, 1, 55 bytes; more than 55 refused', () => {
    assert.deepEqual(parseCap('URI:LIT:'), { kind: 'lit', data: new Uint8Array(0) })
    for (const n of [1, 20, 55]) {
      const data = pseudoRandom(n, n)
      const text = formatCap({ kind: 'lit', data })
      assert.equal(text, `URI:LIT:${base32Encode(data)}`)
      assert.deepEqual(parseCap(text), { kind: 'lit', data })
    }
    refuses(`URI:LIT:${base32Encode(new Uint8Array(56))}`, 'size-mismatch')
    refuses('URI:LIT:mzxw7', 'trailing-bits')
    refuses('URI:LIT:MZXW6', 'bad-base32')
    refuses('URI:LIT:mzxw6:x', 'field-count')
  })

  it('names what is wrong with a bad cap', () => {
    const [, , key, hash] = READ.split(':')
    refuses('URI:SSK:aaaa:bbbb', 'unknown-type')
    refuses('hello', 'unknown-type')
    refuses(`URI:CHK:${key}:${hash}:3:10`, 'field-count')
    refuses(`URI:CHK:${key}:${hash}:3:10:1024:7`, 'field-count')
    refuses(`URI:CHK:${key.toUpperCase()}:${hash}:3:10:1024`, 'bad-base32')
    refuses(`URI:CHK:${key.slice(0, -1)}b:${hash}:3:10:1024`, 'trailing-bits')
    refuses(`URI:CHK:${key}:${hash.slice(0, -1)}b:3:10:1024`, 'trailing-bits')
    refuses(`URI:CHK:${key}aa:${hash}:3:10:1024`, 'bad-length')
    refuses(`URI:CHK:${key}:${hash.slice(0, 50)}:3:10:1024`, 'bad-length')
    refuses(`URI:CHK:${key}:${hash}:03:10:1024`, 'bad-number')
    refuses(`URI:CHK:${key}:${hash}:3:10:-1`, 'bad-number')
    refuses(`URI:CHK:${key}:${hash}:3:10:1e3`, 'bad-number')
    refuses(`URI:CHK:${key}:${hash}:11:10:1024`, 'k-exceeds-n')
    refuses(`URI:CHK:${key}:${hash}:0:10:1024`, 'k-out-of-range')
    refuses(`URI:CHK:${key}:${hash}:3:257:1024`, 'k-out-of-range')
    refuses(`URI:CHK:${key}:${hash}:3:10:55`, 'size-mismatch')
    refuses(`URI:CHK:${key}:${hash}:3:10:0`, 'size-mismatch')
    refuses(`URI:CHK-Verifier:${key}:${hash}:3:10:55`, 'size-mismatch')
    assert.equal(formatCap(parseCap(`URI:CHK:${key}:${hash}:3:10:56`)), `URI:CHK:${key}:${hash}:3:10:56`)
  })

  it('error messages tell the user what to fix', () => {
    try {
      parseCap(READ.replace(':3:10:', ':11:10:'))
      assert.fail('should throw')
    } catch (err) {
      assert.match((err as Error).message, /k=11.*N=10/)
    }
  })
})
