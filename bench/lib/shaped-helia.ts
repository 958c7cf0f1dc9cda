/**
 * The Helia side of the shaped-link download: a stock Helia 7 provider in
 * each server's namespace (helia-provider.ts, started there with `ip netns
 * exec`, all adding the same seeded bytes, so all hold the same CID) and a
 * Helia reader in the reader's namespace (helia-reader.ts, in a process of
 * its own), connected to all ten before the clock starts, reading with
 * unixfs `cat` (bitswap asks every connected provider).
 */
import { serveAsChild, startBenchChild, type BenchChild } from './bench-child.js'
import { startHeliaProvider, type HeliaProvider } from './helia-provider.js'
import { startHeliaReader } from './helia-reader.js'
import { launchIn, type ShapedHost } from './shaped-lab.js'
import { answerCalls, callChild, withDeadline } from './shaped-rpc.js'

const PROVIDER_PORT = 4101
const READER_PORT = 4102
/** Ten providers each adding the file on two busy cores take a while; one that has not by then is given up. */
const START_DEADLINE_MS = 120_000

export interface HeliaCatArg { providers: string[], cid: string, size: number, sha256: string, timeoutMs: number }

/** Child side (shaped-child.ts helia-reader): one fresh reader per cat, as helia-reader.ts explains. */
export async function serveHeliaReader (ip: string): Promise<void> {
  await serveAsChild<{ pid: number }>(async () => {
    answerCalls({
      cat: async (a: HeliaCatArg): Promise<{ ms: number, connectMs: number }> => {
        const c0 = performance.now()
        const reader = await startHeliaReader(a.providers, `/ip4/${ip}/tcp/${READER_PORT}`)
        const connectMs = performance.now() - c0
        try {
          const t0 = performance.now()
          const check = await reader.cat(a.cid, a.size, a.sha256, a.timeoutMs, true)
          const ms = performance.now() - t0
          check()
          return { ms, connectMs }
        } finally {
          await reader.stop()
        }
      }
    })
    return { pid: process.pid }
  }, async () => {})
}

export interface HeliaSide {
  providers: HeliaProvider[]
  reader: BenchChild<{ pid: number }>
  cat: (size: number, sha256: string, timeoutMs: number) => Promise<{ ms: number, connectMs: number }>
  stop: () => Promise<void>
}

/** Parent side: providers in every server namespace, the reader in the reader's; stops what started if one fails. */
export async function startHeliaSide (servers: ShapedHost[], reader: ShapedHost, seed: Uint8Array, size: number): Promise<HeliaSide> {
  const started: Array<{ stop: () => Promise<void> }> = []
  const stop = async (): Promise<void> => { await Promise.allSettled(started.map(async s => { await s.stop() })) }
  try {
    const settled = await Promise.allSettled(servers.map(async s => {
      const p = await withDeadline(startHeliaProvider(seed, size, { launch: launchIn(s), listen: `/ip4/${s.ip}/tcp/${PROVIDER_PORT}` }), START_DEADLINE_MS, `Helia provider in ${s.name}`)
      started.push(p)
      return p
    }))
    const failed = settled.find(r => r.status === 'rejected')
    if (failed !== undefined) throw failed.reason
    const providers = settled.map(r => (r as PromiseFulfilledResult<HeliaProvider>).value)
    const cids = new Set(providers.map(p => p.cid))
    if (cids.size !== 1) throw new Error(`the Helia providers added different CIDs: ${[...cids].join(', ')}`)
    const child = await withDeadline(startBenchChild<{ pid: number }>(import.meta.url, 'shaped-child', ['helia-reader', reader.ip], 'Helia reader', [], launchIn(reader)), START_DEADLINE_MS, 'Helia reader')
    started.push(child)
    return {
      providers,
      reader: child,
      cat: async (sz, sha256, timeoutMs) => await callChild(child.process, 'Helia reader', 'cat',
        { providers: providers.map(p => p.addr), cid: providers[0].cid, size: sz, sha256, timeoutMs } satisfies HeliaCatArg, timeoutMs + 30_000),
      stop
    }
  } catch (err) {
    await stop()
    throw err
  }
}
