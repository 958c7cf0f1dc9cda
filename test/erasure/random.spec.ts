/** Round trips on random data: any k of m shares, in any order, give the input back. */
import assert from 'node:assert/strict'
import { decode, encode, getKernel, setKernel, type GfKernel } from '../../src/erasure/index.js'
import { seededRandom, testSeed } from './helpers.js'
import { kernelsUnderTest } from './kernels.js'

function sameBlocks (got: Uint8Array[], want: Uint8Array[], what: string): void {
  assert.equal(got.length, want.length, `${what}: block count`)
  for (let i = 0; i < want.length; i++) {
    if (Buffer.compare(got[i], want[i]) !== 0) assert.fail(`${what}: block ${i} differs`)
  }
}

for (const kernel of kernelsUnderTest()) {
  describe(`erasure: random round trips (${kernel.name} kernel)`, () => {
    let previous: GfKernel
    before(() => { previous = getKernel(); setKernel(kernel) })
    after(() => { setKernel(previous) })
    const seed = testSeed()

    const params: Array<[number, number, number]> = [
      // k, m, how many share subsets to try
      [1, 1, 1], [1, 5, 5], [2, 3, 6], [3, 10, 60], [4, 5, 10], [5, 8, 40], [7, 20, 40],
      [10, 10, 5], [16, 32, 30], [25, 100, 20], [50, 60, 10], [100, 256, 6], [255, 256, 4]
    ]
    for (const [k, m, subsets] of params) {
      it(`k=${k} m=${m}: ${subsets} random k-subsets decode (seed ${seed})`, () => {
        const rnd = seededRandom(seed ^ (k * 1000 + m))
        const len = rnd.int(300) + (k > 50 ? 1 : 0)
        const blocks = Array.from({ length: k }, () => rnd.bytes(len))
        const copies = blocks.map(b => b.slice())
        const shares = encode(k, m, blocks)
        assert.equal(shares.length, m)
        for (let j = 0; j < k; j++) assert.equal(shares[j], blocks[j], 'primary shares are the input blocks')
        const tried = new Set<string>()
        // Always include the all-parity worst case (the last k shares).
        const lastK = Array.from({ length: k }, (_, i) => m - k + i)
        for (let t = 0; t < subsets; t++) {
          const nums = t === 0 ? lastK : rnd.pick(m, k)
          tried.add([...nums].sort((a, b) => a - b).join(','))
          const out = decode(k, m, nums.map(s => shares[s]), nums)
          sameBlocks(out, blocks, `shares ${nums.join(',')}`)
        }
        sameBlocks(blocks, copies, 'inputs untouched')
        sameBlocks(shares.slice(0, k), copies, 'shares untouched by decoding')
        assert.ok(tried.size >= Math.min(subsets, 2) || m === k, 'tried distinct subsets')
      })
    }

    it('encode with chosen share numbers equals the full encode', () => {
      const rnd = seededRandom(seed + 1)
      for (const [k, m] of [[3, 10], [25, 100], [1, 7], [200, 256]] as const) {
        const blocks = Array.from({ length: k }, () => rnd.bytes(97))
        const all = encode(k, m, blocks)
        const wanted = rnd.pick(m, Math.min(m, 9))
        const some = encode(k, m, blocks, wanted)
        wanted.forEach((s, i) => assert.deepEqual(some[i], all[s], `k=${k} m=${m} share ${s}`))
      }
    })

    it('k = 256 decodes (zfec 1.5.2 crashes here)', () => {
      const rnd = seededRandom(seed + 2)
      const blocks = Array.from({ length: 256 }, () => rnd.bytes(19))
      const shares = encode(256, 256, blocks)
      const nums = rnd.pick(256, 256)
      sameBlocks(decode(256, 256, nums.map(s => shares[s]), nums), blocks, 'k=256 m=256 shuffled')
    })

    it('k = 255, m = 256 decodes with the parity share standing in for any primary', () => {
      const rnd = seededRandom(seed + 3)
      const blocks = Array.from({ length: 255 }, () => rnd.bytes(21))
      const shares = encode(255, 256, blocks)
      for (const missing of [0, 100, 254]) {
        const nums = Array.from({ length: 256 }, (_, i) => i).filter(i => i !== missing).reverse()
        sameBlocks(decode(255, 256, nums.map(s => shares[s]), nums), blocks, `without share ${missing}`)
      }
    })

    it('block length 0 gives empty shares and empty decoded blocks', () => {
      for (const [k, m] of [[1, 1], [3, 10], [25, 100], [256, 256], [128, 256]] as const) {
        const shares = encode(k, m, Array.from({ length: k }, () => new Uint8Array(0)))
        assert.equal(shares.length, m)
        assert.ok(shares.every(s => s.length === 0))
        const nums = Array.from({ length: k }, (_, i) => m - 1 - i)
        const out = decode(k, m, nums.map(s => shares[s]), nums)
        assert.equal(out.length, k)
        assert.ok(out.every(b => b.length === 0))
      }
    })

    it('lengths around vector and strip boundaries', () => {
      const rnd = seededRandom(seed + 4)
      for (const len of [1, 15, 16, 17, 31, 32, 33, 255, 4095, 4096, 4097, 8191, 8192, 8193, 65537]) {
        const blocks = Array.from({ length: 3 }, () => rnd.bytes(len))
        const shares = encode(3, 10, blocks)
        const nums = [9, 4, 7]
        sameBlocks(decode(3, 10, nums.map(s => shares[s]), nums), blocks, `len ${len}`)
      }
    })
  })
}
