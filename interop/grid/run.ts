import '../../src/shim.js'
/**
 * `npm run interop`: twelve real `lafs-club` processes on 127.0.0.1 — an owner
 * that is also the bootstrap peer, ten storage servers in one club, an uploader —
 * plus a fresh reader that has only the bootstrap address and the caps. Each
 * step prints what it did and what it measured; any failure exits 1.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  BIN, check, cli, fail, filesUnder, freePort, isRunning, log, ms, patchConfig, run, sha256File,
  startDaemon, status, step, stopDaemon, until, writeSeededFile, type Daemon
} from './lib.js'

const DHT = '/lafs-club-interop/kad/1.0.0'
const SERVERS = 10
const KILLED = 7

interface Node { name: string, dir: string, port: number, initArgs: string[], daemon?: Daemon }
interface Upload { label: string, path: string, size: number, sha: string, cap: string, hintedCap: string }

async function main (): Promise<void> {
  const started = Date.now()
  if (!existsSync(BIN)) fail(`${BIN} is missing: run "npm run build" first`)
  const base = await mkdtemp(join(tmpdir(), 'lafs-interop-grid-'))
  log(`data folders under ${base}`)
  const nodes: Node[] = []
  try {
    await grid(base, nodes)
  } finally {
    await Promise.all(nodes.map(async n => { if (n.daemon !== undefined) await stopDaemon(n.daemon).catch(() => {}) }))
    await rm(base, { recursive: true, force: true })
  }
  log(`ALL STEPS PASSED in ${ms(Date.now() - started)}`)
}

async function grid (base: string, nodes: Node[]): Promise<void> {
  const owner: Node = { name: 'owner', dir: join(base, 'owner'), port: await freePort(), initArgs: ['--no-bootstrap', '--no-storage'] }
  const servers: Node[] = []
  for (let i = 0; i < SERVERS; i++) servers.push({ name: `server${i}`, dir: join(base, `server${i}`), port: await freePort(), initArgs: [] })
  const uploader: Node = { name: 'uploader', dir: join(base, 'uploader'), port: await freePort(), initArgs: ['--no-storage'] }
  nodes.push(owner, ...servers, uploader)
  const readerDir = join(base, 'reader')
  let bootstrap = ''

  const init = async (n: Node, extra: string[]): Promise<void> => {
    await cli(n.dir, ['init', '--listen', `/ip4/127.0.0.1/tcp/${n.port}`, '--gateway-port', '0', '--dht-protocol', DHT, ...extra])
    await patchConfig(n.dir, {
      dht: { lan: true, clientMode: 'server' },
      nat: { upnp: false, autonat: false },
      // twelve daemons dialling the bootstrap peer at once: more handshakes in flight than the default 10
      connections: { allow: ['/ip4/127.0.0.0/ipcidr/8'], maxIncomingPending: 64 }
    })
  }
  const start = async (n: Node): Promise<void> => { n.daemon = await startDaemon(n.name, n.dir) }
  const d = (n: Node): Daemon => n.daemon ?? fail(`${n.name} is not running`)
  /** Waits for `want` storage servers; past the deadline, settles for `floor` with a printed note. */
  const serversSeenBy = async (n: Node, want: number, timeoutMs = 45_000, floor = 7): Promise<string> => {
    const t = Date.now()
    let seen = -1
    const poll = async (): Promise<true | undefined> => {
      const s = await status(d(n))
      seen = s.storageServersConnected
      return s.storageServersConnected >= want ? true : undefined
    }
    try {
      await until(`${n.name} to be connected to ${want} storage servers`, poll, timeoutMs)
      return `${n.name} sees all ${want} storage servers after ${ms(Date.now() - t)}`
    } catch (err: any) {
      if (seen < floor) fail(`${err.message} (it sees ${seen}, fewer than ${floor})`)
      return `NOTE: ${n.name} sees only ${seen} of ${want} storage servers after ${ms(Date.now() - t)} (at least ${floor} needed: going on)`
    }
  }
  /** A restarted server is back once its own status page answers with storage on and a peer connected. */
  const backUp = async (list: Node[]): Promise<string> => {
    const t = Date.now()
    await Promise.all(list.map(async n => await until(`${n.name} to answer with storage on and a peer`, async () => {
      const s = await status(d(n))
      return s.storage !== null && s.peers.length >= 1 ? true : undefined
    }, 60_000)))
    const seen = (await status(d(owner))).storageServersConnected
    return `${list.map(n => n.name).join(', ')} answer with storage on and ≥1 peer after ${ms(Date.now() - t)}; the owner is connected to ${seen} storage servers, the uploader to ${(await status(d(uploader))).storageServersConnected}`
  }
  /** Upload readiness: `client.happy` (7) storage servers connected; uploads through the club dial the rest. */
  const readyToUpload = async (n: Node, timeoutMs = 90_000): Promise<string> => {
    const t = Date.now()
    const s = await until(`${n.name} to report uploadReady`, async () => {
      const s = await status(d(n))
      return s.uploadReady === true ? s : undefined
    }, timeoutMs)
    return `uploadReady after ${ms(Date.now() - t)}, ${s.storageServersConnected} storage servers connected`
  }

  await step(`init + start the owner (bootstrap peer, no storage) on port ${owner.port}`, async () => {
    await init(owner, owner.initArgs)
    const t = Date.now()
    await start(owner)
    bootstrap = d(owner).info.multiaddrs.find(a => a.includes(`/tcp/${owner.port}/`)) ?? fail(`owner does not listen on ${owner.port}: ${d(owner).info.multiaddrs.join(' ')}`)
    log(`   owner ${d(owner).info.peerId} up in ${ms(Date.now() - t)}, bootstrap ${bootstrap}`)
  })

  await step(`init + start ${SERVERS} storage servers and the uploader`, async () => {
    const t = Date.now()
    await Promise.all([...servers, uploader].map(async n => { await init(n, [...n.initArgs, '--bootstrap', bootstrap]) }))
    log(`   ${SERVERS + 1} data folders initialised in ${ms(Date.now() - t)}`)
    const t2 = Date.now()
    await Promise.all([...servers, uploader].map(start))
    log(`   ${SERVERS + 1} daemons printed their addresses in ${ms(Date.now() - t2)}`)
    log(`   ${await serversSeenBy(owner, SERVERS)}`)
  })

  const club = await step(`club: create on the owner, add the ${SERVERS} servers, publish`, async () => {
    const created = await cli(owner.dir, ['club', 'create', 'interop grid', '--description', 'npm run interop', '--local'])
    const clubId: string = created.out.clubId
    log(`   created ${clubId} (seq ${created.out.sequence}) in ${ms(created.ms)}`)
    const t = Date.now()
    for (const s of servers) {
      const addr = d(s).info.multiaddrs.find(a => a.includes(`/tcp/${s.port}/`)) ?? fail(`${s.name} does not listen on ${s.port}`)
      await cli(owner.dir, ['club', 'add', clubId, addr])
    }
    log(`   ${SERVERS} servers added in ${ms(Date.now() - t)}`)
    const published = await cli(owner.dir, ['club', 'publish', clubId])
    check(published.out.servers.length === SERVERS, `the roster lists ${published.out.servers.length} servers, not ${SERVERS}`)
    log(`   published sequence ${published.out.sequence} in ${ms(published.ms)}`)
    const joined = await cli(uploader.dir, ['club', 'join', clubId], 90_000)
    check(joined.out.servers.length === SERVERS, `the uploader resolved a roster of ${joined.out.servers.length} servers`)
    log(`   the uploader resolved and joined the club from the DHT in ${ms(joined.ms)}`)
    log(`   uploader: ${await readyToUpload(uploader)}`)
    return clubId
  })

  const put = async (label: string, path: string, size: number): Promise<Upload> => {
    const sha = await sha256File(path)
    const r = await cli(uploader.dir, ['put', path, '--club', club], 300_000)
    const cap: string = r.out.cap
    const literal = cap.startsWith('URI:LIT:')
    // a literal cap holds the bytes themselves: no shares, so no club to hint
    if (literal) check(r.out.hintedCap === null, `a literal cap came with a hint: ${r.out.hintedCap}`)
    else check(r.out.hintedCap === `${cap}@${club}`, `hinted cap ${r.out.hintedCap} is not ${cap}@${club}`)
    log(`   put ${label}: ${ms(r.ms)}${size >= 1 << 20 ? `, ${(size / 1048576 / (r.ms / 1000)).toFixed(1)} MiB/s` : ''} (whole CLI process) → ${cap.slice(0, 40)}…`)
    return { label, path, size, sha, cap, hintedCap: r.out.hintedCap ?? cap }
  }

  // storage index dirs on a server: the new one after an upload is that file's
  const siDirs = async (n: Node): Promise<Set<string>> => {
    const files = await filesUnder(join(n.dir, 'storage', 'shares'))
    return new Set([...files.keys()].filter(f => !f.startsWith('incoming')).map(f => f.split('/').slice(0, 2).join('/')))
  }

  let oneMiBSi = ''
  const uploads = await step('put files of 0 B, 1 KiB, 1 MiB and 50 MiB (seeded PRNG) through the club', async () => {
    const out: Upload[] = []
    for (const [label, size, seed] of [['0 B', 0, 1], ['1 KiB', 1024, 2], ['1 MiB', 1 << 20, 3], ['50 MiB', 50 << 20, 4]] as const) {
      const path = join(base, `file-${size}.bin`)
      writeSeededFile(path, size, seed)
      const before = await siDirs(servers[0])
      const u = await put(label, path, size)
      const after = [...await siDirs(servers[0])].filter(s => !before.has(s))
      if (size === 1 << 20) {
        check(after.length === 1, `server0 gained ${after.length} storage indexes for the 1 MiB file`)
        oneMiBSi = after[0]
      }
      out.push(u)
    }
    const counts = await Promise.all(servers.map(async s => (await status(d(s))).storage.shares as number))
    log(`   shares held per server: ${counts.join(' ')}`)
    check(counts.every(c => c >= 3), 'some server holds fewer than 3 shares: N=10 over 10 servers should put one of each CHK file on every server')
    return out
  })

  const get = async (u: Upload, cap: string, how: string, explain = false): Promise<any> => {
    const out = join(base, `got-${u.size}-${Date.now()}.bin`)
    const r = await cli(readerDir, ['get', cap, '-o', out, ...(explain ? ['--explain'] : [])], 300_000)
    const sha = await sha256File(out)
    if (sha !== u.sha) fail(`get ${u.label} by ${how}: sha256 ${sha} ≠ uploaded ${u.sha}`)
    await rm(out, { force: true })
    log(`   get ${u.label} by ${how}: ${ms(r.ms)} (fresh in-process node)${u.size >= 1 << 20 ? `, ${(u.size / 1048576 / (r.ms / 1000)).toFixed(1)} MiB/s` : ''}, sha256 matches`)
    return r.out
  }

  await step('fresh reader (only the bootstrap address): get every file by plain cap (DHT providers) and by hinted cap', async () => {
    await init({ name: 'reader', dir: readerDir, port: 0, initArgs: [] }, ['--bootstrap', bootstrap, '--no-storage'])
    for (const u of uploads) {
      if (u.cap.startsWith('URI:LIT:')) {
        await get(u, u.cap, 'literal cap (the bytes are in the cap: nothing to locate, so no --explain)')
        continue
      }
      const plain = await get(u, u.cap, 'plain cap', true)
      if (plain.explain !== undefined && plain.explain !== null) log(`     explain (plain): ${summarise(plain.explain)}`)
      const hinted = await get(u, u.hintedCap, 'hinted cap', true)
      if (hinted.explain !== undefined && hinted.explain !== null) log(`     explain (hinted): ${summarise(hinted.explain)}`)
      if (u.size === 1 << 20) log(`     full explain (hinted, 1 MiB): ${JSON.stringify(hinted.explain)}`)
    }
  })

  const oneMiB = uploads[2]
  await step(`kill -9 ${KILLED} of the ${SERVERS} servers; the 1 MiB file (k=3) still downloads; restart them`, async () => {
    const victims = servers.slice(0, KILLED)
    const t = Date.now()
    const results = await Promise.all(victims.map(async s => await stopDaemon(d(s), 'SIGKILL')))
    check(results.every(r => r.signal === 'SIGKILL'), `not every server died of SIGKILL: ${JSON.stringify(results)}`)
    log(`   killed ${victims.map(v => v.name).join(', ')} in ${ms(Date.now() - t)}`)
    await get(oneMiB, oneMiB.hintedCap, `hinted cap with ${SERVERS - KILLED} servers left`)
    await get(oneMiB, oneMiB.cap, `plain cap with ${SERVERS - KILLED} servers left`)
    const t2 = Date.now()
    await Promise.all(victims.map(start))
    log(`   ${KILLED} servers restarted in ${ms(Date.now() - t2)}`)
    // restarted servers dial the bootstrap peer; the uploader meets them again when an upload dials the roster
    log(`   ${await backUp(victims)}`)
  })

  await step('kill -9 a server in the middle of a 50 MiB upload; after its restart no partial share is visible', async () => {
    // every server's share files first: the victim is whichever is seen receiving first
    const befores = await Promise.all(servers.map(async s => await filesUnder(join(s.dir, 'storage', 'shares'))))
    for (const [i, s] of servers.entries()) {
      const done = [...befores[i].keys()].filter(f => !f.startsWith('incoming')).length
      check(done === (await status(d(s))).storage.shares, `${s.name}: ${done} share files on disk differ from the status count`)
    }
    const path = join(base, 'file-50MiB-b.bin')
    writeSeededFile(path, 50 << 20, 5)
    const sha = await sha256File(path)
    const t = Date.now()
    const putting = run(['--data', uploader.dir, '--json', 'put', path, '--club', club], 300_000)
    const partial = await until('a server to receive part of a share', async () => {
      for (const [i, s] of servers.entries()) {
        const files = await filesUnder(join(s.dir, 'storage', 'shares', 'incoming'))
        const bytes = [...files.values()].reduce((a, b) => a + b, 0)
        if (bytes > 0) return { i, files: files.size, bytes }
      }
      return undefined
    }, 120_000, 200)
    const victim = servers[partial.i]
    const before = befores[partial.i]
    const beforeDone = [...before.keys()].filter(f => !f.startsWith('incoming'))
    const sharesDir = join(victim.dir, 'storage', 'shares')
    await stopDaemon(d(victim), 'SIGKILL')
    log(`   killed ${victim.name} ${ms(Date.now() - t)} into the upload, holding ${partial.files} incoming file(s) of ${partial.bytes} bytes so far`)
    const onDisk = await filesUnder(join(sharesDir, 'incoming'))
    log(`   while it is down its incoming/ holds ${onDisk.size} file(s), ${[...onDisk.values()].reduce((a, b) => a + b, 0)} bytes`)
    const r = await putting
    log(`   the upload finished with exit ${r.code} in ${ms(r.ms)} (happy=7 of the ${SERVERS - 1} servers left may still be met)`)
    await start(victim)
    const after = await filesUnder(sharesDir)
    const incomingLeft = [...after.keys()].filter(f => f.startsWith('incoming'))
    check(incomingLeft.length === 0, `incoming/ still holds ${incomingLeft.join(', ')} after the restart`)
    const afterDone = [...after.keys()].filter(f => !f.startsWith('incoming')).sort()
    check(JSON.stringify(afterDone) === JSON.stringify(beforeDone.sort()), `${victim.name}'s shares changed: before ${beforeDone.length}, after ${afterDone.length} (${afterDone.filter(f => !beforeDone.includes(f)).join(', ')})`)
    for (const f of afterDone) check(after.get(f) === before.get(f), `${f} changed size across the crash`)
    const s = await status(d(victim))
    check(s.storage.incoming === 0, `status reports ${s.storage.incoming} uploads in progress`)
    check(s.storage.shares === beforeDone.length, `status reports ${s.storage.shares} shares, ${beforeDone.length} before`)
    log(`   after restart: incoming/ empty, ${afterDone.length} share files exactly as before, status shares=${s.storage.shares} incoming=${s.storage.incoming}`)
    if (r.code === 0) {
      const out = JSON.parse(r.stdout)
      await get({ label: '50 MiB (upload that lost a server)', path, size: 50 << 20, sha, cap: out.cap, hintedCap: out.hintedCap }, out.hintedCap, 'hinted cap')
    }
    await rm(path, { force: true })
    log(`   ${await backUp([victim])}`)
  })

  await step('corrupt one share file of the 1 MiB file on disk; get returns the right bytes and the server reports the corruption', async () => {
    const victim = servers[3]
    const dir = join(victim.dir, 'storage', 'shares', oneMiBSi)
    const files = await filesUnder(dir)
    check(files.size === 1, `${victim.name} holds ${files.size} shares of the 1 MiB file`)
    const [shnum, size] = [...files.entries()][0]
    const file = join(dir, shnum)
    const bytes = await readFile(file)
    const at = Math.floor(bytes.length / 2)
    bytes[at] ^= 0xff
    await writeFile(file, bytes)
    log(`   flipped byte ${at} of ${size} in ${victim.name}:shares/${oneMiBSi}/${shnum}`)
    const si = oneMiBSi.split('/')[1]
    const advised = async (): Promise<any> => ((await status(d(victim))).corruption as any[]).find(c => c.storageIndex === si)
    await get(oneMiB, oneMiB.hintedCap, 'hinted cap with one share corrupt')
    let advisory: any = await until('an advisory', advised, 3000, 300).catch(() => null)
    if (advisory === null) {
      // a download reads only k=3 of the 10 shares, and may not have read this one
      // `check` talks to a daemon (the reader has none): the uploader's daemon runs it.
      log(`   the download did not read share ${shnum} (it needs only k=3 of 10); running check --verify on the uploader's daemon, which reads every block`)
      const c = await cli(uploader.dir, ['check', oneMiB.hintedCap, '--verify'], 180_000)
      log(`   check --verify (${ms(c.ms)}): sharesFound=${c.out.sharesFound} healthy=${c.out.healthy} recoverable=${c.out.recoverable} corrupt=${JSON.stringify(c.out.corrupt)}`)
      check(c.out.recoverable === true, 'check says the file is not recoverable')
      advisory = await until(`${victim.name} to list a corruption advisory for ${si}`, advised, 20_000, 300)
    }
    log(`   ${victim.name} /status?t=json corruption: ${JSON.stringify(advisory)}`)
    const viaCli = await cli(victim.dir, ['status'])
    check((viaCli.out.corruption as any[]).some(c => c.storageIndex === si), '`lafs-club status --json` does not list the advisory')
    log('   `lafs-club status --json` on the server lists it too')
    await get(oneMiB, oneMiB.cap, 'plain cap with one share corrupt')
  })

  await step('stop every process (SIGTERM), start them all again, get everything again', async () => {
    const t = Date.now()
    const exits = await Promise.all(nodes.map(async n => ({ name: n.name, ...(await stopDaemon(d(n))) })))
    const bad = exits.filter(e => e.code !== 0)
    check(bad.length === 0, `daemons did not exit 0 on SIGTERM: ${JSON.stringify(bad)}`)
    log(`   ${nodes.length} daemons stopped cleanly (exit 0) in ${ms(Date.now() - t)}`)
    check(!nodes.some(n => n.daemon !== undefined && isRunning(n.daemon)), 'a daemon is still running')
    const t2 = Date.now()
    await start(owner)
    await Promise.all([...servers, uploader].map(start))
    log(`   ${nodes.length} daemons started again in ${ms(Date.now() - t2)}`)
    log(`   ${await serversSeenBy(owner, SERVERS)}`)
    const counts = await Promise.all(servers.map(async s => (await status(d(s))).storage.shares as number))
    log(`   shares held per server after the restart: ${counts.join(' ')}`)
    const clubs = await cli(uploader.dir, ['club', 'list'])
    check((clubs.out as any[]).some(c => c.clubId === club), 'the uploader forgot the club')
    for (const u of uploads) {
      await get(u, u.cap, 'plain cap after the restart')
      if (u.hintedCap !== u.cap) await get(u, u.hintedCap, 'hinted cap after the restart')
    }
  })
}

/** One line of the locate planner's explanation, whatever shape it has. */
function summarise (e: any): string {
  const inner = e?.explain ?? e
  const parts: string[] = []
  for (const k of ['chosen', 'way', 'estimate', 'estimates', 'actual', 'actualCost', 'runs']) {
    if (inner?.[k] !== undefined) parts.push(`${k}=${JSON.stringify(inner[k])}`)
  }
  if (Array.isArray(e?.servers)) parts.push(`servers=${e.servers.length}`)
  return (parts.length > 0 ? parts.join(' ') : JSON.stringify(e)).slice(0, 400)
}

main().then(() => { process.exit(0) }, (err: unknown) => {
  console.error(`\nINTEROP GRID FAILED: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
