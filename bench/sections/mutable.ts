/**
 * Section 6: mutable files on ten real storage servers (one child process;
 * the client in the section's process).
 *
 *   update 1 KiB   overwrite of a 1 KiB SDMF file: round trips (waves of
 *                  parallel requests; Tahoe: a servermap update then a
 *                  write, 2), requests, ms (median)
 *   publish        a new MDMF file of 64 MiB (quick: 16) against a CHK upload
 *                  of the same bytes in the same run (best of the rounds)
 */
import { randomBytes } from 'node:crypto'
import { newStats, overwriteMutable, publishNewMutable, StorageClientPool, upload } from '../../src/client/index.js'
import { mbps, median } from '../lib/measure.js'
import { metText, progressLog, type SummaryRow } from '../lib/summary-row.js'
import { startChildGrid } from '../lib/transfer-grid.js'
import { createBenchNode } from '../lib/transfer-node.js'

export interface MutableResult {
  updates: number
  roundTrips: number
  requests: number
  updateMedianMs: number
  publishBytes: number
  mdmfSeconds: number
  chkSeconds: number
}

export async function runMutable (quick: boolean, opts: { sizeMiB?: number, updates?: number, rounds?: number } = {}): Promise<MutableResult> {
  const log = progressLog('mutable')
  const size = (opts.sizeMiB ?? (quick ? 16 : 64)) * 2 ** 20
  const updates = opts.updates ?? (quick ? 10 : 20)
  const rounds = opts.rounds ?? (quick ? 1 : 2)
  const grid = await startChildGrid(10)
  const client = await createBenchNode()
  const pool = new StorageClientPool(client)
  const leaseSecret = randomBytes(32)
  const base = { servers: grid.servers, pool, leaseSecret, happy: 7 }
  try {
    const made = await publishNewMutable(client, randomBytes(1024), { ...base, format: 'sdmf', k: 3, n: 10 })
    const ms: number[] = []
    let roundTrips = 0
    let requests = 0
    for (let i = 0; i < updates; i++) {
      const stats = newStats()
      const t0 = performance.now()
      // The first update recovers the key from the mapped bytes, as a node that only has the cap does.
      await overwriteMutable(client, made.cap, randomBytes(1024), { ...base, stats, keyPair: i === 0 ? undefined : made.keyPair })
      ms.push(performance.now() - t0)
      roundTrips = Math.max(roundTrips, stats.roundTrips)
      requests = Math.max(requests, stats.requests)
    }
    log(`${updates} updates of 1 KiB: ${roundTrips} round trips, ${requests} requests, median ${median(ms).toFixed(1)} ms`)
    const data = randomBytes(size)
    let mdmfSeconds = Infinity
    let chkSeconds = Infinity
    for (let r = 0; r < rounds; r++) {
      let t0 = performance.now()
      await upload(client, data, { servers: grid.servers, leaseSecret, k: 3, n: 10, happy: 7, convergenceSecret: randomBytes(32) })
      chkSeconds = Math.min(chkSeconds, (performance.now() - t0) / 1000)
      t0 = performance.now()
      await publishNewMutable(client, data, { ...base, format: 'mdmf', k: 3, n: 10 })
      mdmfSeconds = Math.min(mdmfSeconds, (performance.now() - t0) / 1000)
      log(`round ${r + 1}: CHK upload ${chkSeconds.toFixed(2)} s, MDMF publish ${mdmfSeconds.toFixed(2)} s (best so far)`)
    }
    return { updates, roundTrips, requests, updateMedianMs: median(ms), publishBytes: size, mdmfSeconds, chkSeconds }
  } finally {
    await pool.stop()
    await client.stop()
    await grid.stop()
  }
}

export function mutableRows (r: MutableResult): SummaryRow[] {
  const mib = `${r.publishBytes / 2 ** 20} MiB`
  return [
    { section: 'mutable', measure: 'update 1 KiB: round trips', ours: String(r.roundTrips), baseline: 'Tahoe: 2', ratio: '-', goal: '<= 2', result: metText(r.roundTrips <= 2) },
    { section: 'mutable', measure: `update 1 KiB: ms (median of ${r.updates})`, ours: r.updateMedianMs.toFixed(1), baseline: '-', ratio: '-', goal: '', result: `${r.requests} requests` },
    {
      section: 'mutable',
      measure: `publish ${mib} MDMF, MB/s`,
      ours: mbps(r.publishBytes, r.mdmfSeconds).toFixed(1),
      baseline: `CHK upload ${mbps(r.publishBytes, r.chkSeconds).toFixed(1)}`,
      ratio: (r.chkSeconds / r.mdmfSeconds).toFixed(2),
      goal: '',
      result: ''
    }
  ]
}
