/**
 * Self-repair, when the build has it: `lafs-club keep <cap>` (issue #16 part
 * 1) makes a node renew and repair a file. The runner looks for the command
 * in `lafs-club --help`; with it, every stored file is also handed to a second
 * writer to keep, and the time from a file's fall below `happy` to its return
 * through new shares is the repair time. Without it the report says
 * "repair: not available" and the spells below happy are still counted.
 */
import { requireDaemon } from '../../src/cli/daemon-client.js'
import { cli, run } from '../grid/lib.js'
import type { StoredFile } from './load.js'
import type { FileHealth } from './shares.js'
import type { ScaleNode } from './topology.js'

export async function repairAvailable (): Promise<boolean> {
  const r = await run(['--help'], 60_000)
  return r.code === 0 && /^\s+keep\b/m.test(r.stdout)
}

export interface Keeper {
  /** Files handed to `keep` and the failures of that command. */
  kept: number
  errors: string[]
  keep: (f: StoredFile) => Promise<void>
}

/**
 * `lafs-club keep <cap>` sends `POST /api/keep` to its daemon; the runner
 * sends the same request through the same client (src/cli/daemon-client.ts). A CLI process per stored file cost a Node.js
 * start-up each (1–2 CPU-seconds) on a machine the hundred nodes already
 * saturate, and under that load every one missed its 60 s deadline, so the
 * CLI is used for the first file of each run only.
 */
async function keepByApi (n: ScaleNode, cap: string): Promise<void> {
  await (await requireDaemon(n.dir)).json('POST', '/api/keep', { caps: [cap] })
}

/** Hands each file to a writer other than its uploader (the uploader keeps its own leases anyway); the first through the CLI. */
export function keeper (writers: ScaleNode[]): Keeper {
  let cliUsed = false
  const k: Keeper = {
    kept: 0,
    errors: [],
    keep: async f => {
      const other = writers.find(w => w.name !== f.writer) ?? writers[0]
      try {
        if (!cliUsed) {
          cliUsed = true
          await cli(other.dir, ['keep', f.hintedCap], 120_000)
        } else {
          await keepByApi(other, f.hintedCap)
        }
        k.kept++
      } catch (err: any) {
        if (k.errors.length < 20) k.errors.push(String(err?.message ?? err).slice(0, 300))
      }
    }
  }
  return k
}

export interface RepairSummary {
  available: boolean
  /** Files that were below happy at some point, and those still below at the end. */
  filesBelowHappy: number
  stillBelowAtEnd: number
  spells: number
  /** Spells ended by shares no server had held before (a repair), with their durations. */
  repaired: number
  repairMs: number[]
  /** Spells ended only because killed servers came back. */
  endedByRestart: number
  keepCalls?: number
  keepErrors?: string[]
}

export function summarise (files: FileHealth[], available: boolean, k?: Keeper): RepairSummary {
  const spells = files.flatMap(f => f.spells)
  const repaired = spells.filter(s => s.restored === 'new-shares' && s.to !== undefined)
  return {
    available,
    filesBelowHappy: files.filter(f => f.spells.length > 0).length,
    stillBelowAtEnd: files.filter(f => f.belowSince !== undefined).length,
    spells: spells.length,
    repaired: repaired.length,
    repairMs: repaired.map(s => (s.to as number) - s.from),
    endedByRestart: spells.filter(s => s.restored === 'restart').length,
    ...(k !== undefined ? { keepCalls: k.kept, keepErrors: k.errors } : {})
  }
}
