import '../../src/shim.js'
/**
 * `npm run scale` (issue #16 part 4): a hundred real `lafs-club` processes on
 * 127.0.0.1 — an owner, storage servers in three clubs, writers and readers —
 * under a bounded load of mixed uploads and downloads while servers are
 * SIGKILLed and restarted or retired. Prints a table, saves
 * bench/results/scale.json, and exits 1 if an operation failed that the
 * share files on live servers say could have succeeded.
 * `npm run scale:short` is the CI size (30 nodes, 2 minutes of load).
 */
import { setMaxListeners } from 'node:events'
import { existsSync, rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { BIN, BUNDLE, check, cli, fail, log, ms, status, step, stopDaemon, until, useBin } from '../grid/lib.js'
import { churn, type ChurnEvent } from './churn.js'
import { createLoad } from './load.js'
import { parseOptions, type ScaleOptions } from './options.js'
import { sampleStatus, totals, type StatusTotals } from './status-totals.js'
import { seeded } from './rand.js'
import { keeper, repairAvailable, summarise, type Keeper } from './repair.js'
import { figures, printTable, save, table } from './report.js'
import { scanHealth } from './shares.js'
import { CLUBS, LIGHTENED, addressOf, inBatches, init, lightEnv, plan, start, type Plan, type ScaleNode } from './topology.js'
import { UsageSampler } from './usage.js'

/** Writers' self-repair pass interval when the build has one (default 6 h: nothing would happen within a run). */
const REPAIR_EVERY_SECONDS = 30
const abort = new AbortController()
// every operation's own signal listens to this one (AbortSignal.any), as does every churn wait
setMaxListeners(1000, abort.signal)
let nodesToKill: ScaleNode[] = []
let base = ''
let keepData = false

/** Ctrl-C or SIGTERM: every node SIGKILLed now (grid/lib.ts kills the CLI children on exit), the data removed. */
function trap (signal: NodeJS.Signals): void {
  console.error(`\n${signal}: killing ${nodesToKill.filter(n => n.daemon !== undefined).length} node processes`)
  abort.abort()
  for (const n of nodesToKill) if (n.daemon !== undefined && n.daemon.child.exitCode === null) n.daemon.child.kill('SIGKILL')
  if (base !== '' && !keepData) rmSync(base, { recursive: true, force: true })
  process.exit(130)
}
process.on('SIGINT', trap)
process.on('SIGTERM', trap)
process.on('SIGHUP', trap)

async function main (): Promise<number> {
  const started = Date.now()
  const loadStart = loadavg()
  const o = parseOptions(process.argv.slice(2))
  keepData = o.keep
  if (!existsSync(BIN)) fail(`${BIN} is missing: run "npm run build" first`)
  if (!existsSync(BUNDLE)) fail(`${BUNDLE} is missing: run "npm run bundle" (npm run scale does)`)
  useBin(BUNDLE)
  lightEnv()
  base = await mkdtemp(join(tmpdir(), 'lafs-scale-'))
  log(`npm run scale: ${o.nodes} nodes, ${o.minutes} min of load, churn ${o.churn * 100}% restarted + ${o.retire * 100}% retired; data under ${base}; load average ${loadStart.map(v => v.toFixed(2)).join(' ')}`)
  const p = await plan(base, o)
  nodesToKill = p.all
  try {
    return await scale(p, o, started, loadStart)
  } finally {
    const t = Date.now()
    await Promise.all(p.all.map(async n => {
      if (n.daemon === undefined) return
      const timer = setTimeout(() => n.daemon?.child.kill('SIGKILL'), 10_000)
      await stopDaemon(n.daemon).catch(() => {})
      clearTimeout(timer)
    }))
    log(`${p.all.length} nodes stopped in ${ms(Date.now() - t)}`)
    if (o.keep) log(`data folders kept in ${base}`)
    else rmSync(base, { recursive: true, force: true })
  }
}

async function scale (p: Plan, o: ScaleOptions, started: number, loadStart: number[]): Promise<number> {
  const rand = seeded(o.seed)
  const repair = await repairAvailable()
  log(`repair: ${repair ? '`lafs-club keep` found: files are handed to a keeper and repair times measured' : 'not available (no `lafs-club keep` in this build)'}`)
  log(`lightened: ${LIGHTENED.join('; ')}`)

  let bootstrap = ''
  await step(`init + start the owner (bootstrap peer, no storage) on port ${p.owner.port}`, async () => {
    await init(p.owner, undefined, o)
    await start(p.owner)
    bootstrap = addressOf(p.owner)
  })
  const others = [...p.servers, ...p.writers, ...p.readers]
  await step(`init ${others.length} data folders (4 at a time)`, async () => {
    await inBatches(others, 4, async n => { await init(n, bootstrap, o, repair ? REPAIR_EVERY_SECONDS : undefined) })
  })
  await step(`start ${p.servers.length} servers, ${p.writers.length} writers, ${p.readers.length} readers (8 at a time)`, async () => {
    await inBatches(others, 8, async n => {
      await start(n).catch(async (err: unknown) => {
        log(`   ${n.name}: ${err instanceof Error ? err.message : String(err)}; starting it once more`)
        await start(n)
      })
    })
  })

  const clubIds: string[] = []
  await step(`create ${CLUBS} clubs on the owner, each with its servers`, async () => {
    for (let c = 0; c < CLUBS; c++) {
      const members = p.servers.filter(s => s.club === c)
      const args = ['club', 'create', `scale club ${c}`, '--description', 'npm run scale', '--local', ...members.flatMap(s => ['--server', addressOf(s)])]
      const created = await cli(p.owner.dir, args, 120_000)
      clubIds.push(created.out.clubId)
      log(`   club ${c}: ${created.out.clubId} with ${members.length} servers (${ms(created.ms)})`)
    }
  })
  const joinFailures: string[] = []
  await step(`every writer joins the ${CLUBS} clubs (roster from the DHT) and is ready to upload`, async () => {
    await inBatches(p.writers, 4, async w => {
      for (const [c, id] of clubIds.entries()) {
        // a roster resolve is a DHT walk with a deadline, which a busy machine can miss: try again, as a user would;
        // a writer that never resolves a club's roster uploads to the others, and the report says so
        try {
          const joined = await until(`${w.name} to join club ${c}`, async () => (await cli(w.dir, ['club', 'join', id], 120_000)).out, 180_000, 2000)
          check(joined.servers.length > 0, `${w.name} resolved an empty roster of ${id}`)
          w.joined.push(c)
        } catch (err) {
          const line = `${w.name} could not join club ${c}: ${(err instanceof Error ? err.message : String(err)).split('\n').slice(0, 2).join(' ').slice(0, 300)}`
          joinFailures.push(line)
          log(`   ${line}`)
        }
      }
      if (w.joined.length === 0) return
      await until(`${w.name} to report uploadReady`, async () => (await status(w.daemon ?? fail(`${w.name} is down`))).uploadReady === true ? true : undefined, 120_000, 1000)
        .catch((err: unknown) => { log(`   NOTE: ${err instanceof Error ? err.message : String(err)}`) })
    })
    check(p.writers.some(w => w.joined.length > 0), 'no writer joined any club')
  })
  await step('every reader is connected to at least one peer', async () => {
    await inBatches(p.readers, 8, async r => {
      await until(`${r.name} to have a peer`, async () => (await status(r.daemon ?? fail(`${r.name} is down`))).peers.length > 0 ? true : undefined, 60_000, 1000)
    })
  })
  const startupMs = Date.now() - started
  const idleMs = o.short ? 10_000 : 20_000
  const idle = await step(`idle for ${idleMs / 1000} s: the CPU every node costs with no load`, async () => {
    const sampler = new UsageSampler(p.all)
    sampler.start()
    await new Promise(resolve => setTimeout(resolve, idleMs))
    const used = sampler.stop()
    return { used, windowMs: sampler.stoppedAt - sampler.startedAt }
  })

  const usage = new UsageSampler(p.all)
  const keep: Keeper | undefined = repair ? keeper(p.writers) : undefined
  const load = createLoad({
    servers: p.servers, writers: p.writers, readers: p.readers, clubIds, k: o.k, happy: o.happy, concurrency: o.concurrency, rand, log,
    onStored: f => { void keep?.keep(f) }
  })
  let events: ChurnEvent[] = []
  let counts: StatusTotals | undefined
  const loadStarted = Date.now()
  const deadline = loadStarted + o.minutes * 60_000
  await step(`load for ${o.minutes} min: ${o.concurrency} operations at a time, churn meanwhile`, async () => {
    usage.start()
    const atStart = await sampleStatus(p.all)
    const health = setInterval(() => { scanHealth(load.files, p.servers, o.happy) }, 5000)
    try {
      const churning = churn({ servers: p.servers, churn: o.churn, retire: o.retire, rand: seeded(o.seed + 1), log }, loadStarted, deadline, abort.signal)
      await load.run(deadline, abort.signal)
      events = await churning
      counts = totals(atStart, await sampleStatus(p.all), (Date.now() - loadStarted) / 60_000)
      if (repair) {
        // repairs still under way get a grace period, without new load
        await until('every file back at happy', async () => {
          scanHealth(load.files, p.servers, o.happy)
          return load.files.every(f => f.belowSince === undefined) ? true : undefined
        }, Math.min(120_000, o.minutes * 30_000), 5000).catch((err: unknown) => { log(`   ${err instanceof Error ? err.message : String(err)}`) })
      }
      scanHealth(load.files, p.servers, o.happy)
    } finally {
      clearInterval(health)
    }
  })
  const loadMs = Date.now() - loadStarted
  const loadAtLoadEnd = loadavg()
  const used = usage.stop()

  const g = figures({
    options: o,
    roles: { owner: 1, server: p.servers.length, writer: p.writers.length, reader: p.readers.length },
    clubSizes: clubIds.map((_, c) => p.servers.filter(s => s.club === c).length),
    lightened: LIGHTENED, loadStart, loadAtLoadEnd, startupMs, loadMs, ops: load.ops, churn: events,
    repair: summarise(load.files, repair, keep), usage: used, windowMs: usage.stoppedAt - usage.startedAt, idle, joinFailures, counts
  })
  const rows = table(g)
  console.log('\nnpm run scale — results')
  printTable(rows)
  console.log('\n  lightened, per node:')
  for (const l of LIGHTENED) console.log(`    - ${l}`)
  for (const f of g.failures.slice(0, 10)) console.log(`  failed ${f.kind as string} on ${f.node as string} (${f.size as number} B, club ${f.club as number}${f.via !== undefined ? `, ${f.via as string} cap` : ''}): ${f.evidence as string}; ${f.error as string}`)
  const file = await save(g, rows, started, loadStart, o.short)
  log(`saved ${file}`)
  const real = g.downloads.failedWithKSharesReachable + g.uploads.failedWithHappyServersLive
  check(g.downloads.total > 0 && g.uploads.total > g.uploads.failed, 'the load made no successful upload or no download')
  if (real > 0) {
    log(`FAILED: ${real} operations failed although the disks say they could have succeeded`)
    return 1
  }
  log(`PASSED: no operation failed that had k shares (downloads) or happy servers (uploads) reachable, in ${ms(Date.now() - started)}`)
  return 0
}

main().then(code => { process.exit(code) }, (err: unknown) => {
  console.error(`\nSCALE RUN FAILED: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
