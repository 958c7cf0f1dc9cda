/** What the magic-folder section's parts share: the grid's shape, waiting, CPU arithmetic over /proc samples, folder status, small test files. */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { MagicNode } from '../lib/magic-node.js'
import type { ProcSample } from '../lib/proc-usage.js'
import type { MagicFolderStatus } from '../../src/magic-folder/index.js'
import type { CpuSplit } from './magic-types.js'

export const SERVERS = 5
export const CLIENT = { k: 3, happy: 4, n: 5 }

export const sleep = async (ms: number): Promise<void> => { if (ms > 0) await new Promise(resolve => setTimeout(resolve, ms)) }

export async function waitFor<T> (what: string, ms: number, probe: () => Promise<T | undefined>, everyMs = 200): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${(ms / 1000).toFixed(0)} s waiting for ${what}`)
    await sleep(everyMs)
  }
}

export const cpuBetween = (a: ProcSample, b: ProcSample): number => b.cpuMs - a.cpuMs

export function split (samples: ProcSample[], busy: (from: number, to: number) => boolean): { between: CpuSplit, during: CpuSplit, total: CpuSplit } {
  const acc = { between: { ms: 0, cpu: 0 }, during: { ms: 0, cpu: 0 } }
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]
    const b = samples[i]
    const part = busy(a.at, b.at) ? acc.during : acc.between
    part.ms += b.at - a.at
    part.cpu += cpuBetween(a, b)
  }
  const of = (p: { ms: number, cpu: number }): CpuSplit => ({ seconds: p.ms / 1000, cpuMs: p.cpu, percent: p.ms > 0 ? 100 * p.cpu / p.ms : Number.NaN })
  return { between: of(acc.between), during: of(acc.during), total: of({ ms: acc.between.ms + acc.during.ms, cpu: acc.between.cpu + acc.during.cpu }) }
}

export async function statusOf (node: MagicNode, name: string): Promise<MagicFolderStatus> {
  return await node.call<MagicFolderStatus>('status', name)
}

/** `count` small files (≤ 55 bytes: LIT content caps) in subfolders of 100. */
export async function makeFiles (dir: string, count: number, tag: string): Promise<string[]> {
  const paths: string[] = []
  for (let i = 0; i < count; i++) {
    const sub = `d${String(Math.floor(i / 100)).padStart(3, '0')}`
    if (i % 100 === 0) await mkdir(join(dir, sub), { recursive: true })
    const rel = `${sub}/f${String(i).padStart(5, '0')}.txt`
    await writeFile(join(dir, rel), `${tag} file ${i}\n`)
    paths.push(rel)
  }
  return paths
}
