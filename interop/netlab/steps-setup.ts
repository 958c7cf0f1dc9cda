/** The netlab's first phase: the lab itself, its line rates, the VPSes and homes, UPnP and relay reservations. */
import { execFileSync } from 'node:child_process'
import { log, ms } from '../grid/lib.js'
import { LabError, check, fail, runIn, spawnIn, startNode, status } from './nodes.js'
import { HOME_DOWN, HOME_UP, INET, ROUTERS, VPSES, createLab, describeLab, host, labNamespaces, wanIp } from './topology.js'
import { HOME_NAMES, LINE_RATE_JS, PORT, addrOn, bootstrapped, initNode, node, until, type Step } from './lab-state.js'

export const SETUP_STEPS: Step[] = [
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
]
