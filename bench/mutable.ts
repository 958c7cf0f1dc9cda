/**
 * Mutable files against ten real storage servers on loopback (one child
 * process), the client in this process:
 *
 *   update 1 KiB   overwrite of a 1 KiB SDMF file: round trips (waves of
 *                  parallel requests), requests, and ms (median of the runs).
 *                  Tahoe: a servermap update then a write, 2 round trips.
 *   publish        a new 64 MiB MDMF file against a CHK upload of the same
 *                  bytes in the same run (best of the runs each).
 *
 * Run: npm run bench:mutable   Options: --size <MiB> (default 64), --updates <n> (default 20), --runs <n> (default 2)
 */
import '../src/shim.js'
import { randomBytes } from 'node:crypto'
import {
  newStats, overwriteMutable, publishNewMutable, StorageClientPool, upload
} from '../src/client/index.js'
import { formatTable, mbps, median } from './lib/measure.js'
import { startChildGrid } from './lib/transfer-grid.js'
import { createBenchNode } from './lib/transfer-node.js'

function option (name: string, dflt: number): number {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : dflt
}

const SIZE = option('--size', 64) * 2 ** 20
const UPDATES = option('--updates', 20)
const RUNS = option('--runs', 2)

async function main (): Promise<void> {
  const grid = await startChildGrid(10)
  const client = await createBenchNode()
  const pool = new StorageClientPool(client)
  const leaseSecret = randomBytes(32)
  const base = { servers: grid.servers, pool, leaseSecret, happy: 7 }
  try {
    const made = await publishNewMutable(client, randomBytes(1024), { ...base, format: 'sdmf', k: 3, n: 10 })
    const ms: number[] = []
    let trips = 0
    let requests = 0
    for (let i = 0; i < UPDATES; i++) {
      const stats = newStats()
      const t0 = performance.now()
      await overwriteMutable(client, made.cap, randomBytes(1024), { ...base, stats, keyPair: i === 0 ? undefined : made.keyPair })
      ms.push(performance.now() - t0)
      trips = Math.max(trips, stats.roundTrips)
      requests = Math.max(requests, stats.requests)
    }
    const data = randomBytes(SIZE)
    let mdmf = Infinity
    let chk = Infinity
    for (let r = 0; r < RUNS; r++) {
      let t0 = performance.now()
      await upload(client, data, { servers: grid.servers, leaseSecret, k: 3, n: 10, happy: 7, convergenceSecret: randomBytes(32) })
      chk = Math.min(chk, (performance.now() - t0) / 1000)
      t0 = performance.now()
      await publishNewMutable(client, data, { ...base, format: 'mdmf', k: 3, n: 10 })
      mdmf = Math.min(mdmf, (performance.now() - t0) / 1000)
    }
    console.log(formatTable(['measure', 'value', 'goal / baseline'], [
      ['update 1 KiB: round trips (max)', String(trips), 'Tahoe: 2'],
      ['update 1 KiB: requests (max)', String(requests), '10 servers × 2'],
      [`update 1 KiB: ms (median of ${UPDATES})`, median(ms).toFixed(1), ''],
      [`publish ${SIZE / 2 ** 20} MiB MDMF: MB/s`, mbps(SIZE, mdmf).toFixed(1), `CHK upload: ${mbps(SIZE, chk).toFixed(1)} MB/s (ratio ${(chk / mdmf).toFixed(2)})`]
    ]))
  } finally {
    await pool.stop()
    await client.stop()
    await grid.stop()
  }
}

main().catch(err => { console.error(err); process.exitCode = 1 })
