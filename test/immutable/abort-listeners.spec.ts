/**
 * The bench once printed "MaxListenersExceededWarning: 11 abort listeners
 * added to [AbortSignal]". A download keeps several segments in flight and
 * reads k shares for each; if any step hung an abort listener on the
 * caller's signal per segment or per read, a long download would pile them
 * up. This downloads a 20-segment file over ten real servers with one
 * signal shared by several downloads at once, and counts the listeners on
 * that signal while the downloads run.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { download, findShares, upload } from '../../src/client/index.js'
import { parseCap, storageIndexOf, type ChkReadCap } from '../../src/immutable/index.js'
import { startGrid, stopGrid, type GridServer } from '../fixtures/grid.js'
import { createTestLibp2p } from '../fixtures/libp2p.js'
import type { Libp2p } from '@libp2p/interface'

/** Wraps a signal's add/removeEventListener to track how many 'abort' listeners it holds, and the most it held. */
function countAbortListeners (signal: AbortSignal): { now: () => number, peak: () => number } {
  const held = new Set<unknown>()
  let peak = 0
  const add = signal.addEventListener.bind(signal)
  const remove = signal.removeEventListener.bind(signal)
  signal.addEventListener = ((type: string, listener: any, options?: any) => {
    if (type === 'abort') { held.add(listener); peak = Math.max(peak, held.size) }
    add(type, listener, options)
  }) as typeof signal.addEventListener
  signal.removeEventListener = ((type: string, listener: any, options?: any) => {
    if (type === 'abort') held.delete(listener)
    remove(type, listener, options)
  }) as typeof signal.removeEventListener
  return { now: () => held.size, peak: () => peak }
}

describe('immutable: a long download does not pile listeners on the caller\'s signal', function () {
  this.timeout(120_000)
  let grid: GridServer[]
  let client: Libp2p

  before(async () => {
    grid = await startGrid(10)
    client = await createTestLibp2p()
  })
  after(async () => {
    await client?.stop()
    await stopGrid(grid ?? [])
  })

  it('three 20 MiB downloads at once share one signal without a MaxListenersExceededWarning', async () => {
    const data = randomBytes(20 * 2 ** 20)
    const servers = grid.map(s => s.info)
    const up = await upload(client, data, { servers, leaseSecret: randomBytes(32), convergenceSecret: randomBytes(32) })
    const cap = parseCap(up.cap) as ChkReadCap
    assert.equal(cap.size, data.length)
    const { holders } = await findShares(client, storageIndexOf(cap), servers)

    const warnings: Error[] = []
    const onWarning = (w: Error): void => { if (w.name === 'MaxListenersExceededWarning') warnings.push(w) }
    process.on('warning', onWarning)
    const shared = new AbortController()
    const listeners = countAbortListeners(shared.signal)
    try {
      const one = async (): Promise<Buffer> => {
        const parts: Uint8Array[] = []
        for await (const p of download(client, up.cap, { holders, signal: shared.signal })) parts.push(p)
        return Buffer.concat(parts)
      }
      const got = await Promise.all([one(), one(), one()])
      for (const g of got) assert.ok(g.equals(data), 'each download returns the file')
      // Warnings are emitted on the next tick.
      await new Promise(resolve => setImmediate(resolve))
    } finally {
      process.off('warning', onWarning)
    }
    assert.deepEqual(warnings.map(w => w.message), [])
    // A constant number per download is fine; one per segment (20 each, 60 in all) is the leak.
    assert.ok(listeners.peak() <= 3, `at most one listener per download on the shared signal, saw ${listeners.peak()}`)
    assert.equal(listeners.now(), 0, 'none left once the downloads are over')
  })
})
