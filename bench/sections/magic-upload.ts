/** Section 7, upload part: the engine's initial upload of many small files into a new folder, timed. */
import { join } from 'node:path'
import { startMagicNode } from '../lib/magic-node.js'
import { procSample } from '../lib/proc-usage.js'
import type { ChildGrid } from '../lib/transfer-grid.js'
import { CLIENT, cpuBetween, makeFiles, statusOf, waitFor } from './magic-common.js'
import type { UploadResult } from './magic-types.js'

export async function initialUpload (grid: ChildGrid, servers: string[], root: string, files: number, log: (l: string) => void): Promise<UploadResult> {
  const node = await startMagicNode(join(root, 'node-upload'), CLIENT)
  try {
    const dir = join(root, 'upload')
    await makeFiles(dir, files, 'upload')
    log(`upload: ${files} small files into a new folder (settle 0)`)
    const c0 = procSample(node.pid)
    const g0 = (await grid.usage()).cpuMs
    const t0 = Date.now()
    await node.call('create', 'upload', dir, { servers, settleMs: 0 })
    await waitFor('the initial upload', files * 2000 + 60_000, async () => {
      const st = await statusOf(node, 'upload')
      return st.uploads >= files && st.queuedUploads === 0 ? true : undefined
    }, 250)
    const seconds = (Date.now() - t0) / 1000
    const c1 = procSample(node.pid)
    const r: UploadResult = {
      files,
      seconds,
      msPerFile: seconds * 1000 / files,
      projected30kMinutes: seconds / files * 30_000 / 60,
      nodeCpuMs: cpuBetween(c0, c1),
      gridCpuMs: (await grid.usage()).cpuMs - g0
    }
    log(`upload: ${files} files in ${seconds.toFixed(1)} s (${r.msPerFile.toFixed(0)} ms a file; CPU node ${(r.nodeCpuMs / files).toFixed(0)} ms, servers ${(r.gridCpuMs / files).toFixed(0)} ms a file): 30,000 would take ≥ ${r.projected30kMinutes.toFixed(0)} min`)
    return r
  } finally {
    await node.stop()
  }
}
