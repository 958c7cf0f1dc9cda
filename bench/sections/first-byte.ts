/**
 * Section 8: time to the first byte of a file (issue 16, part 3), on a
 * six-server loopback grid in one child process (first-byte-grid.ts), read
 * by lafs-club nodes in this section's process:
 *
 *   fresh hinted   a node created for the sample, knowing one bootstrap
 *                  address and a hinted cap (`<cap>@<clubId>`); ms from
 *                  `createNode` resolving to the first plaintext chunk
 *   fresh plain    the same with the cap alone (DHT provider records)
 *   warm           one node that already read a hinted cap of the club (so
 *                  it holds connections and the club's roster): ms from
 *                  `cat` to the first chunk of another file of that club
 *
 * Baselines, interleaved with ours in the same run: a fresh bare libp2p node
 * (TCP, Noise, Yamux) dialling the bootstrap server and reading one byte
 * from a new stream (ms from its creation), and, warm, a new stream on its
 * open connection. Goals (issue 16): fresh hinted 300 ms, fresh plain 500 ms,
 * warm 50 ms, judged on the p50; the p95 is shown beside it.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { createNode, silentLogger, type LafsNode } from '../../src/node/index.js'
import { FIRST_BYTE_DHT_PROTOCOL, LISTEN, RAW_FIRST_BYTE, startFirstByteGrid, type FirstByteChild } from '../lib/first-byte-grid.js'
import { percentile } from '../lib/locate-stats.js'
import { metText, progressLog, type SummaryRow } from '../lib/summary-row.js'
import type { Libp2p } from '@libp2p/interface'

export type FirstByteKind = 'fresh hinted' | 'fresh plain' | 'warm' | 'raw fresh' | 'raw warm'

export interface FirstByteSample {
  kind: FirstByteKind
  /** ms to the first byte (fresh: from createNode resolving; warm: from the call). */
  ms: number
  /** Fresh kinds: how long createNode (or createLibp2p) took. */
  createMs?: number
  /** Ours: the locate's part (explain.actual.ms) and the way it took. */
  locateMs?: number
  way?: string
  error?: string
}

export interface FirstByteStats { kind: FirstByteKind, count: number, ok: number, p50: number, p95: number, min: number, max: number }

export interface FirstByteResult {
  runs: number
  files: number
  fileBytes: number
  stats: FirstByteStats[]
  /** Medians over the fresh samples of ours: createNode, the locate, locate end to first byte. */
  breakdown: Record<'fresh hinted' | 'fresh plain' | 'warm', { createMs: number, locateMs: number, downloadMs: number, ways: Record<string, number> }>
  samples: FirstByteSample[]
}

export const FIRST_BYTE_GOALS: Record<'fresh hinted' | 'fresh plain' | 'warm', number> = { 'fresh hinted': 300, 'fresh plain': 500, warm: 50 }
const FILE_BYTES = 20_000

async function bareNode (): Promise<Libp2p> {
  return await createLibp2p({ addresses: { listen: LISTEN }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()], connectionManager: { allow: ['/ip4/127.0.0.0/ipcidr/8'] } })
}

/** ms to open a stream to the raw protocol and receive its one byte. */
async function rawFirstByte (node: Libp2p, target: Multiaddr): Promise<number> {
  const t0 = performance.now()
  const stream = await node.dialProtocol(target, RAW_FIRST_BYTE, { signal: AbortSignal.timeout(10_000) })
  await new Promise<void>((resolve, reject) => {
    stream.addEventListener('message', () => { resolve() }, { once: true })
    stream.addEventListener('close', evt => { reject(evt.error ?? new Error('closed before its byte')) }, { once: true })
  })
  const ms = performance.now() - t0
  await stream.close().catch(() => {})
  return ms
}

/** ms from the call to the first chunk of `cap`, with the locate's explain. */
async function firstChunk (node: LafsNode, cap: string): Promise<{ ms: number, locateMs?: number, way?: string }> {
  const t0 = performance.now()
  let locateMs: number | undefined
  let way: string | undefined
  for await (const chunk of node.cat(cap, {
    signal: AbortSignal.timeout(30_000),
    onExplain: e => {
      const explain = 'explain' in e ? e.explain : undefined
      locateMs = explain?.actual.ms
      way = explain != null ? explain.runs.map(r => r.way).join('→') : e.way
    }
  })) {
    if (chunk.byteLength > 0) break
  }
  return { ms: performance.now() - t0, locateMs, way }
}

export async function freshSample (kind: 'fresh hinted' | 'fresh plain', grid: FirstByteChild, cap: string): Promise<FirstByteSample> {
  const dir = await mkdtemp(join(tmpdir(), 'lafs-bench-reader-'))
  let node: LafsNode | undefined
  try {
    const t0 = performance.now()
    node = await createNode({ dataDir: dir, listen: LISTEN, bootstrap: [grid.bootstrap], storage: { enabled: false }, gateway: false, dhtProtocol: FIRST_BYTE_DHT_PROTOCOL, logger: silentLogger })
    const createMs = performance.now() - t0
    const got = await firstChunk(node, cap)
    return { kind, createMs, ...got }
  } catch (err) {
    return { kind, ms: Number.NaN, error: (err as Error).message }
  } finally {
    await node?.stop().catch(() => {})
    await rm(dir, { recursive: true, force: true })
  }
}

async function rawFreshSample (target: Multiaddr): Promise<FirstByteSample> {
  let node: Libp2p | undefined
  try {
    const t0 = performance.now()
    node = await bareNode()
    const createMs = performance.now() - t0
    return { kind: 'raw fresh', createMs, ms: await rawFirstByte(node, target) }
  } catch (err) {
    return { kind: 'raw fresh', ms: Number.NaN, error: (err as Error).message }
  } finally {
    try { await node?.stop() } catch { /* a node that fails to stop does not change the sample */ }
  }
}

function stats (kind: FirstByteKind, samples: FirstByteSample[]): FirstByteStats {
  const all = samples.filter(s => s.kind === kind)
  const ms = all.filter(s => s.error == null).map(s => s.ms)
  return { kind, count: all.length, ok: ms.length, p50: percentile(ms, 50), p95: percentile(ms, 95), min: Math.min(...ms), max: Math.max(...ms) }
}

function breakdownOf (samples: FirstByteSample[]): FirstByteResult['breakdown'] {
  const med = (xs: number[]): number => percentile(xs, 50)
  const of = (kind: 'fresh hinted' | 'fresh plain' | 'warm'): FirstByteResult['breakdown']['warm'] => {
    const ok = samples.filter(s => s.kind === kind && s.error == null)
    const ways: Record<string, number> = {}
    for (const s of ok) ways[s.way ?? '?'] = (ways[s.way ?? '?'] ?? 0) + 1
    return {
      createMs: med(ok.filter(s => s.createMs != null).map(s => s.createMs as number)),
      locateMs: med(ok.filter(s => s.locateMs != null).map(s => s.locateMs as number)),
      downloadMs: med(ok.filter(s => s.locateMs != null).map(s => s.ms - (s.locateMs as number))),
      ways
    }
  }
  return { 'fresh hinted': of('fresh hinted'), 'fresh plain': of('fresh plain'), warm: of('warm') }
}

export async function runFirstByte (quick: boolean, opts: { runs?: number } = {}): Promise<FirstByteResult> {
  const log = progressLog('first-byte')
  const runs = opts.runs ?? (quick ? 5 : 20)
  const files = runs
  log(`starting 6 storage servers in a child process, ${files} files of ${FILE_BYTES} B`)
  const grid = await startFirstByteGrid(files, FILE_BYTES)
  const target = multiaddr(grid.bootstrap)
  const samples: FirstByteSample[] = []
  try {
    log(`grid ready; ${runs} runs of fresh hinted, fresh plain and raw fresh, interleaved`)
    // one throwaway round: the first dial of a process pays for loading code
    await freshSample('fresh plain', grid, grid.caps[0])
    await rawFreshSample(target)
    for (let i = 0; i < runs; i++) {
      samples.push(await freshSample('fresh hinted', grid, `${grid.caps[i % files]}@${grid.clubId}`))
      samples.push(await freshSample('fresh plain', grid, grid.caps[(i + 1) % files]))
      samples.push(await rawFreshSample(target))
      if ((i + 1) % 5 === 0) log(`  ${i + 1} runs: last hinted ${samples.at(-3)?.ms.toFixed(0)} ms, plain ${samples.at(-2)?.ms.toFixed(0)} ms, raw ${samples.at(-1)?.ms.toFixed(0)} ms`)
    }

    log('warm: one node reads a hinted cap of the club, then the other files')
    const dir = await mkdtemp(join(tmpdir(), 'lafs-bench-warm-'))
    const reader = await createNode({ dataDir: dir, listen: LISTEN, bootstrap: [grid.bootstrap], storage: { enabled: false }, gateway: false, dhtProtocol: FIRST_BYTE_DHT_PROTOCOL, logger: silentLogger })
    const bare = await bareNode()
    try {
      await firstChunk(reader, `${grid.caps[0]}@${grid.clubId}`)
      // the roster the first read fetched in the background (or this call, if that has not finished)
      await reader.clubs.show(grid.clubId)
      await rawFirstByte(bare, target)
      for (let i = 0; i < runs; i++) {
        try {
          samples.push({ kind: 'warm', ...await firstChunk(reader, `${grid.caps[(i + 1) % files]}@${grid.clubId}`) })
        } catch (err) {
          samples.push({ kind: 'warm', ms: Number.NaN, error: (err as Error).message })
        }
        samples.push({ kind: 'raw warm', ms: await rawFirstByte(bare, target) })
      }
    } finally {
      await reader.stop().catch(() => {})
      try { await bare.stop() } catch { /* the samples are taken */ }
      await rm(dir, { recursive: true, force: true })
    }
  } finally {
    await grid.stop()
  }
  const kinds: FirstByteKind[] = ['fresh hinted', 'fresh plain', 'warm', 'raw fresh', 'raw warm']
  const result: FirstByteResult = { runs, files, fileBytes: FILE_BYTES, stats: kinds.map(k => stats(k, samples)), breakdown: breakdownOf(samples), samples }
  for (const s of result.stats) log(`  ${s.kind}: ${s.ok}/${s.count} ok, p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms`)
  return result
}

export function firstByteRows (r: FirstByteResult): SummaryRow[] {
  const get = (k: FirstByteKind): FirstByteStats => r.stats.find(s => s.kind === k) as FirstByteStats
  const ms = (s: FirstByteStats): string => `${s.p50.toFixed(0)} / ${s.p95.toFixed(0)}`
  const row = (kind: 'fresh hinted' | 'fresh plain' | 'warm', base: FirstByteStats, what: string): SummaryRow => {
    const s = get(kind)
    const goal = FIRST_BYTE_GOALS[kind]
    const failed = s.count - s.ok
    return {
      section: '9 first byte',
      measure: `${what}: ms p50 / p95 (${s.count} runs)`,
      ours: ms(s),
      baseline: `${base.kind} ${ms(base)}`,
      ratio: `${(s.p50 / base.p50).toFixed(1)}x`,
      goal: `<= ${goal}`,
      result: `p50 ${metText(s.p50 <= goal)}, p95 ${metText(s.p95 <= goal)}${failed > 0 ? `; ${failed} FAILED` : ''}`
    }
  }
  return [
    row('fresh hinted', get('raw fresh'), 'fresh node, hinted cap'),
    row('fresh plain', get('raw fresh'), 'fresh node, plain cap'),
    row('warm', get('raw warm'), 'warm node, cached roster')
  ]
}
