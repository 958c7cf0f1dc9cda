/**
 * What an idle poll costs with 3 participants: grid operations and the TCP
 * bytes on the polling node's connections (read with `ss`), with the cheap
 * version check and without it (the grid without `version`, as before).
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gridOver } from '../../src/node/magic-folders-api.js'
import { MagicFolders, type MagicGrid } from '../../src/magic-folder/index.js'
import { contentsIs, MagicGridFixture, waitFor } from './helpers.js'
import type { LafsNode } from '../../src/node/index.js'

const FAST = { pollSeconds: 0.5, scanSeconds: 60, settleMs: 100 }
/** Ten polls: exactly one of them is the every-10th poll that reads everything regardless, so the average is what a poll costs over time. */
const POLLS = 10
/** Files per other participant: enough that a personal directory is larger than a servermap update's 4000-byte reads. */
const FILES = Number(process.env.MF_POLL_FILES ?? 40)

interface Counts { list: number, version: number }

/** The real grid, its calls counted (nothing else changed). */
function counted (grid: MagicGrid, counts: Counts, withVersion: boolean): MagicGrid {
  const { version, ...rest } = grid
  return {
    ...rest,
    list: async (cap, signal) => { counts.list++; return await grid.list(cap, signal) },
    ...(withVersion && version !== undefined ? { version: async (cap: string, signal?: AbortSignal) => { counts.version++; return await version(cap, signal) } } : {})
  }
}

/** Bytes sent + received on the TCP sockets whose local port is one of `ports`. */
async function tcpBytes (ports: number[]): Promise<number> {
  const filter = ports.map(p => `sport = :${p}`).join(' or ')
  const { stdout } = await promisify(execFile)('ss', ['-tinH', `( ${filter} )`])
  let total = 0
  for (const m of stdout.matchAll(/bytes_(?:sent|received):(\d+)/g)) total += Number(m[1])
  return total
}

/** The local ports of `node`'s connections, as the servers see them. */
function portsOf (node: LafsNode, servers: LafsNode[]): number[] {
  const id = node.libp2p.peerId.toString()
  const ports = new Set<number>()
  for (const s of servers) {
    for (const c of s.libp2p.getConnections()) {
      if (c.remotePeer.toString() !== id) continue
      const m = /\/tcp\/(\d+)/.exec(c.remoteAddr.toString())
      if (m !== null) ports.add(Number(m[1]))
    }
  }
  return [...ports]
}

describe('magic folders: the cost of an idle poll', function () {
  this.timeout(180_000)
  const grid = new MagicGridFixture()
  let nodes: LafsNode[]
  const results: Record<string, { list: number, version: number, bytes: number, backgroundBytes?: number }> = {}

  before(async () => {
    await grid.start(4)
    nodes = [(await grid.client()).node, (await grid.client()).node, (await grid.client()).node]
  })
  after(async () => {
    await grid.stop()
    console.log(`      idle poll, 3 participants, ${FILES} files each (per poll):`, JSON.stringify(results))
  })

  for (const withVersion of [false, true]) {
    it(`${withVersion ? 'with' : 'without'} the version check`, async () => {
      const [a, b, c] = nodes
      const counts: Counts = { list: 0, version: 0 }
      const name = withVersion ? 'cheap' : 'full'
      const folders = await MagicFolders.open({
        dir: await grid.dir('lafs-mf-state-'),
        gridFor: where => counted(gridOver(a.files, a.dirs, where), counts, withVersion),
        defaultParticipant: 'alice',
        log: () => {}
      })
      try {
        const pa = await grid.dir('lafs-mf-a-')
        await folders.create(name, pa, { ...FAST, servers: grid.servers })
        for (const [node, who] of [[b, 'bob'], [c, 'carol']] as const) {
          const { code } = await folders.invite(name, who)
          const p = await grid.dir(`lafs-mf-${who}-`)
          await node.magicFolders.join(code, name, p, { ...FAST, scanSeconds: 0.5 })
          for (let i = 0; i < FILES; i++) await writeFile(join(p, `${who}-${i}.txt`), `${who} wrote file ${i}, long enough not to be a literal cap`)
          await waitFor(`${who}'s files on alice`, 60_000, async () => await contentsIs(join(pa, `${who}-${FILES - 1}.txt`), `${who} wrote file ${FILES - 1}, long enough not to be a literal cap`))
          // Bob and carol stop: only alice's polls touch the grid from here on.
          await node.magicFolders.remove(name)
        }
        // Downloads go four at a time: the last-numbered file is not the last to arrive. Every one must be in before measuring.
        await waitFor('every download on alice', 60_000, () => folders.status(name).downloads === 2 * FILES ? true : undefined)
        const pollsDone = async (after: number, n: number): Promise<number> => await waitFor(`${n} polls`, 30_000, () => {
          const last = folders.status(name).lastPoll ?? 0
          return last > after ? last : undefined
        })
        // Two polls to settle (acknowledgements linked), then the measured ones.
        let last = await pollsDone(0, 1)
        last = await pollsDone(last, 1)
        const ports = portsOf(a, grid.nodes.slice(0, 4))
        const before = { ...counts, bytes: await tcpBytes(ports), at: Date.now() }
        for (let i = 0; i < POLLS; i++) last = await pollsDone(last, 1)
        const bytes = await tcpBytes(portsOf(a, grid.nodes.slice(0, 4)))
        const window = Date.now() - before.at
        results[name] = { list: (counts.list - before.list) / POLLS, version: (counts.version - before.version) / POLLS, bytes: Math.round((bytes - before.bytes) / POLLS) }
        if (withVersion) {
          // What the same connections carry with no folder running (libp2p's own traffic), over as long a time.
          await folders.stop()
          const quiet = await tcpBytes(portsOf(a, grid.nodes.slice(0, 4)))
          await new Promise(resolve => setTimeout(resolve, window))
          results[name].backgroundBytes = Math.round((await tcpBytes(portsOf(a, grid.nodes.slice(0, 4))) - quiet) / POLLS)
        }
        if (withVersion) {
          // The window's edges may catch a poll in flight: one full poll in ten, plus at most one more.
          assert.ok(counts.list - before.list <= 6, `an idle poll lists nothing when the versions are unchanged, but for one full poll in ten (${counts.list - before.list} lists)`)
          assert.ok(counts.version - before.version >= 3 * (POLLS - 1), 'each poll checks the collective and both personal directories')
        } else {
          assert.ok(counts.list - before.list >= 3 * (POLLS - 1), 'each poll lists the collective and both personal directories')
        }
      } finally {
        await folders.stop()
      }
    })
  }
})
