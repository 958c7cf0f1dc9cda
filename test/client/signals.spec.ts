import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { getEventListeners } from 'node:events'
import { checkFile, download, findShares, upload, type ServerInfo } from '../../src/client/index.js'
import { parseCap, storageIndexOf, type ChkReadCap } from '../../src/immutable/index.js'
import { startGrid, stopGrid, type GridServer } from '../fixtures/grid.js'
import { createTestLibp2p } from '../fixtures/libp2p.js'
import type { Libp2p } from '@libp2p/interface'

/** Where Node keeps, on a source signal, the composites AbortSignal.any made from it (found on a throwaway signal). */
function dependantsSymbol (): symbol | undefined {
  const probe = new AbortController().signal
  AbortSignal.any([probe])
  return Object.getOwnPropertySymbols(probe).find(s => s.description === 'kDependantSignals')
}

/**
 * Follows one long-lived signal (like a node's "stop every transfer"
 * signal): listeners added and removed, the most at once, and, where the
 * runtime keeps them, the composite signals AbortSignal.any left on it.
 */
class WatchedSignal {
  readonly controller = new AbortController()
  readonly signal = this.controller.signal
  now = 0
  most = 0
  private readonly dependants = dependantsSymbol()

  constructor () {
    const add = this.signal.addEventListener.bind(this.signal)
    const remove = this.signal.removeEventListener.bind(this.signal)
    this.signal.addEventListener = (...args: Parameters<AbortSignal['addEventListener']>) => {
      const before = getEventListeners(this.signal, 'abort').length
      add(...args)
      if (getEventListeners(this.signal, 'abort').length > before) {
        this.now++
        this.most = Math.max(this.most, this.now)
      }
    }
    this.signal.removeEventListener = (...args: Parameters<AbortSignal['removeEventListener']>) => {
      const before = getEventListeners(this.signal, 'abort').length
      remove(...args)
      if (getEventListeners(this.signal, 'abort').length < before) this.now--
    }
  }

  /** Listeners on the signal right now, as Node counts them. */
  get listeners (): number {
    return getEventListeners(this.signal, 'abort').length
  }

  /** Composites made with AbortSignal.any over this signal and still remembered by it (undefined if the runtime does not say). */
  get composites (): number | undefined {
    if (this.dependants == null) return undefined
    return (this.signal as unknown as Record<symbol, Set<unknown> | undefined>)[this.dependants]?.size ?? 0
  }
}

describe('client: one long-lived signal through a whole transfer', function () {
  this.timeout(120_000)
  let grid: GridServer[]
  let client: Libp2p
  const infos = (): ServerInfo[] => grid.map(s => s.info)

  before(async () => {
    // More servers than Node's default of 10 listeners: one listener per request on the caller's signal would warn.
    grid = await startGrid(12)
    client = await createTestLibp2p()
  })
  after(async () => {
    await client?.stop()
    await stopGrid(grid ?? [])
  })

  it('a 20 MiB upload, download and verify leave no listener on it and raise no MaxListenersExceededWarning', async () => {
    const warnings: Error[] = []
    const onWarning = (w: Error): void => { if (w.name === 'MaxListenersExceededWarning') warnings.push(w) }
    process.on('warning', onWarning)
    const watched = new WatchedSignal()
    const { signal } = watched
    try {
      const data = randomBytes(20 * 1024 * 1024)
      const up = await upload(client, data, { servers: infos(), leaseSecret: randomBytes(32), convergenceSecret: randomBytes(32), signal })
      assert.equal(up.happiness, 10)
      assert.equal(watched.listeners, 0, 'the upload left no listener behind')
      const si = storageIndexOf(parseCap(up.cap) as ChkReadCap)
      const { holders } = await findShares(client, si, infos(), { signal })
      assert.equal(holders.length, 10)
      assert.equal(watched.listeners, 0, 'the have-share fan-out left no listener behind')
      // 12 have-share requests each time, all in parallel: none of them may leave a composite signal on the caller's
      assert.ok(watched.composites == null || watched.composites === 0, `${watched.composites} composite signal(s) left by the have-share requests`)
      const composites = watched.composites ?? 0

      let got = 0
      for await (const chunk of download(client, up.cap, { holders, signal })) {
        assert.ok(Buffer.from(chunk).equals(data.subarray(got, got + chunk.byteLength)))
        got += chunk.byteLength
      }
      assert.equal(got, data.length)
      assert.equal(watched.listeners, 0, 'the download left no listener behind')
      const report = await checkFile(client, up.cap, { servers: infos(), verify: true, signal })
      assert.equal(report.healthy, true)
      assert.deepEqual(report.corrupt, [])
      assert.equal(watched.listeners, 0, 'verify left no listener behind')
      // A download and a verify make hundreds of block reads: at most one composite per operation, never one per request.
      assert.ok(watched.composites == null || watched.composites - composites <= 2, `${(watched.composites ?? 0) - composites} composite signal(s) left by a download and a verify`)
      assert.ok(watched.most <= 2, `at most one listener per operation at a time, saw ${watched.most}`)

      // Warnings are emitted on a later tick.
      for (let i = 0; i < 3; i++) await new Promise(resolve => setImmediate(resolve))
      assert.deepEqual(warnings.map(w => w.message), [])
      // And the signal is obeyed: once it aborts, transfers stop with its reason.
      watched.controller.abort()
      await assert.rejects(upload(client, randomBytes(100_000), { servers: infos(), leaseSecret: randomBytes(32), signal }), { name: 'AbortError' })
      await assert.rejects(async () => { for await (const _ of download(client, up.cap, { holders, signal })) ; }, { name: 'AbortError' })
    } finally {
      process.off('warning', onWarning)
    }
  })
})
