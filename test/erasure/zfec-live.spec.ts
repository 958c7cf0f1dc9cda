/**
 * Live cross-check against python3-zfec: random k, m and block sizes, both
 * directions (their shares equal ours; each side decodes the other's shares).
 */
import assert from 'node:assert/strict'
import { decode, encode, getKernel, setKernel, type GfKernel } from '../../src/erasure/index.js'
import { seededRandom, testSeed } from './helpers.js'
import { kernelsUnderTest } from './kernels.js'
import { askZfec, zfecAvailable, type OracleRequest } from './zfec-python.js'

interface LiveCase { k: number, m: number, blocks: Uint8Array[], ours: Uint8Array[], theirDecodeNums: number[], ourDecodeNums: number[] }

function randomCases (seed: number, count: number): LiveCase[] {
  const rnd = seededRandom(seed)
  const cases: LiveCase[] = []
  for (let i = 0; i < count; i++) {
    // Mostly small codes like Tahoe's, some up to m = 256; k = 256 is left out (zfec 1.5.2 crashes decoding it).
    const wide = i % 5 === 0
    const m = wide ? 200 + rnd.int(57) : 1 + rnd.int(40)
    const k = Math.min(1 + rnd.int(m), 255)
    // Wide codes cost k·(m-k) per byte, so they get short blocks.
    const len = i % 7 === 0 ? rnd.int(3) : rnd.int(wide ? 300 : i % 3 === 0 ? 5000 : 400)
    const blocks = Array.from({ length: k }, () => rnd.bytes(len))
    // Distinct share numbers only: zfec hangs on duplicate primaries.
    cases.push({ k, m, blocks, ours: encode(k, m, blocks), theirDecodeNums: rnd.pick(m, k), ourDecodeNums: rnd.pick(m, k) })
  }
  return cases
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0

for (const kernel of kernelsUnderTest()) {
  describe(`erasure: live cross-check with python3-zfec (${kernel.name} kernel)`, function () {
    let previous: GfKernel
    before(function () {
      if (!zfecAvailable()) {
        console.log('      SKIPPED: python3-zfec not installed (apt-get install python3-zfec)')
        this.skip()
      }
      previous = getKernel()
      setKernel(kernel)
    })
    after(() => { if (previous != null) setKernel(previous) })

    it('random cases: zfec shares == ours, zfec decodes ours, we decode zfec\'s', async () => {
      const seed = testSeed() + 100
      const cases = randomCases(seed, 150)
      const requests: OracleRequest[] = []
      for (const c of cases) {
        requests.push({ op: 'encode', k: c.k, m: c.m, blocks: c.blocks })
        requests.push({ op: 'decode', k: c.k, m: c.m, blocks: c.theirDecodeNums.map(s => c.ours[s]), sharenums: c.theirDecodeNums })
      }
      const answers = await askZfec(requests)
      cases.forEach((c, i) => {
        const what = `case ${i} k=${c.k} m=${c.m} B=${c.blocks[0].length} seed=${seed}`
        const theirs = answers[2 * i]
        assert.equal(theirs.length, c.m, `${what}: zfec share count`)
        for (let s = 0; s < c.m; s++) if (!equal(theirs[s], c.ours[s])) assert.fail(`${what}: share ${s} differs from zfec's`)
        const theirDecode = answers[2 * i + 1]
        assert.equal(theirDecode.length, c.k)
        for (let j = 0; j < c.k; j++) if (!equal(theirDecode[j], c.blocks[j])) assert.fail(`${what}: zfec decoding our shares ${c.theirDecodeNums.join(',')} gave a wrong block ${j}`)
        const ourDecode = decode(c.k, c.m, c.ourDecodeNums.map(s => theirs[s]), c.ourDecodeNums)
        for (let j = 0; j < c.k; j++) if (!equal(ourDecode[j], c.blocks[j])) assert.fail(`${what}: our decode of zfec's shares ${c.ourDecodeNums.join(',')} gave a wrong block ${j}`)
      })
    })

    it('Tahoe-sized segments (k=3/m=10, k=25/m=100, and a length not a multiple of 16) with last-k decodes', async () => {
      const rnd = seededRandom(testSeed() + 200)
      const cases: LiveCase[] = [[3, 10, 43691], [25, 100, 5243], [3, 10, 43698]].map(([k, m, len]) => {
        const blocks = Array.from({ length: k }, () => rnd.bytes(len))
        const last = Array.from({ length: k }, (_, i) => m - 1 - i)
        return { k, m, blocks, ours: encode(k, m, blocks), theirDecodeNums: last, ourDecodeNums: last }
      })
      const answers = await askZfec(cases.flatMap(c => [
        { op: 'encode' as const, k: c.k, m: c.m, blocks: c.blocks },
        { op: 'decode' as const, k: c.k, m: c.m, blocks: c.theirDecodeNums.map(s => c.ours[s]), sharenums: c.theirDecodeNums }
      ]))
      cases.forEach((c, i) => {
        answers[2 * i].forEach((s, n) => assert.ok(equal(s, c.ours[n]), `k=${c.k} share ${n}`))
        answers[2 * i + 1].forEach((b, j) => assert.ok(equal(b, c.blocks[j]), `k=${c.k} zfec decode block ${j}`))
        decode(c.k, c.m, c.ourDecodeNums.map(s => answers[2 * i][s]), c.ourDecodeNums)
          .forEach((b, j) => assert.ok(equal(b, c.blocks[j]), `k=${c.k} our decode block ${j}`))
      })
    })
  })
}
