/**
 * Section 7: magic folders (issue 15), every node in its own process: five
 * storage servers in one child (transfer-grid.ts), and each magic-folder
 * node a LafsNode child driven through `node.magicFolders` (magic-node.ts),
 * its CPU, RSS and descriptors read from /proc.
 *
 *   latency    nodes A and B share a folder, B polls every `poll` s (60). A
 *              file is written on A at a chosen phase of B's poll cycle
 *              (phases spread evenly over the cycle, random within their
 *              slice) and timed until it stands complete on B. Split, from
 *              the nodes' scan and poll windows: A's settle (write → the scan
 *              that uploads it), the transfer (that scan: upload and link on
 *              A; B's poll start → the file in place), and the rest, the wait
 *              for B's next poll. Goal: rest / interval < 1.5; the baseline
 *              is the interval itself.
 *   upload     the engine's initial upload of `uploadFiles` small files into
 *              a new folder, timed, and projected to 3 × 10,000 files.
 *   idle       one node with 3 folders of 10,000 small files each (in 100
 *              subfolders), default intervals (poll and scan 60 s). The
 *              engine uploads ~5 files a second here (see `upload`), so the
 *              30,000 snapshots are not made through the grid: each folder
 *              is created through the door with one file (a real snapshot),
 *              the node is stopped, the other 9,999 files are written and
 *              entered in the folder's state (src/magic-folder/state.ts,
 *              size and mtime as on disk, pointing at that one snapshot),
 *              and the node restarted. To the idle node the folders are then
 *              exactly as after a finished upload (its own personal directory
 *              is never read by itself). Its CPU is sampled each second and
 *              split into samples touching a scan or poll window and the
 *              others (between polls); goal: under 1% of a core between polls.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { progressLog } from '../lib/summary-row.js'
import { startChildGrid, type ChildGrid } from '../lib/transfer-grid.js'
import { CLIENT, SERVERS } from './magic-common.js'
import { idle } from './magic-idle.js'
import { latency } from './magic-latency.js'
import { initialUpload } from './magic-upload.js'
import type { MagicOptions, MagicResult } from './magic-types.js'

export { magicRows } from './magic-rows.js'
export type { CpuSplit, IdleResult, LatencyResult, LatencySample, MagicOptions, MagicResult, UploadResult } from './magic-types.js'

export async function runMagic (quick: boolean, opts: MagicOptions = {}): Promise<MagicResult> {
  const log = progressLog('magic')
  const skip = new Set(opts.skip ?? [])
  const root = await mkdtemp(join(tmpdir(), 'lafs-bench-magic-'))
  let grid: ChildGrid | undefined
  try {
    log(`starting ${SERVERS} storage servers (one child process); every magic-folder node is its own process`)
    grid = await startChildGrid(SERVERS)
    const servers = grid.servers.map(s => s.multiaddrs[0])
    const result: MagicResult = { servers: SERVERS, code: `${CLIENT.k}-of-${CLIENT.n}, happy ${CLIENT.happy}` }
    if (!skip.has('latency')) {
      result.latency = await latency(grid, servers, root, { poll: opts.poll ?? (quick ? 10 : 60), samples: opts.samples ?? (quick ? 2 : 5), fileBytes: opts.fileBytes ?? 2 ** 20 }, log)
    }
    if (!skip.has('upload')) result.upload = await initialUpload(grid, servers, root, opts.uploadFiles ?? (quick ? 100 : 300), log)
    if (!skip.has('idle')) {
      result.idle = await idle(servers, root, { minutes: opts.idle ?? (quick ? 1 : 3), filesPerFolder: opts.filesPerFolder ?? (quick ? 2000 : 10_000), profileDir: opts.profileDir }, log)
    }
    return result
  } finally {
    await grid?.stop()
    await rm(root, { recursive: true, force: true })
  }
}
