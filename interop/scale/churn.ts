/**
 * Churn during the load: a share of the servers is SIGKILLed and started
 * again after a while, another share SIGKILLed for good. Victims are taken
 * round-robin over the clubs (shuffled within each), so no club loses all of
 * its servers at once; kill times are spread over the middle of the load.
 */
import { stopDaemon } from '../grid/lib.js'
import { start, type ScaleNode } from './topology.js'
import type { Rand } from './rand.js'

export interface ChurnEvent {
  server: string
  club: number
  kind: 'restart' | 'retire'
  /** ms since the epoch of the SIGKILL. */
  killedAt: number
  /** Restarts: ms down, from the SIGKILL to the daemon printing its addresses again. */
  downMs?: number
  error?: string
}

export interface ChurnInit {
  servers: ScaleNode[]
  churn: number
  retire: number
  rand: Rand
  log: (line: string) => void
}

/** Victims round-robin over the clubs: the first of each club's shuffled list, then the second, … */
function victims (servers: ScaleNode[], count: number, rand: Rand): ScaleNode[] {
  const byClub = new Map<number, ScaleNode[]>()
  for (const s of rand.shuffle(servers)) byClub.set(s.club, [...(byClub.get(s.club) ?? []), s])
  const out: ScaleNode[] = []
  for (let i = 0; out.length < count && i < servers.length; i++) {
    for (const list of byClub.values()) if (list[i] !== undefined && out.length < count) out.push(list[i])
  }
  return out
}

/**
 * Runs the churn between `from` and `to` (ms since the epoch) and resolves
 * once every killed server that is to come back is back (or failed to).
 */
export async function churn (init: ChurnInit, from: number, to: number, signal: AbortSignal): Promise<ChurnEvent[]> {
  const { servers, rand } = init
  const restarts = Math.round(servers.length * init.churn)
  const retires = Math.round(servers.length * init.retire)
  const chosen = victims(servers, restarts + retires, rand)
  const kinds: Array<'restart' | 'retire'> = rand.shuffle([...Array(restarts).fill('restart'), ...Array(retires).fill('retire')])
  const window = to - from
  // spread over 10%…60% of the load, so the restarts (and repairs) still happen under load
  const times = chosen.map((_, i) => from + window * (0.1 + 0.5 * (i + rand.next()) / Math.max(1, chosen.length)))
  const events: ChurnEvent[] = []
  const pending: Array<Promise<void>> = []
  const sleep = async (until: number): Promise<void> => {
    const wait = until - Date.now()
    if (wait <= 0 || signal.aborted) return
    await new Promise<void>(resolve => {
      const done = (): void => { clearTimeout(t); signal.removeEventListener('abort', done); resolve() }
      const t = setTimeout(done, wait)
      signal.addEventListener('abort', done, { once: true })
    })
  }
  for (const [i, victim] of chosen.entries()) {
    await sleep(times[i])
    if (signal.aborted) break
    const kind = kinds[i]
    const ev: ChurnEvent = { server: victim.name, club: victim.club, kind, killedAt: Date.now() }
    events.push(ev)
    if (kind === 'retire') victim.retired = true
    victim.lastKilledAt = ev.killedAt
    if (victim.daemon !== undefined) await stopDaemon(victim.daemon, 'SIGKILL')
    init.log(`   churn: SIGKILL ${victim.name} (club ${victim.club})${kind === 'retire' ? ', retired for good' : ''}`)
    if (kind === 'retire') continue
    // down for 5–15% of the load, at least 5 s, at most 60 s (a start on a busy machine adds to that)
    const downFor = Math.min(60_000, Math.max(5_000, window * (0.05 + 0.1 * rand.next())))
    pending.push((async () => {
      await sleep(ev.killedAt + downFor)
      if (signal.aborted) return
      try {
        await start(victim)
        ev.downMs = Date.now() - ev.killedAt
        init.log(`   churn: ${victim.name} back after ${(ev.downMs / 1000).toFixed(1)} s`)
      } catch (err: any) {
        ev.error = String(err?.message ?? err).slice(0, 300)
        init.log(`   churn: ${victim.name} did not come back: ${ev.error}`)
      }
    })())
  }
  await Promise.all(pending)
  return events
}
