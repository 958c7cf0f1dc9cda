/**
 * Section 5: what finding a file's share holders costs as the network
 * grows, in RPCs and round trips, the DHT way (provider records) against the
 * club way (the cap's club hint, roster cached; and uncached, where the
 * roster is first fetched from the DHT). A bounded cut of bench/locate.ts:
 * the same network builder (owner, club servers, light DHT-only fillers,
 * late readers that hold no records), but 5 servers, 2 readers, 3 files and
 * 2 clubs per size, so a size costs about a minute, not several.
 */
import { randomBytes } from 'node:crypto'
import { BenchNetwork, type Role, tcpAddr } from '../lib/locate-network.js'
import { timedLocate, withRetry } from '../lib/locate-run.js'
import { fmt, summarize, type BenchWay, type LocateSample, type WaySummary } from '../lib/locate-stats.js'
import { progressLog, type SummaryRow } from '../lib/summary-row.js'

const READERS = 2
const FILES = 3
const MAX_SERVERS = 5
/** Club 0 carries the uploads and is joined for the cached way; club 1 stays unknown to the readers. */
const CLUBS = 2
const FILE_BYTES = 20_000
const SETTLE_WANT = 12

export interface LocateSizeResult {
  size: number
  roles: Record<Role, number>
  setupMs: number
  settled: boolean
  summaries: WaySummary[]
  failed: LocateSample[]
}

export interface LocateResult { sizes: number[], perSize: { readers: number, files: number, servers: number, clubs: number }, results: LocateSizeResult[], failures: Array<{ size: number, error: string }> }

async function runSize (size: number, log: (line: string) => void): Promise<LocateSizeResult> {
  const servers = Math.min(MAX_SERVERS, size - 1 - READERS)
  const fillers = size - 1 - servers - READERS
  log(`N=${size}: 1 owner, ${servers} club servers, ${fillers} light DHT nodes, ${READERS} readers`)
  const net = new BenchNetwork(log, true)
  try {
    const t0 = Date.now()
    const owner = await net.startOwner()
    await net.startMany([...Array<Role>(servers).fill('server'), ...Array<Role>(fillers).fill('filler')], 30_000)
    const settled = await net.settle(net.peers, Math.min(net.size - 1, SETTLE_WANT), 20_000 + 400 * size)
    log(`  routing tables ${settled.reached ? 'ready' : 'not all full, carrying on'} in ${settled.ms} ms (median ${settled.tables.median})`)
    const serverAddrs = net.byRole('server').map(tcpAddr)
    const clubIds = await Promise.all(Array.from({ length: CLUBS }, async (_, c) => {
      const id = await withRetry(log, `club ${c}: create`, async () => await owner.createClub({ name: `bench club ${c}` }))
      for (const addr of serverAddrs) await withRetry(log, `club ${c}: add server`, async () => await owner.clubAdd(id, addr))
      return id
    }))
    const caps: string[] = []
    for (let f = 0; f < FILES; f++) {
      const up = await withRetry(log, `upload ${f}`, async () => await owner.put(randomBytes(FILE_BYTES), { club: clubIds[0], happy: Math.min(5, servers) }))
      caps.push(up.cap)
    }
    await Promise.race([
      Promise.all(net.byRole('server').map(async s => { await (s.announcer as any)?.onIdle?.() })),
      new Promise(resolve => setTimeout(resolve, 60_000))
    ])
    await net.startMany(Array<Role>(READERS).fill('reader'), 30_000)
    const readers = net.byRole('reader')
    await net.settle(readers, Math.min(net.size - 1, SETTLE_WANT), 20_000)
    const setupMs = Date.now() - t0
    log(`  set up in ${(setupMs / 1000).toFixed(0)} s; measuring`)

    const samples: LocateSample[] = []
    for (let f = 0; f < FILES; f++) for (let r = 0; r < READERS; r++) samples.push(await timedLocate(readers[r], caps[f], 'dht', r, f))
    for (let r = 0; r < READERS; r++) samples.push(await timedLocate(readers[r], `${caps[r % FILES]}@${clubIds[1]}`, 'club uncached', r, r % FILES))
    for (const [i, r] of readers.entries()) await withRetry(log, `reader ${i}: join club 0`, async () => await r.joinClub(clubIds[0])).catch(() => {})
    for (let f = 0; f < FILES; f++) for (let r = 0; r < READERS; r++) samples.push(await timedLocate(readers[r], `${caps[f]}@${clubIds[0]}`, 'club cached', r, f))
    const summaries = (['dht', 'club cached', 'club uncached'] as BenchWay[]).map(w => summarize(w, samples))
    log(`  ${summaries.map(s => `${s.way} ${s.ok}/${s.count} ok, ${fmt(s.meanRpcs)} RPCs, ${fmt(s.meanRoundTrips, 2)} RT, p50 ${fmt(s.p50Ms, 0)} ms`).join('; ')}`)
    return { size, roles: { owner: 1, server: servers, filler: fillers, reader: READERS }, setupMs, settled: settled.reached, summaries, failed: samples.filter(s => !s.ok) }
  } finally {
    await net.stop()
  }
}

export async function runLocate (quick: boolean): Promise<LocateResult> {
  const log = progressLog('locate')
  const sizes = quick ? [10, 25] : [10, 25, 50]
  const results: LocateSizeResult[] = []
  const failures: LocateResult['failures'] = []
  for (const size of sizes) {
    try {
      results.push(await runSize(size, log))
    } catch (err: any) {
      // a size that could not be set up is reported; the next one still runs
      failures.push({ size, error: String(err?.message ?? err) })
      log(`  N=${size} FAILED: ${err?.message ?? err}`)
    }
  }
  return { sizes, perSize: { readers: READERS, files: FILES, servers: MAX_SERVERS, clubs: CLUBS }, results, failures }
}

export function locateRows (r: LocateResult): SummaryRow[] {
  const rows: SummaryRow[] = []
  const cost = (s: WaySummary): string => s.ok === 0 ? 'no locate succeeded' : `${fmt(s.meanRpcs)} RPCs, ${fmt(s.meanRoundTrips, 1)} RT`
  for (const res of r.results) {
    const way = (w: BenchWay): WaySummary => res.summaries.find(s => s.way === w) as WaySummary
    const dht = way('dht')
    for (const w of ['club cached', 'club uncached'] as const) {
      const club = way(w)
      const all = club.ok === club.count && dht.ok === dht.count
      rows.push({
        section: '5 locate',
        measure: `N=${res.size}, ${w} vs dht (RPCs)`,
        ours: cost(club),
        baseline: `dht ${cost(dht)}`,
        ratio: `${fmt(club.meanRpcs / dht.meanRpcs, 2)}x`,
        goal: w === 'club cached' ? '1 RT' : '',
        result: (w === 'club cached' ? (club.maxRoundTrips === 1 ? 'met' : 'NOT MET') : '') + (all ? '' : ` (${club.ok}/${club.count}, dht ${dht.ok}/${dht.count} ok)`)
      })
    }
  }
  for (const f of r.failures) rows.push({ section: '5 locate', measure: `N=${f.size}`, ours: 'FAILED to set up', baseline: '-', ratio: '-', goal: '', result: f.error.slice(0, 60) })
  return rows
}
