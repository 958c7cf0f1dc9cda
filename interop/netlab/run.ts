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
import { BIN, log, mib, ms } from '../grid/lib.js'
import { LabError, killAll, tail } from './nodes.js'
import { HOME_DOWN, HOME_UP, destroyLab, labNamespaces } from './topology.js'
import { LINE_RATE_JS, type Outcome, type State, type Step } from './lab-state.js'
import { SETUP_STEPS } from './steps-setup.js'
import { CLUB_STEPS } from './steps-club.js'

/** Every step, in order: the lab and its nodes, then the club's life. */
const STEPS: Step[] = [...SETUP_STEPS, ...CLUB_STEPS]

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
