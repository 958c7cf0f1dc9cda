import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import {
  encodeImmutable, parseHeader, readImmutable, shareSourceFromBytes, type BadShareReport, type ShareSource
} from '../../src/immutable/index.js'
import { segmentWorkerCount } from '../../src/immutable/segment-worker.js'
import { collect, equalBytes, pseudoRandom } from './helpers.js'

// 100 segments of 4 KiB: block trees of 128 leaves (255 nodes, 8160 bytes).
const SIZE = 400 * 1024
const SEGMENT = 4096
const SEGMENTS = 100
const TREE_NODES = 255

interface Read { offset: number, length: number, kind?: string, pieces: boolean }

/**
 * A share source that logs every read and, for data reads, hands the bytes
 * back in three uneven pieces, the way the network delivers them.
 */
function source (shnum: number, bytes: Uint8Array, log: Read[]): ShareSource {
  const inner = shareSourceFromBytes(shnum, bytes)
  return {
    shnum,
    read: async (offset, length, kind) => { log.push({ offset, length, kind, pieces: false }); return await inner.read(offset, length) },
    readPieces: async (offset, length) => {
      log.push({ offset, length, kind: 'data', pieces: true })
      const all = await inner.read(offset, length)
      const a = Math.floor(all.length / 7)
      const b = Math.floor(all.length * 5 / 9)
      return [all.subarray(0, a), all.subarray(a, b), all.subarray(b)].filter(p => p.length > 0)
    }
  }
}

function inRegion (r: Read, start: number, end: number): boolean {
  return r.offset >= start && r.offset < end
}

describe('immutable: whole hash trees for long reads, pieces for blocks', function () {
  this.timeout(30_000)
  const data = pseudoRandom(SIZE, 4242)
  let shares: Map<number, Uint8Array>
  let cap: string

  before(async () => {
    const r = await encodeImmutable(data, { convergenceSecret: new Uint8Array(16), k: 3, n: 10, maxSegmentSize: SEGMENT })
    shares = r.shares
    cap = r.cap
  })

  function sources (shnums: number[], override = new Map<number, Uint8Array>()): { list: ShareSource[], logs: Map<number, Read[]> } {
    const logs = new Map<number, Read[]>()
    const list = shnums.map(sh => {
      const log: Read[] = []
      logs.set(sh, log)
      return source(sh, override.get(sh) ?? shares.get(sh) as Uint8Array, log)
    })
    return { list, logs }
  }

  it('a whole-file read takes each block tree in one read and the crypttext tree once', async () => {
    const { list, logs } = sources([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    const got = await collect(readImmutable(cap, list))
    assert.ok(equalBytes(got, data))
    const o = parseHeader(shares.get(0) as Uint8Array, 10).offsets
    let crypttextTreeReads = 0
    for (let sh = 0; sh < 3; sh++) {
      const log = logs.get(sh) as Read[]
      const blockTree = log.filter(r => inRegion(r, o.blockHashTree, o.shareHashChain))
      assert.deepEqual(blockTree.map(r => [r.offset, r.length, r.kind]), [[o.blockHashTree, TREE_NODES * 32, 'meta']], `share ${sh} block tree reads`)
      const blocks = log.filter(r => inRegion(r, o.data, o.plaintextHashTree))
      assert.equal(blocks.length, SEGMENTS, `share ${sh}: one read per block`)
      assert.ok(blocks.every(r => r.pieces), 'blocks are read as pieces')
      crypttextTreeReads += log.filter(r => inRegion(r, o.crypttextHashTree, o.blockHashTree)).length
      assert.ok(log.length <= SEGMENTS + 4, `share ${sh} made ${log.length} reads for ${SEGMENTS} blocks`)
    }
    assert.equal(crypttextTreeReads, 1)
    for (let sh = 3; sh < 10; sh++) assert.equal((logs.get(sh) as Read[]).length, 0, 'parity shares are not touched')
  })

  it('a long read is hashed and decrypted on the worker; a short one and LAFS_SEGMENT_WORKER=0 stay inline', async () => {
    const before = segmentWorkerCount()
    assert.ok(equalBytes(await collect(readImmutable(cap, sources([0, 1, 2]).list)), data))
    assert.equal(segmentWorkerCount() - before, SEGMENTS)
    const offset = 10 * SEGMENT + 17
    assert.ok(equalBytes(await collect(readImmutable(cap, sources([0, 1, 2]).list, { offset, length: 2 * SEGMENT })), data.subarray(offset, offset + 2 * SEGMENT)))
    assert.ok(equalBytes(await collect(readImmutable(cap, sources([0, 1, 2]).list, { offset: 5, offload: false })), data.subarray(5)))
    process.env.LAFS_SEGMENT_WORKER = '0'
    try {
      assert.ok(equalBytes(await collect(readImmutable(cap, sources([0, 1, 2]).list)), data))
    } finally {
      delete process.env.LAFS_SEGMENT_WORKER
    }
    assert.equal(segmentWorkerCount() - before, SEGMENTS)
  })

  it('the worker never keeps a process alive, used or not', async () => {
    const module = new URL('../../src/immutable/index.ts', import.meta.url).href
    const worker = new URL('../../src/immutable/segment-worker.ts', import.meta.url).href
    /** Runs `code` as a module in a fresh process; what it printed, once it ended by itself. */
    const runChild = async (code: string): Promise<string> => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] })
      let out = ''
      child.stdout.on('data', d => { out += String(d) })
      const exited = await Promise.race([
        new Promise<number | null>(resolve => child.on('exit', resolve)),
        new Promise<'hung'>(resolve => setTimeout(() => { resolve('hung') }, 20_000))
      ])
      if (exited === 'hung') child.kill('SIGKILL')
      assert.equal(exited, 0, 'the process ended by itself')
      return out.trim()
    }
    // Started and never given work (a download whose shares were not the first k).
    assert.equal(await runChild(`import { segmentWorker } from '${worker}'
      console.log(segmentWorker() !== undefined)`), 'true')
    // Started and used.
    assert.equal(await runChild(`import { encodeImmutable, readImmutable, shareSourceFromBytes } from '${module}'
      import { segmentWorkerCount } from '${worker}'
      const r = await encodeImmutable(new Uint8Array(400000).fill(7), { convergenceSecret: new Uint8Array(16), maxSegmentSize: 4096 })
      for await (const c of readImmutable(r.cap, [...r.shares].map(([s, b]) => shareSourceFromBytes(s, b)))) {}
      console.log(segmentWorkerCount())`), '98', 'the worker hashed every segment')
  })

  it('a corrupt block found by the worker drops its share; the rest decodes from parity, hashed on the worker', async () => {
    const o = parseHeader(shares.get(1) as Uint8Array, 10).offsets
    const blockSize = Math.ceil(SEGMENT / 3) // the segment size is rounded up to a multiple of k
    const bad = (shares.get(1) as Uint8Array).slice()
    bad[o.data + 50 * blockSize + 9] ^= 0x80
    const { list } = sources([0, 1, 2, 3], new Map([[1, bad]]))
    const reports: BadShareReport[] = []
    const before = segmentWorkerCount()
    const got = await collect(readImmutable(cap, list, { onBadShare: r => reports.push(r) }))
    assert.ok(equalBytes(got, data))
    assert.deepEqual(reports.map(r => [r.shnum, r.check]), [[1, 'block-hash']])
    // On the worker: segments 0..49 pass; 50 fails there, and the careful path
    // (inline) drops share 1; 51..57, already in flight with shares 0-2 (eight
    // segments are fetched ahead), pass, since only block 50 is bad. From 58 on
    // share 3 is in use: the primaries are decoded from parity on this thread
    // and the worker hashes the received blocks and the decoded segment.
    assert.equal(segmentWorkerCount() - before, 50 + 1 + 7 + 42)
  })

  it('a share that stops answering in the middle of a long read is dropped once, while eight segments are in flight (4 KiB segments: the cap of eight applies)', async () => {
    const o = parseHeader(shares.get(1) as Uint8Array, 10).offsets
    const { list } = sources([0, 1, 2, 3])
    const dying = list[1]
    const readPieces = dying.readPieces as NonNullable<ShareSource['readPieces']>
    let refused = 0
    dying.readPieces = async (offset, length) => {
      if (offset >= o.data + 30 * Math.ceil(SEGMENT / 3)) { refused++; throw new Error('connection reset') }
      return await readPieces(offset, length)
    }
    const reports: BadShareReport[] = []
    const got = await collect(readImmutable(cap, list, { onBadShare: r => reports.push(r) }))
    assert.ok(equalBytes(got, data))
    assert.deepEqual(reports.map(r => [r.shnum, r.check]), [[1, 'read-error']])
    // Every segment in flight asked share 1 once on the fast path, and segment 30 once more on the careful one.
    assert.ok(refused >= 2 && refused <= 9, `share 1 was asked ${refused} times after it failed`)
  })

  it('segments still in flight when the reader stops neither blame shares nor open others', async () => {
    const o = parseHeader(shares.get(0) as Uint8Array, 10).offsets
    const { list, logs } = sources([0, 1, 2, 3, 4])
    // Blocks past segment 1 wait until the reader has stopped, then fail as a closed connection would.
    let cut!: () => void
    const stopped = new Promise<void>(resolve => { cut = resolve })
    for (const src of list.slice(0, 3)) {
      const readPieces = src.readPieces as NonNullable<ShareSource['readPieces']>
      src.readPieces = async (offset, length) => {
        if (offset >= o.data + 2 * Math.ceil(SEGMENT / 3)) { await stopped; throw new Error('connection closed') }
        return await readPieces(offset, length)
      }
    }
    const reports: BadShareReport[] = []
    for await (const chunk of readImmutable(cap, list, { onBadShare: r => reports.push(r) })) {
      assert.ok(equalBytes(chunk, data.subarray(0, chunk.length)))
      break
    }
    cut()
    // Let the cut-off reads fail and whatever they would start run to its end.
    for (let i = 0; i < 50; i++) await new Promise(resolve => setImmediate(resolve))
    assert.deepEqual(reports, [], 'no share is blamed for reads cut off by the end of the read')
    for (const sh of [3, 4]) assert.equal((logs.get(sh) as Read[]).length, 0, `share ${sh} was never opened`)
  })

  it('a short range still reads only the tree nodes it needs', async () => {
    const { list, logs } = sources([0, 1, 2])
    const offset = 37 * SEGMENT + 5
    const got = await collect(readImmutable(cap, list, { offset, length: 3 * SEGMENT }))
    assert.ok(equalBytes(got, data.subarray(offset, offset + 3 * SEGMENT)))
    const o = parseHeader(shares.get(0) as Uint8Array, 10).offsets
    for (const log of logs.values()) {
      const treeBytes = log.filter(r => inRegion(r, o.blockHashTree, o.shareHashChain)).reduce((n, r) => n + r.length, 0)
      assert.ok(treeBytes <= 4 * 7 * 32, `block tree bytes ${treeBytes} for 4 segments`)
    }
  })

  it('decodes from parity shares whose blocks arrive in pieces', async () => {
    const { list } = sources([9, 4, 7])
    assert.ok(equalBytes(await collect(readImmutable(cap, list)), data))
    const { list: mixed } = sources([0, 8, 2])
    const offset = 1234
    assert.ok(equalBytes(await collect(readImmutable(cap, mixed, { offset, length: SIZE - offset - 99 })), data.subarray(offset, SIZE - 99)))
  })

  it('a wrong node anywhere in a block tree drops the share on a whole read, and the bytes are still right', async () => {
    const o = parseHeader(shares.get(0) as Uint8Array, 10).offsets
    // The last padding leaf: a leaf-by-leaf scan never asks for it.
    const at = o.blockHashTree + (TREE_NODES - 1) * 32 + 3
    const bad = (shares.get(0) as Uint8Array).slice()
    bad[at] ^= 0x40
    const { list } = sources([0, 1, 2, 3], new Map([[0, bad]]))
    const reports: BadShareReport[] = []
    const got = await collect(readImmutable(cap, list, { onBadShare: r => reports.push(r) }))
    assert.ok(equalBytes(got, data))
    assert.deepEqual(reports.map(r => [r.shnum, r.check]), [[0, 'block-hash']])
  })

  it('a wrong crypttext tree node drops the share that supplied it, and the bytes are still right', async () => {
    const o = parseHeader(shares.get(0) as Uint8Array, 10).offsets
    const bad = (shares.get(0) as Uint8Array).slice()
    bad[o.crypttextHashTree + 40 * 32 + 1] ^= 0x01
    const { list } = sources([0, 1, 2, 3], new Map([[0, bad]]))
    const reports: BadShareReport[] = []
    const got = await collect(readImmutable(cap, list, { onBadShare: r => reports.push(r) }))
    assert.ok(equalBytes(got, data))
    assert.deepEqual(reports.map(r => [r.shnum, r.check]), [[0, 'crypttext-hash']])
  })
})
