/**
 * npm run bench:tor (issue 18): on a private Tor network started by the run
 * (interop/torlab: 3 authorities, 4 relays on 127.0.0.1), the upload and the
 * download of 4 MiB by Tor-only clients through a club of a TCP server and two
 * onion-only servers, against the same over TCP on loopback (a club of three
 * TCP servers, ordinary clients) in the same run; and the time from
 * `lafs-club start` of an onion server to its onion address answering
 * through another tor. Everything goes through the CLI, so both sides include
 * the command's own start-up (~0.5 s). Needs root and Debian's `tor`.
 *
 * Options: --runs <n> (transfers per side, default 2), --no-save
 */
import '../src/shim.js'
import { randomBytes, createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { DHT, ENCODING, TOR_DEADLINE_MS, connectedToServers, startClubServers, torBootstrapped, torOnlyClient, tcpServer } from '../interop/torlab/club.js'
import { type LafsNode, cli, lafsNode, patchConfig, startLafs, stopLafs } from '../interop/torlab/lafs.js'
import { type TorNetwork, startTorNetwork } from '../interop/torlab/network.js'
import { trackDir, untrackDir } from '../interop/torlab/procs.js'
import { socksConnect } from '../interop/torlab/socks.js'
import { retryUntil } from '../interop/torlab/wait.js'
import { formatTable, median } from './lib/measure.js'
import { saveBenchResults } from './lib/results.js'
import { SUMMARY_HEADER, type SummaryRow, summaryCells } from './lib/summary-row.js'

const args = process.argv.slice(2)
const runsAt = args.indexOf('--runs')
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 2
const SIZE = 4 << 20
const t0 = Date.now()
const log = (l: string): void => { console.log(`[tor ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${l}`) }
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

interface Side { putMs: number[], getMs: number[] }

/** RUNS uploads by `writer` and downloads by a fresh `reader` (a new file each time, so nothing is cached). */
async function transfers (base: string, label: string, writer: LafsNode, reader: LafsNode, clubId: string): Promise<Side> {
  const side: Side = { putMs: [], getMs: [] }
  for (let i = 0; i < RUNS; i++) {
    const data = randomBytes(SIZE)
    const path = join(base, `${label}-${i}.bin`)
    writeFileSync(path, data)
    let t = Date.now()
    const put = await cli(writer, ['put', path, '--club', clubId], TOR_DEADLINE_MS)
    side.putMs.push(Date.now() - t)
    const out = join(base, `${label}-${i}.out`)
    t = Date.now()
    await cli(reader, ['get', put.hintedCap ?? put.cap, '-o', out], TOR_DEADLINE_MS)
    side.getMs.push(Date.now() - t)
    if (sha(readFileSync(out)) !== sha(data)) throw new Error(`${label}: the downloaded file differs`)
    log(`${label} run ${i + 1}: put ${side.putMs[i]} ms, get ${side.getMs[i]} ms`)
  }
  return side
}

async function tcpSide (base: string, nodes: LafsNode[]): Promise<Side> {
  const first = await tcpServer(base, 'tcp-s1')
  nodes.push(first)
  const info = await startLafs(first)
  const bootstrap = info.multiaddrs[0]
  const others = await Promise.all(['tcp-s2', 'tcp-s3'].map(async name => {
    const n = await tcpServer(base, name, bootstrap)
    nodes.push(n)
    return (await startLafs(n)).multiaddrs[0]
  }))
  // loopback servers cannot ask to serve (no address other networks can dial): the owner lists them
  const club = await cli(first, ['club', 'create', 'tcp', '--policy', 'open', ...[bootstrap, ...others].flatMap(a => ['--server', a])], 60_000)
  const clients = await Promise.all(['tcp-writer', 'tcp-reader'].map(async name => {
    const n = lafsNode(base, name)
    nodes.push(n)
    await cli(n, ['init', '--no-storage', '--listen', '/ip4/127.0.0.1/tcp/0', '--bootstrap', bootstrap, '--gateway-port', '0', '--dht-protocol', DHT])
    await patchConfig(n, { client: ENCODING, dht: { lan: true } })
    await startLafs(n)
    return n
  }))
  await cli(clients[0], ['club', 'join', club.clubId], 60_000)
  await connectedToServers(clients[0], 3, 60_000)
  return await transfers(base, 'tcp', clients[0], clients[1], club.clubId)
}

async function torSide (net: TorNetwork, base: string, nodes: LafsNode[]): Promise<{ side: Side, publish: { printedMs: number, reachableMs: number } }> {
  const servers = await startClubServers(net, base, log, nodes)
  const [w, r] = await Promise.all([
    torOnlyClient(net, base, 'tor-writer', servers.bootstrap),
    torOnlyClient(net, base, 'tor-reader', servers.bootstrap)
  ])
  nodes.push(w.node, r.node)
  await startLafs(w.node)
  await cli(w.node, ['club', 'join', servers.clubId], TOR_DEADLINE_MS)
  await connectedToServers(w.node, 3)
  await startLafs(r.node)
  await torBootstrapped(r.node)
  const side = await transfers(base, 'tor', w.node, r.node, servers.clubId)

  // a fresh onion server: from `lafs-club start` to its onion address answering through the reader's tor
  const fresh = lafsNode(base, 'onion-fresh')
  nodes.push(fresh)
  await cli(fresh, ['init', '--tor-launch', ...net.joinLines().flatMap(l => ['--tor-config', l]), '--listen-onion', '--hide-ip',
    '--bootstrap', servers.bootstrap, '--gateway-port', '0', '--dht-protocol', DHT])
  const ts = Date.now()
  const info = await startLafs(fresh)
  const printedMs = Date.now() - ts
  const onion = /^\/onion3\/([a-z2-7]{56}):(\d+)/.exec(info.multiaddrs.find(a => a.startsWith('/onion3/')) ?? '')
  if (onion === null) throw new Error(`onion-fresh printed no onion address: ${info.multiaddrs.join(' ')}`)
  await retryUntil(async () => {
    const sock = await socksConnect(r.tor.socksPort ?? 0, `${onion[1]}.onion`, Number(onion[2]), 30_000)
    sock.destroy()
  }, TOR_DEADLINE_MS, 'the fresh onion address to answer', 500)
  const reachableMs = Date.now() - ts
  log(`onion-fresh: start printed its onion address after ${printedMs} ms, it answered through tor after ${reachableMs} ms`)
  return { side, publish: { printedMs, reachableMs } }
}

function rows (tcp: Side, tor: Side, publish: { printedMs: number, reachableMs: number }, startupMs: number): SummaryRow[] {
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`
  const mbit = (ms: number): string => `${(SIZE * 8 / 1e6 / (ms / 1000)).toFixed(1)} Mbit/s`
  const row = (measure: string, ours: number, base: number): SummaryRow => ({
    section: 'tor', measure, ours: `${s(ours)} (${mbit(ours)})`, baseline: `${s(base)} TCP (${mbit(base)})`, ratio: `${(ours / base).toFixed(1)}×`, goal: 'measured', result: 'measured'
  })
  return [
    row(`upload 4 MiB, median of ${RUNS}`, median(tor.putMs), median(tcp.putMs)),
    row(`download 4 MiB (fresh reader), median of ${RUNS}`, median(tor.getMs), median(tcp.getMs)),
    { section: 'tor', measure: 'lafs-club start → onion address printed', ours: s(publish.printedMs), baseline: '', ratio: '', goal: 'measured', result: 'measured' },
    { section: 'tor', measure: 'lafs-club start → onion address answers through tor', ours: s(publish.reachableMs), baseline: '', ratio: '', goal: 'measured', result: 'measured' },
    { section: 'tor', measure: 'private Tor network: start → consensus', ours: s(startupMs), baseline: '', ratio: '', goal: 'measured', result: 'measured' }
  ]
}

async function main (): Promise<void> {
  const loadStart = loadavg()
  const base = mkdtempSync(join(tmpdir(), 'lafs-torlab-bench-'))
  trackDir(base)
  const nodes: LafsNode[] = []
  let net: TorNetwork | undefined
  try {
    net = await startTorNetwork({ log })
    const tcp = await tcpSide(base, nodes)
    const tor = await torSide(net, base, nodes)
    const table = rows(tcp, tor.side, tor.publish, net.times.totalMs)
    console.log(formatTable(SUMMARY_HEADER, table.map(summaryCells)))
    console.log(`  load average (1 min) ${loadStart[0].toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end: figures from a busy machine are upper bounds`)
    if (!args.includes('--no-save')) {
      console.log(`saved ${await saveBenchResults('tor', t0, loadStart, table, { runs: RUNS, size: SIZE, tcp, tor: tor.side, publish: tor.publish, network: net.times })}`)
    }
  } finally {
    await Promise.all(nodes.map(stopLafs))
    await net?.stop()
    untrackDir(base)
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err)
  process.exit(1)
})
