/**
 * Tahoe-LAFS known answers: the 120 published CHK caps, our derived
 * intermediate values for them, the hash unit-test vectors, and real share
 * files written by Tahoe.
 */
import assert from 'node:assert/strict'
import {
  base32Decode, base32Encode, blockHash, bucketCancelSecret, bucketRenewalSecret, buildTree, clientCancelSecret,
  clientRenewalSecret, convergenceTag, convergentKey, crypttextHash, crypttextSegmentHash, encodeChk, fileCancelSecret,
  fileRenewalSecret, leaseSecretsFor, neededHashes, parseCap, permuteServerHash, planChk, readImmutable,
  shareSourceFromBytes, storageIndexHash, taggedHash, taggedPairHash, TAGS, uebHash, verifyShares, type ChkReadCap,
  type EncodeResult
} from '../../src/immutable/index.js'
import { parseChain, parseHeader } from '../../src/immutable/layout.js'
import { b64, collect, equalBytes, hex, loadVector, repeatSeed } from './helpers.js'

interface ChkVector { id: number, convergence: string, sample: { seed: string, length: number }, zfec: { required: number, total: number, segmentSize: number }, expected: string }
interface Derived {
  id: number
  segment_size: number
  num_segments: number
  tail_segment_size: number
  tail_segment_padded: number
  block_size: number
  tail_block_size: number
  share_data_size: number
  key_b32: string
  storage_index_b32: string
  verify_cap: string
  crypttext_hash_b32: string
  crypttext_root_hash_b32: string
  share_root_hash_b32: string
  ueb_b64: string
  ueb_hash_b32: string
}

const chk = loadVector<{ vectors: ChkVector[] }>('tahoe-chk.json').vectors
const derived = new Map(loadVector<{ vectors: Derived[] }>('tahoe-chk-derived.json').vectors.map(d => [d.id, d]))

describe('immutable: Tahoe CHK vectors (tahoe-chk.json + tahoe-chk-derived.json)', function () {
  this.timeout(120_000)
  it('has all 120 cases', () => {
    assert.equal(chk.length, 120)
    assert.equal(derived.size, 120)
  })

  for (const v of chk) {
    it(`case ${v.id}: k=${v.zfec.required} N=${v.zfec.total} size=${v.sample.length}`, async () => {
      const d = derived.get(v.id) as Derived
      const plaintext = repeatSeed(b64(v.sample.seed), v.sample.length)
      const plan = await planChk(plaintext, { convergenceSecret: b64(v.convergence), k: v.zfec.required, n: v.zfec.total, maxSegmentSize: v.zfec.segmentSize })
      assert.equal(plan.kind, 'chk')
      if (plan.kind !== 'chk') return
      const p = plan.params
      assert.deepEqual(
        [p.segmentSize, p.numSegments, p.tailSize, p.tailPadded, p.blockSize, p.tailBlockSize, p.shareDataSize],
        [d.segment_size, d.num_segments, d.tail_segment_size, d.tail_segment_padded, d.block_size, d.tail_block_size, d.share_data_size])
      assert.equal(base32Encode(plan.key), d.key_b32)
      assert.equal(base32Encode(plan.storageIndex), d.storage_index_b32)

      // Keep only the first segment's blocks and the trailers: enough to decode a prefix cheaply.
      const shares = new Map<number, Uint8Array>()
      let result: EncodeResult | undefined
      for await (const ev of encodeChk(plan, plaintext)) {
        if (ev.type === 'done') result = ev
        else if (ev.type === 'blocks' && ev.segment === 0) {
          ev.blocks.forEach((b, s) => { const share = new Uint8Array(plan.shareSize); share.set(plan.header); share.set(b, ev.offset); shares.set(s, share) })
        } else if (ev.type === 'trailer') ev.trailers.forEach((t, s) => (shares.get(s) as Uint8Array).set(t, ev.offset))
      }
      assert.ok(result?.ueb !== undefined)
      assert.equal(result.cap, v.expected)
      assert.equal(result.verifyCap, d.verify_cap)
      assert.ok(equalBytes(result.ueb, b64(d.ueb_b64)), 'UEB bytes')
      assert.equal(base32Encode(result.uebHash as Uint8Array), d.ueb_hash_b32)
      const ueb = new TextDecoder('latin1').decode(result.ueb)
      assert.ok(ueb.startsWith('codec_name:3:crs,'))
      assert.equal(plan.layout.uebLength, result.ueb.length, 'layout predicted the UEB length')

      // Decode segment 0 (or the whole file when it has one segment) from the last k shares (mostly parity).
      const len = Math.min(p.segmentSize, p.size)
      const sources = [...shares].slice(-v.zfec.required).map(([s, b]) => shareSourceFromBytes(s, b))
      const got = await collect(readImmutable(result.cap, sources, { offset: 0, length: len }))
      assert.ok(equalBytes(got, plaintext.subarray(0, len)))
    })
  }

  it('derived roots: crypttext hash, crypttext root and share root for a few cases', async () => {
    for (const id of [0, 5, 42, 69]) {
      const v = chk[id]
      const d = derived.get(id) as Derived
      const plaintext = repeatSeed(b64(v.sample.seed), v.sample.length)
      const plan = await planChk(plaintext, { convergenceSecret: b64(v.convergence), k: v.zfec.required, n: v.zfec.total, maxSegmentSize: v.zfec.segmentSize })
      let ueb: Uint8Array | undefined
      for await (const ev of encodeChk(plan, plaintext)) if (ev.type === 'done') ueb = ev.ueb
      const text = Buffer.from(ueb as Uint8Array)
      for (const [key, b32] of [['crypttext_hash', d.crypttext_hash_b32], ['crypttext_root_hash', d.crypttext_root_hash_b32], ['share_root_hash', d.share_root_hash_b32]]) {
        const at = text.indexOf(`${key}:32:`) + key.length + 4
        assert.equal(base32Encode(text.subarray(at, at + 32)), b32, `${key} of case ${id}`)
      }
    }
  })
})

interface HashCase { function: string, inputs_hex: Record<string, string | number>, expected_b32: string }
const hashes = loadVector<{ hashes: HashCase[], merkle_tree: { nodes_b32_in_array_order: string[] }, needed_hashes_8_leaves: Array<{ leaf: number, include_leaf: boolean, nodes: number[] }>, convergence_tag_example: { k: number, n: number, segsize: number, convergence_hex: string, tag_hex: string } }>('tahoe-hashes.json')

describe('immutable: Tahoe hash known answers (tahoe-hashes.json)', () => {
  const fns: Record<string, (i: Record<string, any>) => Uint8Array> = {
    tagged_hash: i => taggedHash(hex(i.tag), hex(i.value)),
    tagged_pair_hash: i => taggedPairHash(hex(i.tag), hex(i.a), hex(i.b)),
    storage_index_hash: i => storageIndexHash(hex(i.key)),
    convergence_hash: i => convergentKey(hex(i.convergence), i.k, i.n, i.segsize, hex(i.data)),
    block_hash: i => blockHash(hex(i.data)),
    uri_extension_hash: i => uebHash(hex(i.data)),
    plaintext_hash: i => taggedHash(TAGS.plaintext, hex(i.data)),
    crypttext_hash: i => crypttextHash(hex(i.data)),
    crypttext_segment_hash: i => crypttextSegmentHash(hex(i.data)),
    plaintext_segment_hash: i => taggedHash(TAGS.plaintextSegment, hex(i.data)),
    client_renewal_secret: i => clientRenewalSecret(hex(i.lease_secret)),
    client_cancel_secret: i => clientCancelSecret(hex(i.lease_secret)),
    file_renewal_secret: i => fileRenewalSecret(hex(i.client_secret), hex(i.storage_index)),
    file_cancel_secret: i => fileCancelSecret(hex(i.client_secret), hex(i.storage_index)),
    bucket_renewal_secret: i => bucketRenewalSecret(hex(i.file_secret), hex(i.lease_seed)),
    bucket_cancel_secret: i => bucketCancelSecret(hex(i.file_secret), hex(i.lease_seed)),
    permute_server_hash: i => permuteServerHash(hex(i.peer_selection_index), hex(i.permutation_seed)),
    lease_renewal_secret_chain: i => leaseSecretsFor(hex(i.lease_secret), hex(i.storage_index), hex(i.lease_seed)).renewSecret
  }

  it(`every one of the ${hashes.hashes.length} known answers`, () => {
    assert.equal(hashes.hashes.length, 27)
    for (const h of hashes.hashes) {
      const fn = fns[h.function]
      assert.ok(fn !== undefined, `no implementation for ${h.function}`)
      assert.equal(base32Encode(fn(h.inputs_hex)), h.expected_b32, `${h.function}(${JSON.stringify(h.inputs_hex)})`)
    }
  })

  it('the 3-leaf Merkle tree, node for node', () => {
    const leaves = [0, 1, 2].map(i => taggedHash('tag', String(i)))
    assert.deepEqual(buildTree(leaves).map(base32Encode), hashes.merkle_tree.nodes_b32_in_array_order)
  })

  it('needed hashes of an 8-leaf tree', () => {
    for (const c of hashes.needed_hashes_8_leaves) assert.deepEqual(neededHashes(c.leaf, 8, c.include_leaf), c.nodes)
  })

  it('the exact convergence tag bytes', () => {
    const c = hashes.convergence_tag_example
    assert.equal(Buffer.from(convergenceTag(hex(c.convergence_hex), c.k, c.n, c.segsize)).toString('hex'), c.tag_hex)
  })

  it('the permuted-ring example in the spec', () => {
    const got = permuteServerHash(new TextEncoder().encode('SI'), base32Decode('u33m4y7klhz3bypswqkozwetvabelhxt'))
    assert.equal(base32Encode(got), 'kb4354zeeurpo3ze5e275wzbynm6hlap')
  })
})

interface SharesVector { cap: string, plaintext: { seed_b64: string, length: number }, needed_shares: number, total_shares: number, shares: Array<{ server: number, shnum: number, container_b64: string }> }
const real = loadVector<SharesVector>('tahoe-chk-shares.json')

describe('immutable: real Tahoe share files (tahoe-chk-shares.json)', () => {
  const plaintext = repeatSeed(b64(real.plaintext.seed_b64), real.plaintext.length)
  // Container: 12-byte header (version, share length, lease count), share bytes, 72-byte leases.
  const shares = real.shares.map(s => {
    const c = b64(s.container_b64)
    const view = new DataView(c.buffer, c.byteOffset)
    const leases = view.getUint32(8)
    return { shnum: s.shnum, bytes: c.subarray(12, c.length - 72 * leases) }
  })

  it('decodes the file from every 3-subset of a few kinds, including all-parity', async () => {
    assert.equal(shares.length, 10)
    for (const pick of [[0, 1, 2], [7, 8, 9], [9, 4, 0], [3, 5, 6], [2, 8, 5]]) {
      const sources = pick.map(n => shares.find(s => s.shnum === n) as { shnum: number, bytes: Uint8Array }).map(s => shareSourceFromBytes(s.shnum, s.bytes))
      assert.ok(equalBytes(await collect(readImmutable(real.cap, sources)), plaintext), `shares ${pick.join(',')}`)
    }
  })

  it('the verifier accepts every share', async () => {
    const results = await verifyShares(real.cap, shares.map(s => shareSourceFromBytes(s.shnum, s.bytes)))
    assert.deepEqual(results.map(r => r.ok), new Array(10).fill(true))
  })

  it('re-encoding with the cap\'s key reproduces every share byte except the order of the chain entries', async () => {
    const cap = parseCap(real.cap) as ChkReadCap
    const plan = await planChk(plaintext, { key: cap.key, k: 3, n: 10, maxSegmentSize: 131072 })
    assert.equal(plan.kind, 'chk')
    if (plan.kind !== 'chk') return
    const mine = new Map<number, Uint8Array>()
    let result: EncodeResult | undefined
    for await (const ev of encodeChk(plan, plaintext)) {
      if (ev.type === 'blocks') ev.blocks.forEach((b, s) => { const x = new Uint8Array(plan.shareSize); x.set(plan.header); x.set(b, ev.offset); mine.set(s, x) })
      else if (ev.type === 'trailer') ev.trailers.forEach((t, s) => (mine.get(s) as Uint8Array).set(t, ev.offset))
      else result = ev
    }
    assert.equal(result?.cap, real.cap)
    for (const { shnum, bytes } of shares) {
      const ours = mine.get(shnum) as Uint8Array
      const h = parseHeader(bytes, 10)
      const o = h.offsets
      // Tahoe's share is longer: old writers reserved room after the UEB and left it zero.
      assert.ok(bytes.length >= ours.length)
      assert.ok(bytes.subarray(ours.length).every(b => b === 0))
      assert.ok(equalBytes(ours.subarray(0, o.shareHashChain), bytes.subarray(0, o.shareHashChain)), `share ${shnum} up to the chain`)
      assert.ok(equalBytes(ours.subarray(o.uriExtension), bytes.subarray(o.uriExtension, ours.length)), `share ${shnum} UEB`)
      const key = (e: { node: number, hash: Uint8Array }): string => `${e.node}:${base32Encode(e.hash)}`
      const theirs = parseChain(bytes.subarray(o.shareHashChain, o.uriExtension))
      const ourChain = parseChain(ours.subarray(o.shareHashChain, o.uriExtension))
      assert.deepEqual(ourChain.map(key), theirs.map(key).sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10)), `share ${shnum} chain entries`)
      assert.deepEqual(ourChain.map(e => e.node), ourChain.map(e => e.node).sort((a, b) => a - b), 'we write ascending node order')
    }
    assert.deepEqual(parseChain(shares[0].bytes.subarray(parseHeader(shares[0].bytes, 10).offsets.shareHashChain, parseHeader(shares[0].bytes, 10).offsets.uriExtension)).map(e => e.node), [16, 8, 2, 4, 15])
  })
})
