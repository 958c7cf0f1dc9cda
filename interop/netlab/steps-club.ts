/** The netlab's second phase: the club forms, a user uploads, readers download, the owner leaves and members keep the roster alive. */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { log, ms, sha256File, writeSeededFile } from '../grid/lib.js'
import { LabError, cli, fail, isRunning, lafs, startNode, status, stopNode } from './nodes.js'
import { PORT, SERVER_NAMES, bootstrapped, initNode, node, until, type Step } from './lab-state.js'
import { connectionKinds, readerGets } from './lab-checks.js'

export const CLUB_STEPS: Step[] = [
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
