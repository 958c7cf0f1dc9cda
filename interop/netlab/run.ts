import '../../src/shim.js'
/**
 * `npm run netlab`: the acceptance scenario of issue #13 in a network lab of
 * Linux namespaces (topology.ts): two VPSes on public addresses, homes behind
 * cone, symmetric and UPnP NAT routers, shaped lines, every lafs-club node its
 * own CLI process in its own namespace. Needs root, nftables, miniupnpd and
 * miniupnpc. Each step has a deadline and prints what it measured; the lab is
 * torn down on success, failure and SIGINT/SIGTERM.
 *
 *   --until STEP    stop (successfully) after STEP
 *   --keep-going    run every step even after one failed (later ones may fail in turn)
 *   --baseline      form the club as today's code can (owner adds the servers it can dial)
 *   --list          print the steps and exit
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BIN, ROOT, log, mib, ms, sha256File, until as pollUntil, writeSeededFile } from '../grid/lib.js'
import {
  LabError, check, cli, fail, isRunning, killAll, lafs, makeNode, patchConfig, runIn, spawnIn,
  startNode, status, stopNode, tail, type LabNode
} from './nodes.js'
import {
  HOME_DOWN, HOME_UP, INET, PUBLIC_RANGE, ROUTERS, VPSES, createLab, describeLab, destroyLab, host, labNamespaces,
  wanIp, type Lab
} from './topology.js'

const DHT = '/lafs-club-netlab/kad/1.0.0'
const PORT = 4001
const GATEWAY_PORT = 3456
const LINE_RATE_JS = join(ROOT, 'dist/interop/netlab/line-rate.js')
const SERVER_NAMES = ['vps1', 'vps2', 'home1', 'home2', 'home3', 'home4']
const HOME_NAMES = ['home1', 'home2', 'home3', 'home4', 'laptop5']

interface Upload { label: string, path: string, size: number, sha: string, cap: string, hintedCap: string }

interface Figures {
  lineDownMbit?: number
  lineUpMbit?: number
  uploadMs?: number
  downloadMs?: number
  encoding?: { k: number, happy: number, n: number }
}

interface State {
  base: string
  lab?: Lab
  nodes: Map<string, LabNode>
  bootstrap: string
  clubId: string
  uploads: Upload[]
  figures: Figures
  baseline: boolean
  /** home2's address as mapped on r2 (from miniupnpd's list). */
  home2Mapped?: string
}

interface Step {
  name: string
  about: string
  timeoutMs: number
  /** Nodes whose logs explain a failure of this step. */
  logs: string[]
  run: (s: State) => Promise<string | undefined>
}

interface Outcome { step: string, result: 'ok' | 'FAILED' | 'skipped', ms: number, note: string }

function node (s: State, name: string): LabNode {
  const n = s.nodes.get(name)
  if (n === undefined) fail(`${name} was never set up (an earlier step failed?)`)
  return n
}

/** The grid's poll, at a pace that suits CLI calls into namespaces. */
async function until<T> (what: string, fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 1000): Promise<T> {
  return await pollUntil(what, fn, timeoutMs, everyMs)
}

/** init in the node's namespace, then the lab's config.json settings for its role. */
async function initNode (s: State, name: string, role: 'vps1' | 'vps' | 'home' | 'user'): Promise<LabNode> {
  const n = makeNode(s.base, host(name))
  s.nodes.set(name, n)
  const args = ['init', '--listen', `/ip4/0.0.0.0/tcp/${PORT}`, '--gateway-port', String(GATEWAY_PORT), '--dht-protocol', DHT]
  args.push(...(role === 'vps1' ? ['--no-bootstrap'] : ['--bootstrap', s.bootstrap]))
  if (role === 'user') args.push('--no-storage')
  await cli(n, args)
  const vps = role === 'vps1' || role === 'vps'
  await patchConfig(n.dir, {
    // the lab's internet is 11.0.0.0/8 (README.md); it must count as public, private LANs must not
    network: { publicRanges: [PUBLIC_RANGE] },
    dht: { lan: false, ...(vps ? { clientMode: 'server' } : {}) },
    // members re-put the owner's roster on this timer (12 h by default); the lab's owner is away for a minute
    clubs: { republishIntervalSeconds: 15 },
    ...(vps
      ? {
          // an operator states a VPS's address and relay role: AutoNAT would need four /16s of dial-backs
          announce: [`/ip4/${n.host.ip}/tcp/${PORT}`],
          relay: { server: role === 'vps1' },
          nat: { upnp: false }
        }
      : {}),
    ...(name === 'laptop5' ? { client: s.figures.encoding } : {})
  })
  // Baseline mode reproduces the workarounds the lab needed before AutoNAT v2 replaced v1 (a v1
  // server closed the connection it was asked on) and before relays carried shares for club
  // members: no AutoNAT service, and home2 (port-mapped by UPnP) off relays.
  if (s.baseline) await patchConfig(n.dir, { nat: { autonat: false, upnp: name === 'home2' }, ...(name === 'home2' ? { relay: { client: false } } : {}) })
  return n
}

async function bootstrapped (n: LabNode, timeoutMs: number): Promise<void> {
  await until(`${n.name} to reach its bootstrap peer`, async () => {
    const st = await status(n)
    return st.bootstrap !== null && st.bootstrap?.connected >= 1 ? true : undefined
  }, timeoutMs, 1500)
}

function addrOn (n: LabNode, st: { multiaddrs: string[] }, ip: string): string | undefined {
  return st.multiaddrs.find(a => a.startsWith(`/ip4/${ip}/tcp/`) && !a.includes('p2p-circuit')) ?? undefined
}

const STEPS: Step[] = [
  {
    name: 'lab',
    about: 'namespaces, links, NAT routers, miniupnpd, shaped lines',
    timeoutMs: 30_000,
    logs: [],
    run: async s => {
      s.lab = createLab(s.base)
      for (const l of describeLab()) log(`   ${l}`)
      // the lab is sealed: the internet namespace links only to lab sites
      const links = execFileSync('ip', ['-n', INET, '-o', 'link'], { encoding: 'utf8' })
      check(!/\b(eth0|ens|enp)/.test(links), `the internet namespace has a link that is not the lab's: ${links}`)
      await until('miniupnpd to listen on r2', async () => {
        const r = await runIn(ROUTERS[1].ns, ['ss', '-ltn'], 5000)
        return r.stdout.includes(':5000') ? true : undefined
      }, 10_000, 300)
      return `${labNamespaces().length} namespaces; miniupnpd listens on 192.168.2.1:5000`
    }
  },
  {
    name: 'line-rate',
    about: 'raw TCP line rate (no libp2p): reader6 ← vps1 down, laptop5 → vps1 up',
    timeoutMs: 40_000,
    logs: [],
    run: async s => {
      const server = spawnIn(VPSES[0].ns, [process.execPath, LINE_RATE_JS, 'serve', '5001'])
      try {
        await new Promise<void>((resolve, reject) => {
          server.stdout?.on('data', (d: Buffer) => { if (d.toString().includes('listening')) resolve() })
          server.on('close', code => { reject(new LabError(`line-rate server exited ${code}`)) })
        })
        const measure = async (hostName: string, dir: 'up' | 'down', bytes: number): Promise<number> => {
          const r = await runIn(host(hostName).ns, [process.execPath, LINE_RATE_JS, dir, wanIp(VPSES[0]), '5001', String(bytes)], 30_000)
          if (r.code !== 0) fail(`line-rate ${dir} from ${hostName}: ${r.stderr}`)
          return JSON.parse(r.stdout).mbit
        }
        s.figures.lineDownMbit = await measure('reader6', 'down', 24 << 20)
        s.figures.lineUpMbit = await measure('laptop5', 'up', 6 << 20)
        const vps = await measure('vps2', 'down', 64 << 20)
        return `reader6 down ${s.figures.lineDownMbit} Mbit/s (shaped ${HOME_DOWN}), laptop5 up ${s.figures.lineUpMbit} Mbit/s (shaped ${HOME_UP}), vps2 ← vps1 ${vps} Mbit/s`
      } finally {
        server.kill('SIGKILL')
      }
    }
  },
  {
    name: 'vps',
    about: 'vps1 (bootstrap, relay server, storage) and vps2 (storage) start; vps2 bootstraps from vps1',
    timeoutMs: 60_000,
    logs: ['vps1', 'vps2'],
    run: async s => {
      const vps1 = await initNode(s, 'vps1', 'vps1')
      await startNode(vps1)
      s.bootstrap = `/ip4/${vps1.host.ip}/tcp/${PORT}/p2p/${vps1.info?.peerId ?? fail('vps1 printed no peer ID')}`
      const vps2 = await initNode(s, 'vps2', 'vps')
      await startNode(vps2)
      await bootstrapped(vps2, 30_000)
      return `bootstrap ${s.bootstrap}`
    }
  },
  {
    name: 'homes',
    about: 'home1–home4 (storage) and laptop5 (no storage) start behind their routers and reach the bootstrap peer',
    timeoutMs: 90_000,
    logs: HOME_NAMES,
    run: async s => {
      const t = Date.now()
      const nodes = await Promise.all(HOME_NAMES.map(async name => await initNode(s, name, name === 'laptop5' ? 'user' : 'home')))
      await Promise.all(nodes.map(async n => { await startNode(n) }))
      const started = Date.now() - t
      await Promise.all(nodes.map(async n => { await bootstrapped(n, 60_000) }))
      return `started in ${ms(started)}, all bootstrapped after ${ms(Date.now() - t)}`
    }
  },
  {
    name: 'upnp',
    about: 'home2 maps its port on r2 with UPnP; vps2 dials the mapped address',
    timeoutMs: 60_000,
    logs: ['home2'],
    run: async s => {
      const home2 = node(s, 'home2')
      const ext = wanIp(ROUTERS[1])
      const mapping = await until('a UPnP mapping on r2 for home2', async () => {
        const r = await runIn(home2.host.ns, ['upnpc', '-l'], 15_000)
        const line = r.stdout.split('\n').find(l => /TCP\s+\d+->192\.168\.2\.2:4001/.test(l))
        return line?.trim().replace(/[^\x20-\x7e]+/g, '?')
      }, 45_000, 2000)
      const port = Number(/->192\.168\.2\.2:4001/.test(mapping) ? /TCP\s+(\d+)->/.exec(mapping)?.[1] : NaN)
      check(Number.isInteger(port), `cannot read the external port from "${mapping}"`)
      const probe = await runIn(VPSES[1].ns, [process.execPath, '-e',
        `require('net').connect(${port}, '${ext}').on('connect', () => { console.log('ok'); process.exit(0) }).on('error', e => { console.log(e.message); process.exit(1) })`], 10_000)
      check(probe.code === 0, `vps2 could not open TCP to ${ext}:${port}: ${probe.stdout}${probe.stderr}`)
      // the node lists the mapped address only once AutoNAT verified it (the connection-kinds step checks reachability)
      const listed = addrOn(home2, await status(home2), ext)
      const addr = `/ip4/${ext}/tcp/${port}`
      s.home2Mapped = addr
      return `miniupnpd: "${mapping}"; vps2 connects to ${addr}; home2's status ${listed !== undefined ? `lists ${listed}` : `does NOT list ${addr} (not verified by AutoNAT)`}`
    }
  },
  {
    name: 'relay-reservations',
    about: 'home1, home3, home4 and laptop5 (behind NAT without UPnP) hold a relay reservation on vps1',
    timeoutMs: 60_000,
    logs: ['vps1', 'home1', 'home3', 'home4', 'laptop5'],
    run: async s => {
      const relay = node(s, 'vps1').info?.peerId ?? ''
      const names = ['home1', 'home3', 'home4', 'laptop5']
      const addrs = await Promise.all(names.map(async name => {
        const n = node(s, name)
        return await until(`${name} to list a /p2p-circuit address through vps1`, async () => {
          const st = await status(n)
          return (st.multiaddrs as string[]).find(a => a.includes(`/p2p/${relay}/p2p-circuit`))
        }, 50_000, 2000)
      }))
      return names.map((n, i) => `${n}: ${addrs[i].replace(relay, 'vps1').replace(/\/p2p\/12D3\w+$/, '')}`).join('; ')
    }
  },
  {
    name: 'club-create',
    about: 'home1 (behind the cone NAT) creates an open club',
    timeoutMs: 60_000,
    logs: ['home1', 'vps1'],
    run: async s => {
      const home1 = node(s, 'home1')
      const args = ['club', 'create', 'netlab', '--policy', 'open', '--description', 'npm run netlab']
      if (s.baseline) {
        // today: the owner names the servers it can dial (public addresses only: VPSes and home2's mapping)
        for (const name of ['vps1', 'vps2', 'home2']) {
          const n = node(s, name)
          const a = name === 'home2' ? s.home2Mapped ?? fail('no UPnP mapping for home2 was seen') : `/ip4/${n.host.ip}/tcp/${PORT}`
          args.push('--server', `${a}/p2p/${n.info?.peerId ?? ''}`)
        }
      }
      const r = await cli(home1, args, 50_000)
      s.clubId = r.out.clubId ?? fail(`club create printed no clubId: ${JSON.stringify(r.out)}`)
      return `club ${s.clubId} (${r.out.servers?.length ?? 0} servers in its first roster) in ${ms(r.ms)}`
    }
  },
  {
    name: 'club-join-serve',
    about: 'vps1, vps2 and home1–home4 run `club join <id> --serve`, knowing only the bootstrap address and the club ID',
    timeoutMs: 120_000,
    logs: ['home1', ...SERVER_NAMES.filter(n => n !== 'home1')],
    run: async s => {
      if (s.baseline) return 'baseline: the owner added vps1, vps2 and home2 itself (`club join --serve` does not exist yet)'
      const results = await Promise.allSettled(SERVER_NAMES.map(async name => await cli(node(s, name), ['club', 'join', s.clubId, '--serve'], 90_000)))
      const failed = results.map((r, i) => r.status === 'rejected' ? `${SERVER_NAMES[i]}: ${String(r.reason?.message ?? r.reason)}` : '').filter(Boolean)
      if (failed.length > 0) fail(failed.join('\n'))
      const roster = await until(`the roster to list all ${SERVER_NAMES.length} servers`, async () => {
        const r = await cli(node(s, 'vps2'), ['club', 'show', s.clubId, '--refresh'], 30_000)
        return r.out.servers?.length >= SERVER_NAMES.length ? r.out : undefined
      }, 60_000, 3000)
      return `roster sequence ${roster.sequence} lists ${roster.servers.length} servers`
    }
  },
  {
    name: 'user-upload',
    about: 'laptop5 joins the club by ID as a user and uploads 1 KiB and 20 MiB through it',
    timeoutMs: 180_000,
    logs: ['laptop5', ...SERVER_NAMES],
    run: async s => {
      const laptop = node(s, 'laptop5')
      const joined = await cli(laptop, ['club', 'join', s.clubId], 60_000)
      log(`   roster as laptop5 resolved it: ${(joined.out.servers as any[] ?? []).map(x => (x.multiaddrs as string[]).join(',')).join(' | ')}`)
      const want = s.figures.encoding?.happy ?? 0
      // a shortfall is only noted: the upload's own error says more about what went wrong
      let seen = 0
      const ready = await until(`laptop5 to be connected to ${want} of the club's storage servers`, async () => {
        const st = await status(laptop)
        seen = st.storageServersConnected
        return st.storageServersConnected >= want ? st.storageServersConnected : undefined
      }, 45_000, 2000).catch(() => `only ${seen} of the ${want} needed after 45 s (uploading anyway)`)
      const names = new Map([...s.nodes.values()].map(x => [x.info?.peerId, x.name]))
      const peers = ((await status(laptop)).peers as any[]).map(p => `${names.get(p.peerId) ?? p.peerId.slice(-8)}:${p.connection}${p.storageServer === true ? '(storage)' : ''}`)
      const notes = [`joined (roster of ${joined.out.servers?.length} servers), ${ready} storage servers connected; laptop5's peers: ${peers.join(' ')}`]
      log(`   ${notes[0]}`)
      for (const [label, size, seed] of [['1 KiB', 1024, 11], ['20 MiB', 20 << 20, 12]] as const) {
        const path = join(s.base, `file-${size}.bin`)
        writeSeededFile(path, size, seed)
        const sha = await sha256File(path)
        const r = await cli(laptop, ['put', path, '--club', s.clubId], 150_000)
        const cap: string = r.out.cap
        s.uploads.push({ label, path, size, sha, cap, hintedCap: r.out.hintedCap ?? cap })
        if (size > 1 << 20) s.figures.uploadMs = r.ms
        notes.push(`put ${label} in ${ms(r.ms)}${size > 1 << 20 ? ` (${(size * 8 / 1e6 / (r.ms / 1000)).toFixed(1)} Mbit/s of file data)` : ''}`)
      }
      return notes.join('; ')
    }
  },
  {
    name: 'reader6-download',
    about: 'reader6 (fresh, behind the symmetric NAT, knowing only the bootstrap address) gets both files by hinted and by plain cap',
    timeoutMs: 180_000,
    logs: ['reader6', ...SERVER_NAMES],
    run: async s => await readerGets(s, 'reader6')
  },
  {
    name: 'connection-kinds',
    about: 'every node\'s status: reachability and per-peer connection kinds match the topology',
    timeoutMs: 90_000,
    logs: [],
    run: async s => await connectionKinds(s)
  },
  {
    name: 'owner-stop',
    about: 'home1 (the owner) stops',
    timeoutMs: 30_000,
    logs: ['home1'],
    run: async s => {
      await stopNode(node(s, 'home1'))
      return 'home1 stopped'
    }
  },
  {
    name: 'drop-owner-records',
    about: 'every other node restarts with an empty record store (datastore/ removed): only members\' re-puts can bring the roster back',
    timeoutMs: 120_000,
    logs: ['vps1', 'vps2', 'home2', 'home3', 'home4', 'laptop5'],
    run: async s => {
      const names = [...s.nodes.keys()].filter(n => n !== 'home1' && isRunning(node(s, n)))
      await Promise.all(names.map(async n => { await stopNode(node(s, n)) }))
      await Promise.all(names.map(async n => { await rm(join(node(s, n).dir, 'datastore'), { recursive: true, force: true }) }))
      await startNode(node(s, 'vps1'))
      await Promise.all(names.filter(n => n !== 'vps1').map(async n => { await startNode(node(s, n)) }))
      await Promise.all(names.filter(n => n !== 'vps1').map(async n => { await bootstrapped(node(s, n), 60_000) }))
      return `restarted ${names.join(', ')} with empty datastores`
    }
  },
  {
    name: 'reader7-download',
    about: 'reader7 (fresh, behind the symmetric NAT) resolves the club from members\' re-puts and gets both files',
    timeoutMs: 180_000,
    logs: ['reader7', 'vps1', 'vps2', 'home2', 'home3', 'home4'],
    run: async s => {
      const reader = await initNode(s, 'reader7', 'user')
      await startNode(reader)
      await bootstrapped(reader, 30_000)
      const shown = await until('reader7 to resolve the club from the DHT', async () => {
        const r = await lafs(reader, ['club', 'show', s.clubId, '--refresh'], 60_000)
        if (r.code !== 0) throw new LabError(r.stderr.trim() || r.stdout.trim())
        return JSON.parse(r.stdout)
      }, 60_000, 5000)
      return `resolved the club (sequence ${shown.sequence}, ${shown.servers?.length} servers); ${await readerGets(s, 'reader7', true)}`
    }
  }
]

/** A fresh reader daemon (bootstrap address only) gets every upload by hinted and plain cap, comparing bytes. */
async function readerGets (s: State, name: string, running = false): Promise<string> {
  check(s.uploads.length > 0, 'nothing was uploaded (an earlier step failed)')
  let reader = s.nodes.get(name)
  if (!running || reader === undefined) {
    reader = await initNode(s, name, 'user')
    await startNode(reader)
    await bootstrapped(reader, 30_000)
  }
  const notes: string[] = []
  for (const u of s.uploads) {
    for (const [how, cap] of [['hinted', u.hintedCap], ['plain', u.cap]] as const) {
      const out = join(s.base, `${name}-${u.size}-${how}.bin`)
      const r = await cli(reader, ['get', cap, '-o', out], 120_000)
      const sha = await sha256File(out)
      check(sha === u.sha, `${name} got ${u.label} by ${how} cap with sha256 ${sha}, uploaded ${u.sha}`)
      await rm(out, { force: true })
      if (u.size > 1 << 20 && how === 'hinted' && name === 'reader6') s.figures.downloadMs = r.ms
      notes.push(`${u.label} by ${how} cap in ${ms(r.ms)}`)
    }
  }
  return `${notes.join(', ')}; bytes match`
}

const PUBLIC_NODES = new Set(['vps1', 'vps2', 'home2'])

/** Reads every running node's status and checks reachability and connection kinds against the topology. */
async function connectionKinds (s: State): Promise<string> {
  const running = [...s.nodes.values()].filter(isRunning)
  const byPeer = new Map<string, string>()
  for (const n of running) if (n.info !== undefined) byPeer.set(n.info.peerId, n.name)
  const statuses = new Map<LabNode, any>()
  for (const n of running) statuses.set(n, await status(n))
  // the nodes relaying for others: vps1 (relay.server true), and home2 once its UPnP mapping made it
  // public (relay.server "auto"); a NATed node may hold its reservation on either
  const relays = new Set(running.filter(n => statuses.get(n)?.relay?.serving === true).map(n => n.info?.peerId))
  const problems: string[] = []
  const warnings: string[] = []
  if (!relays.has(node(s, 'vps1').info?.peerId)) problems.push('vps1: status says it does not relay (relay.serving)')
  for (const n of running) {
    const st = statuses.get(n)
    const reach = st.reachability
    const want = n.name.startsWith('vps') ? 'public' : n.name === 'home2' ? 'upnp' : 'relayed'
    const peers = (st.peers as any[]).map(p => `${byPeer.get(p.peerId) ?? p.peerId.slice(-6)}:${p.connection}${p.via !== undefined ? `(via ${byPeer.get(p.via) ?? p.via})` : ''}`)
    log(`   ${n.name.padEnd(8)} reachability ${reach === undefined ? '(absent)' : `${reach.kind} [${(reach.publicAddrs ?? []).join(' ')}]${(reach.relays ?? []).length > 0 ? ` relays ${(reach.relays as string[]).map(r => byPeer.get(r) ?? r).join(',')}` : ''}`}; peers ${peers.join(' ')}`)
    if (reach === undefined) problems.push(`${n.name}: status --json has no "reachability" (want kind "${want}")`)
    else {
      if (reach.kind !== want) problems.push(`${n.name}: reachability.kind is "${reach.kind}", want "${want}"`)
      if (want === 'relayed' && ((reach.relays ?? []).length === 0 || !(reach.relays as string[]).every(r => relays.has(r)))) {
        problems.push(`${n.name}: reachability.relays ${JSON.stringify(reach.relays)} must name lab nodes that relay (${[...relays].map(r => byPeer.get(r ?? '') ?? r).join(', ')})`)
      }
      if (want === 'upnp' && !(reach.publicAddrs ?? []).some((a: string) => a.includes(wanIp(ROUTERS[1])))) problems.push(`${n.name}: reachability.publicAddrs lacks r2's ${wanIp(ROUTERS[1])}`)
    }
    for (const p of st.peers as any[]) {
      const other = byPeer.get(p.peerId)
      if (other === undefined) continue
      const natPair = !PUBLIC_NODES.has(n.name) && !PUBLIC_NODES.has(other)
      if (natPair && p.connection === 'direct') problems.push(`${n.name} ↔ ${other}: "direct" between two NATed hosts without UPnP`)
      if (!natPair && p.connection !== 'direct') warnings.push(`${n.name} ↔ ${other}: "${p.connection}" though one side is publicly reachable`)
      if (p.connection === 'relayed' && p.via === undefined) problems.push(`${n.name} ↔ ${other}: relayed, but no "via"`)
      if (!['direct', 'hole-punched', 'relayed'].includes(p.connection)) problems.push(`${n.name} ↔ ${other}: unknown connection kind "${p.connection}"`)
    }
  }
  for (const w of warnings) log(`   warning: ${w}`)
  if (problems.length > 0) fail(problems.join('\n'))
  return `${running.length} nodes consistent with the topology`
}

function closingNote (s: State): string[] {
  const f = s.figures
  const lines = ['closing note (figures):']
  lines.push(`  line rates (plain TCP): reader6 down ${f.lineDownMbit ?? '?'} Mbit/s (shaped ${HOME_DOWN}), laptop5 up ${f.lineUpMbit ?? '?'} Mbit/s (shaped ${HOME_UP})`)
  const big = s.uploads.find(u => u.size > 1 << 20)
  if (big !== undefined && f.uploadMs !== undefined && f.lineUpMbit !== undefined) {
    const mbit = big.size * 8 / 1e6 / (f.uploadMs / 1000)
    lines.push(`  upload ${mib(big.size)} from laptop5: ${ms(f.uploadMs)} = ${mbit.toFixed(2)} Mbit/s of file data = ${(mbit / f.lineUpMbit).toFixed(3)} of its line (1/${(f.lineUpMbit / mbit).toFixed(2)}; encoding k=${f.encoding?.k} n=${f.encoding?.n} sends ${((f.encoding?.n ?? 1) / (f.encoding?.k ?? 1)).toFixed(2)}× the file)`)
  } else lines.push('  upload: not measured')
  if (big !== undefined && f.downloadMs !== undefined && f.lineDownMbit !== undefined) {
    const mbit = big.size * 8 / 1e6 / (f.downloadMs / 1000)
    lines.push(`  download ${mib(big.size)} by reader6 (hinted cap, whole CLI command): ${ms(f.downloadMs)} = ${mbit.toFixed(2)} Mbit/s = ${(mbit / f.lineDownMbit).toFixed(3)} of its line`)
  } else lines.push('  download: not measured')
  lines.push('  reproduce: sudo npm run netlab' + (s.baseline ? ' -- --baseline' : ''))
  return lines
}

function missingTools (): string[] {
  const missing: string[] = []
  const have = (cmd: string): boolean => {
    try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore', env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` } }); return true } catch { return false }
  }
  for (const [cmd, pkg] of [['ip', 'iproute2'], ['tc', 'iproute2'], ['nft', 'nftables'], ['miniupnpd', 'miniupnpd + miniupnpd-nftables'], ['upnpc', 'miniupnpc'], ['ss', 'iproute2']]) {
    if (!have(cmd)) missing.push(`${cmd} (${pkg})`)
  }
  return missing
}

function refuse (why: string): never {
  const banner = '!'.repeat(78)
  console.error(`${banner}\nnetlab NOT RUN: ${why}\n${banner}`)
  // under CI a lab that cannot run is a failure, never a silent skip
  process.exit(process.env.CI !== undefined && process.env.CI !== '' ? 1 : 3)
}

async function main (): Promise<void> {
  const argv = process.argv.slice(2)
  const opt = (name: string): string | undefined => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined }
  if (argv.includes('--list')) {
    for (const st of STEPS) console.log(`${st.name.padEnd(20)} ${st.about} (deadline ${ms(st.timeoutMs)})`)
    return
  }
  const untilStep = opt('--until')
  if (untilStep !== undefined && !STEPS.some(st => st.name === untilStep)) {
    console.error(`--until ${untilStep}: no such step; steps: ${STEPS.map(st => st.name).join(', ')}`)
    process.exit(2)
  }
  const keepGoing = argv.includes('--keep-going')
  if (process.getuid?.() !== 0) refuse('needs root (it creates network namespaces, nftables rules and runs miniupnpd); run it as root, e.g. `sudo npm run netlab`')
  const missing = missingTools()
  if (missing.length > 0) refuse(`missing programs: ${missing.join(', ')}; install them with apt-get install nftables miniupnpd miniupnpd-nftables miniupnpc`)
  if (!existsSync(BIN) || !existsSync(LINE_RATE_JS)) refuse(`${BIN} or ${LINE_RATE_JS} is missing: run "npm run build" first`)

  const leftovers = destroyLab()
  if (leftovers.length > 0) log(`removed ${leftovers.length} namespaces left by an earlier run: ${leftovers.join(' ')}`)
  const base = await mkdtemp(join(tmpdir(), 'lafs-netlab-'))
  const s: State = {
    base, nodes: new Map(), bootstrap: '', clubId: '', uploads: [], figures: {}, baseline: argv.includes('--baseline')
  }
  s.figures.encoding = s.baseline ? { k: 3, happy: 3, n: 10 } : { k: 3, happy: 6, n: 10 }
  log(`lab folder ${base} (node logs: <name>.log)${s.baseline ? '; BASELINE mode: club formed with today\'s commands' : ''}`)

  let torn = false
  const teardown = (): void => {
    if (torn) return
    torn = true
    killAll()
    s.lab?.upnpd?.kill('SIGKILL')
    destroyLab()
    const left = labNamespaces()
    if (left.length > 0) console.error(`netlab: namespaces still present after teardown: ${left.join(' ')}`)
  }
  const onSignal = (sig: NodeJS.Signals): void => {
    log(`${sig}: tearing the lab down`)
    teardown()
    process.exit(130)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  process.once('exit', teardown)

  const outcomes: Outcome[] = []
  const started = Date.now()
  let failed = false
  for (const st of STEPS) {
    if (failed && !keepGoing) { outcomes.push({ step: st.name, result: 'skipped', ms: 0, note: 'an earlier step failed' }); continue }
    log(`== ${st.name}: ${st.about}`)
    const t = Date.now()
    let timer: NodeJS.Timeout | undefined
    try {
      const note = await Promise.race([
        st.run(s),
        new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new LabError(`step deadline of ${ms(st.timeoutMs)} passed`)) }, st.timeoutMs) })
      ])
      outcomes.push({ step: st.name, result: 'ok', ms: Date.now() - t, note: note ?? '' })
      log(`   ok: ${st.name} (${ms(Date.now() - t)})${note !== undefined ? `: ${note}` : ''}`)
    } catch (err: any) {
      failed = true
      const why = String(err?.message ?? err)
      outcomes.push({ step: st.name, result: 'FAILED', ms: Date.now() - t, note: why })
      log(`   FAILED: ${st.name} after ${ms(Date.now() - t)}:\n${why.split('\n').map(l => `     ${l}`).join('\n')}`)
      for (const name of st.logs) {
        const n = s.nodes.get(name)
        if (n !== undefined) log(`   --- tail of ${name}.log:\n${tail(n.log, 15)}`)
      }
    } finally {
      clearTimeout(timer)
    }
    if (st.name === untilStep) { log(`stopping after ${st.name} (--until)`); break }
  }

  log('summary:')
  for (const o of outcomes) log(`   ${o.result.padEnd(7)} ${o.step.padEnd(20)} ${o.ms > 0 ? ms(o.ms).padStart(9) : ''.padStart(9)}  ${o.note.split('\n')[0].slice(0, 160)}`)
  for (const l of closingNote(s)) log(l)
  teardown()
  if (failed) {
    log(`NETLAB FAILED (${outcomes.filter(o => o.result === 'FAILED').map(o => o.step).join(', ')}) after ${ms(Date.now() - started)}; logs kept in ${base}`)
    process.exitCode = 1
    return
  }
  await rm(base, { recursive: true, force: true })
  log(`NETLAB PASSED${untilStep !== undefined ? ` up to ${untilStep}` : ''} in ${ms(Date.now() - started)}`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
