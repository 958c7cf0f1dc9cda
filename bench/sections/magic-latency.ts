/** Section 7, latency part: a file written on A at a chosen phase of B's poll cycle, timed until it stands complete on B and split into settle, transfer and wait. */
import { randomBytes } from 'node:crypto'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { median } from '../lib/measure.js'
import { startMagicNode, type ActivityWindow, type MagicNode } from '../lib/magic-node.js'
import { procSample } from '../lib/proc-usage.js'
import type { ChildGrid } from '../lib/transfer-grid.js'
import { CLIENT, cpuBetween, sleep, statusOf, waitFor } from './magic-common.js'
import type { LatencyResult, LatencySample, MagicOptions } from './magic-types.js'

export async function latency (grid: ChildGrid, servers: string[], root: string, opts: Required<Pick<MagicOptions, 'poll' | 'samples' | 'fileBytes'>>, log: (l: string) => void): Promise<LatencyResult> {
  const interval = opts.poll * 1000
  const t0 = Date.now()
  const a = await startMagicNode(join(root, 'node-a'), CLIENT)
  const b = await startMagicNode(join(root, 'node-b'), CLIENT)
  try {
    const cpu0 = { a: procSample(a.pid), b: procSample(b.pid) }
    const dirA = join(root, 'a-latency')
    const dirB = join(root, 'b-latency')
    // A keeps the default poll: only B's cycle matters here.
    await a.call('create', 'latency', dirA, { servers, participant: 'a' })
    const { code } = await a.call<{ code: string }>('invite', 'latency', 'b')
    await b.call('join', code, 'latency', dirB, { pollSeconds: opts.poll })
    const settleSettingMs = (await statusOf(a, 'latency')).settleMs
    log(`latency: A and B share a folder; B polls every ${opts.poll} s; ${opts.samples} files of ${opts.fileBytes} bytes`)
    await waitFor("B's first poll", 120_000, async () => (await statusOf(b, 'latency')).lastPoll)
    const samples: LatencySample[] = []
    for (let i = 0; i < opts.samples; i++) {
      // Phases spread evenly over the cycle, random within each slice: a few samples still cover it.
      const phase = (i + Math.random()) / opts.samples
      const st = await statusOf(b, 'latency')
      let at = (st.lastPoll ?? Date.now()) + phase * interval
      while (at < Date.now() + 500) at += interval
      await sleep(at - Date.now())
      await a.call('activity')
      await b.call('activity')
      const name = `sample-${i}.bin`
      const data = randomBytes(opts.fileBytes)
      await writeFile(join(dirA, name), data)
      const written = Date.now()
      const arrived = await waitFor(`${name} on B`, 3 * interval + 120_000, async () => {
        const s = await stat(join(dirB, name)).catch(() => undefined)
        return s !== undefined && s.size === data.length ? Date.now() : undefined
      }, 20)
      const got = await readFile(join(dirB, name))
      if (!got.equals(data)) throw new Error(`${name} arrived on B with other bytes`)
      // B's poll is recorded when it ends, after the file is in place (it then links its acknowledgement).
      const seen = { a: [] as ActivityWindow[], b: [] as ActivityWindow[] }
      const windowOf = async (node: MagicNode, into: ActivityWindow[], kind: 'scan' | 'poll'): Promise<ActivityWindow | undefined> => {
        into.push(...await node.call<ActivityWindow[]>('activity'))
        return into.find(w => w.kind === kind && (kind === 'scan' ? w.uploads : w.downloads) > 0)
      }
      const what = 'the scan and poll windows of the transfer (is MagicFolder.scanOnce/pollOnce still there to instrument?)'
      const upScan = await waitFor(what, 60_000, async () => await windowOf(a, seen.a, 'scan'), 50)
      const downPoll = await waitFor(what, 60_000, async () => await windowOf(b, seen.b, 'poll'), 50)
      const s: LatencySample = {
        phase,
        totalMs: arrived - written,
        settleMs: upScan.start - written,
        uploadMs: upScan.end - upScan.start,
        downloadMs: arrived - downPoll.start,
        waitMs: downPoll.start - upScan.end
      }
      samples.push(s)
      log(`sample ${i + 1}/${opts.samples} at phase ${phase.toFixed(2)}: ${(s.totalMs / 1000).toFixed(2)} s = settle ${(s.settleMs / 1000).toFixed(2)} + upload ${(s.uploadMs / 1000).toFixed(2)} + wait ${(s.waitMs / 1000).toFixed(2)} + download ${(s.downloadMs / 1000).toFixed(2)} s; rest/interval ${(s.waitMs / interval).toFixed(2)}`)
    }
    const cpu1 = { a: procSample(a.pid), b: procSample(b.pid) }
    const rest = samples.map(s => (s.totalMs - s.settleMs - s.uploadMs - s.downloadMs) / interval)
    const total = samples.map(s => s.totalMs / interval)
    return {
      pollSeconds: opts.poll,
      fileBytes: opts.fileBytes,
      settleSettingMs,
      samples,
      restRatioMedian: median(rest),
      restRatioMax: Math.max(...rest),
      totalRatioMedian: median(total),
      totalRatioMax: Math.max(...total),
      settleMedianMs: median(samples.map(s => s.settleMs)),
      transferMedianMs: median(samples.map(s => s.uploadMs + s.downloadMs)),
      cpuMs: { a: cpuBetween(cpu0.a, cpu1.a), b: cpuBetween(cpu0.b, cpu1.b) },
      seconds: (Date.now() - t0) / 1000
    }
  } finally {
    await a.stop()
    await b.stop()
  }
}
