/**
 * `npm run demo` / `lafs-club demo`: a whole grid on this machine, in one
 * process, in temporary folders. Six nodes on loopback share a private DHT:
 * the first is the bootstrap peer, runs the gateway and owns a club whose
 * roster lists the five others, which are storage servers. One file is
 * uploaded through the club; then a reader node that starts with nothing but
 * the bootstrap address and the cap downloads it and checks the bytes.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startGateway, type Gateway } from '../gateway/index.js'
import { createNode, silentLogger, type ConfigInput, type LafsNode } from '../node/index.js'
import { CliError, EXIT_FAILED } from './errors.js'
import type { Output } from './output.js'

const DEMO_DHT_PROTOCOL = '/lafs-club-demo/kad/1.0.0'
const SERVERS = 5

const demoConfig: ConfigInput = {
  dht: { lan: true, clientMode: 'server' },
  nat: { upnp: false, autonat: false },
  relay: { client: false, server: false },
  connections: { allow: ['/ip4/127.0.0.0/ipcidr/8'] },
  // Five servers: every share on its own server, any three rebuild the file.
  client: { k: 3, happy: 5, n: 5 }
}

export interface DemoGrid {
  nodes: LafsNode[]
  gateway: Gateway
  clubId?: string
  cap: string
  hintedCap?: string
  size: number
  stop: () => Promise<void>
}

async function until (what: string, cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!await cond()) {
    if (Date.now() > end) throw new CliError('ERR_DEMO', EXIT_FAILED, `demo: timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** Builds the grid, uploads and downloads once; the caller stops it. */
export async function startDemoGrid (opts: { gatewayPort?: number, log?: (line: string) => void } = {}): Promise<DemoGrid> {
  const log = opts.log ?? (() => {})
  const base = await mkdtemp(join(tmpdir(), 'lafs-club-demo-'))
  const nodes: LafsNode[] = []
  let gateway: Gateway | undefined
  const stop = async (): Promise<void> => {
    await gateway?.close()
    await Promise.allSettled(nodes.map(async n => { await n.stop() }))
    await rm(base, { recursive: true, force: true })
  }
  try {
    const make = async (name: string, storage: boolean, bootstrap: string[]): Promise<LafsNode> => {
      const node = await createNode({
        dataDir: join(base, name),
        listen: ['/ip4/127.0.0.1/tcp/0'],
        bootstrap,
        dhtProtocol: DEMO_DHT_PROTOCOL,
        storage: { enabled: storage },
        gateway: false,
        config: demoConfig,
        logger: silentLogger,
        bootstrapTimeoutMs: 10_000
      })
      nodes.push(node)
      return node
    }
    const first = await make('node-0', false, [])
    const bootstrap = [first.multiaddrs[0]]
    const servers = await Promise.all(Array.from({ length: SERVERS }, async (_, i) => await make(`node-${i + 1}`, true, bootstrap)))
    await Promise.all(servers.map(async s => await s.bootstrapped))
    log(`grid: ${nodes.length} nodes on 127.0.0.1, DHT ${DEMO_DHT_PROTOCOL}, bootstrap ${bootstrap[0]}`)

    gateway = await startGateway({ node: first, port: opts.gatewayPort ?? 3456 })

    // Let the DHT routing tables fill before publishing the roster.
    await until('the DHT to connect', async () => (await first.admin.status()).peers.length >= SERVERS, 20_000)

    const serverAddrs = servers.map(s => s.multiaddrs[0])
    let clubId: string | undefined
    try {
      const club = await first.clubs.create({ name: 'demo club', description: 'five storage servers on this machine', servers: serverAddrs, local: true })
      clubId = club.clubId
      // So that `PUT /uri` on the demo's gateway goes through the club, as after `lafs-club club join`.
      await first.clubs.setDefault(clubId)
      log(`club: ${club.clubId} "${club.name}", roster sequence ${club.sequence}, ${club.servers.length} servers`)
    } catch (err) {
      log(`club: not available (${err instanceof Error ? err.message : String(err)}); uploading to the five servers by address`)
    }

    const data = randomBytes(2 * 1024 * 1024 + 12345)
    const put = clubId !== undefined ? await first.put(data, { club: clubId }) : await first.put(data, { servers: serverAddrs })
    log(`upload: ${data.length} bytes → ${put.cap.slice(0, 48)}…`)

    // Wait for the servers to announce the shares, so a reader without the hint finds them too.
    await Promise.all(servers.map(async s => { await s.admin.reprovide().catch(() => {}) }))

    const reader = await make('reader', false, bootstrap)
    await reader.bootstrapped
    const got = await reader.get(put.hintedCap ?? put.cap)
    if (!Buffer.from(got).equals(data)) throw new CliError('ERR_DEMO', EXIT_FAILED, 'demo: the downloaded bytes differ from the upload')
    log(`download: a fresh node that knew only the cap and the bootstrap address got all ${got.length} bytes back`)
    return { nodes, gateway, clubId, cap: put.cap, hintedCap: put.hintedCap, size: data.length, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

export async function runDemo (opts: { out: Output, gatewayPort?: number }): Promise<void> {
  const { out } = opts
  const grid = await startDemoGrid({ gatewayPort: opts.gatewayPort, log: line => { out.note(line) } })
  out.result({ gateway: grid.gateway.url, statusPage: `${grid.gateway.url}/status`, clubId: grid.clubId ?? null, cap: grid.cap, hintedCap: grid.hintedCap ?? null, size: grid.size }, v => [
    '',
    `gateway      ${v.gateway}`,
    `status page  ${v.statusPage}`,
    `club ID      ${v.clubId ?? '(clubs not available)'}`,
    `cap          ${v.cap}`,
    ...(v.hintedCap !== null ? [`hinted cap   ${v.hintedCap}`] : []),
    '',
    'Try:',
    `  curl -o demo.bin '${v.gateway}/uri/${v.hintedCap ?? v.cap}'`,
    `  curl -H 'Range: bytes=0-99' '${v.gateway}/uri/${v.cap}' | xxd | head`,
    `  curl -T README.md '${v.gateway}/uri${v.clubId !== null ? `?club=${v.clubId}` : ''}'`,
    '',
    'The grid runs until you press Ctrl-C.'
  ])
  let stopping = false
  const onSignal = (): void => {
    if (stopping) process.exit(130)
    stopping = true
    out.note('stopping the demo grid…')
    void grid.stop().finally(() => process.exit(0))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  await new Promise<never>(() => {})
}
