import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { ctrStreamAt, encodeChk, encodeCrypttext, planChk, planCrypttext, type ChkPlan, type EncodeEvent, type EncodeResult } from '../../src/immutable/index.js'

async function shares (plan: { n: number, shareSize: number, header: Uint8Array }, gen: AsyncGenerator<EncodeEvent, EncodeResult>): Promise<{ shares: Buffer[], result: EncodeResult }> {
  const out = Array.from({ length: plan.n }, () => Buffer.alloc(plan.shareSize))
  for (const s of out) s.set(plan.header, 0)
  for (;;) {
    const step = await gen.next()
    if (step.done === true) return { shares: out, result: step.value }
    const ev = step.value
    if (ev.type === 'blocks') ev.blocks.forEach((b, i) => out[i].set(b, ev.offset))
    else if (ev.type === 'trailer') ev.trailers.forEach((t, i) => out[i].set(t, ev.offset))
  }
}

describe('helper: encoding crypttext made elsewhere', function () {
  for (const [size, maxSegmentSize] of [[56, 1024], [100_000, 16_384], [131_072, 65_536], [250_001, 65_536]] as const) {
    it(`gives the shares and UEB hash the plaintext encoder gives (${size} bytes, segments of ${maxSegmentSize})`, async () => {
      const data = randomBytes(size)
      const opts = { k: 3, happy: 4, n: 5, maxSegmentSize, convergenceSecret: new Uint8Array(32).fill(1) }
      const plan = await planChk(data, opts) as ChkPlan
      const direct = await shares(plan, encodeChk(plan, data))
      const cplan = planCrypttext({ storageIndex: plan.storageIndex, size: plan.size, k: plan.k, n: plan.n, happy: plan.happy, segmentSize: plan.segmentSize })
      assert.equal(cplan.shareSize, plan.shareSize)
      const crypttext = ctrStreamAt(plan.key, 0).update(data)
      // fed in odd chunks, as a spool file is read
      const chunked = async function * (): AsyncGenerator<Uint8Array> { for (let i = 0; i < crypttext.length; i += 7777) yield crypttext.subarray(i, i + 7777) }
      const helped = await shares(cplan, encodeCrypttext(cplan, () => chunked()))
      assert.ok(Buffer.from(helped.result.uebHash as Uint8Array).equals(Buffer.from(direct.result.uebHash as Uint8Array)))
      assert.equal(helped.result.cap, '', 'no key, no cap')
      for (let i = 0; i < plan.n; i++) assert.ok(helped.shares[i].equals(direct.shares[i]), `share ${i}`)
    })
  }

  it('refuses a plan it could not have been asked for', () => {
    const base = { storageIndex: new Uint8Array(16), size: 1000, k: 3, n: 5, happy: 4, segmentSize: 999 }
    assert.throws(() => planCrypttext({ ...base, segmentSize: 1000 }), { code: 'ERR_INVALID_PARAMETERS' })
    assert.throws(() => planCrypttext({ ...base, size: 55 }), { code: 'ERR_INVALID_PARAMETERS' })
    assert.throws(() => planCrypttext({ ...base, storageIndex: new Uint8Array(15) }), { code: 'ERR_INVALID_PARAMETERS' })
  })
})
