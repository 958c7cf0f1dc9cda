/** Section 7, idle part: one node with 3 large folders seeded without the grid, its CPU between polls and during scans and polls. */
import { createHash } from 'node:crypto'
import { lstat, mkdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { FolderState } from '../../src/magic-folder/state.js'
import { median } from '../lib/measure.js'
import { startMagicNode, type ActivityWindow } from '../lib/magic-node.js'
import { ProcSampler, threadCpuMs } from '../lib/proc-usage.js'
import { mib } from '../lib/transfer-rss.js'
import { CLIENT, makeFiles, sleep, split, statusOf, waitFor } from './magic-common.js'
import type { IdleResult } from './magic-types.js'

const FOLDERS = 3

export async function idle (servers: string[], root: string, opts: { minutes: number, filesPerFolder: number, profileDir?: string }, log: (l: string) => void): Promise<IdleResult> {
  const dataDir = join(root, 'node-idle')
  const names = Array.from({ length: FOLDERS }, (_, i) => `idle-${i + 1}`)
  const dirs = names.map(n => join(root, n))
  let node = await startMagicNode(dataDir, CLIENT)
  let bare: IdleResult['bare']
  try {
    // The node alone first: what the folders add is measured against it, once its start-up work is over.
    await sleep(10_000)
    const s = new ProcSampler(node.pid)
    await sleep(20_000)
    const bs = s.stop()
    const last = bs[bs.length - 1]
    bare = { ...split(bs, () => false).total, rssMiB: mib(last.rssBytes), fds: last.fds }
    log(`idle: the node without folders: ${bare.percent.toFixed(2)}% of a core over ${bare.seconds.toFixed(0)} s, RSS ${bare.rssMiB.toFixed(0)} MiB, ${bare.fds} fds`)
    for (let i = 0; i < FOLDERS; i++) {
      await mkdir(dirs[i], { recursive: true })
      await writeFile(join(dirs[i], 'seed.txt'), `seed of ${names[i]}\n`)
      await node.call('create', names[i], dirs[i], { servers, settleMs: 0 })
    }
    await waitFor('the seed files uploaded', 120_000, async () => {
      const st = await Promise.all(names.map(async n => await statusOf(node, n)))
      return st.every(x => x.uploads >= 1 && x.queuedUploads === 0) ? true : undefined
    })
  } finally {
    await node.stop()
  }
  let t = Date.now()
  const made: string[][] = []
  for (let i = 0; i < FOLDERS; i++) made.push(await makeFiles(dirs[i], opts.filesPerFolder - 1, names[i]))
  const makeFilesSeconds = (Date.now() - t) / 1000
  t = Date.now()
  for (let i = 0; i < FOLDERS; i++) {
    // The manager's state file name for a folder (src/magic-folder/manager.ts).
    const file = join(dataDir, 'private', 'magic-folders', `${createHash('sha256').update(names[i]).digest('hex').slice(0, 16)}.sqlite`)
    await stat(file)
    const state = new FolderState(file)
    try {
      const seed = state.file('seed.txt')
      if (seed === undefined || !seed.linked) throw new Error(`${names[i]}: the seed file is not recorded and linked`)
      for (const rel of made[i]) {
        const st = await lstat(join(dirs[i], rel))
        state.setFile({ relpath: rel, snapshotCap: seed.snapshotCap, deleted: false, size: st.size, mtimeMs: st.mtimeMs, linked: true })
      }
    } finally {
      state.close()
    }
  }
  const seedSeconds = (Date.now() - t) / 1000
  log(`idle: ${FOLDERS} × ${opts.filesPerFolder} files written in ${makeFilesSeconds.toFixed(1)} s, entered in the folders' state in ${seedSeconds.toFixed(1)} s; restarting the node`)

  const profile = opts.profileDir !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : []
  if (opts.profileDir !== undefined) log(`idle: the node runs under the V8 profiler (into ${opts.profileDir}): its CPU figures include the profiler's own cost`)
  node = await startMagicNode(dataDir, CLIENT, profile)
  try {
    // The start's first scans (every file compared with the state) are reported apart from the idle time.
    const first = await waitFor('the first scans after the restart', 600_000, async () => {
      const st = await Promise.all(names.map(async n => await statusOf(node, n)))
      return st.every(x => x.lastScan !== undefined && x.lastPoll !== undefined) ? st : undefined
    }, 250)
    const uploadsAfter = first.reduce((n, x) => n + x.uploads, 0)
    const firstWindows = await node.call<ActivityWindow[]>('activity')
    const firstScanMs = firstWindows.filter(w => w.kind === 'scan').map(w => w.end - w.start)
    if (uploadsAfter !== FOLDERS || first.some(x => x.queuedUploads !== 0)) throw new Error(`after the restart the folders upload again (${uploadsAfter} uploads): the seeded state does not match the files`)
    log(`idle: first scans after the restart ${firstScanMs.map(ms => ms.toFixed(0)).join(', ')} ms; watching for ${opts.minutes} min`)
    const sampler = new ProcSampler(node.pid)
    const threads0 = threadCpuMs(node.pid)
    await sleep(opts.minutes * 60_000)
    const samples = sampler.stop()
    const threads1 = threadCpuMs(node.pid)
    const threads = Object.fromEntries(Object.entries(threads1).map(([k, v]) => [k, v - (threads0[k] ?? 0)]).filter(([, v]) => (v as number) > 0))
    const windows = await node.call<ActivityWindow[]>('activity')
    const busyWindows = windows.map(w => ({ from: w.start - 100, to: w.end + 300 }))
    const parts = split(samples, (from, to) => busyWindows.some(w => w.from < to && w.to > from))
    const scans = windows.filter(w => w.kind === 'scan')
    const polls = windows.filter(w => w.kind === 'poll')
    const st = await statusOf(node, names[0])
    const rss = samples.map(x => mib(x.rssBytes))
    const fds = samples.map(x => x.fds)
    const r: IdleResult = {
      folders: FOLDERS,
      filesPerFolder: opts.filesPerFolder,
      makeFilesSeconds,
      seedSeconds,
      pollSeconds: st.pollSeconds,
      scanSeconds: st.scanSeconds,
      bare,
      firstScanMs,
      minutes: opts.minutes,
      total: parts.total,
      betweenPolls: parts.between,
      duringPolls: parts.during,
      scans: scans.length,
      polls: polls.length,
      scanMsMedian: scans.length > 0 ? median(scans.map(w => w.end - w.start)) : Number.NaN,
      pollMsMedian: polls.length > 0 ? median(polls.map(w => w.end - w.start)) : Number.NaN,
      cpuMsPerScan: scans.length > 0 ? parts.during.cpuMs / scans.length : Number.NaN,
      rssMiB: { median: median(rss), max: Math.max(...rss) },
      fds: { median: median(fds), max: Math.max(...fds) },
      instrumented: windows.length > 0,
      threadsCpuMs: threads,
      cpuPerSecond: samples.slice(1).map((x, j) => Math.round(x.cpuMs - samples[j].cpuMs)),
      profile: opts.profileDir
    }
    log(`idle: ${r.scans} scans (median ${r.scanMsMedian.toFixed(0)} ms), ${r.polls} polls (median ${r.pollMsMedian.toFixed(0)} ms); CPU between polls ${r.betweenPolls.percent.toFixed(2)}% of a core over ${r.betweenPolls.seconds.toFixed(0)} s, ` +
      `during ${r.duringPolls.percent.toFixed(1)}% over ${r.duringPolls.seconds.toFixed(0)} s, overall ${r.total.percent.toFixed(2)}%; ~${r.cpuMsPerScan.toFixed(0)} CPU ms a scan; RSS median ${r.rssMiB.median.toFixed(0)} MiB (max ${r.rssMiB.max.toFixed(0)}), fds ${r.fds.median}`)
    log(`idle: CPU ms by thread: ${Object.entries(threads).map(([k, v]) => `${k} ${(v as number).toFixed(0)}`).join(', ')}`)
    log(`idle: CPU ms each second: ${r.cpuPerSecond.join(' ')}`)
    return r
  } finally {
    await node.stop()
  }
}
