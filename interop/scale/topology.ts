/**
 * Who is who in the scale grid, and how each node is lightened to fit a
 * hundred of them on two cores: one owner (the bootstrap peer, owner of the
 * three clubs, no storage), storage servers split round-robin into three
 * clubs, writers that joined every club, and readers that know only the
 * bootstrap address. Every node is a `lafs-club start` process from
 * interop/grid/lib.ts, on a fixed port so a restarted server keeps its address.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { initDataDir } from '../../src/index.js'
import { fail, freePort, startDaemon, type Daemon } from '../grid/lib.js'
import type { ScaleOptions } from './options.js'

export const DHT = '/lafs-club-scale/kad/1.0.0'
export const CLUBS = 3

export type Role = 'owner' | 'server' | 'writer' | 'reader'

export interface ScaleNode {
  name: string
  role: Role
  dir: string
  port: number
  /** Index of its club (servers only). */
  club: number
  daemon?: Daemon
  /** Killed for good: never started again, its shares never counted. */
  retired: boolean
  /** Times it was started (a restart after a kill adds one). */
  starts: number
  /** Writers: indexes of the clubs it joined (a join that never resolved leaves its club out). */
  joined: number[]
  /** ms since the epoch of its last SIGKILL: a server killed and restarted during an operation was not there throughout it. */
  lastKilledAt?: number
}

export interface Plan {
  owner: ScaleNode
  servers: ScaleNode[]
  writers: ScaleNode[]
  readers: ScaleNode[]
  all: ScaleNode[]
}

/** Roles by node count: about 8% writers, 12% readers, the rest storage servers (79 of 100, 24 of 30). */
export async function plan (base: string, o: ScaleOptions): Promise<Plan> {
  const writers = Math.max(2, Math.round(o.nodes * 0.08))
  const readers = Math.max(3, Math.round(o.nodes * 0.12))
  const servers = o.nodes - 1 - writers - readers
  if (servers < CLUBS * o.happy) fail(`${servers} servers cannot give ${CLUBS} clubs ${o.happy} servers each (happy): give more --nodes`)
  const make = async (name: string, role: Role, club = -1): Promise<ScaleNode> =>
    ({ name, role, dir: join(base, name), port: await listenPort(), club, retired: false, starts: 0, joined: [] })
  const owner = await make('owner', 'owner')
  const list = async (n: number, prefix: string, role: Role): Promise<ScaleNode[]> => {
    const out: ScaleNode[] = []
    for (let i = 0; i < n; i++) out.push(await make(`${prefix}${i}`, role, role === 'server' ? i % CLUBS : -1))
    return out
  }
  const p = { owner, servers: await list(servers, 'server', 'server'), writers: await list(writers, 'writer', 'writer'), readers: await list(readers, 'reader', 'reader') }
  return { ...p, all: [owner, ...p.servers, ...p.writers, ...p.readers] }
}

/**
 * What one of a writer's compressed repair passes may do. The run repeats a
 * pass every 30 s instead of every 6 h; with the per-pass defaults (1000
 * checks, 64 MiB of verify) each writer would download nearly every share of
 * every file it keeps again every 30 s, hundreds of times the verifying the
 * defaults do per hour, and that, not the load, would be what the run
 * measured. A writer keeps about 16 files in a 10-minute run (its uploads and
 * those handed to it with `keep`), so each is still checked every pass.
 */
const REPAIR_PASS = { maxChecksPerPass: 16, verifyBytesPerPass: 2 ** 20 }

/** What each node gives up, printed with the report and saved in the JSON. */
export const LIGHTENED: readonly string[] = [
  'NAT: UPnP and AutoNAT off (loopback has no router to map and nobody to ask)',
  'relays: no relay server and no relay client (every node dials every other on 127.0.0.1)',
  'DHT: writers and readers run kad-dht in client mode (they query, they answer no one), servers and the owner in server mode, LAN only',
  'connections: at most 64 per server and the owner, 96 per writer or reader (default 100); 32 handshakes pending (default 10, raised: everyone dials the owner at start)',
  `self-repair: writers run a pass every 30 s (default 6 h), each checking at most ${REPAIR_PASS.maxChecksPerPass} files (default 1000) and verifying ${REPAIR_PASS.verifyBytesPerPass / 2 ** 20} MiB (default 64 MiB; at least one file)`,
  'storage: write budget 16 MiB per server (default 64 MiB), 64 concurrent free uploads (default 256)',
  'data folders made in the runner with initDataDir (what `lafs-club init` runs), not by a hundred init processes',
  'libuv: UV_THREADPOOL_SIZE=2 (default 4) in every node; V8 keeps its default young generation (capping it at 2 MiB per semi-space, as earlier runs did, made garbage collection 43% of an idle node\'s CPU)',
  'code: every process runs the esbuild bundle of the CLI (npm run bundle: dist/bundle/lafs-club.mjs, the same build in one file), whose start to its addresses costs 0.8-1.1 CPU-seconds against 1.9-2.7 for the modules of dist/ (3 runs each, 12-05)',
  'datastore: still LevelDB on disk for every node (no memory datastore option exists in the config yet)'
]

/** The environment of every node process: a smaller thread pool. */
export function lightEnv (): void {
  process.env.UV_THREADPOOL_SIZE ??= '2'
}

/**
 * The data folder, made in this process with the package's `initDataDir`
 * (what `lafs-club init` calls): a hundred `init` processes would cost a
 * minute of CPU before the first node starts. The daemon writes its API token on first start.
 */
export async function init (n: ScaleNode, bootstrap: string | undefined, o: ScaleOptions, repairEverySeconds?: number): Promise<void> {
  const client = n.role === 'writer' || n.role === 'reader'
  // a build with self-repair (`lafs-club keep`) has a `repair` section; this build's strict validator would refuse it
  const repair: Record<string, unknown> = repairEverySeconds !== undefined && n.role === 'writer' ? { repair: { intervalSeconds: repairEverySeconds, ...REPAIR_PASS } } : {}
  await initDataDir(n.dir, {
    config: {
      ...repair,
      listen: [`/ip4/127.0.0.1/tcp/${n.port}`],
      bootstrap: bootstrap === undefined ? [] : [bootstrap],
      gateway: { port: 0 },
      dht: { protocol: DHT, lan: true, clientMode: client ? 'client' : 'server' },
      nat: { upnp: false, autonat: false },
      relay: { client: false, server: false },
      connections: { allow: ['/ip4/127.0.0.0/ipcidr/8'], maxIncomingPending: 32, maxConnections: client ? 96 : 64 },
      client: { k: o.k, happy: o.happy, n: o.n },
      storage: n.role === 'server' ? { writeBudget: 16 * 2 ** 20, freeMaxUploads: 64 } : { enabled: false }
    }
  })
}

/**
 * A free port below the kernel's ephemeral range: a hundred nodes open
 * thousands of outgoing connections, and one of them may take a port chosen
 * from that range before (or while) its node listens on it — a restarted
 * server must get its old port back.
 */
async function listenPort (): Promise<number> {
  let low = 32768
  try { low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) } catch { /* not Linux: the default */ }
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * Math.max(1, low - 20000))
    if (taken.has(port)) continue
    if (await isFree(port)) { taken.add(port); return port }
  }
  return await freePort()
}

const taken = new Set<number>()

async function isFree (port: number): Promise<boolean> {
  return await new Promise(resolve => {
    const srv = createServer()
    srv.once('error', () => { resolve(false) })
    srv.listen(port, '127.0.0.1', () => { srv.close(() => { resolve(true) }) })
  })
}

export async function start (n: ScaleNode): Promise<Daemon> {
  if (n.retired) fail(`${n.name} was retired`)
  const d = await startDaemon(n.name, n.dir, 120_000)
  // `start --json` prints an error document instead of its addresses when it cannot start
  if (!Array.isArray((d.info as any).multiaddrs)) {
    d.child.kill('SIGKILL')
    fail(`${n.name} did not start: ${JSON.stringify(d.info).slice(0, 500)}`)
  }
  n.daemon = d
  n.starts++
  return n.daemon
}

/** The address others dial this node at: its fixed TCP port and peer ID. */
export function addressOf (n: ScaleNode): string {
  const d = n.daemon ?? fail(`${n.name} is not running`)
  return d.info.multiaddrs.find(a => a.includes(`/tcp/${n.port}/`)) ?? fail(`${n.name} does not listen on ${n.port}: ${d.info.multiaddrs.join(' ')}`)
}

/** Runs `fn` over `items`, at most `width` at a time (a hundred node starts at once would starve two cores). */
export async function inBatches<T> (items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await fn(items[next++])
  }))
}
