/**
 * A spreading read when servers stall or fail mid-file: an abort ends it at
 * once, and one server failing while another hangs does not hold the file.
 */
import assert from 'node:assert/strict'
import { encodeImmutable, parseHeader, readImmutable, shareSourceFromBytes, type ShareSource } from '../../src/immutable/index.js'
import { collect, equalBytes, pseudoRandom } from './helpers.js'

const SIZE = 400 * 1024
const SEGMENT = 4096
const FROM_SEGMENT = 10

type Fault = 'hang' | 'reset' | undefined

describe('immutable: a spreading read with servers that stall or fail mid-file', function () {
  this.timeout(30_000)
  const data = pseudoRandom(SIZE, 777)
  // 100 segments of 4 KiB, 3-of-10
  const encoded = encodeImmutable(data, { convergenceSecret: new Uint8Array(16), k: 3, n: 10, maxSegmentSize: SEGMENT })

  /** Share `sh` on its own server; from block FROM_SEGMENT on its block reads hang for ever or fail. */
  function source (shares: Map<number, Uint8Array>, sh: number, fault: Fault): ShareSource {
    const bytes = shares.get(sh) as Uint8Array
    const inner = shareSourceFromBytes(sh, bytes)
    const faultAt = parseHeader(bytes, 10).offsets.data + FROM_SEGMENT * Math.ceil(SEGMENT / 3)
    const faulty = async (offset: number, length: number): Promise<void> => {
      if (fault === undefined || offset + length <= faultAt) return
      if (fault === 'hang') await new Promise(() => {})
      throw new Error('test: connection reset')
    }
    return {
      shnum: sh,
      server: `s${sh}`,
      read: async (offset, length) => await inner.read(offset, length),
      readPieces: async (offset, length) => {
        await faulty(offset, length)
        return [await inner.read(offset, length)]
      }
    }
  }

  it('an abort ends the read at once while every server hangs', async () => {
    const { shares, cap } = await encoded
    const list = Array.from({ length: 10 }, (_, sh) => source(shares, sh, 'hang'))
    const abort = new AbortController()
    let got = 0
    const started = Date.now()
    setTimeout(() => { abort.abort(new Error('test: the reader gives up')) }, 300)
    await assert.rejects((async () => {
      for await (const chunk of readImmutable(cap, list, { spread: true, signal: abort.signal })) got += chunk.length
    })(), /the reader gives up/)
    assert.ok(got < SIZE)
    assert.ok(Date.now() - started < 2_000, `ended ${Date.now() - started} ms after it started (aborted at 300)`)
  })

  it('one server resetting while another hangs: the spares finish the file, and the failing share is dropped', async () => {
    const { shares, cap } = await encoded
    const list = Array.from({ length: 5 }, (_, sh) => source(shares, sh, sh === 0 ? 'reset' : sh === 1 ? 'hang' : undefined))
    const reports: Array<{ shnum: number, check: string }> = []
    const started = Date.now()
    const got = await collect(readImmutable(cap, list, { spread: true, onBadShare: r => reports.push({ shnum: r.shnum, check: r.check }) }))
    assert.ok(equalBytes(got, data))
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`)
    assert.ok(reports.some(r => r.shnum === 0 && r.check === 'read-error'), JSON.stringify(reports))
  })
})
