/**
 * Soak (issue #12): one storage server node under attack by every hostile
 * peer of the issue at once, while honest clients upload and read back.
 *
 *   server    a real node (createNode, storage on, default limits) in a child
 *             process under `prlimit --nofile=<nofile>`; the honest clients'
 *             peer IDs are granted accounts (an operator's friends)
 *   hostile   one child process running, in parallel and in loops: an
 *             allocation flood by one account, 0- and 1-byte shares, Sybil
 *             peer IDs reserving their free quota, corruption advisories
 *             with long reasons, stalled sessions flooding write frames,
 *             connection churn (bench/lib/soak-attacks.ts)
 *   honest    in this process: each client uploads a random file (1 KiB to
 *             4 MiB, log-uniform; CHK 1-of-1 on the one server), finds and
 *             downloads it and compares the bytes, again and again
 *
 * Every 5 s the server's RSS, open descriptors and database size (its
 * SQLite files with WAL) are sampled and a progress line printed. The end
 * report gives the honest operations (with each distinct failure), what the
 * hostile clients sent and how it was refused, and the peaks. Exit code 1 if
 * any honest operation failed. Results go to bench/results/soak-<date>.json
 * only for runs of 30 minutes or more. Ctrl-C ends the run early (with the
 * report); a second Ctrl-C kills the children and exits.
 *
 * Run: npm run soak                       (30 minutes)
 *      npm run soak -- --minutes 1        (a smoke run)
 * Options: --minutes <m> (fractions too), --honest <n> (4), --nofile <n> (4096),
 *          --capacity-gib <n> (64, at most 80% of the free disk: the server's capacity; free accounts get half)
 */
import '../src/shim.js'
import { positiveOption } from './lib/args.js'
import { mkdtemp, mkdir, rm, statfs, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { download, findShares, upload, type ServerInfo } from '../src/client/index.js'
import { errorCode } from '../src/protocols/errors.js'
import type { AttackName, AttackTally } from './lib/soak-attacks.js'
import { fdsOf, rssOf, sizeOf, startSoakChild, type SoakChild } from './lib/soak-child.js'
import { createBenchNode } from './lib/transfer-node.js'
import { consume, plaintext } from './lib/transfer-ops.js'
import type { SoakServerInfo } from './lib/soak-server-child.js'
import type { Libp2p } from '@libp2p/interface'

const MiB = 2 ** 20
const SAMPLE_MS = 5000
/** An honest operation that takes longer than this counts as failed. */
const HONEST_OP_TIMEOUT_MS = 5 * 60_000
/** Results are kept only for runs this long (shorter ones are smoke runs). */
const SAVE_MINUTES = 30


const MINUTES = positiveOption('--minutes') ?? 30
const HONEST = Math.round(positiveOption('--honest') ?? 4)
const NOFILE = Math.round(positiveOption('--nofile') ?? 4096)
/**
 * The server's capacity (free accounts get half). Honest clients keep what
 * they upload (up to ~20 GB in 30 minutes on an idle 2-core machine), so the
 * default is large, but never more than 80% of the disk's free space.
 */
const CAPACITY_ASKED = Math.round((positiveOption('--capacity-gib') ?? 64) * 2 ** 30)

// A reset stream can leave an internal drain promise rejected with nobody awaiting it.
process.on('unhandledRejection', () => {})

interface Sample { t: number, rss: number, fds: number, db: number }
interface HonestTally { ok: number, failed: number, bytes: number, failures: Map<string, number>, slowestMs: number }
type Tallies = Record<AttackName, AttackTally>

const mib = (n: number): string => (n / MiB).toFixed(1)
const clock = (ms: number): string => `${Math.floor(ms / 60_000)}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}`

/** A size from 1 KiB to 4 MiB, log-uniform: as many files of a few KiB as of a few MiB. */
function fileSize (): number {
  return Math.round(2 ** (10 + Math.random() * 12))
}

async function withTimeout<T> (p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([p, new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`${what} timed out after ${ms / 1000} s`)) }, ms) })])
  } finally {
    clearTimeout(timer)
  }
}

/** One honest client: upload, locate, download, compare; until `stop`. */
async function honestLoop (node: Libp2p, server: ServerInfo, tally: HonestTally, stop: AbortSignal): Promise<void> {
  const leaseSecret = new Uint8Array(32)
  crypto.getRandomValues(leaseSecret)
  while (!stop.aborted) {
    const size = fileSize()
    const started = Date.now()
    try {
      const pt = await plaintext(size, false)
      const convergenceSecret = new Uint8Array(32)
      crypto.getRandomValues(convergenceSecret)
      await withTimeout((async () => {
        const up = await upload(node, pt.source, { servers: [server], leaseSecret, convergenceSecret, k: 1, happy: 1, n: 1, size })
        if (up.storageIndex == null) throw new Error('upload returned no storage index')
        const { holders } = await findShares(node, up.storageIndex, [server])
        if (holders.length === 0) throw new Error('the server does not list the share just uploaded')
        await consume(download(node, up.cap, { holders }), pt, 'download', false)
      })(), HONEST_OP_TIMEOUT_MS, 'upload and download')
      tally.ok++
      tally.bytes += size
      tally.slowestMs = Math.max(tally.slowestMs, Date.now() - started)
    } catch (err) {
      tally.failed++
      const code = errorCode(err)
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 160)
      const key = code === undefined ? message : `${code}: ${message}`
      tally.failures.set(key, (tally.failures.get(key) ?? 0) + 1)
      console.error(`honest operation failed (${size} bytes): ${key}`)
    }
  }
}

function hostileSums (t: Tallies | undefined): { sent: number, refused: number, byCode: Map<string, number> } {
  const byCode = new Map<string, number>()
  let sent = 0
  let refused = 0
  for (const a of Object.values(t ?? {})) {
    sent += a.sent
    for (const [code, n] of Object.entries(a.refused)) {
      refused += n
      byCode.set(code, (byCode.get(code) ?? 0) + n)
    }
  }
  return { sent, refused, byCode }
}

async function main (): Promise<number> {
  const started = Date.now()
  const stop = new AbortController()
  const children: Array<SoakChild<unknown>> = []
  const honestNodes: Libp2p[] = []
  const dataDir = await mkdtemp(join(tmpdir(), 'lafs-soak-'))
  let interrupted = false
  const onSigint = (): void => {
    if (interrupted) {
      for (const c of children) c.kill()
      void rm(dataDir, { recursive: true, force: true }).finally(() => process.exit(130))
      return
    }
    interrupted = true
    console.log('\ninterrupted: finishing the honest operations in progress, then the report (Ctrl-C again to quit at once)')
    stop.abort()
  }
  process.on('SIGINT', onSigint)
  process.on('SIGTERM', onSigint)

  try {
    const disk = await statfs(dataDir)
    const CAPACITY = Math.min(CAPACITY_ASKED, Math.floor(disk.bavail * disk.bsize * 0.8))
    if (CAPACITY < CAPACITY_ASKED) console.log(`capacity lowered to ${(CAPACITY / 2 ** 30).toFixed(1)} GiB: 80% of the free disk space`)
    for (let i = 0; i < HONEST; i++) honestNodes.push(await createBenchNode())
    const serverChild = await startSoakChild<SoakServerInfo>(import.meta.url, 'soak-server-child',
      [dataDir, String(CAPACITY), ...honestNodes.map(n => n.peerId.toString())], 'soak server', NOFILE)
    children.push(serverChild)
    const { pid } = serverChild.info
    const server: ServerInfo = { peerId: serverChild.info.peerId, multiaddrs: [serverChild.info.addr] }
    const dbFiles = ['storage/storage.sqlite', 'leases.sqlite'].flatMap(f => ['', '-wal', '-shm'].map(s => join(dataDir, f + s)))
    const sample = async (): Promise<Sample> => ({ t: Date.now() - started, rss: await rssOf(pid), fds: await fdsOf(pid), db: await sizeOf(dbFiles) })
    const idle = await sample()
    console.log(`soak: ${MINUTES} min; server pid ${pid} under prlimit --nofile=${NOFILE}, capacity ${(CAPACITY / 2 ** 30).toFixed(1)} GiB, data ${dataDir}`)
    console.log(`      idle server: RSS ${mib(idle.rss)} MiB, ${idle.fds} fds, database ${mib(idle.db)} MiB; ${HONEST} honest clients, 6 attacks`)

    const hostile = await startSoakChild<{ pid: number }>(import.meta.url, 'soak-hostile-child', [serverChild.info.addr], 'hostile clients')
    children.push(hostile)
    let tallies: Tallies | undefined
    const readTallies = async (): Promise<void> => {
      try { tallies = (await hostile.ask<{ tallies: Tallies }>('tallies', 'tallies')).tallies } catch { /* keep the last tallies: the child is busy or gone */ }
    }

    const honest: HonestTally = { ok: 0, failed: 0, bytes: 0, failures: new Map(), slowestMs: 0 }
    const samples: Sample[] = [idle]
    const peak = { ...idle }
    const record = (s: Sample): void => {
      samples.push(s)
      peak.rss = Math.max(peak.rss, s.rss)
      peak.fds = Math.max(peak.fds, s.fds)
      peak.db = Math.max(peak.db, s.db)
    }
    const endAt = started + MINUTES * 60_000
    const endTimer = setTimeout(() => { stop.abort() }, Math.max(0, endAt - Date.now()))
    const loops = honestNodes.map(async n => { await honestLoop(n, server, honest, stop.signal) })
    const sampler = (async () => {
      while (!stop.signal.aborted) {
        await new Promise<void>(resolve => {
          const timer = setTimeout(done, SAMPLE_MS)
          function done (): void { clearTimeout(timer); stop.signal.removeEventListener('abort', done); resolve() }
          stop.signal.addEventListener('abort', done)
        })
        if (stop.signal.aborted) break
        const s = await sample()
        record(s)
        await readTallies()
        const h = hostileSums(tallies)
        console.log(`[${clock(s.t)}] server RSS ${mib(s.rss)} MiB (peak ${mib(peak.rss)}), fds ${s.fds}/${NOFILE} (peak ${peak.fds}), db ${mib(s.db)} MiB | honest ${honest.ok} ok, ${honest.failed} failed | hostile ${h.sent} sent, ${h.refused} refused`)
        if (s.rss === 0) { console.error('the server process is gone'); stop.abort() }
      }
    })()
    await Promise.all([...loops, sampler])
    clearTimeout(endTimer)
    const ranMs = Date.now() - started
    record(await sample())
    await readTallies()
    await hostile.stop()
    const serverAlive = await rssOf(pid) > 0
    await serverChild.stop()

    // the report
    const h = hostileSums(tallies)
    const lines = [
      '',
      `soak report: ${clock(ranMs)} (${(ranMs / 60_000).toFixed(2)} min${interrupted ? ', interrupted' : ''}), server ${serverAlive ? 'alive at the end' : 'GONE before the end'}`,
      `honest   ${honest.ok} upload+download round trips ok, ${honest.failed} failed; ${mib(honest.bytes)} MiB verified; slowest ${(honest.slowestMs / 1000).toFixed(1)} s`,
      ...[...honest.failures].map(([m, n]) => `         ${n} × ${m}`),
      `hostile  ${h.sent} sent, ${h.refused} refused or failed`,
      ...Object.entries(tallies ?? {}).flatMap(([name, a]) => [
        `  ${name}: ${a.sent} ${a.unit}, ${a.ok} ok`,
        ...Object.entries(a.refused).sort((x, y) => y[1] - x[1]).map(([code, n]) => `      ${n} × ${code}`)
      ]),
      `server   peak RSS ${mib(peak.rss)} MiB (idle ${mib(idle.rss)}), peak fds ${peak.fds} of ${NOFILE} (${(100 * peak.fds / NOFILE).toFixed(1)}%), peak database ${mib(peak.db)} MiB (idle ${mib(idle.db)})`
    ]
    console.log(lines.join('\n'))

    if (ranMs >= SAVE_MINUTES * 60_000) {
      const date = new Date().toISOString().slice(0, 10)
      const dir = fileURLToPath(new URL('../bench/results/', import.meta.url.replace('/dist/bench/', '/bench/')))
      await mkdir(dir, { recursive: true })
      const file = join(dir, `soak-${date}.json`)
      await writeFile(file, JSON.stringify({
        date: new Date().toISOString(),
        machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), loadStart: loadavg(), node: process.version },
        options: { minutes: MINUTES, honest: HONEST, nofile: NOFILE, capacity: CAPACITY },
        ranMs,
        interrupted,
        serverAlive,
        honest: { ok: honest.ok, failed: honest.failed, bytes: honest.bytes, slowestMs: honest.slowestMs, failures: Object.fromEntries(honest.failures) },
        hostile: tallies,
        server: { idle, peak, samples }
      }, null, 2) + '\n')
      console.log(`results: ${file}`)
    } else {
      console.log(`(results are saved only for runs of ${SAVE_MINUTES} minutes or more)`)
    }
    return honest.failed > 0 || !serverAlive ? 1 : 0
  } finally {
    stop.abort()
    await Promise.allSettled(children.map(async c => { await c.stop(5000) }))
    await Promise.allSettled(honestNodes.map(async n => { await n.stop() }))
    await rm(dataDir, { recursive: true, force: true })
    process.off('SIGINT', onSigint)
    process.off('SIGTERM', onSigint)
  }
}

main().then(code => { process.exit(code) }, (err: unknown) => {
  console.error('soak failed:', err)
  process.exit(2)
})
