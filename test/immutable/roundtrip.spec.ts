import assert from 'node:assert/strict'
import {
  decodeImmutable, encodeChk, encodeImmutable, ImmutableError, InvalidParametersError, NotEnoughSharesError, parseCap, planChk,
  readImmutable, shareSourceFromBytes, SourceChangedError, type ChkPlan, type ChkReadCap, type PlaintextSource
} from '../../src/immutable/index.js'
import { collect, equalBytes, pseudoRandom } from './helpers.js'

const secret = new Uint8Array(32).fill(7)

/** A function source yielding the bytes in uneven chunks (to exercise regrouping). */
function chunked (data: Uint8Array, sizes = [1, 7, 1000, 3, 65536]): () => AsyncIterable<Uint8Array> {
  return async function * () {
    let at = 0
    let i = 0
    while (at < data.length) {
      const n = sizes[i++ % sizes.length]
      yield data.slice(at, at + n)
      at += n
    }
  }
}

/** Assembles whole shares from the streaming encoder. */
async function encodeStreaming (source: PlaintextSource, opts: Parameters<typeof planChk>[1]): Promise<{ cap: string, shares: Map<number, Uint8Array>, plan: ChkPlan }> {
  const plan = await planChk(source, opts)
  assert.equal(plan.kind, 'chk')
  if (plan.kind !== 'chk') throw new Error('unreachable')
  const shares = new Map<number, Uint8Array>()
  for (let s = 0; s < plan.n; s++) { const b = new Uint8Array(plan.shareSize).fill(0xee); b.set(plan.header); shares.set(s, b) }
  let cap = ''
  let expectSegment = 0
  let written = plan.header.length
  for await (const ev of encodeChk(plan, source)) {
    if (ev.type === 'blocks') {
      assert.equal(ev.segment, expectSegment++)
      assert.equal(ev.blocks.length, plan.n)
      assert.equal(ev.offset, written)
      written += ev.blocks[0].length
      ev.blocks.forEach((b, s) => (shares.get(s) as Uint8Array).set(b, ev.offset))
    } else if (ev.type === 'trailer') {
      assert.equal(ev.offset, written)
      ev.trailers.forEach((t, s) => { assert.equal(ev.offset + t.length, plan.shareSize); (shares.get(s) as Uint8Array).set(t, ev.offset) })
      written = plan.shareSize
    } else cap = ev.cap
  }
  assert.equal(expectSegment, plan.numSegments)
  return { cap, shares, plan }
}

function subsets (n: number, k: number): number[][] {
  const out: number[][] = []
  const rec = (start: number, acc: number[]): void => {
    if (acc.length === k) { out.push(acc.slice()); return }
    for (let i = start; i < n; i++) { acc.push(i); rec(i + 1, acc); acc.pop() }
  }
  rec(0, [])
  return out
}

describe('immutable: round trips', function () {
  this.timeout(30_000)

  it('sizes 0, 1 and 55 become literal caps with no shares', async () => {
    for (const size of [0, 1, 55]) {
      const data = pseudoRandom(size, size + 3)
      const r = await encodeImmutable(data, { convergenceSecret: secret, k: 3, n: 10 })
      assert.match(r.cap, /^URI:LIT:/)
      assert.equal(r.shares.size, 0)
      assert.ok(equalBytes(await decodeImmutable(r.cap, new Map()), data))
      const plan = await planChk(chunked(data), { convergenceSecret: secret })
      assert.equal(plan.kind, 'lit')
      assert.equal(plan.kind === 'lit' ? plan.cap : '', r.cap)
    }
    assert.equal((await encodeImmutable(new Uint8Array(0), { convergenceSecret: secret, k: 3, n: 10 })).cap, 'URI:LIT:')
  })

  it('sizes 56, S-1, S, S+1 and many segments, k-of-N from 1/1 to 7/7, through whole and streamed sources', async () => {
    const maxSeg = 999
    for (const [k, n] of [[3, 10], [1, 1], [1, 4], [2, 3], [7, 7], [5, 12]]) {
      const S = Math.ceil(maxSeg / k) * k
      for (const size of [56, S - 1, S, S + 1, 2 * S, 37 * S + 5]) {
        const data = pseudoRandom(size, size * 31 + k)
        const whole = await encodeImmutable(data, { convergenceSecret: secret, k, n, maxSegmentSize: maxSeg })
        const streamed = await encodeStreaming(chunked(data), { convergenceSecret: secret, k, n, maxSegmentSize: maxSeg })
        assert.equal(streamed.cap, whole.cap, `same cap streamed, k=${k} n=${n} size=${size}`)
        for (let s = 0; s < n; s++) assert.ok(equalBytes(streamed.shares.get(s) as Uint8Array, whole.shares.get(s) as Uint8Array), `share ${s}`)
        assert.equal(whole.shares.size, n)
        assert.ok(equalBytes(await decodeImmutable(whole.cap, whole.shares), data), `k=${k} n=${n} size=${size}`)
      }
    }
  })

  it('streamed sources of unknown size get the right S around maxSegmentSize', async () => {
    for (const size of [56, 998, 999, 1000, 1001, 5000]) {
      const data = pseudoRandom(size, size)
      const a = await encodeImmutable(data, { convergenceSecret: secret, k: 3, n: 10, maxSegmentSize: 1000 })
      const b = await encodeStreaming(chunked(data, [13, 400]), { convergenceSecret: secret, k: 3, n: 10, maxSegmentSize: 1000 })
      assert.equal(b.cap, a.cap, `size ${size}`)
      const c = await encodeStreaming(chunked(data, [size]), { convergenceSecret: secret, k: 3, n: 10, maxSegmentSize: 1000, size })
      assert.equal(c.cap, a.cap)
    }
  })

  it('decodes a multi-segment file from every one of the 120 3-subsets of 10 shares', async () => {
    const data = pseudoRandom(5000, 99)
    const r = await encodeImmutable(data, { convergenceSecret: secret, k: 3, n: 10, maxSegmentSize: 600 })
    const all = subsets(10, 3)
    assert.equal(all.length, 120)
    for (const pick of all) {
      const got = await collect(readImmutable(r.cap, pick.reverse().map(s => shareSourceFromBytes(s, r.shares.get(s) as Uint8Array))))
      assert.ok(equalBytes(got, data), `shares ${pick.join(',')}`)
    }
  })

  it('random-key mode: different caps each time, both decode', async () => {
    const data = pseudoRandom(3000, 5)
    const a = await encodeStreaming(data, { k: 3, n: 10 })
    const b = await encodeStreaming(data, { k: 3, n: 10 })
    assert.equal(a.plan.keyMode, 'random')
    assert.notEqual(a.cap, b.cap)
    assert.ok(equalBytes(await decodeImmutable(a.cap, a.shares), data))
    assert.ok(equalBytes(await decodeImmutable(b.cap, b.shares), data))
  })

  it('explicit key + segment size (repair) regenerates identical shares', async () => {
    const data = pseudoRandom(10_000, 11)
    const orig = await encodeImmutable(data, { convergenceSecret: secret, k: 3, n: 10, maxSegmentSize: 1000 })
    const cap = parseCap(orig.cap) as ChkReadCap
    const again = await encodeStreaming(chunked(data), { key: cap.key, segmentSize: 1002, k: 3, n: 10 })
    assert.equal(again.plan.keyMode, 'explicit')
    assert.equal(again.cap, orig.cap)
    for (let s = 0; s < 10; s++) assert.ok(equalBytes(again.shares.get(s) as Uint8Array, orig.shares.get(s) as Uint8Array))
  })

  it('a source that changes between passes is refused', async () => {
    let calls = 0
    const fickle = async function * (): AsyncIterable<Uint8Array> { calls++; yield new Uint8Array(calls === 1 ? 5000 : 4000) }
    const plan = await planChk(fickle, { convergenceSecret: secret, maxSegmentSize: 1000 })
    await assert.rejects(collect((async function * () { for await (const ev of encodeChk(plan, fickle)) if (ev.type === 'blocks') yield ev.blocks[0] })()), SourceChangedError)
    calls = 0
    const growing = async function * (): AsyncIterable<Uint8Array> { calls++; yield new Uint8Array(calls === 1 ? 5000 : 6000) }
    const plan2 = await planChk(growing, { convergenceSecret: secret, maxSegmentSize: 1000 })
    await assert.rejects(async () => { for await (const _ of encodeChk(plan2, growing)) { /* drain: the change shows once the second pass reads past 5000 bytes */ } }, SourceChangedError)
    await assert.rejects(planChk(new Uint8Array(100), { size: 99 }), SourceChangedError)
  })

  it('refuses bad options with typed errors', async () => {
    const data = new Uint8Array(100)
    await assert.rejects(encodeImmutable(data, { convergenceSecret: secret, k: 11, n: 10 }), InvalidParametersError)
    await assert.rejects(encodeImmutable(data, { convergenceSecret: secret, k: 3, n: 10, happy: 11 }), InvalidParametersError)
    await assert.rejects(encodeImmutable(data, { convergenceSecret: secret, k: 3, n: 10, maxSegmentSize: 0 }), InvalidParametersError)
    await assert.rejects(planChk(data, { key: new Uint8Array(15) }), InvalidParametersError)
    await assert.rejects(planChk(data, { key: new Uint8Array(16), convergenceSecret: secret }), InvalidParametersError)
  })

  it('the default segment size is 1 MiB and the plan describes the upload', async () => {
    const plan = await planChk(new Uint8Array(3 * 1048576 + 5), { convergenceSecret: secret })
    assert.equal(plan.kind, 'chk')
    if (plan.kind !== 'chk') return
    assert.deepEqual([plan.k, plan.n, plan.happy], [3, 10, 7])
    assert.equal(plan.segmentSize, 1048578)
    assert.equal(plan.numSegments, 3) // S rounds up to 1048578, so 3·S covers the extra 5 bytes
    assert.equal(plan.storageIndex.length, 16)
    assert.equal(plan.shareSize, plan.layout.shareSize)
  })

  it('fewer than k shares: NotEnoughSharesError; a verify-cap cannot read', async () => {
    const data = pseudoRandom(2000, 3)
    const r = await encodeImmutable(data, { convergenceSecret: secret, k: 3, n: 10, maxSegmentSize: 500 })
    const two = [0, 5].map(s => shareSourceFromBytes(s, r.shares.get(s) as Uint8Array))
    await assert.rejects(collect(readImmutable(r.cap, two)), (e: unknown) => e instanceof NotEnoughSharesError && e.code === 'ERR_NOT_ENOUGH_SHARES' && e.good === 2 && e.needed === 3)
    // Duplicates of one share number do not count twice.
    const dup = [0, 0, 0].map(s => shareSourceFromBytes(s, r.shares.get(s) as Uint8Array))
    await assert.rejects(collect(readImmutable(r.cap, dup)), NotEnoughSharesError)
    await assert.rejects(collect(readImmutable(r.verifyCap, two)), (e: unknown) => e instanceof ImmutableError && e.code === 'ERR_NEED_READ_CAP')
  })

  it('an abort signal stops a read', async () => {
    const data = pseudoRandom(20_000, 3)
    const r = await encodeImmutable(data, { convergenceSecret: secret, k: 3, n: 10, maxSegmentSize: 500 })
    const ac = new AbortController()
    const sources = [...r.shares].map(([s, b]) => shareSourceFromBytes(s, b))
    let chunks = 0
    await assert.rejects(async () => {
      for await (const _ of readImmutable(r.cap, sources, { signal: ac.signal })) { if (++chunks === 3) ac.abort() }
    }, (e: unknown) => (e as Error).name === 'AbortError')
    assert.equal(chunks, 3)
  })

  it('reports progress per segment', async () => {
    const data = pseudoRandom(5000, 4)
    const r = await encodeImmutable(data, { convergenceSecret: secret, k: 3, n: 10, maxSegmentSize: 1000 })
    const seen: number[] = []
    await collect(readImmutable(r.cap, [...r.shares].map(([s, b]) => shareSourceFromBytes(s, b)), { onProgress: p => seen.push(p.bytesDone) }))
    assert.equal(seen.length, 5)
    assert.equal(seen[4], 5000)
  })
})
